"""The first-run screen: no source and an empty store, so say how to get one."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Center, VerticalScroll
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Static

from orderdesk import strings
from orderdesk.tui.keys import TranslatedKeys
from orderdesk.tui.widgets.key_footer import KeyFooter

__all__ = ["FirstRunScreen"]


class FirstRunScreen(TranslatedKeys, Screen[None]):
    """Explains how to configure a source, and points at ``orderdesk demo``."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("q", "app.quit", strings.KEY_QUIT)]

    def __init__(self, db: str) -> None:
        super().__init__(id="first-run")
        self._db = db

    def compose(self) -> ComposeResult:
        """A title and the instructions."""
        with VerticalScroll(), Center():
            yield Static(strings.FIRST_RUN_TITLE, id="first-run-title")
            # The store's path is the user's own text: shown literally.
            yield Static(Content(strings.FIRST_RUN_BODY.format(db=self._db)), id="first-run-body")
        yield KeyFooter()
