"""The ? screen: the keys of the screen in front by purpose, in the domain's words; it closes."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from textual.binding import Binding
from textual.command import CommandList
from textual.containers import VerticalScroll

from orderdesk import strings
from orderdesk.core.store import Store
from orderdesk.tui.app import OrderdeskApp
from orderdesk.tui.keys import EVERYWHERE
from orderdesk.tui.list_filter import PRESETS
from orderdesk.tui.screens.help import HelpScreen
from orderdesk.tui.screens.record import RecordScreen
from tests.tui.simulated_day import template_failure
from tests.tui.tui_console import console, records_screen, screen_text, settled


async def _help(pilot: Any) -> str:
    await settled(pilot)
    await pilot.press("question_mark")
    await settled(pilot)
    assert isinstance(pilot.app.screen, HelpScreen)
    return screen_text(pilot.app)


async def test_the_list_s_keys_by_purpose_then_every_screen_s(sqlite_store: Store) -> None:
    app = console(sqlite_store)
    async with app.run_test(size=(120, 60)) as pilot:
        shown = await _help(pilot)
        lines = shown.splitlines()
        headings = ["Move", "Open", "Filter", "Act", "Everywhere"]
        places = [next(i for i, line in enumerate(lines) if line.strip() == h) for h in headings]
        assert places == sorted(places)
        assert 'Filter by words, "a phrase", terms such as status:failed, OR and (groups)' in shown
        assert "Export the records of the list to a file" in shown  # not in the footer
        assert "Quit orderdesk" in shown
        # Textual's generic keys say nothing about orders.
        assert "Scroll Left" not in shown and "Copy selected text" not in shown
        assert lines[-1].lstrip().startswith("esc ? q Close")


def test_every_key_of_every_screen_is_in_the_help() -> None:
    # The number keys open a screen from anywhere: one left out (5, the action
    # trail) was a key nobody could learn of but by chance. The error key is
    # offered by the status line, only while there is an error.
    listed = set(EVERYWHERE) | {"source_error"}
    actions = {binding.action for binding in OrderdeskApp.BINDINGS if isinstance(binding, Binding)}
    assert actions <= listed
    # And each has its words.
    assert all(f"app.{action}" in strings.HELP_KEYS for action in EVERYWHERE)


@pytest.mark.parametrize("key", ["escape", "question_mark", "q"])
async def test_escape_question_mark_and_q_close_it_without_quitting(
    sqlite_store: Store, key: str
) -> None:
    app = console(sqlite_store)
    async with app.run_test(size=(80, 24)) as pilot:
        await _help(pilot)
        await pilot.press(key)
        await settled(pilot)
        assert records_screen(app).kind == "requests"
        assert app.is_running


async def test_at_80x24_it_scrolls_to_the_last_key(sqlite_store: Store) -> None:
    app = console(sqlite_store)
    async with app.run_test(size=(80, 24)) as pilot:
        shown = await _help(pilot)
        assert "Quit orderdesk" not in shown
        keys = app.screen.query_one("#help-keys", VerticalScroll)
        assert keys.max_scroll_y > 0
        await pilot.press("end")
        await settled(pilot)
        assert keys.scroll_y == keys.max_scroll_y
        assert "Quit orderdesk" in screen_text(app)


async def test_over_a_record_it_lists_the_record_s_keys(sqlite_store: Store) -> None:
    app = console(sqlite_store)
    async with app.run_test(size=(120, 60)) as pilot:
        await settled(pilot)
        record = template_failure(sqlite_store)
        app.push_screen(RecordScreen(sqlite_store, "requests", record.id, app.zone))
        shown = await _help(pilot)
        assert "Copy a curl command that sends this request again" in shown
        assert "What the template changed, field by field" in shown
        assert "Choose the time range" not in shown  # a list's key, not a record's
        await pilot.press("escape")
        await settled(pilot)
        assert isinstance(app.screen, RecordScreen)


async def test_the_palette_offers_time_ranges_shortest_first(sqlite_store: Store) -> None:
    app = console(sqlite_store)
    async with app.run_test(size=(80, 40)) as pilot:
        await settled(pilot)
        await pilot.press("ctrl+p")
        await settled(pilot)
        commands = app.screen.query_one(CommandList)
        titles = [
            str(commands.get_option_at_index(at).prompt).split("\n")[0]
            for at in range(commands.option_count)
        ]
        ranges = [strings.TIME_RANGE_PRESETS[preset] for preset in PRESETS]
        assert [title for title in titles if title in ranges] == ranges


def test_the_help_at_80x24(snap_compare: Callable[..., bool], sqlite_store: Store) -> None:
    async def opened(pilot: Any) -> None:
        await _help(pilot)

    assert snap_compare(console(sqlite_store), terminal_size=(80, 24), run_before=opened)


async def test_the_palette_s_keys_command_opens_this_help(sqlite_store: Store) -> None:
    app = console(sqlite_store)
    async with app.run_test(size=(80, 24)) as pilot:
        await settled(pilot)
        await pilot.press("ctrl+p", *"keys")
        await settled(pilot)
        await pilot.press("enter")
        await settled(pilot)
        assert isinstance(app.screen, HelpScreen)
        assert "Filter by words" in screen_text(app)
