"""The TUI tests' simulated store, screens shown on their own, and snapshots kept in snapshots/."""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from engines import PostgresCluster, StoreEngine
from pytest_textual_snapshot import SVGImageExtension
from textual import on
from textual.app import App
from textual.screen import Screen

from orderdesk.core.queries import RecordQuery, list_records
from orderdesk.core.records import KINDS, Kind, LogRecord, PostbackRecord, RequestRecord
from orderdesk.core.store import Store
from orderdesk.sim import Simulation
from orderdesk.tui.app import stylesheet_path
from orderdesk.tui.messages import ComparisonWanted, TemplateChangesWanted
from orderdesk.tui.screens.compare import CompareScreen
from orderdesk.tui.screens.order import OrderScreen
from orderdesk.tui.screens.record import RecordScreen
from orderdesk.tui.screens.template_changes import TemplateChangesScreen

ROOT = Path(__file__).resolve().parents[2]
#: The simulated "now" of every TUI test, so that snapshots never depend on the clock.
ANCHOR = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)


def _snapshot_dirname(cls: type[SVGImageExtension], *, test_location: Any) -> str:
    # The design card keeps every SVG in the top-level snapshots/ folder,
    # grouped by test module, instead of beside the tests.
    return str(ROOT / "snapshots" / test_location.basename)


SVGImageExtension.dirname = classmethod(_snapshot_dirname)  # type: ignore[method-assign,assignment]


@pytest.fixture(scope="session")
def simulation() -> Simulation:
    """A frozen day of believable traffic, seed 7, ending at ANCHOR."""
    sim = Simulation(seed=7, history=timedelta(days=1), history_rate=2.0, rate=0.0, now=ANCHOR)
    sim.freeze()
    return sim


def fill(store: Store, simulation: Simulation) -> None:
    """Save everything the simulation served into ``store``, a page of 1000 at a time."""
    for kind in KINDS:
        records = simulation.records(kind)
        for start in range(0, len(records), 1000):
            store.save_page(kind, records[start : start + 1000], None)


@pytest.fixture(scope="session")
def store_path(simulation: Simulation, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite store holding everything the simulation served (built once per run)."""
    path = tmp_path_factory.mktemp("tui") / "orderdesk.db"
    with Store.open(path) as store:
        fill(store, simulation)
    return path


@pytest.fixture(scope="session")
def postgres_store_url(simulation: Simulation, postgres_cluster: PostgresCluster) -> Iterator[str]:
    """The same records in one PostgreSQL database (built once per run), only ever read."""
    with postgres_cluster.database() as url:
        with Store.open(url) as store:
            fill(store, simulation)
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
    engine: StoreEngine, simulation: Simulation, store_path: Path, tmp_path: Path
) -> Iterator[Store]:
    """A store of the simulated records of its own, on each engine, that a test may write to."""
    if engine.name == "sqlite":
        copy = tmp_path / "copy.db"
        shutil.copy(store_path, copy)
        with Store.open(copy) as opened:
            yield opened
        return
    with engine.database() as url, Store.open(url) as opened:
        fill(opened, simulation)
        yield opened


class ScreenHost(App[None]):
    """An app that shows one screen, pushed the way the real app pushes it, in the app's styles."""

    CSS_PATH = stylesheet_path()

    def __init__(self, make_screen: Callable[[], Screen[Any]]) -> None:
        super().__init__()
        self.make_screen = make_screen

    def on_mount(self) -> None:
        """Show the screen under test, with no animation to wait for."""
        self.animation_level = "none"
        self.push_screen(self.make_screen())

    # A drill-down asks for these two as it asks the console; they need nothing of the
    # console's settings, so the host shows them the way the console does.

    @on(TemplateChangesWanted)
    def _template_changes_wanted(self, message: TemplateChangesWanted) -> None:
        self.push_screen(TemplateChangesScreen(message.record))

    @on(ComparisonWanted)
    def _comparison_wanted(self, message: ComparisonWanted) -> None:
        self.push_screen(CompareScreen(message.base, message.record))


def at_anchor() -> datetime:
    """The tests' clock: always ANCHOR."""
    return ANCHOR


def drill_down(store: Store, record: LogRecord | str) -> ScreenHost:
    """The drill-down of ``record`` (or of the request with that id), shown on its own."""
    kind: Kind = "postbacks" if isinstance(record, PostbackRecord) else "requests"
    record_id = record if isinstance(record, str) else record.id
    return ScreenHost(lambda: RecordScreen(store, kind, record_id, UTC))


def order_view(store: Store, reference: str, now: Callable[[], datetime] = at_anchor) -> ScreenHost:
    """The order view of ``reference``, shown on its own, its clock at ANCHOR unless told."""
    return ScreenHost(lambda: OrderScreen(store, reference, UTC, now=now))


def template_failure(store: Store) -> RequestRecord:
    """The first request of the simulated day that failed in its template."""
    failed = list_records(store, RecordQuery("requests", statuses=("failed",)), limit=500)
    return next(
        r
        for r in failed
        if isinstance(r, RequestRecord) and r.error and r.error.stage == "template"
    )


def undelivered_shipping(store: Store) -> PostbackRecord:
    """A shipped postback of the simulated day that never reached the customer."""
    query = RecordQuery("postbacks", events=("shipped",), statuses=("failed",))
    [postback] = list_records(store, query, limit=1)
    assert isinstance(postback, PostbackRecord)
    return postback
