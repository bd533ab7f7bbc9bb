"""What the template changed: each Final field beside the Original field that fed it.

Opened with ``d`` from a drill-down. The likeliest faults come first (a
product code the lookup did not know, an empty field), so "wrong product
produced" is answered on the first line; the highlighted row is spelled out
in full under the table, where long values do not fit a column.
"""

from __future__ import annotations

import json
from typing import ClassVar

from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.content import Content
from textual.screen import Screen
from textual.widgets import DataTable, Static

from orderdesk import strings
from orderdesk.core.flat_fields import FieldValue, flatten_body
from orderdesk.core.records import LogRecord
from orderdesk.core.template_diff import MARK_ORDER, FieldChange, TemplateChanges, template_changes
from orderdesk.tui.keys import TranslatedKeys
from orderdesk.tui.safe_text import safe
from orderdesk.tui.widgets.key_footer import KeyFooter

__all__ = ["TemplateChangesScreen", "changes_of", "value_text"]

#: Below this width the Original field moves from its own column to the line under the table.
WIDE_COLUMNS = 120


def value_text(value: FieldValue) -> str:
    """A field's value as JSON spells it, so an empty string shows as ``""`` and null as null."""
    return json.dumps(value, ensure_ascii=False)


def _cut(text: str, width: int) -> str:
    return text if len(text) <= width else text[: max(1, width - 1)] + "…"


