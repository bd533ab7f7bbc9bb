"""The TUI tests' simulated store, on each engine, and snapshots kept in snapshots/."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from datetime import UTC
from pathlib import Path
from typing import Any

import pytest
from pytest_textual_snapshot import SVGImageExtension

from orderdesk.core.records import HttpMessage, RequestRecord
from orderdesk.core.store import Store
from orderdesk.sim import Simulation
from orderdesk.tui.screens.record import RecordScreen
from tests.engines import PostgresCluster, StoreEngine
from tests.record_factory import request as request_record
from tests.tui.simulated_day import fill, simulated_day

ROOT = Path(__file__).resolve().parents[2]


def _snapshot_dirname(cls: type[SVGImageExtension], *, test_location: Any) -> str:
    # The design card keeps every SVG in the top-level snapshots/ folder,
    # grouped by test module, instead of beside the tests.
    return str(ROOT / "snapshots" / test_location.basename)


SVGImageExtension.dirname = classmethod(_snapshot_dirname)


@pytest.fixture(scope="session")
def simulation() -> Simulation:
    """A frozen day of believable traffic, seed 7, ending at ANCHOR."""
    return simulated_day()


@pytest.fixture(scope="session")
def store_path(simulation: Simulation, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite store holding everything the simulation served (built once per run)."""
    path = tmp_path_factory.mktemp("tui") / "orderdesk.db"
    with Store.open(path) as store:
        fill(store, simulation)
    return path


@pytest.fixture(scope="session")
def postgres_filled(simulation: Simulation, postgres_cluster: PostgresCluster) -> Iterator[str]:
    """The name of a PostgreSQL database of the simulated records (filled once per run), only
    ever copied: a copy takes a fraction of a second, a fill several."""
    with postgres_cluster.database() as url:
        with Store.open(url) as store:
            fill(store, simulation)
        yield postgres_cluster.name_of(url)


@pytest.fixture(scope="session")
def postgres_store_url(postgres_filled: str, postgres_cluster: PostgresCluster) -> Iterator[str]:
    """The same records in one PostgreSQL database (built once per run), only ever read."""
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
