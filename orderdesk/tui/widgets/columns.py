"""The columns of the Requests and Postbacks lists, and how they share a width.

At 80 columns not everything fits: each column has a priority, the least
important are dropped first, and what is left over goes to the columns that
can use it, the most important first, up to their maximum. Each list's fill
column (the error summary) comes last: it gives up room down to its floor
so that names are read whole (the highlighted row's whole error is shown
under the list), and on a wide line it takes the rest, so no blank band is
left on the right.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import tzinfo

from rich.cells import cell_len, set_cell_size
from textual.content import Content

from orderdesk import i18n, strings
from orderdesk.core.queries import RecordSummary
from orderdesk.core.records import Kind
from orderdesk.tui.safe_text import safe

__all__ = ["Column", "cells", "detail", "layout", "status_mark"]

#: A symbol per status, so failures stand out on a monochrome terminal too.
MARKS = {
    "failed": "✗",
    "retrying": "↻",
    "pending": "…",
    "succeeded": "✓",
    "delivered": "✓",
}


@dataclass(frozen=True)
class Column:
    """One list column: its key, its width bounds, and how much it matters (0 most)."""

    key: str
    minimum: int
    maximum: int
    priority: int
    right: bool = False
    fill: bool = False
    """Takes the width left over once every column is at its maximum."""
    floor: int | None = None
    """How narrow a fill column may get to let the others grow (its minimum if None)."""

    @property
    def header(self) -> str:
        """The column's title."""
        return strings.COLUMN_HEADERS[self.key]


_TIME = Column("time", 14, 14, 0)
_REFERENCE = Column("reference", 14, 14, 0)
COLUMNS: dict[Kind, tuple[Column, ...]] = {
    "requests": (
        _TIME,
        _REFERENCE,
        Column("customer", 10, 20, 2),
        Column("printer", 10, 27, 4),
        Column("action", 6, 6, 3),
        Column("status", 15, 15, 0),
        Column("duration", 8, 8, 5, right=True),
        Column("error", 18, 60, 1, fill=True, floor=12),
    ),
    "postbacks": (
        _TIME,
        _REFERENCE,
        Column("event", 14, 17, 0),  # production_update, the longest event
        Column("printer", 10, 27, 3),
        Column("customer", 10, 20, 2),
        Column("delivery", 11, 11, 0),
        Column("attempts", 5, 5, 1, right=True),
        Column("code", 4, 4, 1, right=True),
        # Not in the narrow list, but on a wide terminal why a delivery failed
        # (a timeout, the customer's 500) is worth the space a blank band took.
        # Shown only with room for 30 cells, so at 120 columns the names come whole first.
        Column("error", 30, 60, 6, fill=True, floor=12),
    ),
}
_GAP = 1


def layout(kind: Kind, width: int) -> list[tuple[Column, int]]:
    """The columns that fit ``width``, each with its width, in display order."""
    chosen = list(COLUMNS[kind])

    def needed(columns: list[Column]) -> int:
        return sum(column.minimum for column in columns) + _GAP * (len(columns) - 1)

    while len(chosen) > 2 and needed(chosen) > width:
        chosen.remove(max(chosen, key=lambda column: (column.priority, chosen.index(column))))
    widths = {column.key: _narrowest(column) for column in chosen}
    spare = width - sum(widths.values()) - _GAP * (len(chosen) - 1)
    # The most important columns grow to their maximum first; the fill column last.
    for column in sorted(chosen, key=lambda column: (column.fill, column.priority)):
        grow = min(spare, column.maximum - widths[column.key])
        widths[column.key] += grow
        spare -= grow
    for column in chosen:
        if column.fill:
            widths[column.key] += spare
            spare = 0
    return [(column, widths[column.key]) for column in chosen]


def _narrowest(column: Column) -> int:
    return column.floor if column.fill and column.floor is not None else column.minimum


def status_mark(status: str) -> str:
    """The symbol shown before a status."""
    return MARKS.get(status, "·")


def _duration(milliseconds: int | None) -> str:
    if milliseconds is None:
        return "-"
    if milliseconds < 10_000:
        return strings.DURATION_MS.format(milliseconds=milliseconds)
    return strings.DURATION_SECONDS.format(seconds=milliseconds / 1000)


def cells(summary: RecordSummary, zone: tzinfo) -> dict[str, str]:
    """Every column's text for one record; store text passes through ``safe``."""
    code = f" {summary.http_status}" if summary.http_status is not None else ""
    status = f"{status_mark(summary.status)} {summary.status}"
    return {
        "time": i18n.format_moment(summary.created_at.astimezone(zone), "day_seconds"),
        "reference": safe(summary.order_reference_id or "-").plain,
        "customer": safe(summary.customer_name).plain,
        "printer": safe(summary.printer_name or "-").plain,
        "action": safe(summary.subject).plain,
        "event": safe(summary.subject).plain,
        "status": status + code,
        "delivery": status,
        "duration": _duration(summary.duration_ms),
        "error": safe(summary.error_summary or "").plain,
        "attempts": str(summary.attempts),
        "code": str(summary.http_status) if summary.http_status is not None else "-",
    }


def fit(text: str, width: int, *, right: bool = False) -> str:
    """``text`` cut or padded to exactly ``width`` cells; a cut ends in an ellipsis."""
    if cell_len(text) > width:
        return set_cell_size(text, width - 1) + "…" if width > 1 else set_cell_size(text, width)
    padding = " " * (width - cell_len(text))
    return padding + text if right else text + padding


def line(values: dict[str, str], columns: list[tuple[Column, int]], width: int) -> str:
    """One row (or the header) as exactly ``width`` cells."""
    parts = [fit(values[column.key], size, right=column.right) for column, size in columns]
    return fit((" " * _GAP).join(parts), width)


def header(columns: list[tuple[Column, int]], width: int) -> str:
    """The header row."""
    return line({column.key: column.header for column, _ in columns}, columns, width)


def detail(summary: RecordSummary) -> Content:
    """The line under the list: the highlighted row's action or event, parties and whole error.

    They are what the columns cut or drop first at 80 columns; the row already
    read has them, so moving the cursor costs no query.
    """
    customer, printer = safe(summary.customer_name), safe(summary.printer_name or "-")
    source, target = (customer, printer) if summary.kind == "requests" else (printer, customer)
    line = Content.assemble(safe(summary.subject), " · ", source, " → ", target)
    if summary.error_summary:
        error = Content.styled(MARKS["failed"] + " ", "bold") + safe(summary.error_summary)
        line = Content.assemble(line, "  ", error.stylize("$text-error"))
    return line
