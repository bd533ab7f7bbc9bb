"""Fixtures shared by every test: keep the developer's own settings out of them.

Each folder's conftest.py holds the fixtures of that folder alone (tui/: the simulated
store; sim/: the simulator's days), so a fixture name means one thing where it is seen.
Helpers are modules, imported by path (``tests.engines``, ``tests.tui.tui_console``).
"""

from __future__ import annotations

import gc
import os
import signal
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from orderdesk.cli.collector import collect_less_often


def _compiled_modules_are_kept() -> None:
    """A machine that sets PYTHONDONTWRITEBYTECODE makes every test process compile afresh.

    Each process (one per xdist worker) then compiles orderdesk and rewrites the
    asserts of every test module again: six of the ten CPU seconds it took to
    collect the tests. Python is told to keep what it compiled after all, but in
    pytest's own cache folder rather than in ``__pycache__`` folders beside the
    sources, which is what such a machine keeps out. Python checks each cached
    file against its source's time and size, so an edit is never missed.
    """
    if not sys.dont_write_bytecode:
        return
    if sys.pycache_prefix is None:
        sys.pycache_prefix = str(Path(__file__).resolve().parents[1] / ".pytest_cache" / "pycache")
    sys.dont_write_bytecode = False


_compiled_modules_are_kept()


def _pilot_looks_for_idle_more_often() -> None:
    """Pilot waits for the app to go idle after every key, in steps of 20 ms, twice a key.

    A test that types a query pays that for every character, which made the typing
    tests the slowest of the loop. Checking every 4 ms, with the same test of
    idleness (the process used under a twentieth of the step's time), finds the same
    idle moments sooner. Textual has no setting for it, so its two constants are set
    here, and a Textual without them fails loudly instead of slowing down silently.
    """
    from textual import _wait

    assert hasattr(_wait, "SLEEP_GRANULARITY") and hasattr(_wait, "SLEEP_IDLE"), (
        "textual._wait changed: see tests/conftest.py"
    )
    _wait.SLEEP_GRANULARITY = 0.004
    _wait.SLEEP_IDLE = _wait.SLEEP_GRANULARITY / 20


_pilot_looks_for_idle_more_often()


def _garbage_is_collected_less_often() -> None:
    """Python's collector, at its defaults, went over the whole heap twice a test.

    A Pilot test makes hundreds of thousands of objects that live as long as its
    app, so the default thresholds (700 new objects for a young collection, 10 and
    10 for the older generations) kept promoting them and collecting the oldest
    generation, the whole heap, about every two seconds: a fifth of a Pilot test's
    CPU. At an ``orderdesk`` process's thresholds (``cli/collector.py``) it
    takes a fraction of that, and a test process stays under a few hundred
    megabytes more. At a young collection every 100,000 objects rather than
    50,000, the fast loop took 359 s of CPU instead of 381 s (one run each).
    Nothing a test checks depends on when a cycle is collected: reference
    counting still frees everything else at once, and pytest collects everything
    at the end to report what a finalizer raised.
    """
    collect_less_often()


_garbage_is_collected_less_often()


def _interrupts_reach_the_commands_tests_start() -> None:
    """A run started in the background by a script ignores SIGINT, as does every process it starts.

    The tests that stop a command as a user's Ctrl-C does, with SIGINT, then
    waited for it forever: tried, the simulator of one test never stopped and the
    run hung. This process takes SIGINT as ``KeyboardInterrupt`` again, as in a
    terminal, so the commands its tests start get the default. Nothing changes
    for a run started in a terminal, where SIGINT is not ignored.
    """
    if signal.getsignal(signal.SIGINT) is signal.SIG_IGN:
        signal.signal(signal.SIGINT, signal.default_int_handler)


_interrupts_reach_the_commands_tests_start()


def pytest_xdist_auto_num_workers(config: pytest.Config) -> int:
    """Two workers for every core, for ``-n auto``.

    On two cores a worker spends more than half its time waiting: on PostgreSQL,
    on a simulator over loopback HTTP, on a Pilot session going idle, on a
    command it started. Each worker also imports and collects every test module
    and builds its own session fixtures (the stores filled once per run are
    copied, tests/once_per_run.py), and since a module's tests all go to one
    worker (``--dist loadfile``), a module's own fixtures are built once
    whatever the count. The fast loop on two cores, alternating on one
    evening: 194 and 193 s with four workers, 218 and 209 s with three, 202 s
    with five.
    """
    # The cores this process may use, which a container may hold below the machine's.
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return max(1, (cores or 1) * 2)


@pytest.hookimpl(trylast=True)
def pytest_sessionfinish(session: pytest.Session) -> None:
    """A worker sets its heap aside (``gc.freeze``) once its tests are done.

    A process ends by collecting its heap, pytest five times over to report what a
    finalizer raised then, and Python once more as it shuts down. A worker does it
    after its results are made, so what it finds reaches no one: a test whose
    garbage raises in a finalizer only then passed with ``-n 2`` and failed with
    ``-n 0``, tried. Over the millions of objects a worker holds by then, the run
    waited about 11 s for the workers to end (two runs), and 3 s once they set it
    aside (one run). What a finalizer raises during a test is still reported, as
    pytest looks after each test's every phase, and a run in one process still
    collects at its end.
    """
    if hasattr(session.config, "workerinput"):  # a worker, not the controller
        gc.freeze()


# The store fixtures, parametrised over SQLite and PostgreSQL (engines.py); the
# order the modules run in, longest first (longest_first.py).
pytest_plugins = ["tests.engines", "tests.longest_first"]


@pytest.fixture(autouse=True)
def _isolated_settings(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No ORDERDESK_* variable or user data folder of the machine leaks into a test."""
    for name in list(os.environ):
        if name.startswith("ORDERDESK_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg-data"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg-config"))
    # The machine's language neither: tests read English unless they ask for French.
    for name in ("LC_ALL", "LC_MESSAGES", "LANGUAGE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("LANG", "C.UTF-8")


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    """Each test starts in English, and a test that switches language cannot leak it."""
    from orderdesk.i18n import speaking

    with speaking("en"):
        yield
