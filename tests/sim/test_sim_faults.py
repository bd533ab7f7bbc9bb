"""Each fault the simulator offers is observable over real HTTP."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from datetime import timedelta
from email.utils import parsedate_to_datetime

import httpx
import pytest

from orderdesk.core.records import format_timestamp, parse_timestamp
from orderdesk.sim import Faults, Simulation, SimulatorServer


@pytest.fixture(scope="module")
def sim() -> Simulation:
    sim = Simulation(seed=9, history=timedelta(minutes=30), history_rate=20.0, rate=0.0)
    sim.freeze()
    return sim


def _serve(sim: Simulation, spec: str) -> Iterator[httpx.Client]:
    with (
        SimulatorServer(sim, live=False, faults=Faults.parse(spec)) as server,
        httpx.Client(base_url=server.url, timeout=5) as client,
    ):
        yield client


def test_the_spec_is_parsed_and_checked() -> None:
    faults = Faults.parse("429=0.05, 5xx=0.05,reset=0.02,slow=0.02,malformed=0.02,late=0.1")
    assert (faults.too_many_requests, faults.server_error, faults.late) == (0.05, 0.05, 0.1)
    assert Faults.parse("") == Faults()
    assert Faults.parse("late=0.5,late_max=2").late_max_seconds == 2
    for bad, words in (
        ("teapot=0.1", "unknown fault 'teapot'"),
        ("429=2", "between 0 and 1"),
        ("late_max=600", "120"),
        ("5xx", "no value"),
        ("reset=often", "number"),
        ("429=0.6,5xx=0.6", "more than 1"),
    ):
        with pytest.raises(ValueError, match=words):
            Faults.parse(bad)


def test_429_carries_retry_after(sim: Simulation) -> None:
    for client in _serve(sim, "429=1"):
        answers = [client.get("/v1/requests") for _ in range(12)]
        assert {a.status_code for a in answers} == {429}
        for answer in answers:
            retry_after = answer.headers["Retry-After"]
            if not retry_after.isdigit():
                assert parsedate_to_datetime(retry_after).tzinfo is not None
        assert client.get("/v1/health").status_code == 200


def test_5xx_answers(sim: Simulation) -> None:
    for client in _serve(sim, "5xx=1"):
        codes = {client.get("/v1/postbacks").status_code for _ in range(30)}
        assert codes <= {500, 502, 503, 504} and len(codes) > 1


def test_reset_drops_the_connection_without_an_answer(sim: Simulation) -> None:
    for client in _serve(sim, "reset=1"):
        with pytest.raises((httpx.RemoteProtocolError, httpx.ReadError)):
            client.get("/v1/requests")


def test_slow_answers_late_but_answers(sim: Simulation) -> None:
    for client in _serve(sim, "slow=1,slow_seconds=0.3"):
        started = time.monotonic()
        assert client.get("/v1/requests", params={"limit": 1}).status_code == 200
        assert time.monotonic() - started >= 0.3


def test_malformed_pages_are_200_but_not_a_page(sim: Simulation) -> None:
    for client in _serve(sim, "malformed=1"):
        for _ in range(10):
            answer = client.get("/v1/requests")
            assert answer.status_code == 200
            try:
                body = json.loads(answer.content)
            except ValueError:
                continue
            assert not (isinstance(body, dict) and isinstance(body.get("data"), list))


def test_stopping_a_server_mid_slow_answer_is_quick(sim: Simulation) -> None:
    server = SimulatorServer(sim, live=False, faults=Faults.parse("slow=1,slow_seconds=30"))
    server.start()
    outcomes: list[object] = []

    def ask() -> None:
        # Either the answer comes at once or the connection ends: nothing waits 30 s.
        try:
            outcomes.append(httpx.get(f"{server.url}/v1/requests", timeout=10).status_code)
        except httpx.HTTPError as error:
            outcomes.append(error)

    asker = threading.Thread(target=ask)
    asker.start()
    time.sleep(0.2)
    started = time.monotonic()
    server.stop()
    asker.join(timeout=5)
    assert time.monotonic() - started < 3
    assert not asker.is_alive()
    assert outcomes


def test_late_records_appear_behind_served_ones_but_within_the_bound() -> None:
    late_max = 1.0
    sim = Simulation(
        seed=12, history=timedelta(minutes=1), history_rate=0.0, rate=3000.0, tick_seconds=0.05
    )
    faults = Faults.parse(f"late=0.3,late_max={late_max}")
    behind: list[float] = []
    with SimulatorServer(sim, faults=faults) as server, httpx.Client(base_url=server.url) as client:
        seen: set[tuple[str, str]] = set()
        newest_served = ""
        deadline = time.monotonic() + 4
        while time.monotonic() < deadline and len(behind) < 5:
            window = format_timestamp(sim.now() - timedelta(seconds=10))
            data = client.get(
                "/v1/postbacks", params={"updated_after": window, "limit": 1000}
            ).json()["data"]
            data += client.get(
                "/v1/requests", params={"updated_after": window, "limit": 1000}
            ).json()["data"]
            for record in data:
                version = (record["id"], record["updated_at"])
                if version not in seen and newest_served and record["updated_at"] < newest_served:
                    gap = parse_timestamp(newest_served) - parse_timestamp(record["updated_at"])
                    behind.append(gap.total_seconds())
                seen.add(version)
            newest_served = max([newest_served, *(r["updated_at"] for r in data)])
            time.sleep(0.05)
        sim.freeze()
        sim.settle()
        assert sim.hidden() == 0
    assert behind, "no record became visible behind the newest served one"
    assert max(behind) <= late_max + 0.2
