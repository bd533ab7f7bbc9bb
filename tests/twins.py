"""Simulated worlds built once per test process, and handed out as twins.

Building a simulation plays every order of its history through its templates,
and syncing it into a store fetches and stores every record: seconds of CPU
each, for a world a test then changes by acting on it. A test that needs a
world of its own takes a twin of one built once (``Simulation.twin``) and a
copy of a store synced from it, which together cost a few hundredths of that.
"""

from __future__ import annotations

import sqlite3
from contextlib import closing
from datetime import datetime, timedelta
from pathlib import Path

from orderdesk.sim import Simulation

_histories: dict[tuple[int, timedelta, float, datetime, float], Simulation] = {}


def simulation(
    *, seed: int, history: timedelta, history_rate: float, now: datetime, tick_seconds: float
) -> Simulation:
    """A simulation with no live traffic, as ``Simulation(...)`` would build it, but built once."""
    key = (seed, history, history_rate, now, tick_seconds)
    built = _histories.get(key)
    if built is None:
        built = _histories[key] = Simulation(
            seed=seed, history=history, history_rate=history_rate, rate=0.0, now=now,
            tick_seconds=tick_seconds,
        )  # fmt: skip
    return built.twin()


def copy_store(source: Path, target: Path) -> None:
    """A copy of the SQLite store at ``source``, whole even if part of it is still in its WAL."""
    with (
        closing(sqlite3.connect(source)) as reading,
        closing(sqlite3.connect(target)) as writing,
    ):
        reading.backup(writing)
