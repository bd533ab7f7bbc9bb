"""The plan of a bulk action, counted from the store: force, the cap, and a problem group's records.

On each engine, with real stores.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest

from orderdesk.core import bulk_plan
from orderdesk.core.bulk_plan import group_query, plan_query
from orderdesk.core.finding_spans import FindingSpan
from orderdesk.core.queries import RecordQuery
from orderdesk.core.records import Party
from orderdesk.core.store import Store
from orderdesk.core.timeline_rules import Finding, RecordRef
from tests.record_factory import T0, failed_request, request

SUCCEEDED = 6
FAILED = 4


@pytest.fixture
def store(store_url: str) -> Iterator[Store]:
    """Six succeeded requests and four failed ones, a minute apart."""
    with Store.open(store_url) as opened:
        records = [request(n, at=T0 + timedelta(minutes=n)) for n in range(1, SUCCEEDED + 1)] + [
            failed_request(n, at=T0 + timedelta(minutes=n))
            for n in range(SUCCEEDED + 1, SUCCEEDED + FAILED + 1)
        ]
        opened.save_page("requests", records, None)
        yield opened


def test_the_succeeded_are_skipped_unless_forced_and_listed_by_id(store: Store) -> None:
    query = RecordQuery("requests")

    plain = plan_query(store, query, force=False, cap=500, pace=5.0)
    forced = plan_query(store, query, force=True, cap=500, pace=5.0)

    assert (plain.total, plain.needs_force, plain.count) == (10, SUCCEEDED, FAILED)
    assert plain.plan is not None and plain.plan.kind == "resubmit"
    assert {t.id for t in plain.plan.targets} == {f"req_{n:06d}" for n in range(7, 11)}
    assert [t.id for t in plain.plan.skipped] == [f"req_{n:06d}" for n in range(6, 0, -1)]
    assert forced.plan is not None and forced.count == 10
    assert len(forced.plan.forced) == SUCCEEDED and not forced.plan.skipped


def test_over_the_cap_the_records_are_counted_never_read(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    def unread(*_: object, **__: object) -> None:
        raise AssertionError("a plan over the cap read the records")

    monkeypatch.setattr(bulk_plan, "iter_records", unread)
    plain = plan_query(store, RecordQuery("requests"), force=False, cap=3, pace=5.0)
    forced = plan_query(store, RecordQuery("requests"), force=True, cap=9, pace=5.0)

    assert plain.over_cap and plain.count == FAILED and plain.needs_force == SUCCEEDED
    assert forced.over_cap and forced.count == 10


def test_a_filter_of_its_own_statuses_narrows_what_needs_force(store: Store) -> None:
    only_failed = RecordQuery("requests", statuses=("failed",))
    plan = plan_query(store, only_failed, force=False, cap=500, pace=5.0)
    assert plan.plan is not None
    assert (plan.count, plan.needs_force, plan.plan.skipped) == (FAILED, 0, ())


def _span(*refs: RecordRef, rule: str = "request_failed") -> FindingSpan:
    finding = Finding(rule=rule, at=T0, records=refs)  # type: ignore[arg-type]
    return FindingSpan("ORD-1", finding, Party(id="c", name="C"), None, None)


def test_a_groups_records_are_those_of_its_rules_kind_once_each() -> None:
    spans = [
        _span(RecordRef("requests", "req_1"), RecordRef("postbacks", "pb_1")),
        _span(RecordRef("requests", "req_2"), RecordRef("requests", "req_1")),
    ]
    query = group_query("request_failed", spans)
    assert query is not None and query.kind == "requests"
    assert query.ids == ("req_1", "req_2")
    undelivered = group_query("undelivered", spans)
    assert undelivered is not None and undelivered.ids == ("pb_1",)


def test_a_problem_no_action_remedies_has_no_records() -> None:
    spans = [_span(RecordRef("requests", "req_1"), rule="duplicate_reference")]
    assert group_query("duplicate_reference", spans) is None
    assert group_query("cancel_after_printed", spans) is None
