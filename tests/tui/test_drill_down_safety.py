"""Hostile values decoded from JSON bodies reach neither markup nor the terminal, in every new view.

A JSON body can carry ``\\u001b`` escapes that parse into raw control
characters: the template changes, the comparison and the search status must
show them as visible escapes, and markup in them as the brackets it is.
"""

from __future__ import annotations

import json
from datetime import UTC
from pathlib import Path

from textual.screen import Screen

from orderdesk.core.records import HttpMessage
from orderdesk.core.store import Store
from orderdesk.tui.screens.compare import CompareScreen
from orderdesk.tui.screens.record import RecordScreen
from orderdesk.tui.screens.template_changes import TemplateChangesScreen
from tests.record_factory import T0, request
from tests.tui.tui_console import ScreenHost, drill_down, screen_text

OSC_52 = "\x1b]52;c;cHduZWQ=\x07"
MARKUP = "[bold]loud[/bold] [TODO]"
HOSTILE = f"{OSC_52}{MARKUP}"


def hostile_store(path: Path) -> Store:
    """Two requests whose JSON bodies decode to escape sequences and markup."""
    records = []
    for number in (1, 2):
        body = json.dumps({"note": f"{HOSTILE} {number}", "sku": "A-1"})  # \u001b in the JSON
        message = HttpMessage(
            at=T0, method="POST", url="https://x.example/o", content_type="application/json"
        )
        records.append(
            request(
                number,
                original=message.model_copy(update={"body": body}),
                final=message.model_copy(update={"body": json.dumps({"comment": HOSTILE})}),
            )
        )
    store = Store.open(path)
    store.save_page("requests", records, None)
    return store


def assert_shown_literally(text: str) -> None:
    assert "\x1b" not in text and "\x07" not in text
    # Values are shown as JSON spells them, so the escape is JSON's own.
    assert "\\u001b]52;c;cHduZWQ=\\u0007" in text
    assert "[bold]loud[/bold] [TODO]" in text


async def test_template_changes_show_decoded_escapes_as_text(tmp_path: Path) -> None:
    with hostile_store(tmp_path / "hostile.db") as store:
        app = drill_down(store, "req_000001")
        async with app.run_test(size=(200, 50)) as pilot:
            await pilot.press("d")
            await pilot.pause()
            assert isinstance(app.screen, TemplateChangesScreen)
            assert_shown_literally(screen_text(app))


async def test_the_comparison_shows_decoded_escapes_as_text(tmp_path: Path) -> None:
    with hostile_store(tmp_path / "hostile.db") as store:
        app = ScreenHost(Screen)
        async with app.run_test(size=(200, 50)) as pilot:
            for record_id in ("req_000001", "req_000002"):
                app.push_screen(RecordScreen(store, "requests", record_id, UTC))
                await pilot.pause()
                await pilot.press("c")
                await pilot.pause()
            assert isinstance(app.screen, CompareScreen)
            assert_shown_literally(screen_text(app))


async def test_a_search_for_markup_is_shown_as_typed(tmp_path: Path) -> None:
    with hostile_store(tmp_path / "hostile.db") as store:
        app = drill_down(store, "req_000001")
        async with app.run_test(size=(200, 50)) as pilot:
            await pilot.press("slash", *"[TODO]", "enter")
            await pilot.pause()
            screen = app.screen
            assert isinstance(screen, RecordScreen)
            assert screen.pane(screen.current).hit_count == 1
            assert "“[TODO]”: hit 1 of 1" in screen_text(app)
