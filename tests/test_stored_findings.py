"""The findings the sync stores say what the order timeline's rules say, at any moment."""

from __future__ import annotations

import random
from collections.abc import Sequence
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import inspect, select, update

from orderdesk.core import migrations
from orderdesk.core.findings_backfill import adopt_rules, backfill, backfill_pending
from orderdesk.core.records import (
    EVENTS,
    POSTBACK_STATUSES,
    HttpResponse,
    LogRecord,
    PostbackRecord,
    RecordError,
    RequestRecord,
)
from orderdesk.core.retention import prune
from orderdesk.core.schema import FINDINGS, META
from orderdesk.core.store import Store
from orderdesk.core.stored_findings import reference_findings
from orderdesk.core.timeline_rules import DEFAULT_RULES, Finding, TimelineRules, diagnose
from tests.record_factory import T0, postback, request

REFERENCES = ("ORD-1", "ORD-2")
MOMENTS = tuple(
    T0 + timedelta(minutes=minutes) for minutes in (-5, 0, 0.5, 2, 9, 11, 29, 31, 45, 600)
)


def _request_version(
    number: int, reference: str, created: float, later: float, data: dict[str, Any]
) -> RequestRecord:
    failed = data["status"] == "failed"
    error = RecordError(stage="printer", code="refused", message=f"order {reference} refused")
    return request(
        number,
        id=f"req_{number}",
        at=T0 + timedelta(minutes=created),
        updated=timedelta(minutes=later),
        order_reference_id=reference,
        order_id=data["order_id"],
        action=data["action"],
        status=data["status"],
        error=error if failed else None,
    )


def _postback_version(
    number: int, reference: str, created: float, later: float, data: dict[str, Any]
) -> PostbackRecord:
    at = T0 + timedelta(minutes=created)
    attempts = [
        HttpResponse(at=at + timedelta(seconds=5 * (i + 1)), status_code=500, body="500 upstream")
        for i in range(data["attempts"])
    ]
    return postback(
        number,
        id=f"pb_{number}",
        at=at,
        updated=timedelta(minutes=later),
        order_reference_id=reference,
        order_id=data["order_id"],
        event=data["event"],
        status=data["status"],
        attempts=attempts,
        response=attempts[-1] if attempts else None,
    )


_ORDER_IDS = st.sampled_from(["po_1", "po_2", None])
_REQUEST = st.fixed_dictionaries(
    {
        "action": st.sampled_from(["submit", "submit", "cancel"]),
        "status": st.sampled_from(["pending", "succeeded", "succeeded", "failed"]),
        "order_id": _ORDER_IDS,
    }
)
_POSTBACK = st.fixed_dictionaries(
    {
        "event": st.sampled_from(EVENTS),
        "status": st.sampled_from(POSTBACK_STATUSES),
        "order_id": _ORDER_IDS,
        "attempts": st.integers(0, 3),
    }
)


@st.composite
def histories(draw: st.DrawFn) -> list[LogRecord]:
    """Versions of a few records of two references: a record may change status and reference."""
    versions: list[LogRecord] = []
    for number in range(draw(st.integers(1, 6))):
        is_request = draw(st.booleans())
        created = draw(st.integers(-3, 40)) / 2
        later = 0.0
        for _ in range(draw(st.integers(1, 3))):
            later += draw(st.integers(1, 30)) / 4
            reference = draw(st.sampled_from(REFERENCES))
            if is_request:
                versions.append(_request_version(number, reference, created, later, draw(_REQUEST)))
            else:
                versions.append(
                    _postback_version(number, reference, created, later, draw(_POSTBACK))
                )
    return versions


def _newest(versions: Sequence[LogRecord]) -> list[LogRecord]:
    newest: dict[str, LogRecord] = {}
    for record in versions:
        seen = newest.get(record.id)
        if seen is None or record.updated_at > seen.updated_at:
            newest[record.id] = record
    return list(newest.values())


