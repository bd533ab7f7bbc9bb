"""1, 2 and 3 always go to their screen, escape goes back one step, and a small terminal says so."""

from __future__ import annotations

from typing import Any

import pytest

from orderdesk.core.queries import RecordQuery, list_summaries
from orderdesk.core.store import Store
from orderdesk.i18n import speaking
from orderdesk.tui.screens.order import OrderScreen
from orderdesk.tui.screens.record import RecordScreen
from orderdesk.tui.screens.time_range import TimeRangeDialog
from orderdesk.tui.screens.too_small import TooSmallScreen
from tests.tui.tui_console import console, records_screen, screen_text, settled


async def _press(pilot: Any, key: str) -> None:
    await pilot.press(key)
    await settled(pilot)


def _words(text: str) -> str:
    return " ".join(text.split())


def _reference(store: Store) -> str:
    reference = list_summaries(store, RecordQuery("requests"), limit=1)[0].order_reference_id
    assert reference is not None
    return reference


async def test_started_on_an_order_1_goes_to_the_requests(sqlite_store: Store) -> None:
    app = console(sqlite_store, order_reference=_reference(sqlite_store))
    async with app.run_test(size=(80, 24)) as pilot:
        await settled(pilot)
        assert isinstance(app.screen, OrderScreen)
        await _press(pilot, "1")
        assert records_screen(app).kind == "requests"
        assert len(app.screen_stack) == 1


async def test_after_2_from_an_order_1_is_the_list_not_the_order(sqlite_store: Store) -> None:
    app = console(sqlite_store)
    async with app.run_test(size=(80, 24)) as pilot:
        await settled(pilot)
        await _press(pilot, "o")
        assert isinstance(app.screen, OrderScreen)
        await _press(pilot, "2")
        assert records_screen(app).kind == "postbacks"
        await _press(pilot, "1")
        assert records_screen(app).kind == "requests"
        await _press(pilot, "2")
        assert records_screen(app).kind == "postbacks"


async def test_escape_goes_back_one_step_at_a_time(sqlite_store: Store) -> None:
    app = console(sqlite_store)
    async with app.run_test(size=(80, 24)) as pilot:
        await settled(pilot)
        await _press(pilot, "enter")
        assert isinstance(app.screen, RecordScreen)
        await _press(pilot, "o")
        assert isinstance(app.screen, OrderScreen)
        await _press(pilot, "escape")
        assert isinstance(app.screen, RecordScreen)
        await _press(pilot, "escape")
        assert records_screen(app).kind == "requests"


async def test_3_opens_the_order_finder_from_a_record(sqlite_store: Store) -> None:
    app = console(sqlite_store)
    async with app.run_test(size=(80, 24)) as pilot:
        await settled(pilot)
        await _press(pilot, "enter")
        await _press(pilot, "3")
        assert isinstance(app.screen, OrderScreen) and app.screen.finder


async def test_over_a_dialog_1_and_2_wait_for_it_to_be_answered(sqlite_store: Store) -> None:
    app = console(sqlite_store)
    async with app.run_test(size=(80, 24)) as pilot:
        await settled(pilot)
        await _press(pilot, "t")
        assert isinstance(app.screen, TimeRangeDialog)
        await _press(pilot, "2")
        assert isinstance(app.screen, TimeRangeDialog)
        await _press(pilot, "escape")
        await _press(pilot, "2")
        assert records_screen(app).kind == "postbacks"


@pytest.mark.parametrize(
    ("lang", "sentence"),
    [
        ("en", "terminal too small: at least 60x20 needed, this is 59x24"),
        ("fr", "terminal trop petit : il faut au moins 60x20, celui-ci fait 59x24"),
    ],
)
async def test_below_60x20_the_terminal_is_said_too_small(
    sqlite_store: Store, lang: str, sentence: str
) -> None:
    with speaking(lang):
        app = console(sqlite_store)
        async with app.run_test(size=(59, 24)) as pilot:
            await settled(pilot)
            assert isinstance(app.screen, TooSmallScreen)
            assert sentence in _words(screen_text(app))
            await pilot.press("1", "3")  # nothing to draw them in
            await settled(pilot)
            assert isinstance(app.screen, TooSmallScreen)
            await pilot.resize_terminal(80, 19)
            await settled(pilot)
            assert sentence.replace("59x24", "80x19") in _words(screen_text(app))
            await pilot.resize_terminal(80, 24)
            await settled(pilot)
            assert records_screen(app).kind == "requests"
