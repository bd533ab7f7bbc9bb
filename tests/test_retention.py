"""Retention: the records older than a cutoff leave the store with their findings and index rows.

Every test runs on SQLite and on PostgreSQL. The store holds orders of three
ages: long gone (every record older than the cutoff), recent, and orders that
straddle the cutoff (an old request, a recent postback).
"""

from __future__ import annotations

import os
import sqlite3
import threading
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from orderdesk.core.action_journal import ActionJournal, PlannedTarget
from orderdesk.core.action_schema import ACTION_JOURNAL, ACTIONS
from orderdesk.core.action_trail import save_actions
from orderdesk.core.actions_client import ActionIntent
from orderdesk.core.disk import compact, give_back, space
from orderdesk.core.errors import InputError
from orderdesk.core.lease import lease_holder
from orderdesk.core.query_check import truth
from orderdesk.core.records import KINDS, RECORD_TYPES, Kind, LogRecord
from orderdesk.core.retention import APPLY_EVERY, Pruned, apply_retention, plan_prune, prune
from orderdesk.core.schema import FINDINGS
from orderdesk.core.search import count_matches, phrases_expression
from orderdesk.core.store import Store
from orderdesk.core.stored_findings import refresh_findings
from orderdesk.core.sync_service import Source, SyncService
from tests.action_factory import T0 as action_t0
from tests.action_factory import action
from tests.fake_log_api import KEY, FakeLogApi, over_http
from tests.record_factory import T0, failed_request, postback, request

NOW = T0
CUTOFF = NOW - timedelta(days=90)
OLD = NOW - timedelta(days=200)
RECENT = NOW - timedelta(days=10)


def _old_orders() -> list[LogRecord]:
    """Orders 1 to 12, every record 200 days old; the even ones failed."""
    records: list[LogRecord] = []
    for n in range(1, 13):
        at = OLD + timedelta(minutes=n)
        records.append(failed_request(n, at=at) if n % 2 == 0 else request(n, at=at))
        records.append(postback(n, at=at + timedelta(hours=1)))
    return records


def _recent_orders() -> list[LogRecord]:
    """Orders 101 to 106, ten days old; one failed."""
    records: list[LogRecord] = []
    for n in range(101, 107):
        at = RECENT + timedelta(minutes=n)
        records.append(failed_request(n, at=at) if n == 101 else request(n, at=at))
        records.append(postback(n, at=at + timedelta(hours=1)))
    return records


def _straddling_orders() -> list[LogRecord]:
    """Orders 201 and 202: an old request; a postback (and, for 202, a request) changed lately."""
    return [
        failed_request(201, at=OLD),
        postback(201, at=RECENT),
        # Created long ago, changed ten days ago: it stays.
        request(202, at=OLD, updated=timedelta(days=190)),
        postback(202, at=RECENT),
    ]


def _save(store: Store, records: list[LogRecord]) -> None:
    for kind in KINDS:
        mine = [r for r in records if isinstance(r, RECORD_TYPES[kind])]
        if mine:
            store.save_page(kind, mine, None)


@pytest.fixture
def store(store_url: str) -> Iterator[Store]:
    with Store.open(store_url) as opened:
        _save(opened, _old_orders() + _recent_orders() + _straddling_orders())
        yield opened


def _ids(store: Store, kind: Kind) -> set[str]:
    return set(truth(store, kind))


def _finding_rows(store: Store) -> list[tuple[Any, ...]]:
    """Every stored finding, without its key, in a stable order."""
    columns = [column for column in FINDINGS.c if column.name != "pk"]
    with store.engine.connect() as connection:
        rows = connection.execute(select(*columns)).all()
    return sorted((tuple(row) for row in rows), key=repr)


def _references_with_findings(store: Store) -> set[str]:
    with store.engine.connect() as connection:
        return set(connection.execute(select(FINDINGS.c.order_reference_id)).scalars())


def _found(store: Store, kind: Kind, words: str) -> int:
    with store.engine.connect() as connection:
        expression = phrases_expression(connection, [words])
        assert expression is not None
        return count_matches(connection, kind, expression, up_to=1_000)


