"""A twin of a simulation is the world a new build would make, and a world of its own."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from orderdesk.sim import Simulation

ANCHOR = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)


def _build() -> Simulation:
    return Simulation(seed=3, history=timedelta(hours=2), history_rate=4.0, rate=30.0, now=ANCHOR)


def test_a_twin_serves_what_a_new_build_serves_and_moves_on_its_own() -> None:
    built = _build()
    twin = built.twin()
    again = _build()
    for kind in ("requests", "postbacks"):
        assert twin.truth(kind) == again.truth(kind) == built.truth(kind)
        assert twin.truth(kind), "the history is not empty"
    assert abs(twin.now() - ANCHOR) < timedelta(seconds=5)
    assert twin.lock is not built.lock

    # Live traffic in the twin, an hour of it at once, leaves the built world as it was.
    twin.skip(timedelta(hours=1))
    assert set(twin.truth("requests")) > set(built.truth("requests"))
    assert built.truth("requests") == again.truth("requests")


def test_a_world_that_has_moved_cannot_be_twinned() -> None:
    moved = _build()
    moved.advance(ANCHOR + timedelta(minutes=30))
    with pytest.raises(RuntimeError, match="has not moved"):
        moved.twin()


def test_records_are_built_once_a_version_and_again_when_it_changes() -> None:
    built = _build()
    first = built.records("requests")
    assert all(a is b for a, b in zip(first, built.records("requests"), strict=True))

    one = first[0]
    newer = one.model_copy(update={"updated_at": one.updated_at + timedelta(seconds=1)})
    built.inject(newer)
    after = {record.id: record for record in built.records("requests")}
    assert after[one.id] == newer and after[one.id] is not one

    # A twin builds its own: its records equal its world's, and are not shared with it.
    world = _build()
    kept = world.records("requests")
    twins = world.twin().records("requests")
    assert twins == kept and not any(a is b for a, b in zip(twins, kept, strict=True))
