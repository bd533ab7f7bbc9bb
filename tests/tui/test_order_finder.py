"""The order finder (3): the timeline follows what is typed, and offers what it could be."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from textual.app import App
from textual.pilot import Pilot
from textual.widgets import Input, OptionList

from orderdesk.core.store import Store
from orderdesk.i18n import speaking
from orderdesk.tui.screens.order import OrderScreen
from orderdesk.tui.screens.records import RecordsScreen
from tests.record_factory import T0, failed_request, postback, request
from tests.tui.tui_console import console, records_screen, screen_text, settled

REFERENCES = ["MT1003", "MT1004", "MT1010", "PP-000043"]


@pytest.fixture
def orders(tmp_path: Path) -> Iterator[Store]:
    """Four orders; PP-000043's request failed, MT1004 has a postback."""
    records = [
        request(n, id=f"req_{n}", order_reference_id=ref, at=T0)
        for n, ref in enumerate(REFERENCES[:3])
    ]
    records.append(failed_request(3, id="req_3", order_reference_id="PP-000043"))
    with Store.open(tmp_path / "orders.db") as store:
        store.save_page("requests", records, None)
        store.save_page("postbacks", [postback(1, id="pb_1", order_reference_id="MT1004")], None)
        yield store


async def _finder(pilot: Pilot[None], app: App[None]) -> OrderScreen:
    await pilot.press("3")
    await settled(pilot)
    screen = app.screen
    assert isinstance(screen, OrderScreen) and screen.finder
    return screen


async def test_the_highlighted_records_order_is_offered_and_typing_replaces_it(
    orders: Store,
) -> None:
    app = console(orders)
    async with app.run_test(size=(80, 24)) as pilot:
        await settled(pilot)
        highlighted = records_screen(app).record_list.highlighted
        assert highlighted is not None
        screen = await _finder(pilot, app)
        assert screen.reference == highlighted.order_reference_id
        assert screen.timeline.entries
        await pilot.press(*"MT1004")
        await settled(pilot)
        assert screen.reference == "MT1004"
        assert [entry.kind for entry in screen.timeline.entries] == ["requests", "postbacks"]
        assert isinstance(app.focused, Input)
        assert "Order MT1004" in screen_text(app)


async def test_while_typing_the_references_it_could_be_are_offered(orders: Store) -> None:
    app = console(orders)
    async with app.run_test(size=(80, 24)) as pilot:
        await settled(pilot)
        screen = await _finder(pilot, app)
        await pilot.press(*"MT10")
        await settled(pilot)
        assert screen.candidates == ["MT1003", "MT1004", "MT1010"]
        assert "the references it could be" in screen_text(app)
        await pilot.press("enter")  # takes the first
        await settled(pilot)
        assert screen.reference == "MT1003"
        assert screen.query_one("#order-reference", Input).value == "MT1003"
        assert app.focused is screen.query_one("#timeline", OptionList)


async def test_down_picks_among_the_offered_references(orders: Store) -> None:
    app = console(orders)
    async with app.run_test(size=(80, 24)) as pilot:
        await settled(pilot)
        screen = await _finder(pilot, app)
        await pilot.press(*"MT10", "down", "down", "enter")
        await settled(pilot)
        assert screen.reference == "MT1004"
        assert app.focused is screen.query_one("#timeline", OptionList)
        await pilot.press("enter")  # now enter opens the highlighted record
        await settled(pilot)
        assert type(app.screen).__name__ == "RecordScreen"


async def test_a_failed_order_is_told_without_enter(orders: Store) -> None:
    app = console(orders)
    async with app.run_test(size=(80, 24)) as pilot:
        await settled(pilot)
        screen = await _finder(pilot, app)
        await pilot.press(*"PP-000043")
        await settled(pilot)
        assert [finding.rule for finding in screen.timeline.findings] == ["request_failed"]
        text = screen_text(app)
        assert "unknown productUid" in text and "422" in text


async def test_a_reference_nothing_begins_with_says_what_to_do(orders: Store) -> None:
    app = console(orders)
    async with app.run_test(size=(80, 24)) as pilot:
        await settled(pilot)
        screen = await _finder(pilot, app)
        await pilot.press(*"ZZ9", "enter")
        await settled(pilot)
        assert screen.candidates == [] and not screen.timeline.entries
        assert "no order reference is or begins with 'ZZ9'" in screen_text(app)
        assert isinstance(app.focused, Input)


async def test_typed_markup_is_shown_as_typed(orders: Store) -> None:
    app = console(orders)
    async with app.run_test(size=(80, 24)) as pilot:
        await settled(pilot)
        await _finder(pilot, app)
        await pilot.press(*"[b]x", "enter")
        await settled(pilot)
        assert "'[b]x'" in screen_text(app)


async def test_3_in_the_finder_goes_back_to_its_box_and_escape_leaves(orders: Store) -> None:
    app = console(orders)
    async with app.run_test(size=(80, 24)) as pilot:
        await settled(pilot)
        screen = await _finder(pilot, app)
        await pilot.press("enter")  # to the timeline
        assert not isinstance(app.focused, Input)
        await pilot.press("3")
        assert app.screen is screen and isinstance(app.focused, Input)
        await pilot.press("escape")
        await settled(pilot)
        assert isinstance(app.screen, RecordsScreen)


def test_the_finder_offering_references(orders: Store, snap_compare: Any) -> None:
    async def type_a_prefix(pilot: Pilot[None]) -> None:
        await settled(pilot)
        await pilot.press("3", *"MT10")
        await settled(pilot)

    assert snap_compare(console(orders), terminal_size=(80, 24), run_before=type_a_prefix)


async def _order_footer(store: Store) -> tuple[str, list[str]]:
    """The order view's footer at 80x24, opened with 3, and the key descriptions it offers."""
    app = console(store)
    async with app.run_test(size=(80, 24)) as pilot:
        await settled(pilot)
        await pilot.press("3", *"MT1004", "enter")
        await settled(pilot)
        offered = [
            binding.description
            for _, binding, _, _ in app.screen.active_bindings.values()
            if binding.show and binding.description
        ]
        # The palette's divider ends the last key as a space would.
        return screen_text(app).splitlines()[-1].replace("▏", " "), offered


async def test_what_the_order_views_footer_shows_whole_in_english_it_shows_whole_in_french(
    orders: Store,
) -> None:
    english_footer, english = await _order_footer(orders)
    with speaking("fr"):
        french_footer, french = await _order_footer(orders)
    assert len(english) == len(french) and english_footer != french_footer
    whole = [
        (en, fr) for en, fr in zip(english, french, strict=True) if f" {en} " in english_footer
    ]
    assert len(whole) >= 5
    cut = [(en, fr) for en, fr in whole if f" {fr} " not in french_footer]
    assert not cut, f"whole in English, cut in French: {cut}\n{french_footer}"
