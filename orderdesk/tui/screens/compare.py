"""Two records of the same kind compared field by field: a failing one beside a good one.

``c`` in a drill-down remembers the record as the base; ``c`` in another
record's drill-down opens this screen, the base's values on the left.
"""

from __future__ import annotations

from typing import ClassVar

from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.content import Content
from textual.screen import Screen
from textual.widgets import DataTable, Static

from orderdesk import strings
from orderdesk.core.flat_fields import FieldValue
from orderdesk.core.record_diff import MISSING, FieldDifference, record_differences
from orderdesk.core.records import LogRecord
from orderdesk.tui.keys import TranslatedKeys
from orderdesk.tui.safe_text import safe
from orderdesk.tui.screens.template_changes import value_text
from orderdesk.tui.widgets.key_footer import KeyFooter

__all__ = ["CompareScreen"]


def _shown(value: FieldValue | object) -> str:
    if value is MISSING:
        return strings.COMPARE_MISSING  # the record has no such field
    return value_text(value)  # type: ignore[arg-type]


def _cut(text: str, width: int) -> str:
    return text if len(text) <= width else text[: max(1, width - 1)] + "…"


class CompareScreen(TranslatedKeys, Screen[None]):
    """The fields that differ between a base record and another, section by section."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "back", strings.KEY_BACK)]

    def __init__(self, base: LogRecord, other: LogRecord) -> None:
        """Compare ``other`` with ``base``."""
        super().__init__()
        self.base = base
        self.other = other
        self.differences = record_differences(base, other)
        self._width = 0

    def compose(self) -> ComposeResult:
        """Which two records, the differing fields, the highlighted one in full, the keys."""
        sentence = strings.COMPARE_HEADER.format(
            base=self.base.id,
            base_status=self.base.status,
            other=self.other.id,
            other_status=self.other.status,
            count=len(self.differences),
        )
        yield Static(safe(sentence), id="compare-header")
        if not self.differences:
            yield Static(Content(strings.COMPARE_SAME), id="compare-same")
        else:
            yield DataTable(id="compare-table", cursor_type="row", zebra_stripes=True)
            yield Static(id="compare-detail")
        yield KeyFooter()

    def on_mount(self) -> None:
        """Fill the table for the terminal's width."""
        self._fill(self.app.size.width)

    def on_resize(self, event: events.Resize) -> None:
        """Cut values again for the new width."""
        self._fill(event.size.width)

    def _fill(self, width: int) -> None:
        if not self.differences or width == self._width:
            return
        self._width = width
        table = self.query_one("#compare-table", DataTable)
        row = table.cursor_row
        table.clear(columns=True)
        headers = strings.COMPARE_COLUMNS
        sections = [strings.COMPARE_SECTIONS[d.section] for d in self.differences]
        section_width = max([len(headers["section"]), *map(len, sections)])
        # Each value column is at least as wide as its head, so no head is ever cut;
        # the field paths give way to them on a narrow terminal.
        value_least = max(12, len(headers["base"]), len(headers["other"]))
        path_room = width - section_width - 2 * value_least - 16
        path_most = max(len(headers["field"]), min(36, path_room))
        paths = [_cut(d.path, path_most) for d in self.differences]
        path_width = max([len(headers["field"]), *map(len, paths)])
        # DataTable does not measure Content cells: the two values share what is left.
        value_width = max(value_least, (width - section_width - path_width - 16) // 2)
        table.add_column(headers["section"], width=section_width)
        table.add_column(headers["field"], width=path_width)
        table.add_column(headers["base"], width=value_width)
        table.add_column(headers["other"], width=value_width)
        for section, path, difference in zip(sections, paths, self.differences, strict=True):
            table.add_row(
                Content(section),
                safe(path),
                safe(_cut(_shown(difference.base), value_width)),
                safe(_cut(_shown(difference.other), value_width)),
            )
        table.move_cursor(row=min(row, len(self.differences) - 1))
        self._describe(table.cursor_row)
        table.focus()

    @on(DataTable.RowHighlighted, "#compare-table")
    def _highlighted(self, event: DataTable.RowHighlighted) -> None:
        self._describe(event.cursor_row)

    def _describe(self, row: int) -> None:
        if not 0 <= row < len(self.differences):
            return
        difference: FieldDifference = self.differences[row]
        sentence = strings.COMPARE_DETAIL.format(
            section=strings.COMPARE_SECTIONS[difference.section],
            field=difference.path,
            base=_shown(difference.base),
            other=_shown(difference.other),
        )
        self.query_one("#compare-detail", Static).update(safe(sentence))

    def action_back(self) -> None:
        """Back to the drill-down."""
        self.dismiss()