class TestThePlan:
    def test_counts_the_records_older_than_the_cutoff_and_says_their_span(
        self, store: Store
    ) -> None:
        plan = plan_prune(store, CUTOFF)

        assert (plan.requests, plan.postbacks) == (13, 12)
        assert plan.oldest == OLD + timedelta(seconds=2)  # order 201's request
        assert plan.newest == OLD + timedelta(minutes=12, hours=1, seconds=3)

    def test_counts_the_findings_of_the_orders_that_go_whole(self, store: Store) -> None:
        gone = {f"ORD-{n}" for n in range(1, 13)}
        with store.engine.connect() as connection:
            expected = sum(
                1
                for reference in connection.execute(select(FINDINGS.c.order_reference_id))
                .scalars()
                .all()
                if reference in gone
            )
        assert expected >= 6  # the failed ones at least

        assert plan_prune(store, CUTOFF).findings == expected

    def test_a_cutoff_before_everything_plans_nothing(self, store: Store) -> None:
        plan = plan_prune(store, OLD - timedelta(days=1))
        assert (plan.records, plan.findings, plan.oldest, plan.newest) == (0, 0, None, None)


class TestPruning:
    def test_removes_exactly_the_records_last_changed_before_the_cutoff(self, store: Store) -> None:
        records = _old_orders() + _recent_orders() + _straddling_orders()
        keep = {
            kind: {
                r.id
                for r in records
                if r.updated_at >= CUTOFF and isinstance(r, RECORD_TYPES[kind])
            }
            for kind in KINDS
        }
        told: list[int] = []

        # Small batches: several per kind, and order 202's old request walked past.
        pruned = prune(store, CUTOFF, batch=5, on_batch=lambda p: told.append(p.records))

        assert pruned.finished
        assert (pruned.requests, pruned.postbacks) == (13, 12)
        assert {kind: _ids(store, kind) for kind in KINDS} == keep
        assert "req_000202" in keep["requests"]
        assert told == sorted(told) and told[-1] == 25 and len(told) >= 3

    def test_takes_the_pruned_records_out_of_the_search_index_and_leaves_the_others(
        self, store: Store
    ) -> None:
        assert _found(store, "requests", "ORD-3") == 1

        prune(store, CUTOFF, batch=4)

        assert _found(store, "requests", "ORD-3") == 0
        assert _found(store, "postbacks", "ORD-3") == 0
        assert _found(store, "requests", "ORD-103") == 1
        assert _found(store, "postbacks", "ORD-103") == 1
        assert _found(store, "requests", "ORD-202") == 1

    def test_orders_that_go_whole_lose_their_findings_and_the_others_are_computed_again(
        self, store: Store
    ) -> None:
        assert {"ORD-2", "ORD-101", "ORD-201"} <= _references_with_findings(store)

        pruned = prune(store, CUTOFF, batch=5)

        references = _references_with_findings(store)
        assert not references & {f"ORD-{n}" for n in range(1, 13)}
        assert "ORD-101" in references
        # What is stored is what the remaining records give, nothing left over.
        stored = _finding_rows(store)
        with store.writing() as connection:
            refresh_findings(connection, references | {"ORD-201", "ORD-202"}, store.rules)
        assert _finding_rows(store) == stored
        assert pruned.findings > 0

    def test_a_stop_between_batches_leaves_the_rest_for_the_next_prune(self, store: Store) -> None:
        stop = threading.Event()

        def after_batch(pruned: Pruned) -> None:
            stop.set()

        first = prune(store, CUTOFF, batch=5, stop=stop, on_batch=after_batch)

        # The five oldest requests, and the old postbacks of their orders with them
        # (order 201's postback is recent, and stays).
        assert not first.finished and (first.requests, first.postbacks) == (5, 4)
        assert plan_prune(store, CUTOFF).records == 16
        second = prune(store, CUTOFF, batch=5)
        assert second.finished and first.records + second.records == 25
        assert plan_prune(store, CUTOFF).records == 0


