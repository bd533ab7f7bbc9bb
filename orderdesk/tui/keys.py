"""Key descriptions in the language in use, wherever Textual shows them, and the keys' help.

``Binding`` descriptions are class attributes, fixed when a module is
imported; tests switch language after that. Textual's footer and its help
panel both read a screen's ``active_bindings``, so each of orderdesk's
screens serves them through ``TranslatedKeys``, which translates each
description (and tooltip) as it is read. Keys themselves never change.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from functools import cache
from typing import Any

from textual.app import App
from textual.binding import ActiveBinding, Binding
from textual.keys import REPLACED_KEYS, key_to_character
from textual.widgets import Input

from orderdesk import strings
from orderdesk.i18n import key_description, language

__all__ = ["PURPOSES", "HelpGroup", "TranslatedKeys", "help_groups", "translated_binding"]

#: Which purpose each key's action serves, in the order the help screen shows them.
PURPOSES: dict[str, tuple[str, ...]] = {
    "move": (
        "move(1)", "move(-1)", "page(1)", "page(-1)", "first", "last",
        "cursor_down", "cursor_up", "page_down", "page_up", "select(-1)", "select(1)",
        "next_stage", "previous_stage", "next_finding", "leave_box", "next_hit", "previous_hit",
        "history(-1)", "history(1)",
    ),
    "open": (
        "open", "order", "open_order", "open_record", "select", "template_changes",
        "compare", "narrow", "open_group", "open_finding_order", "open_target",
    ),
    "filter": (
        "search", "complete", "submit", "filters", "time_range", "errors_only", "clear_filters",
        "toggle_query", "marked_only", "volume", "focus_filter",
    ),
    "act": (
        "mark", "follow", "export", "act_on_many", "maximize_stage", "toggle_wrap", "copy_stage",
        "copy_summary", "save_stage", "search_stage", "copy_curl", "back", "leave",
        "app.leave_problems", "cancel", "screen.close_prompt", "redeliver", "resubmit",
        "why_no_action",
    ),
}  # fmt: skip
#: The App's own keys, the same on every screen, shown last.
EVERYWHERE = (
    "show('requests')", "show('postbacks')", "order", "problems", "actions", "toggle_utc", "help",
    "command_palette", "quit",
)  # fmt: skip

#: A purpose, and its keys: the keys of one action, and what the action does.
HelpGroup = tuple[str, list[tuple[str, str]]]


def _types(key: str) -> bool:
    """Whether ``key`` types a character into a box."""
    # Textual names "/" slash but looks characters up by their Unicode name (solidus).
    character = key_to_character(REPLACED_KEYS.get(key, key))
    return character is not None and character.isprintable()


@cache
def _translated(binding: Binding, lang: str) -> Binding:
    tooltip = key_description(binding.tooltip) if binding.tooltip else binding.tooltip
    description = binding.description and key_description(binding.description)
    group = binding.group
    if group is not None:
        group = replace(group, description=key_description(group.description))
    return replace(binding, description=description, tooltip=tooltip, group=group)


def translated_binding(binding: Binding) -> Binding:
    """``binding`` with its description and tooltip in the language in use."""
    if language() == "en":
        return binding
    return _translated(binding, language())


class TranslatedKeys:
    """For a screen (listed before ``Screen``): its footer and help panel in the language."""

    @property
    def active_bindings(self) -> dict[str, ActiveBinding]:
        """Textual's active bindings, their descriptions translated."""
        active: dict[str, ActiveBinding] = super().active_bindings  # type: ignore[misc]
        if isinstance(self.focused, Input):  # type: ignore[attr-defined]
            # A box being typed in takes every printable key: those bindings cannot fire.
            active = {key: bound for key, bound in active.items() if not _types(key)}
        if language() == "en":
            return active
        return {
            key: ActiveBinding(
                node, translated_binding(binding), enabled, tip and key_description(tip)
            )
            for key, (node, binding, enabled, tip) in active.items()
        }


def help_groups(app: App[Any], active: dict[str, ActiveBinding]) -> list[HelpGroup]:
    """The keys of a screen's ``active`` bindings grouped by purpose, then the App's own.

    Only actions orderdesk can explain are listed: Textual's generic keys
    (scrolling left, copying a selection) say nothing about orders.
    """
    keys: dict[str, list[str]] = {}
    for _, (node, binding, _, _) in active.items():
        name = f"app.{binding.action}" if node is app else binding.action
        shown = keys.setdefault(name, [])
        display = app.get_key_display(binding)
        if display not in shown:
            shown.append(display)
    texts = strings.HELP_KEYS
    titles = strings.HELP_PURPOSES

    def group(purpose: str, actions: tuple[str, ...], name: Callable[[str], str]) -> HelpGroup:
        lines = [(" ".join(keys[name(a)]), texts[name(a)]) for a in actions if name(a) in keys]
        return titles[purpose], lines

    groups = [group(purpose, actions, str) for purpose, actions in PURPOSES.items()]
    groups.append(group("everywhere", EVERYWHERE, lambda action: f"app.{action}"))
    return [(title, lines) for title, lines in groups if lines]