def _replay(store: Store | Sequence[Store], versions: Sequence[LogRecord], seed: int) -> None:
    """Save the versions as a sync might: shuffled, in random pages, some pages twice.

    Given several stores open on one database, each page goes to one of them at random:
    writers sharing the store.
    """
    writers = [store] if isinstance(store, Store) else list(store)
    rng = random.Random(seed)
    shuffled = list(versions)
    rng.shuffle(shuffled)
    pages: list[list[LogRecord]] = []
    while shuffled:
        size = rng.randint(1, 4)
        pages.append(shuffled[:size])
        shuffled = shuffled[size:]
    pages += rng.sample(pages, k=min(len(pages), rng.randint(0, 2)))
    for page in pages:
        writer = rng.choice(writers)
        requests = [r for r in page if isinstance(r, RequestRecord)]
        postbacks = [p for p in page if isinstance(p, PostbackRecord)]
        if requests:
            writer.save_page("requests", requests, None)
        if postbacks:
            writer.save_page("postbacks", postbacks, None)


def _by_repr(findings: Sequence[Finding]) -> list[Finding]:
    return sorted(findings, key=repr)


def _assert_stored_equal_diagnosis(
    store: Store, records: Sequence[LogRecord], moments: Sequence[datetime], rules: TimelineRules
) -> None:
    for reference in REFERENCES:
        mine = sorted(
            (r for r in records if r.order_reference_id == reference),
            key=lambda r: (r.created_at, r.id),
        )
        requests = [r for r in mine if isinstance(r, RequestRecord)]
        postbacks = [p for p in mine if isinstance(p, PostbackRecord)]
        for now in moments:
            with store.engine.connect() as connection:
                stored = reference_findings(connection, reference, now)
            expected = diagnose(requests, postbacks, now=now, rules=rules)
            assert _by_repr(stored) == _by_repr(expected), (reference, now)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(versions=histories(), seed=st.integers(0, 2**16), extra=st.integers(-10, 900))
def test_stored_findings_equal_a_diagnosis_from_scratch_however_pages_are_split(
    tmp_path_factory: pytest.TempPathFactory, versions: list[LogRecord], seed: int, extra: int
) -> None:
    path = tmp_path_factory.mktemp("replay") / "orderdesk.db"
    with Store.open(path) as store:
        _replay(store, versions, seed)
        moments = [*MOMENTS, T0 + timedelta(minutes=extra)]
        _assert_stored_equal_diagnosis(store, _newest(versions), moments, DEFAULT_RULES)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(versions=histories(), seed=st.integers(0, 2**16))
def test_stored_findings_hold_when_two_writers_share_the_store(
    tmp_path_factory: pytest.TempPathFactory, versions: list[LogRecord], seed: int
) -> None:
    # Each writer keeps the records of its recent pages' orders: the other's pages change them.
    path = tmp_path_factory.mktemp("shared") / "orderdesk.db"
    with Store.open(path) as one, Store.open(path) as other:
        _replay([one, other], versions, seed)
        _assert_stored_equal_diagnosis(one, _newest(versions), MOMENTS, DEFAULT_RULES)


def test_a_writer_reads_again_an_order_another_writer_changed(store_url: str) -> None:
    error = RecordError(stage="printer", code="refused", message="refused")
    failed = request(1, status="failed", error=error, updated=timedelta(minutes=1))
    resent = request(1, status="succeeded", updated=timedelta(minutes=5))
    received = postback(1, event="order_received", at=T0 + timedelta(minutes=6))
    now = T0 + timedelta(hours=1)
    with Store.open(store_url) as one, Store.open(store_url) as other:
        one.save_page("requests", [failed], None)
        other.save_page("requests", [resent], None)
        # ``one`` kept the failed version in memory with its order: the store has another.
        one.save_page("postbacks", [received], None)
        with one.engine.connect() as connection:
            stored = reference_findings(connection, "ORD-1", now)
    assert _by_repr(stored) == _by_repr(
        diagnose([resent], [received], now=now, rules=DEFAULT_RULES)
    )
    assert "request_failed" not in _rules(stored)


