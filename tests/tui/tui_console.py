"""The console and its screens as the TUI tests open them: a fixed clock, UTC, no animation."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import suppress
from datetime import UTC, datetime
from typing import Any

from textual import on
from textual.app import App
from textual.content import Content
from textual.screen import Screen
from textual.widget import Widget
from textual.worker import WorkerCancelled, WorkerFailed

from orderdesk.core.queries import RecordSummary
from orderdesk.core.records import Kind, LogRecord, PostbackRecord
from orderdesk.core.store import Store
from orderdesk.tui.app import OrderdeskApp, stylesheet_path
from orderdesk.tui.messages import ComparisonWanted, TemplateChangesWanted
from orderdesk.tui.row_window import RowWindow
from orderdesk.tui.screens.compare import CompareScreen
from orderdesk.tui.screens.order import OrderScreen
from orderdesk.tui.screens.record import RecordScreen
from orderdesk.tui.screens.records import RecordsScreen
from orderdesk.tui.screens.template_changes import TemplateChangesScreen
from orderdesk.tui.widgets.record_list import RecordList
from tests.tui.simulated_day import ANCHOR


def console(store: Store, **options: Any) -> OrderdeskApp:
    """An app over ``store`` whose clock stands at ANCHOR and whose times are in UTC.

    It does not count problems nor alert unless asked (``watch_problems=True``): the
    count is a worker's, on a timer, and the other screens' tests are not about it.
    """
    options.setdefault("zone", UTC)
    options.setdefault("watch_problems", False)
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


def held_row(window: RowWindow, index: int) -> RecordSummary:
    """The row at ``index``, which the window must hold."""
    row = window.row(index)
    assert row is not None, f"row {index} not held"
    return row


async def settled(pilot: Any) -> None:
    """Wait until counts and redraws are done (the sync, which never ends, is not waited for)."""
    await pilot.pause()
    for worker in [worker for worker in pilot.app.workers if worker.group != "sync"]:
        # A worker that fails or is cancelled is the app's to handle (its workers do
        # not exit the app on error): waiting for it to end is all this is for.
        with suppress(WorkerFailed, WorkerCancelled):
            await worker.wait()
    await pilot.pause()


async def until(pilot: Any, condition: Callable[[], object], seconds: float = 10.0) -> None:
    """Let the console run until ``condition`` holds; fail after ``seconds``.

    For what follows an event the console handles in its own time (a resize, a
    poll): one pause is enough on a quiet machine, not on a busy one.
    """
    for _ in range(int(seconds / 0.05)):
        if condition():
            return
        await pilot.pause(0.05)
    assert condition(), "the console never got there"


def shown(widget: Widget) -> Content:
    """What ``widget`` draws, as styled text (a Static draws its content as Content)."""
    drawn = widget.render()
    assert isinstance(drawn, Content), f"{widget!r} drew {drawn!r}"
    return drawn


def screen_text(app: App[Any]) -> str:
    """Every character on screen, line by line, as the user reads it (styles aside)."""
    return "\n".join(strip.text for strip in app.screen._compositor.render_strips())


class ScreenHost(App[None]):
    """An app that shows one screen, pushed the way the real app pushes it, in the app's styles."""

    CSS_PATH = stylesheet_path()

    def __init__(self, make_screen: Callable[[], Screen[Any]]) -> None:
        super().__init__()
        self.make_screen = make_screen

    def on_mount(self) -> None:
        """Show the screen under test, with no animation to wait for."""
        self.animation_level = "none"
        self.push_screen(self.make_screen())

    # A drill-down asks for these two as it asks the console; they need nothing of the
    # console's settings, so the host shows them the way the console does.

    @on(TemplateChangesWanted)
    def _template_changes_wanted(self, message: TemplateChangesWanted) -> None:
        self.push_screen(TemplateChangesScreen(message.record))

    @on(ComparisonWanted)
    def _comparison_wanted(self, message: ComparisonWanted) -> None:
        self.push_screen(CompareScreen(message.base, message.record))


def at_anchor() -> datetime:
    """The tests' clock: always ANCHOR."""
    return ANCHOR


def drill_down(store: Store, record: LogRecord | str) -> ScreenHost:
    """The drill-down of ``record`` (or of the request with that id), shown on its own."""
    kind: Kind = "postbacks" if isinstance(record, PostbackRecord) else "requests"
    record_id = record if isinstance(record, str) else record.id
    return ScreenHost(lambda: RecordScreen(store, kind, record_id, UTC))


def order_view(store: Store, reference: str, now: Callable[[], datetime] = at_anchor) -> ScreenHost:
    """The order view of ``reference``, shown on its own, its clock at ANCHOR unless told."""
    return ScreenHost(lambda: OrderScreen(store, reference, UTC, now=now))
