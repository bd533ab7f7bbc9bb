"""``orderdesk prune``: a plan, a question or --yes, the lease, batches, and the truth on Ctrl-C."""

from __future__ import annotations

import re
import signal
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

import orderdesk.cli.prune as prune_command
from orderdesk.config import Settings
from orderdesk.core import retention
from orderdesk.core.action_journal import ActionJournal, PlannedTarget
from orderdesk.core.action_trail import save_actions
from orderdesk.core.actions_client import ActionIntent
from orderdesk.core.lease import Lease
from orderdesk.core.query_check import truth
from orderdesk.core.records import KINDS, LogRecord
from orderdesk.core.retention import Pruned
from orderdesk.core.store import Store
from tests.action_factory import action
from tests.cli_run import orderdesk_here
from tests.record_factory import failed_request, postback, request

NOW = datetime.now(UTC)
OLD = NOW - timedelta(days=200)
RECENT = NOW - timedelta(days=10)


def _orders() -> dict[str, list[LogRecord]]:
    """Orders 1 to 10 (200 days old, one failed) and 101 to 103 (10 days old)."""
    requests: list[LogRecord] = []
    postbacks: list[LogRecord] = []
    for n in [*range(1, 11), *range(101, 104)]:
        at = (OLD if n < 100 else RECENT) + timedelta(minutes=n)
        requests.append(failed_request(n, at=at) if n == 3 else request(n, at=at))
        postbacks.append(postback(n, at=at + timedelta(hours=1)))
    return {"requests": requests, "postbacks": postbacks}


@pytest.fixture
def db(store_url: str) -> Iterator[str]:
    with Store.open(store_url) as store:
        for kind, records in _orders().items():
            store.save_page(kind, records, None)  # type: ignore[arg-type]
    yield store_url


def _counts(db: str) -> tuple[int, int]:
    with Store.open(db) as store:
        requests, postbacks = (len(truth(store, kind)) for kind in KINDS)
    return requests, postbacks


def test_a_dry_run_says_what_would_go_and_from_when_and_prunes_nothing(db: str) -> None:
    done = orderdesk_here("prune", "--older-than", "90d", "--dry-run", "--db", db)

    assert done.returncode == 0, done.stderr
    assert "10 requests and 10 postbacks would go" in done.stdout
    oldest = (OLD + timedelta(minutes=1, seconds=2)).astimezone().strftime("%Y-%m-%d %H:%M")
    assert f"last changed from {oldest} to " in done.stdout
    assert re.search(r"\d+ findings would go with the orders left with no record", done.stdout)
    assert "the store takes" in done.stdout
    assert _counts(db) == (13, 13)


def test_yes_prunes_the_old_records_and_says_how_many_and_the_sizes(db: str) -> None:
    done = orderdesk_here("prune", "--older-than", "90d", "--yes", "--db", db)

    assert done.returncode == 0, done.stderr
    assert "pruned 10 requests and 10 postbacks in" in done.stderr
    assert "the store took " in done.stderr and " and now takes " in done.stderr
    assert _counts(db) == (3, 3)
    again = orderdesk_here("prune", "--older-than", "90d", "--yes", "--db", db)
    assert again.returncode == 0
    assert "nothing to prune" in again.stdout


def test_an_old_trail_alone_is_planned_and_pruned(store_url: str) -> None:
    old = action("act_old")
    moved = old.model_copy(update={"created_at": OLD, "updated_at": OLD})
    with Store.open(store_url) as store:
        with store.writing() as connection:
            save_actions(connection, [moved], None)
        intent = ActionIntent(actor="alice@support", reason="their endpoint is fixed")
        journal = ActionJournal(store)
        entries = journal.plan("redeliver", [PlannedTarget("pb_1", None)] * 2, intent, now=OLD)
        journal.accepted(entries[0].idempotency_key, "act_old", now=OLD)

    plan = orderdesk_here("prune", "--older-than", "90d", "--dry-run", "--db", store_url)
    assert plan.returncode == 0, plan.stderr
    assert "nothing to prune" not in plan.stdout
    assert "1 actions of the trail and 1 ended entries of the journal would go" in plan.stdout
    done = orderdesk_here("prune", "--older-than", "90d", "--yes", "--db", store_url)
    assert done.returncode == 0, done.stderr
    assert "pruned 1 actions of the trail and 1 entries of the journal" in done.stderr
    with Store.open(store_url) as store:
        assert [entry.idempotency_key for entry in ActionJournal(store).pending()] == [
            entries[1].idempotency_key
        ]