def test_a_writer_reads_again_the_orders_the_retention_pruned(store_url: str) -> None:
    first = request(1, id="req_1", updated=timedelta(seconds=2))
    # Submitted again a minute later, and changed long after: the retention keeps it.
    again = request(1, id="req_2", at=T0 + timedelta(minutes=1), updated=timedelta(days=2))
    received = postback(
        1, event="order_received", at=T0 + timedelta(minutes=2), updated=timedelta(days=2)
    )
    now = T0 + timedelta(days=3)
    with Store.open(store_url) as store:
        store.save_page("requests", [first, again], None)
        with store.engine.connect() as connection:
            assert "duplicate_reference" in _rules(reference_findings(connection, "ORD-1", now))
        prune(store, T0 + timedelta(days=1))
        # The writer kept req_1 in memory with its order: it must not count it again.
        store.save_page("postbacks", [received], None)
        with store.engine.connect() as connection:
            stored = reference_findings(connection, "ORD-1", now)
    assert _by_repr(stored) == _by_repr(diagnose([again], [received], now=now, rules=DEFAULT_RULES))
    assert "duplicate_reference" not in _rules(stored)


def test_an_order_a_record_leaves_as_another_arrives_loses_the_old_ones_findings(
    store_url: str,
) -> None:
    # Postbacks of no request: each is a ``no_request`` problem of its order.
    moved = postback(2, id="pb_moved", order_reference_id="ORD-2", at=T0)
    arrived = postback(3, id="pb_new", order_reference_id="ORD-2", at=T0 + timedelta(minutes=1))
    back = moved.model_copy(
        update={"order_reference_id": "ORD-1", "updated_at": moved.updated_at + timedelta(1)}
    )
    now = T0 + timedelta(hours=1)
    with Store.open(store_url) as store:
        store.save_page("postbacks", [moved], None)
    # A writer that keeps nothing yet (a sync started again): every record of ORD-2 is
    # one this page adds, yet ORD-2 had pb_moved, and its finding, until this page.
    with Store.open(store_url) as store:
        store.save_page("postbacks", [arrived, back], None)
        with store.engine.connect() as connection:
            stored = reference_findings(connection, "ORD-2", now)
    assert _by_repr(stored) == _by_repr(diagnose([], [arrived], now=now, rules=DEFAULT_RULES))
    assert [finding.records[0].id for finding in stored] == ["pb_new"]


def test_an_order_that_grows_past_the_cap_is_read_again_not_taken_from_memory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Three records of a kind at most, as the timeline shows an order: its newest three.
    monkeypatch.setattr("orderdesk.core.stored_findings.MAX_RECORDS", 3)
    error = RecordError(stage="printer", code="refused", message="refused")
    sent = [
        request(1, id=f"req_{n}", at=T0 + timedelta(minutes=n), order_id=f"po_{n}")
        for n in (1, 2, 3)
    ]
    failed = request(
        1, id="req_4", at=T0 + timedelta(minutes=4), status="failed", error=error, order_id=None
    )
    received = [
        postback(
            1,
            id=f"pb_{n}",
            event="order_received",
            order_id=f"po_{n}",
            at=T0 + timedelta(minutes=5),
        )
        for n in (2, 3)
    ]
    now = T0 + timedelta(hours=1)
    with Store.open(tmp_path / "orderdesk.db") as store:
        store.save_page("requests", sent, None)  # kept in memory whole: three
        store.save_page("requests", [failed], None)  # four: past the cap
        # The writer must not take the order's three requests it kept before as all of them.
        store.save_page("postbacks", received, None)
        with store.engine.connect() as connection:
            stored = reference_findings(connection, "ORD-1", now)
    expected = diagnose([*sent[1:], failed], received, now=now, rules=DEFAULT_RULES)
    assert _by_repr(stored) == _by_repr(expected)
    assert "request_failed" in _rules(stored)


def _rules(findings: Sequence[Finding]) -> list[str]:
    return [finding.rule for finding in findings]


