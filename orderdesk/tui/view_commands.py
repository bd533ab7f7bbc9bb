"""The command palette's saved views: open one ("View: NAME"), or save the list in front as one."""

from __future__ import annotations

from collections.abc import Iterator
from functools import partial
from typing import TYPE_CHECKING

from textual.app import SystemCommand
from textual.screen import Screen

from orderdesk import strings
from orderdesk.tui.list_filter import ListFilter
from orderdesk.tui.safe_text import safe_plain
from orderdesk.tui.saved_views import view_filter, view_of
from orderdesk.tui.screens.prompt import Prompt
from orderdesk.tui.screens.records import RecordsScreen
from orderdesk.views import SavedView, ViewScreen, ViewsError, load_views, save_view

if TYPE_CHECKING:
    from orderdesk.tui.app import OrderdeskApp

__all__ = ["open_view", "view_commands"]


def view_commands(app: OrderdeskApp, screen: Screen[object]) -> Iterator[SystemCommand]:
    """A command per saved view, and "Save current view as…" over a list screen."""
    # Read on each opening of the palette: the file is small and may be edited by hand.
    try:
        views = load_views(app.views_path)
    except ViewsError as error:
        message = safe_plain(str(error))
        yield SystemCommand(
            strings.VIEWS_BROKEN,
            message,
            lambda: app.notify(message, severity="error", timeout=10, markup=False),
        )
        views = {}
    for name, view in views.items():
        yield SystemCommand(
            strings.VIEW_COMMAND.format(name=safe_plain(name)),
            strings.VIEW_COMMAND_HELP.format(screen=strings.VIEW_SCREENS[view.screen]),
            partial(open_view, app, name, view),
        )
    if isinstance(screen, RecordsScreen):
        yield SystemCommand(
            strings.VIEW_SAVE,
            strings.VIEW_SAVE_HELP.format(path=app.views_path),
            partial(_ask_name, app, screen.kind, screen.list_filter),
        )


def open_view(app: OrderdeskApp, name: str, view: SavedView) -> None:
    """Show the view's list with its filter; the list's marks stay."""
    app.list_screen(view.screen).apply_filter(view_filter(view))
    app.switch_mode(view.screen)
    app.notify(strings.VIEW_OPENED.format(name=safe_plain(name)), timeout=2, markup=False)


def _ask_name(app: OrderdeskApp, kind: ViewScreen, list_filter: ListFilter) -> None:
    app.push_screen(Prompt(strings.VIEW_NAME_PROMPT), partial(_save, app, kind, list_filter))


def _save(app: OrderdeskApp, kind: ViewScreen, list_filter: ListFilter, name: str | None) -> None:
    if not name:
        return
    try:
        save_view(app.views_path, name, view_of(kind, list_filter))
    except (ViewsError, OSError) as error:
        message = strings.VIEW_NOT_SAVED.format(error=safe_plain(str(error)))
        app.notify(message, severity="error", timeout=10, markup=False)
        return
    message = strings.VIEW_SAVED.format(name=safe_plain(name), path=app.views_path)
    app.notify(message, timeout=4, markup=False)
