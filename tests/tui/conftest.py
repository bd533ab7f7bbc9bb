"""The TUI tests' simulated store, on each engine, and snapshots kept in snapshots/."""

from __future__ import annotations

import json
import shutil
import sqlite3
from collections.abc import Iterator
from datetime import UTC
from pathlib import Path
from typing import Any

import pytest
from pytest_textual_snapshot import SVGImageExtension
from textual.widgets import Input

from orderdesk.core.records import HttpMessage, RequestRecord
from orderdesk.core.store import Store
from orderdesk.sim import Simulation
from orderdesk.tui.screens.record import RecordScreen
from tests.engines import PostgresCluster, StoreEngine
from tests.once_per_run import built_once
from tests.record_factory import request as request_record
from tests.tui.simulated_day import fill, simulated_day

ROOT = Path(__file__).resolve().parents[2]


def _snapshot_dirname(cls: type[SVGImageExtension], *, test_location: Any) -> str:
    # The design card keeps every SVG in the top-level snapshots/ folder,
    # grouped by test module, instead of beside the tests.
    return str(ROOT / "snapshots" / test_location.basename)


SVGImageExtension.dirname = classmethod(_snapshot_dirname)


@pytest.fixture(autouse=True)
def _cursors_stay_still(monkeypatch: pytest.MonkeyPatch) -> None:
    """A text box's cursor shows steadily: it blinks every half second otherwise.

    A snapshot taken a moment later on a busy machine then caught it hidden where
    it had been shown (a loop run under a profiler did). Textual has no setting
    for it, so the blink's toggle does nothing here, and a Textual without it
    fails loudly instead of blinking again.
    """
    assert hasattr(Input, "_toggle_cursor"), "textual's Input changed: see tests/tui/conftest.py"
    monkeypatch.setattr(Input, "_toggle_cursor", lambda self: None)


@pytest.fixture(scope="session")
def simulation() -> Simulation:
    """A frozen day of believable traffic, seed 7, ending at ANCHOR."""
    return simulated_day()


@pytest.fixture(scope="session")
def store_path(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite store holding everything the simulation served, this worker's own copy.

    The store is filled once for the whole run (under xdist, by the first worker to
    ask), and each worker copies the file: a copy takes a fraction of a second, a
    fill several, and the simulation itself is built only where a fill needs it.
    """

    def build(folder: Path) -> None:
        simulation: Simulation = request.getfixturevalue("simulation")
        with Store.open(folder / "orderdesk.db") as store:
            fill(store, simulation)
        # The copies below are of the file alone: everything must be in it, none in a WAL.
        connection = sqlite3.connect(folder / "orderdesk.db")
        try:
            connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        finally:
            connection.close()

    filled = built_once(tmp_path_factory, "simulated-day-sqlite", build) / "orderdesk.db"
    path = tmp_path_factory.mktemp("tui") / "orderdesk.db"
    shutil.copyfile(filled, path)
    return path


@pytest.fixture(scope="session")
def postgres_filled(request: pytest.FixtureRequest, postgres_cluster: PostgresCluster) -> str:
    """The name of a PostgreSQL database of the simulated records (filled once per run), only
    ever copied: a copy takes a fraction of a second, a fill several."""

    def build(url: str) -> None:
        simulation: Simulation = request.getfixturevalue("simulation")
        with Store.open(url) as store:
            fill(store, simulation)

    return postgres_cluster.filled("simulated_day", build)


@pytest.fixture(scope="session")
def postgres_store_url(postgres_filled: str, postgres_cluster: PostgresCluster) -> Iterator[str]:
    """The same records in one PostgreSQL database (one per worker), only ever read."""
    with postgres_cluster.database(template=postgres_filled) as url:
        yield url


@pytest.fixture
def store(engine: StoreEngine, request: pytest.FixtureRequest) -> Iterator[Store]:
    """The simulated store, opened for one test, on SQLite and on PostgreSQL; never written."""
    shared = "store_path" if engine.name == "sqlite" else "postgres_store_url"
    with Store.open(request.getfixturevalue(shared)) as opened:
        yield opened


@pytest.fixture
def sqlite_store(store_path: Path) -> Iterator[Store]:
    """The simulated store on SQLite only: for snapshots, whose ids and SVGs stay as they are."""
    with Store.open(store_path) as opened:
        yield opened


@pytest.fixture
def writable_store(
    engine: StoreEngine, request: pytest.FixtureRequest, tmp_path: Path
) -> Iterator[Store]:
    """A store of the simulated records of its own, on each engine, that a test may write to."""
    if engine.name == "sqlite":
        copy = tmp_path / "copy.db"
        shutil.copy(request.getfixturevalue("store_path"), copy)
        with Store.open(copy) as opened:
            yield opened
        return
    assert isinstance(engine, PostgresCluster)
    filled: str = request.getfixturevalue("postgres_filled")
    with engine.database(template=filled) as url, Store.open(url) as opened:
        yield opened


@pytest.fixture(scope="session")
def megabyte_request() -> RequestRecord:
    """A request whose original body is over a megabyte of JSON: 20,000 items, one with a needle."""
    items: list[dict[str, object]] = [
        {"itemReferenceId": f"item-{n}", "productUid": "flat_a4", "quantity": n}
        for n in range(20_000)
    ]
    items[15_000]["note"] = "Needle in the haystack"
    body = json.dumps({"orderReferenceId": "BIG-1", "items": items})
    assert len(body) > 1_000_000
    return request_record(
        1,
        original=HttpMessage(
            at=request_record(1).created_at,
            method="POST",
            url="https://x.example/o",
            content_type="application/json",
            body=body,
        ),
    )


@pytest.fixture
def megabyte_drill_down(megabyte_request: RequestRecord, tmp_path: Path) -> Iterator[RecordScreen]:
    """The drill-down of ``megabyte_request``, in a store of its own, not shown yet."""
    with Store.open(tmp_path / "big.db") as store:
        store.save_page("requests", [megabyte_request], None)
        yield RecordScreen(store, "requests", megabyte_request.id, UTC)
