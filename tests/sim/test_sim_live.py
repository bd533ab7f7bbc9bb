"""After start the world keeps moving: new orders arrive, pending records complete."""

from __future__ import annotations

import time
from datetime import timedelta

import httpx

from orderdesk.core.records import RequestRecord
from orderdesk.core.timerange import parse_duration
from orderdesk.sim import Simulation, SimulatorServer, parse_rate


def test_live_ticking_adds_records_and_updates_existing_ones() -> None:
    sim = Simulation(
        seed=1, history=timedelta(minutes=5), history_rate=60.0, rate=1200.0, tick_seconds=0.1
    )
    before = sim.truth("requests")
    with SimulatorServer(sim, live=True):
        time.sleep(1)
        middle = sim.truth("requests")
        time.sleep(1.5)
    after = sim.truth("requests")
    assert len(set(middle) - set(before)) > 5
    assert len(set(after) - set(middle)) > 5
    completed = [
        record_id
        for record_id, (at, status) in after.items()
        if record_id in middle and middle[record_id][1] == "pending" and at > middle[record_id][0]
    ]
    assert completed, "a pending request should have completed with a newer updated_at"
    assert all(after[record_id][1] != "pending" for record_id in completed)


def test_a_pending_request_is_served_then_completed() -> None:
    sim = Simulation(
        seed=2, history=timedelta(minutes=1), history_rate=0.0, rate=3000.0, tick_seconds=0.05
    )
    with SimulatorServer(sim) as server, httpx.Client(base_url=server.url) as client:
        pending: dict[str, str] = {}
        deadline = time.monotonic() + 5
        while not pending and time.monotonic() < deadline:
            time.sleep(0.1)
            data = client.get("/v1/requests", params={"limit": 1000}).json()["data"]
            pending = {r["id"]: r["updated_at"] for r in data if r["status"] == "pending"}
        assert pending
        time.sleep(3)
        done = [client.get(f"/v1/requests/{record_id}").json() for record_id in pending]
    finished = [r for r in done if r["status"] != "pending"]
    assert finished
    assert all(r["updated_at"] > pending[r["id"]] for r in finished)


def test_freeze_stops_the_world() -> None:
    sim = Simulation(
        seed=4, history=timedelta(minutes=2), history_rate=30.0, rate=6000.0, tick_seconds=0.05
    )
    with SimulatorServer(sim):
        time.sleep(0.3)
        sim.freeze()
        frozen = sim.truth("requests")
        time.sleep(0.3)
        assert sim.truth("requests") == frozen


def test_inject_serves_odd_bodies_as_they_are() -> None:
    sim = Simulation(seed=5, history=timedelta(minutes=10), history_rate=10.0, rate=0.0)
    record = next(r for r in sim.records("requests") if isinstance(r, RequestRecord))
    body = "\x1b[31mred\x1b[0m [bold]not markup[/] \x00 " + "x" * (5 * 1024 * 1024)
    odd = record.model_copy(
        update={
            "id": "req_odd",
            "updated_at": sim.now(),
            "original": record.original.model_copy(update={"body": body}),
        }
    )
    sim.inject(odd)
    with SimulatorServer(sim, live=False) as server:
        got = httpx.get(f"{server.url}/v1/requests/req_odd").json()
    assert got["original"]["body"] == body


def test_rates_and_durations_read_like_the_command_line() -> None:
    assert parse_rate("30/min") == 30.0
    assert parse_rate("2/s") == 120.0
    assert parse_rate("120/h") == 2.0
    assert parse_rate("12") == 12.0
    assert parse_duration("7d") == timedelta(days=7)
    assert parse_duration("90m") == timedelta(minutes=90)
    for bad in ("fast", "3/fortnight"):
        try:
            parse_rate(bad)
        except ValueError as error:
            assert "30/min" in str(error)
        else:
            raise AssertionError(f"{bad!r} was accepted")
