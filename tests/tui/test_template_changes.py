"""What the template changed, on screen: d from a drill-down, the likeliest fault on top."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from conftest import drill_down
from textual.widgets import DataTable
from tui_console import screen_text

from orderdesk.core.queries import RecordQuery, list_records
from orderdesk.core.records import RequestRecord
from orderdesk.core.store import Store
from orderdesk.tui.screens.record import RecordScreen
from orderdesk.tui.screens.template_changes import TemplateChangesScreen

SnapCompare = Callable[..., bool]


def unknown_product(store: Store) -> RequestRecord:
    """A request of the simulated day whose product code the template's lookup did not know."""
    failed = list_records(store, RecordQuery("requests", statuses=("failed",)), limit=500)
    return next(
        r
        for r in failed
        if isinstance(r, RequestRecord)
        and r.error is not None
        and r.error.code == "invalid_product"
        and r.customer.name == "Maple Threads"
    )


async def test_d_shows_the_defaulted_product_uid_first_and_its_source(store: Store) -> None:
    record = unknown_product(store)
    app = drill_down(store, record)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("d")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, TemplateChangesScreen)
        table = screen.query_one(DataTable)
        first_row = [str(cell) for cell in table.get_row_at(0)]
        assert "defaulted" in first_row[0] and first_row[1].endswith("productUid")
        text = screen_text(app)
        assert "⚠ defaulted" in text
        # The line under the table names the source field and both values.
        assert "productUid ← line_items[0].sku (by the template's source)" in text
        assert '→ ""' in text
        await pilot.press("down")
        await pilot.pause()
        assert "productUid ← line_items" not in screen_text(app).split("\n")[-3]
        await pilot.press("escape")
        assert isinstance(app.screen, RecordScreen)


async def test_the_original_column_appears_on_a_wide_terminal(store: Store) -> None:
    app = drill_down(store, unknown_product(store))
    async with app.run_test(size=(200, 50)) as pilot:
        await pilot.press("d")
        await pilot.pause()
        table = app.screen.query_one(DataTable)
        assert len(table.columns) == 4
        await pilot.resize_terminal(80, 24)
        await pilot.pause()
        assert len(table.columns) == 3


class TestTemplateChanges:
    """Maple Threads sent a product code the lookup did not know: productUid went out empty."""

    @pytest.mark.parametrize("size", [(80, 24), (200, 50)], ids=lambda s: f"{s[0]}x{s[1]}")
    def test_view(
        self, snap_compare: SnapCompare, sqlite_store: Store, size: tuple[int, int]
    ) -> None:
        app = drill_down(sqlite_store, unknown_product(sqlite_store))
        assert snap_compare(app, terminal_size=size, press=["d"])
