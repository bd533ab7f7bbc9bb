"""Two records compared: c remembers a base, c on another record shows what differs."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC
from typing import Any

from textual.screen import Screen
from textual.widgets import DataTable

from orderdesk.core.queries import RecordQuery, list_records
from orderdesk.core.records import RequestRecord
from orderdesk.core.store import Store
from orderdesk.tui.comparison import remembered_base
from orderdesk.tui.screens.compare import CompareScreen
from orderdesk.tui.screens.record import RecordScreen
from tests.tui.simulated_day import template_failure
from tests.tui.tui_console import ScreenHost, screen_text


def good_request_of(store: Store, customer: str) -> RequestRecord:
    """A request of the same customer that went through."""
    done = list_records(store, RecordQuery("requests", statuses=("succeeded",)), limit=500)
    return next(r for r in done if isinstance(r, RequestRecord) and r.customer.name == customer)


async def test_c_then_c_on_another_record_compares_them_field_by_field(store: Store) -> None:
    failing = template_failure(store)
    good = good_request_of(store, failing.customer.name)
    app = ScreenHost(Screen)
    async with app.run_test(size=(120, 40)) as pilot:
        app.push_screen(RecordScreen(store, "requests", good.id, UTC))
        await pilot.pause()
        await pilot.press("c")  # the good one is the base
        await pilot.pause()
        assert good.id in screen_text(app)
        await pilot.press("c")  # the same record again: nothing to compare yet
        assert isinstance(app.screen, RecordScreen)
        await pilot.press("escape")
        app.push_screen(RecordScreen(store, "requests", failing.id, UTC))
        await pilot.pause()
        await pilot.press("c")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, CompareScreen)
        assert (screen.base.id, screen.other.id) == (good.id, failing.id)
        table = screen.query_one(DataTable)
        rows = [[str(cell) for cell in table.get_row_at(n)] for n in range(table.row_count)]
        status = next(row for row in rows if row[1] == "status")
        assert status[2:] == ['"succeeded"', '"failed"']
        assert any(row[0] == "Original" for row in rows)
        assert f"with the base {good.id}" in screen_text(app)
        await pilot.press("escape")
        assert isinstance(app.screen, RecordScreen)


async def test_a_postback_does_not_compare_with_a_request_base(store: Store) -> None:
    request = template_failure(store)
    postback = list_records(store, RecordQuery("postbacks"), limit=1)[0]
    app = ScreenHost(Screen)
    async with app.run_test(size=(80, 24)) as pilot:
        app.push_screen(RecordScreen(store, "requests", request.id, UTC))
        await pilot.pause()
        await pilot.press("c", "escape")
        app.push_screen(RecordScreen(store, "postbacks", postback.id, UTC))
        await pilot.pause()
        await pilot.press("c")
        await pilot.pause()
        assert isinstance(app.screen, RecordScreen)
        assert remembered_base(app) == ("postbacks", postback.id)
        said = [notice.message for notice in app._notifications]
        assert any("this postback is the base now" in sentence for sentence in said)


class TestCompare:
    """A request that failed in its template beside a good one of the same customer."""

    def test_view(self, snap_compare: Callable[..., bool], sqlite_store: Store) -> None:
        failing = template_failure(sqlite_store)
        good = good_request_of(sqlite_store, failing.customer.name)

        async def compare(pilot: Any) -> None:
            app = pilot.app
            app.push_screen(RecordScreen(sqlite_store, "requests", good.id, UTC))
            await pilot.pause()
            await pilot.press("c", "escape")
            app.push_screen(RecordScreen(sqlite_store, "requests", failing.id, UTC))
            await pilot.pause()
            await pilot.press("c")
            await pilot.pause()
            # The notice of the base would cover the table until it times out.
            app.clear_notifications()
            await pilot.pause()

        assert snap_compare(ScreenHost(Screen), terminal_size=(80, 24), run_before=compare)
