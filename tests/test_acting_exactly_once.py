"""Exactly once, in real processes: ``orderdesk redeliver`` killed at random, then resumed.

The service's own count of what its actions sent (``SimulatorServer.sent``) is
the proof: after any number of SIGKILLs and resumes, each target was sent to
once, and none was left out. The store is a real SQLite file synced over
loopback HTTP; the command runs as ``python -m orderdesk``, as a user's would.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping
from pathlib import Path

import pytest

from orderdesk.core.action_journal import ActionJournal
from orderdesk.core.store import Store
from tests.acting_world import ACTOR, World, answered, opened_world

pytestmark = pytest.mark.slow

#: The resume command's words; at merge it becomes ["actions", "resume"].
RESUME = ["actions-resume"]
REASON = "their endpoint is fixed (ticket 4411)"
#: The customer whose failed postbacks the reset test takes; the kill test takes the others.
RESET_CUSTOMER = "cus_maplethreads"


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    db = str(tmp_path_factory.mktemp("once") / "orderdesk.db")
    with opened_world(db, hours=12, seed=9, rate=8.0) as world:
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


def _kill_after(process: subprocess.Popen[str], db: str, answers: int) -> bool:
    """SIGKILL ``process`` once the journal holds ``answers`` answers; False if it ended first."""
    deadline = time.monotonic() + 120
    while process.poll() is None and time.monotonic() < deadline:
        if answered(db) >= answers:
            process.send_signal(signal.SIGKILL)
            process.communicate(timeout=30)
            return True
        time.sleep(0.005)
    process.communicate(timeout=120)
    return False


def _pending(db: str) -> int:
    with Store.open(db) as store:
        return len(ActionJournal(store).pending(ACTOR))


class TestKilled:
    def test_a_redelivery_killed_twice_and_resumed_sends_each_once(
        self, world: World, tmp_path: Path
    ) -> None:
        targets = [
            one
            for one in world.failed("postbacks")
            if one not in world.failed("postbacks", RESET_CUSTOMER)
        ]
        assert len(targets) >= 80, "the simulated day has too few failed postbacks"
        rng = random.Random()  # each run kills at other moments; the seed is in the message
        seed = rng.randrange(1_000_000)
        rng.seed(seed)
        first_kill = rng.randrange(1, len(targets) // 3)
        second_kill = rng.randrange(first_kill + 1, first_kill + len(targets) // 3)

        run = _orderdesk(
            "redeliver", "--query", f"status:failed -customer:{RESET_CUSTOMER}",
            "--reason", REASON, "--yes", env=world.env(),
        )  # fmt: skip
        assert _kill_after(run, world.db, first_kill), f"seed {seed}: ended before the kill"
        assert _pending(world.db) > 0, f"seed {seed}"

        resumed = _orderdesk(*RESUME, env=world.env())
        assert _kill_after(resumed, world.db, second_kill), f"seed {seed}: resume ended first"

        finished = _orderdesk(*RESUME, env=world.env())
        _, err = finished.communicate(timeout=180)
        assert finished.returncode in (0, 1), f"seed {seed}: {err}"
        assert "may or may not have been sent" not in err
        assert _pending(world.db) == 0

        sent = world.wait_sent("postbacks", targets)
        assert sent == dict.fromkeys(targets, 1), f"seed {seed}"


class TestReset:
    def test_a_connection_reset_after_the_service_acted_is_retried_and_sent_once(
        self, world: World
    ) -> None:
        targets = world.failed("postbacks", RESET_CUSTOMER)
        assert len(targets) >= 10
        # Resets come after the action is taken: the answer is lost, the action is not.
        world.faults.next("reset", "reset", None, "reset", None, None, "reset")

        run = _orderdesk(
            "redeliver", "--query", f"status:failed customer:{RESET_CUSTOMER}",
            "--reason", REASON, "--yes", env=world.env(),
        )  # fmt: skip
        _, err = run.communicate(timeout=180)

        assert run.returncode in (0, 1), err
        assert f"sent {len(targets)} of {len(targets)}" in err
        assert world.wait_sent("postbacks", targets) == dict.fromkeys(targets, 1)
        keys = {action.idempotency_key for action in _trail(world) if action.target.id in targets}
        assert len(keys) == len(targets)


def _trail(world: World) -> list:  # type: ignore[type-arg]
    from orderdesk.core.actions_client import ActionsClient
    from orderdesk.core.client import LogApiClient
    from orderdesk.core.records import Watermark
    from tests.acting_world import KEY

    seen = []
    with LogApiClient(world.server.url, KEY) as log_api:
        client = ActionsClient(log_api)
        after: Watermark | None = None
        while True:
            page = client.fetch_page(after)
            seen += page.data
            if not page.has_more or not page.data:
                return seen
            after = Watermark(page.data[-1].updated_at, page.data[-1].id)