class TestTheTrail:
    """The service's actions and the journal's entries go by the same cutoff as records."""

    @staticmethod
    def _trail(store: Store) -> list[str]:
        """Keep a trail of three ages and a journal of four entries; the journal's keys."""
        old = (OLD - action_t0).total_seconds() / 60
        recent = (RECENT - action_t0).total_seconds() / 60
        trail = [
            action("act_old", minutes=old),
            # Asked long ago, ended ten days ago: it stays, as a record changed lately does.
            action("act_straddling", minutes=old, updated_minutes=recent),
            action("act_recent", minutes=recent),
        ]
        with store.writing() as connection:
            save_actions(connection, trail, None)
        journal = ActionJournal(store)
        intent = ActionIntent(actor="alice@support", reason="their endpoint is fixed")
        targets = [PlannedTarget(f"pb_{n}", None) for n in range(3)]
        long_ago = journal.plan("redeliver", targets, intent, now=OLD)
        lately = journal.plan("redeliver", targets[:1], intent, now=RECENT)
        journal.accepted(long_ago[0].idempotency_key, "act_old", now=OLD)
        journal.cancel([long_ago[1].idempotency_key], now=OLD)
        # long_ago[2] is still planned: a resume needs it, however old.
        journal.accepted(lately[0].idempotency_key, "act_recent", now=RECENT)
        return [entry.idempotency_key for entry in (*long_ago, *lately)]

    def test_the_old_actions_and_ended_entries_go_and_an_entry_to_send_stays(
        self, store: Store
    ) -> None:
        keys = self._trail(store)

        plan = plan_prune(store, CUTOFF)
        assert (plan.actions, plan.journal) == (1, 2)
        pruned = prune(store, CUTOFF, batch=1)

        assert pruned.finished and (pruned.actions, pruned.journal) == (1, 2)
        with store.engine.connect() as connection:
            kept = set(connection.execute(select(ACTIONS.c.id)).scalars())
            entries = dict(
                connection.execute(
                    select(ACTION_JOURNAL.c.idempotency_key, ACTION_JOURNAL.c.state)
                ).all()
            )
        assert kept == {"act_straddling", "act_recent"}
        assert entries == {keys[2]: "planned", keys[3]: "accepted"}
        assert plan_prune(store, CUTOFF).empty

    def test_a_stop_between_batches_of_the_trail_leaves_the_rest(self, store: Store) -> None:
        self._trail(store)
        prune(store, CUTOFF)  # the records, and the trail with them
        self._trail_again(store)
        stop = threading.Event()

        first = prune(store, CUTOFF, batch=1, stop=stop, on_batch=lambda _: stop.set())

        assert not first.finished and (first.actions, first.journal) == (1, 0)
        rest = prune(store, CUTOFF, batch=1)
        assert rest.finished and (rest.actions, rest.journal) == (1, 2)

    @staticmethod
    def _trail_again(store: Store) -> None:
        """Two more old actions and two more ended entries, after a first prune."""
        old = (OLD - action_t0).total_seconds() / 60
        with store.writing() as connection:
            save_actions(connection, [action(f"act_again_{n}", minutes=old) for n in (1, 2)], None)
        journal = ActionJournal(store)
        intent = ActionIntent(actor="bob", reason="again")
        entries = journal.plan("redeliver", [PlannedTarget("pb_9", None)] * 2, intent, now=OLD)
        journal.cancel([entry.idempotency_key for entry in entries], now=OLD)


class TestSpace:
    def test_a_pruned_sqlite_file_gets_smaller(self, tmp_path: Path) -> None:
        path = tmp_path / "orderdesk.db"
        with Store.open(path) as store:
            _save(store, _bulky(300, OLD) + _bulky(30, RECENT, first=1_000))
            before = _file_size(path)

            prune(store, CUTOFF)
            give_back(store)

            after = _file_size(path)
            assert space(store).gives_back
            assert after < before / 2, (before, after)
            assert _ids(store, "requests") == {f"req_{n:06d}" for n in range(1_000, 1_030)}
        with sqlite3.connect(path) as connection:
            assert connection.execute("PRAGMA integrity_check").fetchone() == ("ok",)

    def test_an_older_sqlite_store_keeps_its_size_until_compacted_and_shrinks_after(
        self, tmp_path: Path
    ) -> None:
        path = tmp_path / "orderdesk.db"
        with Store.open(path) as store:
            _save(store, _bulky(300, OLD) + _bulky(30, RECENT, first=1_000))
        # As a store created before auto-vacuum was set.
        with sqlite3.connect(path, isolation_level=None) as connection:
            connection.execute("PRAGMA auto_vacuum = NONE")
            connection.execute("VACUUM")
        with Store.open(path) as store:
            assert not space(store).gives_back
            prune(store, CUTOFF)
            give_back(store)
            kept = _file_size(path)

            compact(store)

            assert _file_size(path) < kept / 2
            assert space(store).gives_back
            assert len(_ids(store, "requests")) == 30

    def test_a_compacted_store_is_smaller_on_either_engine(self, store: Store) -> None:
        # PostgreSQL's plain VACUUM (give_back) keeps the space for new rows; VACUUM FULL
        # gives it to the disk.
        _save(store, _bulky(200, OLD, first=500))
        before = space(store)
        prune(store, CUTOFF)
        give_back(store)

        compact(store)

        after = space(store)
        assert before.size is not None and after.size is not None
        assert after.size < before.size * 0.8, (before.size, after.size)
        assert before.note and plan_prune(store, CUTOFF).records == 0


