"""Exactly once, in real processes: ``orderdesk redeliver`` killed at random, then resumed.

The service's own count of what its actions sent (``SimulatorServer.sent``) is
the proof: after any number of SIGKILLs and resumes, each target was sent to
once, and none was left out. The store is a real SQLite file, or a real
PostgreSQL database, synced over loopback HTTP; the command runs as
``python -m orderdesk``, as a user's would.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping
from typing import Any

import pytest

from orderdesk.core.action_journal import ActionJournal, JournalEntry
from orderdesk.core.action_records import ActionRecord
from orderdesk.core.store import Store
from orderdesk.sim.actions import Answer
from tests.acting_world import ACTOR, RESUME, World, answered, opened_world
from tests.engines import StoreEngine

pytestmark = pytest.mark.slow

REASON = "their endpoint is fixed (ticket 4411)"
#: The customer whose failed postbacks the reset test takes; the kill test takes the others.
RESET_CUSTOMER = "cus_maplethreads"


@pytest.fixture(scope="module")
def world(engine: StoreEngine) -> Iterator[World]:
    """A day of the simulated service, synced into a store on each engine."""
    with engine.database() as db, opened_world(db, hours=12, seed=9, rate=8.0) as world:
        yield world


def _orderdesk(*args: str, env: Mapping[str, str]) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "orderdesk", *args],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, **env},
    )


def _kill_after(
    process: subprocess.Popen[str], db: str, answers: int, *, then: float = 0.0
) -> bool:
    """SIGKILL ``process`` ``then`` seconds after the journal holds ``answers`` answers.

    False if it ended before.
    """
    deadline = time.monotonic() + 120
    while process.poll() is None and time.monotonic() < deadline:
        if answered(db) >= answers:
            time.sleep(then)
            process.send_signal(signal.SIGKILL)
            process.communicate(timeout=30)
            return True
        time.sleep(0.005)
    process.communicate(timeout=120)
    return False


def _journal(db: str) -> list[JournalEntry]:
    """Every entry the journal holds, batch by batch."""
    from sqlalchemy import select

    from orderdesk.core.action_schema import ACTION_JOURNAL

    with Store.open(db) as store:
        with store.engine.connect() as connection:
            batches = connection.execute(select(ACTION_JOURNAL.c.batch).distinct()).scalars()
            names = list(batches)
        journal = ActionJournal(store)
        return [entry for batch in names for entry in journal.batch(batch)]


def _pending(db: str) -> int:
    with Store.open(db) as store:
        return len(ActionJournal(store).pending(ACTOR))


class KillOnTake:
    """Kills the CLI the moment the service has taken its ``at``-th action, before answering.

    That is the crash exactly once is about: the action was taken, and the
    answer never reached the journal.
    """

    def __init__(self, world: World, monkeypatch: pytest.MonkeyPatch) -> None:
        self.pid: int | None = None
        self.at = 0
        self.taken = 0
        #: POSTs answered with an action taken before: a key sent again.
        self.repeated = 0
        ask = world.sim.actions.ask

        def spy(*args: Any, **kwargs: Any) -> Answer:
            answer = ask(*args, **kwargs)
            self.repeated += answer.status == 200
            if answer.status == 202:
                self.taken += 1
                if self.pid is not None and self.taken == self.at:
                    os.kill(self.pid, signal.SIGKILL)
            return answer

        monkeypatch.setattr(world.sim.actions, "ask", spy)

    def arm(self, process: subprocess.Popen[str], more: int) -> None:
        """Kill ``process`` when it has the service take ``more`` new actions."""
        self.pid, self.at = process.pid, self.taken + more


class TestKilled:
    def test_a_redelivery_killed_again_and_again_and_resumed_sends_each_once(
        self, world: World, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        others = set(world.failed("postbacks", RESET_CUSTOMER))
        targets = [one for one in world.failed("postbacks") if one not in others]
        assert len(targets) >= 80, "the simulated day has too few failed postbacks"
        rng = random.Random()  # each run kills at other moments; the seed is in the message
        seed = rng.randrange(1_000_000)
        rng.seed(seed)
        step = len(targets) // 8
        killer = KillOnTake(world, monkeypatch)

        # The first run dies with an action taken and its answer lost.
        run = _orderdesk(
            "redeliver", "--query", f"status:failed -customer:{RESET_CUSTOMER}",
            "--reason", REASON, "--yes", env=world.env(),
        )  # fmt: skip
        killer.arm(run, rng.randrange(1, step))
        run.communicate(timeout=120)
        assert run.returncode == -signal.SIGKILL, f"seed {seed}: ended before the kill"
        assert _pending(world.db) > 0, f"seed {seed}"

        # Then each resume dies in turn: with an answer lost, or at any moment
        # after some answers were journalled.
        for kill in range(4):
            resumed = _orderdesk(*RESUME, env=world.env())
            if kill % 2:
                killer.arm(resumed, rng.randrange(1, step))
                resumed.communicate(timeout=120)
                killed = resumed.returncode == -signal.SIGKILL
            else:
                answers = answered(world.db) + rng.randrange(1, step)
                killed = _kill_after(resumed, world.db, answers, then=rng.uniform(0, 0.02))
            assert killed, f"seed {seed}: resume {kill} ended before the kill"

        finished = _orderdesk(*RESUME, env=world.env())
        _, err = finished.communicate(timeout=180)
        assert finished.returncode in (0, 1), f"seed {seed}: {err}"
        assert "may or may not have been sent" not in err
        assert _pending(world.db) == 0

        sent = world.wait_sent("postbacks", targets)
        assert sent == dict.fromkeys(targets, 1), f"seed {seed}"
        # Each target has one entry, taken by the service under that entry's own key.
        journal = _journal(world.db)
        assert sorted(entry.target_id for entry in journal) == sorted(targets)
        assert {entry.state for entry in journal} == {"accepted"}, f"seed {seed}"
        trail = [action for action in _trail(world) if action.target.id in sent]
        assert len(trail) == len(targets), f"seed {seed}"
        taken = {action.target.id: action.idempotency_key for action in trail}
        assert taken == {entry.target_id: entry.idempotency_key for entry in journal}


class TestReset:
    def test_a_connection_reset_after_the_service_acted_is_retried_and_sent_once(
        self, world: World, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        targets = world.failed("postbacks", RESET_CUSTOMER)
        assert len(targets) >= 10
        service = KillOnTake(world, monkeypatch)  # never armed: it only counts
        # Resets come after the action is taken: the answer is lost, the action is not.
        # The first target's POST is reset twice, the second's and the fourth's once.
        world.faults.next("reset", "reset", None, "reset", None, None, "reset")

        run = _orderdesk(
            "redeliver", "--query", f"status:failed customer:{RESET_CUSTOMER}",
            "--reason", REASON, "--yes", env=world.env(),
        )  # fmt: skip
        _, err = run.communicate(timeout=180)

        assert run.returncode in (0, 1), err
        assert f"sent {len(targets)} of {len(targets)}" in err
        assert service.repeated == 4  # each reset POST sent again with its key
        assert world.wait_sent("postbacks", targets) == dict.fromkeys(targets, 1)
        keys = {action.idempotency_key for action in _trail(world) if action.target.id in targets}
        assert len(keys) == len(targets)


def _trail(world: World) -> list[ActionRecord]:
    from orderdesk.core.actions_client import ActionsClient
    from orderdesk.core.client import LogApiClient
    from orderdesk.core.records import Watermark
    from tests.acting_world import KEY

    seen: list[ActionRecord] = []
    with LogApiClient(world.server.url, KEY) as log_api:
        client = ActionsClient(log_api)
        after: Watermark | None = None
        while True:
            page = client.fetch_page(after)
            seen += page.data
            if not page.has_more or not page.data:
                return seen
            after = Watermark(page.data[-1].updated_at, page.data[-1].id)
