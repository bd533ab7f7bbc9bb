"""Simulations shared by the simulator's tests: built once, because history takes seconds."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from orderdesk.sim import Simulation

ANCHOR = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)


@pytest.fixture(scope="session")
def day() -> Simulation:
    """A frozen day of traffic at 3 orders a minute, seed 7."""
    sim = Simulation(seed=7, history=timedelta(days=1), history_rate=3.0, rate=0.0, now=ANCHOR)
    sim.freeze()
    return sim


@pytest.fixture(scope="session")
def week() -> Simulation:
    """A frozen sparse week, long enough for parcels to be delivered or returned."""
    sim = Simulation(seed=11, history=timedelta(days=7), history_rate=0.25, rate=0.0, now=ANCHOR)
    sim.freeze()
    return sim
