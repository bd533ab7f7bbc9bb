"""How the Requests and Postbacks lists look at 80x24, 120x40 and 200x50."""

from __future__ import annotations

from typing import Any

import pytest

from orderdesk.core.store import Store
from orderdesk.tui.launch import start_filter
from tests.tui.tui_console import console, settled

SIZES = [(80, 24), (120, 40), (200, 50)]


async def _ready(pilot: Any) -> None:
    await settled(pilot)


class TestRequestsList:
    @pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
    def test_requests(self, snap_compare: Any, sqlite_store: Store, size: tuple[int, int]) -> None:
        assert snap_compare(console(sqlite_store), terminal_size=size, run_before=_ready)

    def test_requests_errors_only(self, snap_compare: Any, sqlite_store: Store) -> None:
        async def errors(pilot: Any) -> None:
            await settled(pilot)
            await pilot.press("e", "j", "j")
            await settled(pilot)

        assert snap_compare(console(sqlite_store), terminal_size=(80, 24), run_before=errors)


class TestPostbacksList:
    @pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
    def test_postbacks(self, snap_compare: Any, sqlite_store: Store, size: tuple[int, int]) -> None:
        app = console(sqlite_store, screen="postbacks")
        assert snap_compare(app, terminal_size=size, run_before=_ready)

    def test_failed_postbacks_of_the_last_day(self, snap_compare: Any, sqlite_store: Store) -> None:
        list_filter = start_filter("postbacks", since="24h", statuses=("failed", "retrying"))
        app = console(sqlite_store, screen="postbacks", list_filter=list_filter)
        assert snap_compare(app, terminal_size=(120, 40), run_before=_ready)


class TestDialogs:
    def test_time_range_dialog(self, snap_compare: Any, sqlite_store: Store) -> None:
        async def open_dialog(pilot: Any) -> None:
            await settled(pilot)
            await pilot.press("t")
            await pilot.pause()

        assert snap_compare(console(sqlite_store), terminal_size=(80, 24), run_before=open_dialog)

    def test_export_dialog(self, snap_compare: Any, sqlite_store: Store) -> None:
        async def open_dialog(pilot: Any) -> None:
            await settled(pilot)
            await pilot.press("m", "j", "m", "X")
            await settled(pilot)  # the marks drawn and the dialog up, not just a frame later

        assert snap_compare(console(sqlite_store), terminal_size=(80, 24), run_before=open_dialog)


class TestMarksAndVolume:
    def test_marked_rows_and_a_picked_bucket(self, snap_compare: Any, sqlite_store: Store) -> None:
        async def mark_and_pick(pilot: Any) -> None:
            await settled(pilot)
            await pilot.press("m", "j", "j", "m", "left_square_bracket", "left")
            await settled(pilot)

        assert snap_compare(console(sqlite_store), terminal_size=(80, 24), run_before=mark_and_pick)
