"""A sync stopped by Ctrl-C or SIGTERM says so, exits as shells expect, and the next run finishes.

A real ``orderdesk sync`` process pulls from a simulator over loopback; the
simulator answers every page slowly, so the signal lands in the middle of the pull.
"""

from __future__ import annotations

import re
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest

from orderdesk.core.query_check import truth
from orderdesk.core.records import KINDS
from orderdesk.core.store import Store
from orderdesk.sim import Faults, Simulation, SimulatorServer

KEY = "interrupt-key"

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def service() -> Iterator[SimulatorServer]:
    """A frozen history of some thousands of records, every page of it slow."""
    sim = Simulation(seed=12, history=timedelta(hours=12), history_rate=4.0, rate=0.0)
    sim.freeze()
    with SimulatorServer(
        sim, api_key=KEY, faults=Faults.parse("slow=1,slow_seconds=0.4"), live=False
    ) as server:
        yield server


def _sync(url: str, path: Path, *mode: str) -> list[str]:
    return [
        sys.executable, "-m", "orderdesk", "sync", *mode,
        "--api-url", url, "--api-key", KEY, "--db", str(path),
    ]  # fmt: skip


def _stored(path: Path) -> int:
    with Store.open(path) as store:
        return sum(len(truth(store, kind)) for kind in KINDS)


def _stop_mid_pull(command: list[str], path: Path, sig: int) -> subprocess.CompletedProcess[str]:
    """Start the sync, wait until it has stored a page, send ``sig``; its outcome."""
    with subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    ) as child:
        deadline = time.monotonic() + 60
        while not (path.exists() and _stored(path) > 0):
            assert child.poll() is None, child.communicate()
            assert time.monotonic() < deadline, "the sync stored nothing in a minute"
            time.sleep(0.05)
        child.send_signal(sig)
        out, err = child.communicate(timeout=60)
    return subprocess.CompletedProcess(command, child.returncode, out, err)


@pytest.mark.parametrize(
    ("sig", "code"), [(signal.SIGINT, 130), (signal.SIGTERM, 143)], ids=["SIGINT", "SIGTERM"]
)
@pytest.mark.parametrize("mode", ["--once", "--follow"])
def test_a_stopped_pull_says_so_and_the_next_run_completes(
    service: SimulatorServer, tmp_path: Path, sig: int, code: int, mode: str
) -> None:
    path = tmp_path / "orderdesk.db"
    total = sum(len(service.sim.truth(kind)) for kind in KINDS)
    assert total > 5_000, "the pull must take several slow pages"

    stopped = _stop_mid_pull(_sync(service.url, path, mode), path, sig)

    assert stopped.returncode == code, stopped.stderr
    assert stopped.stdout == ""
    assert "caught up" not in stopped.stderr
    assert "Traceback" not in stopped.stderr
    held = _stored(path)
    assert 0 < held < total, f"the signal did not land mid-pull ({held} of {total})"
    last = stopped.stderr.rstrip("\n").splitlines()[-1]
    assert re.fullmatch(
        r"stopped before catching up: ([\d,]+) records in the store; "
        r"the next sync continues from there",
        last,
    ), stopped.stderr
    assert int(last.split()[4].replace(",", "")) == held
    # The lease was given back: the next run neither waits nor is refused.
    finished = subprocess.run(
        _sync(service.url, path, "--once"), capture_output=True, text=True, timeout=300
    )
    assert finished.returncode == 0, finished.stderr
    assert "caught up:" in finished.stderr
    with Store.open(path) as store:
        for kind in KINDS:
            assert truth(store, kind) == service.sim.truth(kind)
    assert _stored(path) == total


def test_a_follow_stopped_between_passes_says_it_was_caught_up(
    service: SimulatorServer, tmp_path: Path
) -> None:
    path = tmp_path / "orderdesk.db"
    total = sum(len(service.sim.truth(kind)) for kind in KINDS)
    command = _sync(service.url, path, "--follow", "--interval", "600")
    with subprocess.Popen(command, stderr=subprocess.PIPE, text=True) as child:
        assert child.stderr is not None
        assert child.stderr.readline().startswith("following ")
        # In a log, a pass that stored something ends with one line of what it stored.
        assert re.search(rf"  {total:,} new, 0 updated$", child.stderr.readline().rstrip())
        child.send_signal(signal.SIGTERM)
        _, err = child.communicate(timeout=60)
    assert child.returncode == 143
    assert re.search(
        rf"stopped; the store was caught up at [\d: -]+ and holds {total:,} records\n$", err
    ), err