def test_without_a_terminal_or_yes_it_refuses_and_prunes_nothing(db: str) -> None:
    done = orderdesk_here("prune", "--older-than", "90d", "--db", db)

    assert done.returncode == 2
    assert "there is no terminal to ask on: add --yes" in done.stderr
    assert "10 requests and 10 postbacks would go" in done.stdout
    assert _counts(db) == (13, 13)


@pytest.mark.parametrize(("answer", "code", "left"), [(False, 1, (13, 13)), (True, 0, (3, 3))])
def test_on_a_terminal_it_asks_and_does_as_answered(
    db: str, answer: bool, code: int, left: tuple[int, int]
) -> None:
    asked: list[str] = []

    def ask(question: str) -> bool:
        asked.append(question)
        return answer

    settings = Settings.load(db=db)
    returned = prune_command.run_prune(
        settings, "90d", yes=False, dry_run=False, vacuum=False, ask=ask
    )

    assert (returned, asked) == (code, ["Prune them?"])
    assert _counts(db) == left


def test_a_store_being_synced_is_not_pruned_and_the_message_says_why(db: str) -> None:
    with Store.open(db) as store, Lease.acquire(store, holder="sync-host:4242"):
        done = orderdesk_here("prune", "--older-than", "90d", "--yes", "--db", db)

    assert done.returncode == 2
    assert "sync-host:4242 is syncing this store: stop it first" in done.stderr
    assert _counts(db) == (13, 13)


def test_ctrl_c_stops_between_batches_and_says_what_was_pruned_and_what_remains(
    db: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    real_prune = retention.prune

    def prune_then_ctrl_c(*args: Any, on_batch: Callable[[Pruned], None], **kwargs: Any) -> Pruned:
        def batch(pruned: Pruned) -> None:
            on_batch(pruned)
            if pruned.requests == 4:
                signal.raise_signal(signal.SIGINT)

        return real_prune(*args, on_batch=batch, batch=4, **kwargs)

    # The command's own name for it: the batch after the fourth record meets a Ctrl-C.
    monkeypatch.setattr("orderdesk.cli.prune.prune", prune_then_ctrl_c)

    done = orderdesk_here("prune", "--older-than", "90d", "--yes", "--db", db)

    assert done.returncode == 130
    # Four requests, and the postbacks of their orders with them.
    assert "stopped: 8 records were pruned; the other 12 last changed before" in done.stderr
    assert "remain, and the next prune takes them" in done.stderr
    assert _counts(db) == (9, 9)
    monkeypatch.undo()
    again = orderdesk_here("prune", "--older-than", "90d", "--yes", "--db", db)
    assert again.returncode == 0
    assert "6 requests and 6 postbacks would go" in again.stdout
    assert _counts(db) == (3, 3)


def test_an_age_under_a_day_is_refused(db: str) -> None:
    done = orderdesk_here("prune", "--older-than", "12h", "--yes", "--db", db)

    assert done.returncode == 2
    assert "keep at least 1 d" in done.stderr
    assert _counts(db) == (13, 13)


def test_vacuum_says_so_in_the_plan_and_rewrites_the_store(db: str) -> None:
    done = orderdesk_here("prune", "--older-than", "90d", "--yes", "--vacuum", "--db", db)

    assert done.returncode == 0, done.stderr
    assert "then the store is rewritten to give back all its free space" in done.stdout
    assert "rewriting the store" in done.stderr
    assert _counts(db) == (3, 3)


def test_the_plan_speaks_french(db: str) -> None:
    done = orderdesk_here("--lang", "fr", "prune", "--older-than", "90d", "--dry-run", "--db", db)

    assert done.returncode == 0, done.stderr
    assert "10 demandes et 10 postbacks partiraient" in done.stdout
