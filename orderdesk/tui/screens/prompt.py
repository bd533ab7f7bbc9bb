"""A one-line question, such as the order reference to open."""

from __future__ import annotations

from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label

from orderdesk import strings
from orderdesk.tui.keys import TranslatedKeys

__all__ = ["Prompt"]


class Prompt(TranslatedKeys, ModalScreen[str | None]):
    """Ask for one line of text; dismisses with it (stripped), or None when cancelled or empty."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", strings.KEY_CANCEL)]

    def __init__(self, question: str, *, value: str = "") -> None:
        super().__init__()
        self._question = question
        self._value = value

    def compose(self) -> ComposeResult:
        """The question above its answer."""
        with Vertical(classes="dialog prompt"):
            yield Label(self._question)
            yield Input(self._value, id="answer")

    @on(Input.Submitted)
    def _answer(self, event: Input.Submitted) -> None:
        self.dismiss(event.value.strip() or None)

    def action_cancel(self) -> None:
        """No answer."""
        self.dismiss(None)