def _change_cell(before: str | None, after: str, width: int) -> str:
    """``before → after`` in ``width`` cells, the Original cut first so the Final shows."""
    if before is None:
        return _cut(after, width)
    arrow = " → "
    room = width - len(arrow)
    if len(before) + len(arrow) + len(after) <= width or room < 2:
        return _cut(f"{before}{arrow}{after}", width)
    # The Final value keeps at least half the room; the Original gives way first.
    kept = min(len(before), max(room - len(after), room // 2))
    return _cut(before, kept) + arrow + _cut(after, room - kept)


def changes_of(record: LogRecord) -> TemplateChanges | str:
    """The record's template changes, or the sentence that says why there are none."""
    original = flatten_body(record.original.body, record.original.content_type)
    if original is None:
        return strings.CHANGES_NO_ORIGINAL
    if record.final is not None:
        final = flatten_body(record.final.body, record.final.content_type)
    elif record.template is not None and record.template.output:
        final = flatten_body(record.template.output)
    else:
        return strings.CHANGES_NO_FINAL
    if final is None:
        return strings.CHANGES_FINAL_UNREADABLE
    source = record.template.source if record.template is not None else None
    return template_changes(original, final, source)


class TemplateChangesScreen(TranslatedKeys, Screen[None]):
    """A record's Final fields, each with its source in the Original and what happened to it."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,d", "back", strings.KEY_BACK),
        Binding("g,home", "first", strings.KEY_FIRST, show=False),
        Binding("G,end", "last", strings.KEY_LAST, show=False),
    ]

    def __init__(self, record: LogRecord) -> None:
        """The template changes of ``record``."""
        super().__init__()
        self.record = record
        self.changes = changes_of(record)
        self._wide: bool | None = None

    def compose(self) -> ComposeResult:
        """Which record, the tally of marks, the fields, the highlighted one in full, the keys."""
        yield Static(self._header(), id="changes-header")
        if isinstance(self.changes, str):
            yield Static(Content(self.changes), id="changes-none")
        else:
            yield DataTable(id="changes-table", cursor_type="row", zebra_stripes=True)
            yield Static(id="changes-detail")
            yield Static(self._unused(), id="changes-unused")
        yield KeyFooter()

    def on_mount(self) -> None:
        """Fill the table for the terminal's width."""
        self._fill(self.app.size.width)

    def on_resize(self, event: events.Resize) -> None:
        """A narrow terminal drops the Original column: fill again when crossing over."""
        self._fill(event.size.width)

    def _header(self) -> Content:
        record = self.record
        sentence = strings.CHANGES_HEADER.format(
            id=record.id,
            reference=record.order_reference_id or "-",
            customer=record.customer.name,
        )
        header = safe(sentence)
        if isinstance(self.changes, TemplateChanges):
            counts = [
                strings.CHANGES_COUNT.format(count=len(marked), mark=strings.MARKS[mark])
                for mark in MARK_ORDER
                if (marked := self.changes.marked(mark))
            ]
            header += Content("\n") + Content(" · ".join(counts))
        return header

    def _unused(self) -> Content:
        assert isinstance(self.changes, TemplateChanges)
        unused = self.changes.unused
        if not unused:
            return Content(strings.CHANGES_ALL_USED)
        names = ", ".join(path for path, _ in unused)
        return safe(strings.CHANGES_UNUSED.format(count=len(unused), fields=names))

    def _fill(self, width: int) -> None:
        if not isinstance(self.changes, TemplateChanges):
            return
        wide = width >= WIDE_COLUMNS
        if wide == self._wide:
            return
        self._wide = wide
        table = self.query_one("#changes-table", DataTable)
        row = table.cursor_row
        table.clear(columns=True)
        headers = strings.CHANGES_COLUMNS
        fields = self.changes.fields
        # Columns are sized here: DataTable does not measure Content cells.
        marks = [self._mark(change) for change in fields]
        outputs = [_cut(change.output, 40) for change in fields]
        sources = [_cut(change.source or "-", 40) for change in fields]
        mark_width = max([len(headers["mark"]), *(len(mark.plain) for mark in marks)])
        source_width = max([len(headers["source"]), *map(len, sources)]) if wide else 0
        # Two cells of padding per column, the table's border and its scrollbar.
        room = width - mark_width - source_width - (8 if wide else 6) - 4
        # The value keeps at least its whole head; a long field path gives way first
        # (the line under the table spells the highlighted one out).
        value_least = max(len(headers["value"]), min(24, room // 2))
        output_width = max([len(headers["output"]), *map(len, outputs)])
        output_width = max(len(headers["output"]), min(output_width, room - value_least))
        value_width = max(value_least, room - output_width)
        table.add_column(headers["mark"], key="mark", width=mark_width)
        table.add_column(headers["output"], key="output", width=output_width)
        if wide:
            table.add_column(headers["source"], key="source", width=source_width)
        table.add_column(headers["value"], key="value", width=value_width)
        for mark, output, source, change in zip(marks, outputs, sources, fields, strict=True):
            value = safe(_change_cell(*self._value(change), value_width))
            # A path's end names the field: a cut path keeps it.
            path = output if len(output) <= output_width else "…" + output[1 - output_width :]
            cells = [mark, safe(path), *([safe(source)] if wide else []), value]
            table.add_row(*cells)
        if self.changes.fields:
            table.move_cursor(row=min(row, len(self.changes.fields) - 1))
            self._describe(table.cursor_row)
        table.focus()

    def _mark(self, change: FieldChange) -> Content:
        text = strings.MARK_SYMBOLS[change.mark] + " " + strings.MARKS[change.mark]
        return Content(text).stylize(f"$text-{_MARK_COLOURS[change.mark]}")

    @staticmethod
    def _value(change: FieldChange) -> tuple[str | None, str]:
        """The Original value when the row shows one, and the Final value."""
        if change.mark in ("changed", "defaulted", "empty") and change.source is not None:
            return value_text(change.source_value), value_text(change.value)
        return None, value_text(change.value)

    @on(DataTable.RowHighlighted, "#changes-table")
    def _highlighted(self, event: DataTable.RowHighlighted) -> None:
        self._describe(event.cursor_row)

    def _describe(self, row: int) -> None:
        assert isinstance(self.changes, TemplateChanges)
        if not 0 <= row < len(self.changes.fields):
            return
        change = self.changes.fields[row]
        if change.source is None:
            why = strings.CHANGE_FIXED if change.mark == "fixed" else strings.CHANGE_NO_SOURCE
            sentence = why.format(output=change.output, value=value_text(change.value))
        else:
            via = strings.CHANGE_VIA[change.via or "value"]
            sentence = strings.CHANGE_FROM.format(
                output=change.output,
                source=change.source,
                via=via,
                before=value_text(change.source_value),
                after=value_text(change.value),
            )
        self.query_one("#changes-detail", Static).update(safe(sentence))

    def action_first(self) -> None:
        """The first field."""
        for table in self.query("#changes-table").results(DataTable):
            table.move_cursor(row=0)

    def action_last(self) -> None:
        """The last field."""
        for table in self.query("#changes-table").results(DataTable):
            table.move_cursor(row=table.row_count - 1)

    def action_back(self) -> None:
        """Back to the drill-down."""
        self.dismiss()


_MARK_COLOURS = {
    "defaulted": "error",
    "empty": "warning",
    "unmatched": "warning",
    "changed": "accent",
    "copied": "success",
    "fixed": "muted",
}
