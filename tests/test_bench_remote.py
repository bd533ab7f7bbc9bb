"""The latency proxy slows PostgreSQL's round trips by its delay and changes no answer,
and the benchmark of a console across a network runs end to end.

Only lower bounds are checked: a round trip through the proxy takes at least its
delay. How fast anything else is, is a figure to report, never to assert.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, make_url

from benchmarks.latency_proxy import LatencyProxy
from benchmarks.remote import proxied
from orderdesk.core.store import Store
from tests.engines import PostgresCluster
from tests.record_factory import T0, request

DELAY_MS = 20
RECORDS = 120
NEWEST_REFERENCE = f"ORD-{RECORDS}"
ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def remote_store(postgres_cluster: PostgresCluster) -> Iterator[str]:
    """A PostgreSQL store of a hundred-odd requests, one a minute, ``ORD-120`` the newest."""
    with postgres_cluster.database() as url:
        with Store.open(url) as store:
            records = [request(n, at=T0 + timedelta(minutes=n)) for n in range(1, RECORDS + 1)]
            store.save_page("requests", records, None)
        yield url


@pytest.fixture
def proxy(remote_store: str) -> Iterator[LatencyProxy]:
    server = make_url(remote_store)
    assert server.host is not None and server.port is not None
    with LatencyProxy((server.host, server.port), delay_ms=DELAY_MS) as started:
        yield started


@pytest.fixture
def engines(remote_store: str, proxy: LatencyProxy) -> Iterator[tuple[Engine, Engine]]:
    """The store reached directly, and through the proxy."""
    direct, through = create_engine(remote_store), create_engine(proxied(remote_store, proxy.port))
    try:
        yield direct, through
    finally:
        direct.dispose()
        through.dispose()


def _answers(engine: Engine) -> list[object]:
    with engine.connect() as connection:
        return [
            connection.exec_driver_sql(sql).all()
            for sql in (
                "SELECT id, order_reference_id, status FROM requests ORDER BY created_at DESC",
                "SELECT count(*) FROM requests",
                # About 1.6 MB: many chunks, which must arrive whole and in order.
                "SELECT g, repeat(md5(g::text), 1000) FROM generate_series(1, 50) AS g",
            )
        ]


def test_queries_through_the_proxy_get_the_same_answers(engines: tuple[Engine, Engine]) -> None:
    direct, through = engines
    assert _answers(through) == _answers(direct)
    assert _answers(direct)[1] == [(RECORDS,)]


def _select_one_seconds(engine: Engine, times: int = 5) -> list[float]:
    with engine.connect() as connection:
        connection.exec_driver_sql("SELECT 1").scalar_one()  # the connection is set up
        took = []
        for _ in range(times):
            started = time.perf_counter()
            connection.exec_driver_sql("SELECT 1").scalar_one()
            took.append(time.perf_counter() - started)
    return took


def test_each_round_trip_through_the_proxy_takes_at_least_its_delay(
    engines: tuple[Engine, Engine], proxy: LatencyProxy
) -> None:
    direct, through = engines
    before = proxy.round_trips
    slowed = _select_one_seconds(through)
    assert proxy.round_trips - before >= 5
    assert min(slowed) >= DELAY_MS / 1000, (slowed, _select_one_seconds(direct))


@pytest.mark.slow
def test_the_remote_benchmark_times_the_console_directly_and_through_the_proxy(
    remote_store: str, tmp_path: Path
) -> None:
    out = tmp_path / "remote.json"
    # As small as it goes: one PgDn, one G and g, no filter change, half a second at rest.
    options = {
        "--db": remote_store,
        "--first-reference": NEWEST_REFERENCE,
        "--delay-ms": str(DELAY_MS),
        "--presses": "1",
        "--ends": "1",
        "--errors": "0",
        "--statuses": "0",
        "--idle-s": "0.5",
        "--paints": "2",
        "--json": str(out),
    }
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "benchmarks.remote",
            *(part for pair in options.items() for part in pair),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT,
    )
    assert done.returncode == 0, done.stderr
    assert "| PgDn to next frame |" in done.stdout
    figures = json.loads(out.read_text())
    assert figures["delay_ms"] == DELAY_MS
    assert figures["select_1_ms"]["through_proxy"] >= DELAY_MS
    assert "| process start to first painted list (s, median of 2) |" in done.stdout
    for run in ("direct", "through_proxy"):
        paints = figures[run]["first_paints_s"]
        assert len(paints) == 2 and all(paint > 0 for paint in paints), run
        assert figures[run]["first_paint_s"] == round(sum(paints) / 2, 3), run
        for name in (
            "page_down_next_frame",
            "page_down_frame_done",
            "first_or_last_row_next_frame",
            "first_or_last_row_frame_done",
        ):
            assert 0 < figures[run][name]["p50_ms"] <= figures[run][name]["p95_ms"], (run, name)
        pressed = figures[run]["each_press"]
        assert [len(pressed[key]) for key in ("page_down", "first_or_last_row")] == [1, 2], run
    round_trips = figures["through_proxy"]["round_trips"]
    assert round_trips["until_first_paint"] > 0
    assert set(round_trips["per_key"]) == {"page_down", "first_or_last_row"}
    assert "round_trips" not in figures["direct"]
