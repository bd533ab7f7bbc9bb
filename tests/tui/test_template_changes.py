"""What the template changed, on screen: d from a drill-down, the likeliest fault on top."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from textual.pilot import Pilot
from textual.widgets import DataTable

from orderdesk.core.queries import RecordQuery, list_records
from orderdesk.core.records import RequestRecord
from orderdesk.core.store import Store
from orderdesk.core.template_diff import TemplateChanges
from orderdesk.tui.screens.record import RecordScreen
from orderdesk.tui.screens.template_changes import TemplateChangesScreen, value_text
from tests.tui.tui_console import drill_down, screen_text, until

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
        await until(pilot, lambda: len(table.columns) == 3)


class TestTemplateChanges:
    """Maple Threads sent a product code the lookup did not know: productUid went out empty."""

    @pytest.mark.parametrize("size", [(80, 24), (200, 50)], ids=lambda s: f"{s[0]}x{s[1]}")
    def test_view(
        self, snap_compare: SnapCompare, sqlite_store: Store, size: tuple[int, int]
    ) -> None:
        app = drill_down(sqlite_store, unknown_product(sqlite_store))
        assert snap_compare(app, terminal_size=size, press=["d"])


def mapped_product(store: Store) -> RequestRecord:
    """A Maple Threads request whose product code the lookup mapped to a long productUid."""
    done = list_records(store, RecordQuery("requests", statuses=("succeeded",)), limit=200)
    return next(
        r for r in done if isinstance(r, RequestRecord) and r.customer.name == "Maple Threads"
    )


async def opened(pilot: Pilot[None]) -> tuple[TemplateChangesScreen, TemplateChanges]:
    """The template changes view, opened with d from the drill-down."""
    await pilot.press("d")
    await pilot.pause()
    screen = pilot.app.screen
    assert isinstance(screen, TemplateChangesScreen)
    assert isinstance(screen.changes, TemplateChanges)
    return screen, screen.changes


async def test_the_highlighted_fields_original_and_final_values_are_shown_whole(
    store: Store,
) -> None:
    app = drill_down(store, mapped_product(store))
    async with app.run_test(size=(80, 24)) as pilot:
        screen, changes = await opened(pilot)
        row, change = next(
            (number, change)
            for number, change in enumerate(changes.fields)
            if change.mark == "changed" and len(value_text(change.value)) > 40
        )
        table = screen.query_one(DataTable)
        table.move_cursor(row=row)
        await pilot.pause()
        # The table cuts the long Final value; the lines under it hold both values whole.
        assert value_text(change.value) not in str(table.get_row_at(row)[-1])
        # Wrapped over as many lines as they need, beside the detail's left bar.
        shown = "".join(screen_text(app).replace("█", "").split())
        assert value_text(change.source_value).replace(" ", "") in shown
        assert value_text(change.value).replace(" ", "") in shown


async def test_g_and_shift_g_go_to_the_first_and_the_last_field(store: Store) -> None:
    app = drill_down(store, mapped_product(store))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("d", "G")
        await pilot.pause()
        table = app.screen.query_one(DataTable)
        assert table.row_count > 2
        assert table.cursor_row == table.row_count - 1
        assert app.screen.query_one("#changes-detail").region.height > 0
        await pilot.press("g")
        await pilot.pause()
        assert table.cursor_row == 0


async def test_at_60_by_20_the_heads_are_whole_and_every_row_shows_its_final_value(
    store: Store,
) -> None:
    app = drill_down(store, mapped_product(store))
    async with app.run_test(size=(60, 20)) as pilot:
        screen, changes = await opened(pilot)
        text = screen_text(app)
        heads = ("WHAT", "FINAL FIELD", "VALUE (ORIGINAL → FINAL)")
        assert any(all(head in line for head in heads) for line in text.splitlines()), text
        table = screen.query_one(DataTable)
        for number, change in enumerate(changes.fields):
            cell = str(table.get_row_at(number)[-1])
            final = value_text(change.value)
            shown = cell.rsplit(" → ", 1)[-1].rstrip("…")
            assert len(shown) >= min(len(final), 8) and final.startswith(shown), cell
        # Each row is on screen whole: its value column ends inside the table.
        visible_row = next(line for line in text.splitlines() if "= copied" in line)
        assert visible_row.rstrip().endswith("│")