def _bulky(count: int, at: datetime, *, first: int = 1) -> list[LogRecord]:
    """Requests with a few kilobytes of body each that does not compress."""
    records: list[LogRecord] = []
    for n in range(first, first + count):
        plain = request(n, at=at + timedelta(seconds=n))
        original = plain.original.model_copy(update={"body": os.urandom(3_000).hex()})
        records.append(plain.model_copy(update={"original": original}))
    return records


def _file_size(path: Path) -> int:
    wal = Path(f"{path}-wal")
    return path.stat().st_size + (wal.stat().st_size if wal.exists() else 0)


class TestTheSyncsRetention:
    """The sync applies ``retention`` after a pass that caught up, at most once an hour."""

    @pytest.fixture
    def url(self) -> Iterator[str]:
        # The log API keeps 30 days: the old orders are only in the store.
        api = FakeLogApi()
        api.put(*_recent_orders())
        with over_http(api) as served:
            yield served

    def test_a_sync_that_caught_up_prunes_what_its_retention_lets_go(
        self, store_url: str, url: str
    ) -> None:
        with Store.open(store_url) as store:
            _save(store, _old_orders())
        clock = Clock(NOW)
        service = SyncService(store_url, Source(url, KEY), retention=timedelta(days=90), now=clock)

        progress = service.catch_up(threading.Event(), attempts=3)

        assert progress is not None and progress.new == 12
        with Store.open(store_url) as store:
            assert _ids(store, "requests") == {f"req_{n:06d}" for n in range(101, 107)}
            assert _ids(store, "postbacks") == {f"pb_{n:06d}" for n in range(101, 107)}
            assert lease_holder(store) is None

    def test_it_prunes_again_only_an_hour_later(self, store_url: str, url: str) -> None:
        with Store.open(store_url) as store:
            _save(store, _old_orders())
        clock = Clock(NOW)
        service = SyncService(store_url, Source(url, KEY), retention=timedelta(days=90), now=clock)
        service.catch_up(threading.Event(), attempts=3)
        with Store.open(store_url) as store:
            assert "req_000007" not in _ids(store, "requests")
            # An old record arrives late (another writer, a restored backup).
            _save(store, [request(7, at=OLD)])

        clock.now += APPLY_EVERY - timedelta(minutes=1)
        service.catch_up(threading.Event(), attempts=3)
        with Store.open(store_url) as store:
            assert "req_000007" in _ids(store, "requests")

        clock.now += timedelta(minutes=2)
        service.catch_up(threading.Event(), attempts=3)
        with Store.open(store_url) as store:
            assert "req_000007" not in _ids(store, "requests")

    def test_without_a_retention_the_sync_keeps_everything(self, store_url: str, url: str) -> None:
        with Store.open(store_url) as store:
            _save(store, _old_orders())
        SyncService(store_url, Source(url, KEY)).catch_up(threading.Event(), attempts=3)
        with Store.open(store_url) as store:
            assert len(_ids(store, "requests")) == 18

    def test_a_long_retention_is_applied_a_few_batches_after_each_pass(self, store: Store) -> None:
        # 25 records to go; after each pass, 2 batches of 2 requests and their orders' postbacks.
        def apply() -> Pruned | None:
            return apply_retention(store, timedelta(days=90), NOW, batch=2, batches=2)

        passes = [apply()]
        while passes[-1] is not None and not passes[-1].finished and len(passes) < 10:
            passes.append(apply())
        counts = [p.records for p in passes if p is not None]
        assert len(counts) == len(passes) > 2
        assert max(counts) <= 8 and sum(counts) == 25
        assert apply() is None  # applied: not due again for an hour
        assert plan_prune(store, CUTOFF).records == 0


class Clock:
    """A clock the test moves."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


def test_a_retention_shorter_than_a_day_is_refused() -> None:
    with pytest.raises(InputError, match="at least 1 d"):
        apply_retention(None, timedelta(hours=12), NOW)  # type: ignore[arg-type]
