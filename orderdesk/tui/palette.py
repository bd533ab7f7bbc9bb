"""The command palette's commands: the console's own, then Textual's in the language in use.

Textual's provider sorts the commands it offers before anything is typed by
title, which put "Last 15 minutes" before "Last 4 hours" and "Last hour"
last. The palette itself keeps the order of hits of equal score (a stable
sort), so a provider that does not sort keeps time ranges by length.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING

from textual.app import SystemCommand
from textual.command import DiscoveryHit, Hits
from textual.screen import Screen
from textual.system_commands import SystemCommandsProvider

from orderdesk import strings
from orderdesk.i18n import gettext
from orderdesk.tui.list_filter import PRESETS, TimeWindow
from orderdesk.tui.screens.actions import ActionsScreen
from orderdesk.tui.screens.problems import ProblemsScreen
from orderdesk.tui.screens.record import RecordScreen
from orderdesk.tui.screens.records import RecordsScreen
from orderdesk.tui.view_commands import view_commands

if TYPE_CHECKING:
    from orderdesk.tui.app import OrderdeskApp

__all__ = ["OrderedCommands", "console_commands", "in_our_words"]


class OrderedCommands(SystemCommandsProvider):
    """The App's system commands, offered in the order it yields them."""

    async def discover(self) -> Hits:
        """Every command that may be discovered, in the App's order."""
        for name, help_text, callback, discover in self.app.get_system_commands(self.screen):
            if discover:
                yield DiscoveryHit(name, callback, help=help_text)


def console_commands(app: OrderdeskApp, screen: Screen[object]) -> Iterator[SystemCommand]:
    """The screens, the time ranges (shortest first), the list's commands and the saved views."""
    yield SystemCommand(strings.TITLE_REQUESTS, "", lambda: app.action_show("requests"))
    yield SystemCommand(strings.TITLE_POSTBACKS, "", lambda: app.action_show("postbacks"))
    yield SystemCommand(strings.TITLE_ORDER, "", app.action_order)
    yield SystemCommand(strings.TITLE_PROBLEMS, "", app.action_problems)
    yield SystemCommand(strings.TITLE_ACTIONS, "", app.action_actions)
    for preset in PRESETS:
        label = strings.TIME_RANGE_PRESETS[preset]
        yield SystemCommand(label, "", lambda preset=preset: _use_window(app, preset))
    if isinstance(screen, RecordsScreen):
        yield SystemCommand(strings.EXPORT_COMMAND, strings.EXPORT_HELP, screen.action_export)
        marked_only = screen.action_marked_only
        yield SystemCommand(strings.MARKED_COMMAND, strings.MARKED_HELP, marked_only)
    if isinstance(screen, RecordScreen):
        # Offered whether or not the console may act: chosen, it says why not.
        if screen.kind == "postbacks":
            act, title = screen.action_redeliver, strings.ACT_COMMAND_REDELIVER
        else:
            act, title = screen.action_resubmit, strings.ACT_COMMAND_RESUBMIT
        may = screen.check_action("redeliver" if screen.kind == "postbacks" else "resubmit", ())
        yield SystemCommand(
            title, strings.ACT_COMMAND_HELP, act if may else screen.action_why_no_action
        )
    yield from view_commands(app, screen)


def in_our_words(app: OrderdeskApp, commands: Iterable[SystemCommand]) -> Iterator[SystemCommand]:
    """Textual's own commands, in the language in use, its keys panel giving way to our help."""
    for command in commands:
        if command.callback in (app.action_show_help_panel, app.action_hide_help_panel):
            command = command._replace(callback=app.action_help)
        # The language in use where the catalog has the title.
        yield command._replace(title=gettext(command.title), help=gettext(command.help))


def _use_window(app: OrderdeskApp, preset: str) -> None:
    screen = app.screen  # the one in front once the palette has closed
    if isinstance(screen, RecordsScreen):
        screen.apply_filter(screen.list_filter.with_window(TimeWindow(preset=preset)))
    elif isinstance(screen, ProblemsScreen | ActionsScreen):
        screen.set_window(TimeWindow(preset=preset))
