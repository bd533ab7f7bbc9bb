"""The whole error of a failing source: what the status line can only say in a few words."""

from __future__ import annotations

from datetime import datetime, tzinfo
from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from orderdesk import i18n, strings
from orderdesk.tui.keys import TranslatedKeys
from orderdesk.tui.safe_text import safe
from orderdesk.tui.widgets.key_footer import KeyFooter
from orderdesk.tui.widgets.status_line import ERROR_KEY, SourceFailure

__all__ = ["SourceErrorDialog"]


class SourceErrorDialog(TranslatedKeys, ModalScreen[None]):
    """The failure whole, since when, and the next try; Escape closes it."""

    DEFAULT_CSS = """
    SourceErrorDialog .dialog {
        width: 76;
    }
    SourceErrorDialog #source-error-text {
        max-height: 12;
        height: auto;
        margin: 1 0;
    }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "close", strings.KEY_BACK),
        Binding(ERROR_KEY, "close", strings.KEY_BACK, show=False),
    ]

    def __init__(self, failure: SourceFailure, zone: tzinfo) -> None:
        super().__init__(id="source-error")
        self._failure = failure
        self._zone = zone

    def compose(self) -> ComposeResult:
        """A title, the moments, and the error as the source gave it."""
        failure = self._failure
        title = strings.SOURCE_ERROR_STOPPED if failure.stopped else strings.SOURCE_ERROR_TITLE
        with Vertical(classes="dialog"):
            yield Static(title, classes="title")
            if failure.since is not None:
                since = self._moment(failure.since)
                yield Static(strings.SOURCE_ERROR_SINCE.format(since=since), markup=False)
            if failure.next_try is not None and not failure.stopped:
                when = self._moment(failure.next_try)
                yield Static(strings.SOURCE_ERROR_NEXT_TRY.format(when=when), markup=False)
            with VerticalScroll(id="source-error-text"):
                # The source's own words (a server's error text among them): shown literally.
                yield Static(safe(failure.whole), classes="error")
        yield KeyFooter()

    def _moment(self, moment: datetime) -> str:
        return i18n.format_moment(moment.astimezone(self._zone), "seconds")

    def action_close(self) -> None:
        """Back to the screen underneath."""
        self.dismiss(None)
