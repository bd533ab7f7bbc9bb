"""Acting: the plan, the journal written before each send, the run, the follow and the resume.

Against the simulator over real loopback HTTP, with a real store on each engine.
The simulator's own count of what it sent (``SimulatorServer.sent``) is the proof
of exactly once.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta

import pytest

from orderdesk.core.acting import (
    ActionRunner,
    TooManyTargets,
    plan_actions,
)
from orderdesk.core.action_journal import ActionJournal, PlannedTarget
from orderdesk.core.actions_client import ActionIntent, ActionsClient
from orderdesk.core.backoff import Backoff
from orderdesk.core.client import LogApiClient
from orderdesk.core.records import PostbackRecord
from orderdesk.core.store import Store
from orderdesk.sim import Faults, Simulation, SimulatorServer

KEY = "act-key"
READ_KEY = "read-key"
INTENT = ActionIntent(actor="alice@support", reason="their endpoint is fixed (ticket 4411)")
FAST = 1000.0  # actions a second: the tests do not wait for the pace


@pytest.fixture(scope="module")
def sim() -> Simulation:
    return Simulation(
        seed=9, history=timedelta(hours=12), history_rate=6.0, rate=0.0, tick_seconds=0.05
    )


@pytest.fixture(scope="module")
def faults() -> Faults:
    return Faults(retry_after_seconds=0)


@pytest.fixture(scope="module")
def server(sim: Simulation, faults: Faults) -> Iterator[SimulatorServer]:
    with SimulatorServer(sim, api_key=KEY, read_key=READ_KEY, faults=faults) as server:
        yield server


def _actions(url: str, key: str = KEY) -> Iterator[ActionsClient]:
    with LogApiClient(url, key, timeout=5) as log_api:
        yield ActionsClient(log_api, backoff=Backoff(base=0.01, cap=0.05))


@pytest.fixture
def actions(server: SimulatorServer) -> Iterator[ActionsClient]:
    yield from _actions(server.url)


@pytest.fixture
def store(store_url: str) -> Iterator[Store]:
    with Store.open(store_url) as opened:
        yield opened


def _postbacks(sim: Simulation, status: str) -> list[PostbackRecord]:
    return [
        p for p in sim.records("postbacks") if isinstance(p, PostbackRecord) and p.status == status
    ]


@pytest.fixture(scope="module")
def failed(sim: Simulation) -> Callable[[int], list[PostbackRecord]]:
    """Failed postbacks no other test of the module has acted on, ``n`` at a time.

    Acting changes the simulated world (a redelivery may succeed), so each test
    takes targets of its own from the postbacks that had failed at the start.
    """
    left = _postbacks(sim, "failed")

    def take(n: int) -> list[PostbackRecord]:
        taken = left[:n]
        del left[:n]
        assert len(taken) == n, "the simulated day has too few failed postbacks"
        return taken

    return take


class TestPlan:
    def test_delivered_postbacks_need_force_and_are_skipped_unless_forced(
        self, sim: Simulation
    ) -> None:
        delivered = _postbacks(sim, "delivered")[:3]
        failed = _postbacks(sim, "failed")[:2]
        records = [*delivered, *failed, failed[0]]

        plain = plan_actions("postbacks", records, force=False, cap=500)
        forced = plan_actions("postbacks", records, force=True, cap=500)

        assert plain.kind == "redeliver"
        assert [t.id for t in plain.targets] == [p.id for p in failed]
        assert [t.id for t in plain.skipped] == [p.id for p in delivered]
        assert plain.needs_force == 3
        assert forced.count == 5 and len(forced.forced) == 3 and not forced.skipped

    def test_a_plan_over_the_cap_is_refused(self, sim: Simulation) -> None:
        failed = _postbacks(sim, "failed")[:3]
        with pytest.raises(TooManyTargets, match=r"3 records .* the 2 allowed"):
            plan_actions("postbacks", failed, force=False, cap=2)

    def test_the_estimate_is_the_count_at_the_pace(self, sim: Simulation) -> None:
        failed = _postbacks(sim, "failed")[:4]
        plan = plan_actions("postbacks", failed, force=False, cap=10, pace=2.0)
        assert plan.duration == timedelta(seconds=2)


class TestRun:
    def test_each_target_is_sent_once_and_journalled_before(
        self, sim: Simulation, server: SimulatorServer, actions: ActionsClient, store: Store
    ) -> None:
        targets = _postbacks(sim, "failed")[:4]
        journal = ActionJournal(store)
        seen_planned: list[int] = []

        def progress(_: object) -> None:
            # Every entry of the batch is in the store before the first answer comes back.
            seen_planned.append(len(journal.batch(summary_batch())))

        runner = ActionRunner(journal, actions)
        plan = plan_actions("postbacks", targets, force=False, cap=10, pace=FAST)
        entries = runner.journal_plan(plan, INTENT)

        def summary_batch() -> str:
            return entries[0].batch

        assert [e.state for e in journal.batch(entries[0].batch)] == ["planned"] * 4
        summary = runner.send(entries, progress, pace=FAST)
        summary = runner.follow(summary, within=timedelta(seconds=30), poll=0.1)

        assert seen_planned == [4, 4, 4, 4]
        assert {e.state for e in journal.batch(entries[0].batch)} == {"accepted"}
        assert len(summary.succeeded) + len(summary.failed) == 4
        assert not summary.sent and not summary.unknown
        for target in targets:
            assert server.sent[f"postbacks/{target.id}"] == 1

    def test_a_cancel_stops_before_the_next_send(
        self,
        failed: Callable[[int], list[PostbackRecord]],
        server: SimulatorServer,
        actions: ActionsClient,
        store: Store,
    ) -> None:
        targets = failed(4)
        stop = threading.Event()
        runner = ActionRunner(ActionJournal(store), actions, stop=stop)
        plan = plan_actions("postbacks", targets, force=False, cap=10, pace=FAST)

        def progress(update: object) -> None:
            stop.set()  # the first send is under way: it finishes, no other starts

        summary = runner.run(plan, INTENT, progress)

        assert len(summary.cancelled) == 3
        # The one accepted action goes out once it runs.
        ActionRunner(ActionJournal(store), actions).follow(summary, poll=0.1)
        assert [e.state for e in ActionJournal(store).batch(summary.batch)] == [
            "accepted",
            "cancelled",
            "cancelled",
            "cancelled",
        ]
        assert server.sent.get(f"postbacks/{targets[0].id}") == 1
        assert all(f"postbacks/{t.id}" not in server.sent for t in targets[1:])

    def test_a_read_only_key_is_refused_and_nothing_is_sent(
        self, failed: Callable[[int], list[PostbackRecord]], server: SimulatorServer, store: Store
    ) -> None:
        targets = failed(2)
        for reader in _actions(server.url, READ_KEY):
            summary = ActionRunner(ActionJournal(store), reader).run(
                plan_actions("postbacks", targets, force=False, cap=10, pace=FAST), INTENT
            )
            assert summary.stopped is not None and "may only read" in summary.stopped
            assert len(summary.refused) == 1 and len(summary.cancelled) == 1
            assert not summary.unknown and not summary.held
        # The source decided who may act: nothing is left for a resume to send later.
        journal = ActionJournal(store)
        assert [e.state for e in journal.batch(summary.batch)] == ["refused", "cancelled"]
        assert journal.pending(INTENT.actor) == []
        assert all(f"postbacks/{t.id}" not in server.sent for t in targets)


class TestResume:
    def test_entries_a_crash_left_planned_are_sent_once_with_their_keys(
        self,
        failed: Callable[[int], list[PostbackRecord]],
        server: SimulatorServer,
        actions: ActionsClient,
        store: Store,
    ) -> None:
        targets = failed(4)
        journal = ActionJournal(store)
        runner = ActionRunner(journal, actions)
        entries = runner.journal_plan(
            plan_actions("postbacks", targets, force=False, cap=10, pace=FAST), INTENT
        )
        # The crash: the first two went out and were answered, but the answers
        # never reached the journal; the last two were never sent.
        for entry in entries[:2]:
            actions.redeliver(entry.target_id, entry.intent, entry.idempotency_key)

        summary = runner.follow(runner.resume(INTENT.actor, pace=FAST), poll=0.1)

        assert not summary.sent
        assert len(summary.sent) + len(summary.succeeded) + len(summary.failed) == 4
        assert journal.pending(INTENT.actor) == []
        for target in targets:
            assert server.sent[f"postbacks/{target.id}"] == 1

    def test_an_entry_older_than_the_service_keeps_keys_is_looked_up_in_the_trail(
        self,
        failed: Callable[[int], list[PostbackRecord]],
        server: SimulatorServer,
        actions: ActionsClient,
        store: Store,
    ) -> None:
        targets = failed(2)
        journal = ActionJournal(store)
        long_ago = datetime.now(UTC) - timedelta(days=2)
        entries = journal.plan(
            "redeliver",
            [PlannedTarget(t.id, t.order_reference_id) for t in targets],
            INTENT,
            now=long_ago,
        )
        sent = actions.redeliver(entries[0].target_id, INTENT, entries[0].idempotency_key)
        looked: list[str] = []

        def trail(keys: object, since: datetime) -> dict[str, object]:
            looked.extend(keys)  # type: ignore[arg-type]
            return {entries[0].idempotency_key: sent.action}

        runner = ActionRunner(journal, actions)
        summary = runner.resume(INTENT.actor, pace=FAST, trail=trail)  # type: ignore[arg-type]
        summary = runner.follow(summary, poll=0.1)

        assert sorted(looked) == sorted(e.idempotency_key for e in entries)
        assert server.sent[f"postbacks/{targets[0].id}"] == 1
        assert server.sent[f"postbacks/{targets[1].id}"] == 1
        assert journal.pending(INTENT.actor) == []
        assert len(summary.sent) + len(summary.succeeded) + len(summary.failed) == 2

    def test_another_actors_entries_are_left_alone(
        self,
        failed: Callable[[int], list[PostbackRecord]],
        server: SimulatorServer,
        actions: ActionsClient,
        store: Store,
    ) -> None:
        targets = failed(1)
        journal = ActionJournal(store)
        bob = ActionIntent(actor="bob@support", reason="checking")
        journal.plan(
            "redeliver",
            [PlannedTarget(t.id) for t in targets],
            bob,
            now=datetime.now(UTC),
        )

        summary = ActionRunner(journal, actions).resume(INTENT.actor, pace=FAST)

        assert summary.all_succeeded and not summary.actions
        assert [e.actor for e in journal.pending()] == ["bob@support"]
        assert f"postbacks/{targets[0].id}" not in server.sent
