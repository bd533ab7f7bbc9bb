"""The console as the TUI tests open it: a fixed clock, UTC, no animation."""

from __future__ import annotations

from typing import Any

from conftest import ANCHOR
from textual.app import App

from orderdesk.core.store import Store
from orderdesk.tui.app import OrderdeskApp
from orderdesk.tui.screens.records import RecordsScreen
from orderdesk.tui.widgets.record_list import RecordList


def console(store: Store, **options: Any) -> OrderdeskApp:
    """An app over ``store`` whose clock stands at ANCHOR and whose times are in UTC."""
    from datetime import UTC

    options.setdefault("zone", UTC)
    options.setdefault("now", lambda: ANCHOR)
    app = OrderdeskApp(store, **options)
    app.animation_level = "none"
    return app


def records_screen(app: OrderdeskApp) -> RecordsScreen:
    """The list screen in front."""
    screen = app.screen
    assert isinstance(screen, RecordsScreen), f"in front: {screen!r}"
    return screen


def record_list(app: OrderdeskApp) -> RecordList:
    """The list widget of the screen in front."""
    return records_screen(app).record_list


async def settled(pilot: Any) -> None:
    """Wait until counts and redraws are done (the sync, which never ends, is not waited for)."""
    await pilot.pause()
    waiting = [worker for worker in pilot.app.workers if worker.group != "sync"]
    if waiting:  # an empty list means "every worker" to Textual
        await pilot.app.workers.wait_for_complete(waiting)
    await pilot.pause()


def screen_text(app: App[Any]) -> str:
    """Every character on screen, line by line, as the user reads it (styles aside)."""
    return "\n".join(strip.text for strip in app.screen._compositor.render_strips())
