"""The offer, at start, to finish the actions an earlier session of this actor left unfinished."""

from __future__ import annotations

from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Label, Static

from orderdesk import strings
from orderdesk.tui.keys import TranslatedKeys
from orderdesk.tui.safe_text import safe

__all__ = ["ResumeOffer"]


class ResumeOffer(TranslatedKeys, ModalScreen[bool]):
    """Finish the unfinished actions now (True), or later (False)."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "later", strings.KEY_CLOSE)]
    AUTO_FOCUS = "#resume-start"

    def __init__(self, count: int, actor: str) -> None:
        super().__init__()
        self._count = count
        self._actor = actor

    def compose(self) -> ComposeResult:
        """How many, whose, and that finishing sends nothing twice; then the two choices."""
        with Vertical(id="resume", classes="dialog"):
            yield Label(strings.RESUME_TITLE, classes="title")
            body = strings.RESUME_BODY.format(count=self._count, actor=self._actor)
            yield Static(safe(body))
            with Horizontal(id="resume-buttons"):
                yield Button(
                    strings.RESUME_START, id="resume-start", variant="primary", compact=True
                )
                yield Button(strings.RESUME_LATER, id="resume-later", compact=True)

    @on(Button.Pressed, "#resume-start")
    def _start(self) -> None:
        self.dismiss(True)

    @on(Button.Pressed, "#resume-later")
    def action_later(self) -> None:
        """Leave them for later: they stay in the journal."""
        self.dismiss(False)