def _a_busy_history() -> list[LogRecord]:
    """One fixed history with every time-bound rule in it, and a record that moves reference."""
    versions: list[LogRecord] = []
    draws: list[tuple[int, str, float, float, dict[str, Any]]] = [
        (1, "ORD-1", 0, 0.1, {"action": "submit", "status": "succeeded", "order_id": "po_1"}),
        (2, "ORD-2", 1, 0.1, {"action": "submit", "status": "succeeded", "order_id": "po_2"}),
        (3, "ORD-1", 2, 0.2, {"action": "submit", "status": "failed", "order_id": None}),
        (3, "ORD-2", 2, 0.5, {"action": "submit", "status": "failed", "order_id": None}),
    ]
    versions += [_request_version(*draw) for draw in draws]
    postbacks: list[tuple[int, str, float, float, dict[str, Any]]] = [
        (
            10,
            "ORD-2",
            3,
            0.1,
            {"event": "shipped", "status": "retrying", "order_id": "po_2", "attempts": 1},
        ),
        (
            11,
            "ORD-1",
            4,
            0.1,
            {"event": "error", "status": "delivered", "order_id": "po_1", "attempts": 1},
        ),
        (
            12,
            "ORD-1",
            5,
            0.1,
            {"event": "in_transit", "status": "pending", "order_id": "po_1", "attempts": 0},
        ),
        (
            12,
            "ORD-1",
            5,
            0.3,
            {"event": "in_transit", "status": "failed", "order_id": "po_1", "attempts": 3},
        ),
    ]
    versions += [_postback_version(*draw) for draw in postbacks]
    return versions


def test_stored_findings_equal_a_diagnosis_on_every_engine(store_url: str) -> None:
    versions = _a_busy_history()
    with Store.open(store_url) as store:
        _replay(store, versions, seed=7)
        _replay(store, list(reversed(versions)), seed=8)
        _assert_stored_equal_diagnosis(store, _newest(versions), MOMENTS, DEFAULT_RULES)


def test_the_writers_thresholds_decide_when_a_finding_falls_due(tmp_path: Path) -> None:
    rules = TimelineRules(receipt_within=timedelta(hours=2), retrying_after=timedelta(0))
    versions = _a_busy_history()
    with Store.open(tmp_path / "orderdesk.db", rules=rules) as store:
        _replay(store, versions, seed=3)
        moments = [*MOMENTS, T0 + timedelta(hours=2, minutes=1)]
        _assert_stored_equal_diagnosis(store, _newest(versions), moments, rules)


class TestTimeBoundFindings:
    """A finding that waits on time passing, with the test's clock."""

    def test_a_receipt_is_missing_from_thirty_minutes_after_the_submit_until_it_comes(
        self, tmp_path: Path
    ) -> None:
        submit = request(1)
        sent = submit.final.at if submit.final is not None else submit.created_at
        with Store.open(tmp_path / "orderdesk.db") as store:
            store.save_page("requests", [submit], None)

            def rules_at(now: datetime) -> list[str]:
                with store.engine.connect() as connection:
                    return [f.rule for f in reference_findings(connection, "ORD-1", now)]

            assert rules_at(sent + timedelta(minutes=29, seconds=59)) == ["awaiting_receipt"]
            assert rules_at(sent + timedelta(minutes=30)) == ["not_received"]
            assert rules_at(sent + timedelta(days=3)) == ["not_received"]
            received = postback(1, event="order_received", at=sent + timedelta(hours=1))
            store.save_page("postbacks", [received], None)
            assert rules_at(sent + timedelta(days=3)) == []
            assert rules_at(sent + timedelta(minutes=31)) == []

    def test_how_long_it_was_awaited_grows_with_the_clock(self, tmp_path: Path) -> None:
        submit = request(1)
        sent = submit.final.at if submit.final is not None else submit.created_at
        with Store.open(tmp_path / "orderdesk.db") as store:
            store.save_page("requests", [submit], None)
            with store.engine.connect() as connection:
                (early,) = reference_findings(connection, "ORD-1", sent + timedelta(minutes=5))
                (late,) = reference_findings(connection, "ORD-1", sent + timedelta(hours=2))
        assert early.waited == timedelta(minutes=5)
        assert late.waited == timedelta(hours=2)


