"""When a problem group alerts: new, or its rate jumped; once, until it is quiet and back."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from orderdesk.core.problem_alerts import (
    AlertMemory,
    GroupKey,
    group_key,
    hourly_findings,
    rate_jumped,
)
from orderdesk.core.problems import ProblemGroup, problem_groups
from orderdesk.core.records import Party
from orderdesk.core.store import Store
from tests.record_factory import GLOBEX, T0, failed_request

_MINUTE = timedelta(minutes=1)


def _group(customer: str, last_seen: datetime, *, cause: str = "printer: refused") -> ProblemGroup:
    return ProblemGroup(
        rule="request_failed",
        severity="problem",
        customer=Party(id=customer, name=customer.title()),
        printer=None,
        cause=cause,
        orders=1,
        findings=1,
        first_seen=T0,
        last_seen=last_seen,
        buckets=(1,),
        bucket_start=T0,
        bucket_step=timedelta(hours=1),
    )


@pytest.mark.parametrize(
    ("last_hour", "hour_before", "jumped"),
    [(5, 1, True), (5, 0, True), (4, 0, False), (4, 1, False), (10, 2, True), (9, 2, False)],
)
def test_a_rate_jumps_at_five_times_the_hour_before_and_at_least_five(
    last_hour: int, hour_before: int, jumped: bool
) -> None:
    assert rate_jumped(last_hour, hour_before) is jumped


def test_the_key_is_rule_severity_customer_printer_and_cause() -> None:
    group = _group("cus_a", T0)
    assert group_key(group) == GroupKey(
        "request_failed", "problem", "cus_a", None, "printer: refused"
    )
    assert group_key(replace(group, orders=9, last_seen=T0 + _MINUTE)) == group_key(group)
    assert group_key(replace(group, cause="printer: other")) != group_key(group)


def test_a_new_group_alerts_once_and_again_after_going_quiet() -> None:
    memory = AlertMemory()
    old = _group("cus_a", T0)
    assert memory.alerts([old], {}, now=T0 + _MINUTE) == []  # the first look only learns

    new = _group("cus_b", T0 + 2 * _MINUTE)
    told = memory.alerts([old, new], {}, now=T0 + 3 * _MINUTE)
    assert [(a.group.customer.id, a.why) for a in told] == [("cus_b", "new")]
    assert memory.alerts([old, new], {}, now=T0 + 4 * _MINUTE) == []

    quiet_at = T0 + 2 * _MINUTE + timedelta(minutes=30)
    assert memory.alerts([new], {}, now=quiet_at) == []
    back = replace(new, last_seen=quiet_at + _MINUTE)
    told = memory.alerts([back], {}, now=quiet_at + 2 * _MINUTE)
    assert [(a.group.customer.id, a.why) for a in told] == [("cus_b", "new")]


def test_a_known_group_alerts_when_its_rate_jumps_once() -> None:
    memory = AlertMemory()
    group = _group("cus_a", T0)
    key = group_key(group)
    memory.alerts([group], {key: (1, 1)}, now=T0 + _MINUTE)
    told = memory.alerts([group], {key: (6, 1)}, now=T0 + 2 * _MINUTE)
    assert [a.why for a in told] == ["jumped"]
    assert memory.alerts([group], {key: (7, 1)}, now=T0 + 3 * _MINUTE) == []


def test_hourly_findings_count_the_last_hour_and_the_one_before(tmp_path: Path) -> None:
    now = T0 + timedelta(hours=2)
    with Store.open(tmp_path / "orderdesk.db") as store:
        before = [failed_request(n, at=T0 + timedelta(minutes=30 + n)) for n in (1, 2)]
        last = [failed_request(n, at=T0 + timedelta(minutes=70 + n)) for n in range(3, 8)]
        elsewhere = failed_request(9, at=T0 + timedelta(minutes=90), customer=GLOBEX)
        store.save_page("requests", [*before, *last, elsewhere], None)
        counts = hourly_findings(store, now=now)
        groups = {g.customer.id: group_key(g) for g in problem_groups(store, now=now)}
    assert counts == {groups["cus_acme"]: (5, 2), groups["cus_globex"]: (1, 0)}
