"""The filters dialog: statuses (several at once), customer and printer."""

from __future__ import annotations

from dataclasses import replace
from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, SelectionList

from orderdesk import strings
from orderdesk.core.records import Kind
from orderdesk.core.statuses import STATUSES
from orderdesk.tui.keys import TranslatedKeys
from orderdesk.tui.list_filter import ListFilter

__all__ = ["FiltersDialog"]


class FiltersDialog(TranslatedKeys, ModalScreen[ListFilter | None]):
    """Edit a list's filters; dismisses with the new filter, or None when cancelled."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", strings.KEY_CANCEL)]

    def __init__(self, kind: Kind, current: ListFilter) -> None:
        super().__init__()
        self._kind = kind
        self._current = current

    def compose(self) -> ComposeResult:
        """Statuses, then customer and printer, then Apply."""
        statuses = STATUSES[self._kind]
        with Vertical(id="filters", classes="dialog"):
            yield Label(strings.FILTERS_TITLE, classes="title")
            yield Label(strings.FILTERS_STATUSES)
            yield SelectionList[str](
                *[(status, status, status in self._current.statuses) for status in statuses],
                id="statuses",
            )
            yield Input(
                self._current.customer or "", placeholder=strings.FILTERS_CUSTOMER, id="customer"
            )
            yield Input(
                self._current.printer or "", placeholder=strings.FILTERS_PRINTER, id="printer"
            )
            yield Button(strings.FILTERS_APPLY, variant="primary", id="apply")

    @on(Button.Pressed, "#apply")
    @on(Input.Submitted)
    def _apply(self) -> None:
        chosen = self.query_one("#statuses", SelectionList).selected
        customer = self.query_one("#customer", Input).value.strip() or None
        printer = self.query_one("#printer", Input).value.strip() or None
        self.dismiss(
            replace(self._current, statuses=tuple(chosen), customer=customer, printer=printer)
        )

    def action_cancel(self) -> None:
        """Keep the filters as they were."""
        self.dismiss(None)
