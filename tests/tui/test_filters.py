"""Date, status and text filters: always visible, several at once, cleared in one key."""

from __future__ import annotations

from datetime import UTC, timedelta

from textual.widgets import Input, SelectionList

from orderdesk.core.queries import RecordQuery, count, list_summaries
from orderdesk.core.store import Store
from orderdesk.tui.app import OrderdeskApp
from orderdesk.tui.list_filter import ListFilter, TimeWindow
from orderdesk.tui.widgets.filter_bar import FilterBar
from tests.tui.simulated_day import ANCHOR
from tests.tui.tui_console import console, record_list, records_screen, settled, shown


def _bar(app: OrderdeskApp) -> str:
    return shown(app.screen.query_one(FilterBar)).plain


async def test_errors_only_shows_failed_rows_and_says_so(store: Store) -> None:
    app = console(store)
    async with app.run_test(size=(120, 30)) as pilot:
        await settled(pilot)
        await pilot.press("e")
        await settled(pilot)
        records = record_list(app)
        assert records.record_query.statuses == ("failed",)
        assert records.total == count(store, RecordQuery("requests", statuses=("failed",)))
        assert "errors only" in _bar(app)
        await pilot.press("x")
        await settled(pilot)
        assert record_list(app).record_query.statuses == ()
        assert "errors only" not in _bar(app)


async def test_on_postbacks_errors_only_means_failed_and_retrying(store: Store) -> None:
    app = console(store, screen="postbacks")
    async with app.run_test(size=(120, 30)) as pilot:
        await settled(pilot)
        await pilot.press("e")
        await settled(pilot)
        assert record_list(app).record_query.statuses == ("failed", "retrying")


async def test_a_preset_from_the_time_dialog_narrows_the_list_and_shows_in_the_bar(
    store: Store,
) -> None:
    app = console(store)
    async with app.run_test(size=(120, 30)) as pilot:
        await settled(pilot)
        await pilot.press("t")
        await pilot.pause()
        await pilot.press("home", "down", "down", "enter")  # 15m, 1h, 4h
        await settled(pilot)
        records = record_list(app)
        assert records.record_query.since == ANCHOR - timedelta(hours=4)
        assert "last 4h" in _bar(app)
        assert records.total == count(
            store, RecordQuery("requests", since=ANCHOR - timedelta(hours=4))
        )


async def test_a_custom_range_accepts_relative_times_and_reports_typos(store: Store) -> None:
    app = console(store)
    async with app.run_test(size=(120, 30)) as pilot:
        await settled(pilot)
        await pilot.press("t")
        await pilot.pause()
        await pilot.click("#from")
        await pilot.press(*"soon", "enter")
        await pilot.pause()
        assert "is not a time" in str(app.screen.query_one("#time-range-error").render())
        app.screen.query_one("#from", Input).value = "-2h"
        await pilot.press("enter")
        await settled(pilot)
        assert record_list(app).record_query.since == ANCHOR - timedelta(hours=2)
        assert "from -2h to now" in _bar(app)


def test_today_and_yesterday_are_midnights_in_the_shown_zone() -> None:
    window = TimeWindow.custom("yesterday", "today")
    query = ListFilter(window=window).query("requests", now=ANCHOR, zone=UTC)
    assert query.since == ANCHOR.replace(hour=0) - timedelta(days=1)
    assert query.until == ANCHOR.replace(hour=0)


async def test_several_statuses_at_once_from_the_filters_dialog(store: Store) -> None:
    app = console(store, screen="postbacks")
    async with app.run_test(size=(120, 40)) as pilot:
        await settled(pilot)
        await pilot.press("f")
        await pilot.pause()
        statuses = app.screen.query_one("#statuses", SelectionList)
        statuses.select("failed")
        statuses.select("retrying")
        await pilot.click("#apply")
        await settled(pilot)
        assert set(record_list(app).record_query.statuses) == {"failed", "retrying"}
        assert "status: retrying, failed" in _bar(app) or "status: failed, retrying" in _bar(app)


async def test_search_finds_an_order_reference(store: Store) -> None:
    reference = list_summaries(store, RecordQuery("requests"), limit=50)[-1].order_reference_id
    assert reference is not None
    app = console(store)
    async with app.run_test(size=(120, 30)) as pilot:
        await settled(pilot)
        await pilot.press("slash", *reference, "enter")
        await settled(pilot)
        records = record_list(app)
        assert records.record_query.search == (reference,)
        assert records.highlighted is not None
        assert records.highlighted.order_reference_id == reference
        assert f"search: {reference}" in _bar(app)


async def test_one_key_switches_times_to_utc_and_back(store: Store) -> None:
    from zoneinfo import ZoneInfo

    app = console(store, zone=ZoneInfo("Europe/Paris"))
    async with app.run_test(size=(120, 30)) as pilot:
        await settled(pilot)
        assert "times in Europe/Paris" in _bar(app)
        await pilot.press("u")
        await settled(pilot)
        assert "times in UTC" in _bar(app)
        assert records_screen(app).zone is UTC
        await pilot.press("u")
        await settled(pilot)
        assert "times in Europe/Paris" in _bar(app)
