"""The ``?`` screen: the keys of the screen it covers, grouped by purpose, then every screen's."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, VerticalScroll
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Static

from orderdesk import strings
from orderdesk.tui.keys import HelpGroup, TranslatedKeys
from orderdesk.tui.widgets.key_footer import KeyFooter

__all__ = ["HelpScreen"]

#: Escape, ? and q all close the help, shown as one key in the footer.
_CLOSE = Binding.Group(strings.KEY_CLOSE)


class HelpScreen(TranslatedKeys, Screen[None]):
    """What each key of the screen underneath does, in the words of orders and records."""

    BINDINGS: ClassVar[list[BindingType]] = [
        # Three actions, not one: the footer shows one key per action, and all three close.
        Binding("escape", "close('escape')", strings.KEY_CLOSE, group=_CLOSE),
        Binding("question_mark", "close('?')", strings.KEY_CLOSE, group=_CLOSE),
        Binding("q", "close('q')", strings.KEY_CLOSE, group=_CLOSE),
    ]

    def __init__(self, groups: list[HelpGroup]) -> None:
        """Help with these keys, purpose by purpose."""
        super().__init__(id="help")
        self.groups = groups

    def compose(self) -> ComposeResult:
        """A title, then each purpose and its keys, then how to close."""
        width = max((len(keys) for _, lines in self.groups for keys, _ in lines), default=1)
        with VerticalScroll(id="help-keys"):
            yield Static(Content(strings.HELP_TITLE), classes="help-title")
            for purpose, lines in self.groups:
                yield Static(Content(purpose), classes="help-purpose")
                for keys, text in lines:
                    # Two columns, so that a long description wraps under itself.
                    with Horizontal(classes="help-line"):
                        yield Static(Content(keys), classes="help-keys").set_styles(
                            f"width: {width + 2};"
                        )
                        yield Static(Content(text), classes="help-text")
            yield Static(Content(strings.HELP_CLOSE), classes="help-close")
        yield KeyFooter()

    def on_mount(self) -> None:
        """The arrows and page keys scroll the keys at once."""
        self.query_one("#help-keys").focus()

    def action_close(self, key: str) -> None:
        """Back to the screen the keys belong to."""
        self.dismiss()
