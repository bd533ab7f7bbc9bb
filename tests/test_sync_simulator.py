"""Sync against the simulator over real HTTP: every fault the contract names, and a live service."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import pytest

from orderdesk.core.client import LogApiClient
from orderdesk.core.errors import AuthenticationError
from orderdesk.core.query_check import truth
from orderdesk.core.records import KINDS
from orderdesk.core.store import Store
from orderdesk.core.sync import SyncProgress, follow, sync_once
from orderdesk.sim import Faults, Simulation, SimulatorServer

KEY = "sim-key"

pytestmark = pytest.mark.slow


class Sleeps(list[float]):
    """An injected sleep that remembers what it was asked to wait, without waiting."""

    def __call__(self, seconds: float) -> None:
        self.append(seconds)


def test_a_first_sync_through_every_fault_gets_the_whole_history(tmp_path: Path) -> None:
    sim = Simulation(seed=3, history=timedelta(hours=6), history_rate=3.0, rate=0.0)
    sim.freeze()
    faults = Faults.parse(
        "429=0.08,5xx=0.08,reset=0.05,slow=0.03,malformed=0.05,slow_seconds=1,retry_after=2,seed=5"
    )
    sleeps = Sleeps()
    with (
        SimulatorServer(sim, api_key=KEY, faults=faults, live=False) as server,
        LogApiClient(server.url, KEY, timeout=0.5) as client,
        Store.open(tmp_path / "orderdesk.db") as store,
    ):
        progress = sync_once(client, store, page_size=50, sleep=sleeps)
        for kind in KINDS:
            assert truth(store, kind) == sim.truth(kind)
    assert progress.caught_up
    assert progress.retries == len(sleeps) > 0
    assert progress.new == sum(len(sim.truth(kind)) for kind in KINDS)


def test_following_a_live_service_catches_its_late_records(tmp_path: Path) -> None:
    sim = Simulation(
        seed=4, history=timedelta(minutes=10), history_rate=5.0, rate=3000.0, tick_seconds=0.05
    )
    faults = Faults.parse("late=0.3,late_max=2,seed=6")
    stop = threading.Event()
    passes: list[SyncProgress] = []
    failures: list[BaseException] = []

    def record(progress: SyncProgress) -> None:
        if progress.caught_up:
            passes.append(progress)

    with (
        SimulatorServer(sim, api_key=KEY, faults=faults) as server,
        LogApiClient(server.url, KEY) as client,
        Store.open(tmp_path / "orderdesk.db") as store,
    ):

        def run() -> None:
            try:
                follow(client, store, interval=0.1, stop=stop, on_progress=record)
            except BaseException as error:  # handed to the test's thread, which re-raises it
                failures.append(error)

        follower = threading.Thread(target=run)
        follower.start()
        try:
            hidden: list[int] = []

            def twenty_passes_watching_late_records() -> bool:
                hidden.append(sim.hidden())
                return len(passes) >= 20

            _wait_for(twenty_passes_watching_late_records)
            sim.freeze()
            sim.settle()  # the late versions appear now, behind what follow has already read
            settled_at = len(passes)
            _wait_for(lambda: len(passes) >= settled_at + 2)
        finally:
            stop.set()
            follower.join(timeout=10)
        assert not failures, failures
        for kind in KINDS:
            assert truth(store, kind) == sim.truth(kind)
    assert max(hidden) > 0, "no record was late; the test proved nothing"


def test_a_wrong_key_is_refused_at_once(tmp_path: Path) -> None:
    sim = Simulation(seed=1, history=timedelta(minutes=5), rate=0.0)
    sleeps = Sleeps()
    with (
        SimulatorServer(sim, api_key=KEY, live=False) as server,
        LogApiClient(server.url, "not-the-key") as client,
        Store.open(tmp_path / "orderdesk.db") as store,
        pytest.raises(AuthenticationError, match=r"refused the key \(401\)"),
    ):
        sync_once(client, store, sleep=sleeps)
    assert sleeps == []


def _wait_for(condition: Callable[[], bool], seconds: float = 20.0) -> None:
    """Poll ``condition()`` until it holds, failing the test after ``seconds``."""
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"gave up after {seconds:g} s waiting for the follower")
        time.sleep(0.02)
