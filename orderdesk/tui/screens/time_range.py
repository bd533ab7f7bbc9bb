"""The time-range dialog: a preset in one key, or a custom from/to typed in the shown zone."""

from __future__ import annotations

from datetime import tzinfo
from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Input, Label, OptionList
from textual.widgets.option_list import Option

from orderdesk import strings
from orderdesk.core.errors import InputError
from orderdesk.tui.keys import TranslatedKeys
from orderdesk.tui.list_filter import PRESETS, TimeWindow

__all__ = ["TimeRangeDialog"]


class TimeRangeDialog(TranslatedKeys, ModalScreen[TimeWindow | None]):
    """Choose the list's time window; dismisses with it, or None when cancelled."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", strings.KEY_CANCEL)]

    def __init__(self, current: TimeWindow, zone: tzinfo, zone_name: str) -> None:
        super().__init__()
        self._current = current
        self._zone = zone
        self._zone_name = zone_name

    def compose(self) -> ComposeResult:
        """Presets above, the custom range below."""
        with Vertical(id="time-range", classes="dialog"):
            yield Label(strings.TIME_RANGE_TITLE.format(zone=self._zone_name), classes="title")
            options = [Option(strings.TIME_RANGE_PRESETS[p], id=p) for p in PRESETS]
            presets = OptionList(*options, id="presets")
            if self._current.preset in PRESETS:
                presets.highlighted = PRESETS.index(self._current.preset)
            yield presets
            yield Label(strings.TIME_RANGE_CUSTOM)
            yield Input(self._current.start or "", placeholder=strings.TIME_RANGE_FROM, id="from")
            yield Input(self._current.end or "", placeholder=strings.TIME_RANGE_TO, id="to")
            yield Label("", id="time-range-error", classes="error")

    @on(OptionList.OptionSelected, "#presets")
    def _preset(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(TimeWindow(preset=event.option.id))

    @on(Input.Submitted)
    def _custom(self) -> None:
        start = self.query_one("#from", Input).value
        end = self.query_one("#to", Input).value
        try:
            window = TimeWindow.custom(start, end)
        except InputError as error:
            self.query_one("#time-range-error", Label).update(Content(str(error)))
            return
        self.dismiss(window)

    def action_cancel(self) -> None:
        """Leave the window as it was."""
        self.dismiss(None)