class TestBackfill:
    """An older store gets its findings computed, a batch per transaction."""

    def _at_version_5(self, store_url: str) -> list[LogRecord]:
        """A store as schema v5 left it: records, and no findings table."""
        records: list[LogRecord] = [request(n) for n in range(1, 8)]
        records.append(postback(3, event="order_received"))
        with Store.open(store_url) as store:
            store.save_page("requests", [r for r in records if isinstance(r, RequestRecord)], None)
            store.save_page(
                "postbacks", [p for p in records if isinstance(p, PostbackRecord)], None
            )
            with store.writing() as connection:
                FINDINGS.drop(connection)
                connection.execute(
                    update(META).where(META.c.key == "schema_version").values(value="5")
                )
        return records

    def test_the_upgrade_marks_the_backfill_and_the_backfill_resumes_where_it_stopped(
        self, store_url: str
    ) -> None:
        self._at_version_5(store_url)
        with Store.open(store_url) as store:
            with store.engine.connect() as connection:
                assert backfill_pending(connection)
                assert reference_findings(connection, "ORD-1", T0 + timedelta(hours=1)) == []
            batches: list[int] = []
            stop_after_two = _StopAfter(2)
            done = backfill(
                store.writing, DEFAULT_RULES, batch=2, stop=stop_after_two, on_batch=batches.append
            )
            assert not done and batches == [2, 2]
            with store.engine.connect() as connection:
                assert backfill_pending(connection)
            assert backfill(store.writing, DEFAULT_RULES, batch=2, on_batch=batches.append)
            assert batches == [2, 2, 2, 1]
            with store.engine.connect() as connection:
                assert not backfill_pending(connection)
                late = T0 + timedelta(hours=1)
                assert [f.rule for f in reference_findings(connection, "ORD-1", late)] == [
                    "not_received"
                ]
                assert reference_findings(connection, "ORD-3", late) == []
                stored = connection.execute(
                    select(META.c.value).where(META.c.key == "schema_version")
                ).scalar_one()
        assert stored == str(migrations.SCHEMA_VERSION)

    def test_a_writer_with_other_thresholds_recomputes_every_reference(
        self, tmp_path: Path
    ) -> None:
        slower = TimelineRules(receipt_within=timedelta(hours=2))
        an_hour_on = T0 + timedelta(hours=1)
        with Store.open(tmp_path / "orderdesk.db") as store:
            store.save_page("requests", [request(1), request(2)], None)
            with store.writing() as connection:
                assert adopt_rules(connection, DEFAULT_RULES)
            assert backfill(store.writing, DEFAULT_RULES)
            with store.writing() as connection:
                assert not adopt_rules(connection, DEFAULT_RULES)
                assert adopt_rules(connection, slower)
            assert backfill(store.writing, slower)
            with store.engine.connect() as connection:
                found = reference_findings(connection, "ORD-2", an_hour_on)
        assert [f.rule for f in found] == ["awaiting_receipt"]

    def test_the_upgraded_table_is_the_one_a_new_store_gets(
        self, store_url: str, tmp_path: Path
    ) -> None:
        self._at_version_5(store_url)

        def shape(where: str | Path) -> tuple[list[str], list[str]]:
            with Store.open(where) as store, store.engine.connect() as connection:
                found = inspect(connection)
                columns = [column["name"] for column in found.get_columns("findings")]
                indexes = sorted(str(index["name"]) for index in found.get_indexes("findings"))
            return columns, indexes

        assert shape(store_url) == shape(tmp_path / "new.db")

    def test_a_store_made_at_the_current_version_needs_no_backfill(self, tmp_path: Path) -> None:
        with Store.open(tmp_path / "orderdesk.db") as store, store.engine.connect() as connection:
            assert not backfill_pending(connection)


class _StopAfter:
    """A stop that is set once it has been asked ``times`` times."""

    def __init__(self, times: int) -> None:
        self._left = times

    def is_set(self) -> bool:
        self._left -= 1
        return self._left < 0
