"""Records from the store as the CLI prints them: a table, JSON, JSON lines or CSV.

Whatever the format, nothing from the store reaches the terminal raw: tables
and CSV show control characters visibly, and JSON escapes every non-ASCII
character, so no escape sequence hidden in a body or a reference is ever
interpreted by the terminal that prints it.

Machine formats are written as they are read, a page at a time, and are never
cut unless asked; a table is cut to a screenful. Either way, one record more
than shown is read, so that a cut list can say it was cut.
"""

from __future__ import annotations

import csv
import io
import json
import shutil
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import tzinfo
from typing import Literal, TextIO, TypeVar

from orderdesk import i18n, strings
from orderdesk.core.queries import (
    Cursor,
    RecordQuery,
    RecordSummary,
    iter_records,
    list_summaries,
)
from orderdesk.core.records import LogRecord
from orderdesk.core.store import Store
from orderdesk.core.text import show_controls

_T = TypeVar("_T")

Format = Literal["table", "json", "jsonl", "csv"]
FORMATS: tuple[Format, ...] = ("table", "json", "jsonl", "csv")

_REQUEST_COLUMNS = (
    "time",
    "order reference",
    "customer",
    "printer",
    "action",
    "status",
    "ms",
    "error",
)
_POSTBACK_COLUMNS = (
    "time",
    "order reference",
    "event",
    "printer",
    "customer",
    "delivery",
    "attempts",
    "last code",
)


def record_json(record: LogRecord) -> str:
    """One record in the contract's shape, on one line, ASCII only."""
    return json.dumps(record.model_dump(mode="json"), ensure_ascii=True, separators=(",", ":"))


def records_as_jsonl(records: Iterable[LogRecord]) -> Iterable[str]:
    """Lines of JSON, one record each, for scripts and ``jq``."""
    for record in records:
        yield record_json(record) + "\n"


def records_as_json(records: Iterable[LogRecord]) -> Iterable[str]:
    """One JSON array, streamed record by record so memory stays flat."""
    yield "["
    for position, record in enumerate(records):
        yield ("\n" if position == 0 else ",\n") + record_json(record)
    yield "\n]\n"


def summary_cells(
    summary: RecordSummary, zone: tzinfo, *, for_people: bool = False
) -> tuple[str, ...]:
    """The list columns of tui.md for one record, as visible-safe text.

    Times are ISO-like for files, and written the language's way ``for_people``.
    """
    moment = summary.created_at.astimezone(zone)
    time = i18n.format_moment(moment) if for_people else moment.strftime("%Y-%m-%d %H:%M:%S")
    reference = summary.order_reference_id or "-"
    if summary.kind == "requests":
        status = summary.status + (f" {summary.http_status}" if summary.http_status else "")
        cells: tuple[object, ...] = (
            time,
            reference,
            summary.customer_name,
            summary.printer_name or "-",
            summary.subject,
            status,
            summary.duration_ms if summary.duration_ms is not None else "-",
            summary.error_summary or "",
        )
    else:
        cells = (
            time,
            reference,
            summary.subject,
            summary.printer_name or "-",
            summary.customer_name,
            summary.status,
            summary.attempts,
            summary.http_status if summary.http_status is not None else "-",
        )
    return tuple(show_controls(str(cell)) for cell in cells)


def summaries_as_table(summaries: Sequence[RecordSummary], zone: tzinfo, *, width: int) -> str:
    """Aligned columns that fit ``width``; the last column is cut, never wrapped."""
    if not summaries:
        return ""
    columns = _REQUEST_COLUMNS if summaries[0].kind == "requests" else _POSTBACK_COLUMNS
    headers = strings.LISTING_COLUMNS
    rows = [tuple(headers[column] for column in columns)]
    rows += [summary_cells(summary, zone, for_people=True) for summary in summaries]
    # Every column but the last is capped so one long value cannot push the
    # rest off screen; the last one runs to the edge of the terminal.
    widths = [max(len(row[i]) for row in rows) for i in range(len(columns))]
    widths[:-1] = [min(size, 40) for size in widths[:-1]]
    lines = []
    for row in rows:
        cells = [cell[:size].ljust(size) for cell, size in zip(row, widths, strict=True)]
        lines.append("  ".join(cells).rstrip()[:width])
    return "\n".join(lines) + "\n"


def summaries_as_csv(
    summaries: Sequence[RecordSummary], zone: tzinfo, *, header: bool = True
) -> str:
    """CSV with a header row; control characters are shown as escapes, not written."""
    if not summaries:
        return ""
    columns = _REQUEST_COLUMNS if summaries[0].kind == "requests" else _POSTBACK_COLUMNS
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    if header:
        writer.writerow([*columns, "id"])
    for summary in summaries:
        writer.writerow([*summary_cells(summary, zone), show_controls(summary.id)])
    return buffer.getvalue()


def summary_pages(
    store: Store, query: RecordQuery, limit: int | None = None, *, page: int = 500
) -> Iterator[list[RecordSummary]]:
    """Matching list rows, newest first, a page at a time; at most ``limit`` in all."""
    after: Cursor | None = None
    while limit is None or limit > 0:
        size = page if limit is None else min(page, limit)
        rows = list_summaries(store, query, after=after, limit=size)
        if rows:
            yield rows
        if len(rows) < size:
            return
        if limit is not None:
            limit -= len(rows)
        after = rows[-1].cursor


def screenful() -> int:
    """The rows a table shows by default: the terminal's height, less its head and last lines."""
    return max(5, shutil.get_terminal_size((200, 24)).lines - 3)


@dataclass
class Cut:
    """What a written list left out: how many it was allowed, and whether more matched."""

    limit: int | None
    written: int = 0
    more: bool = False

    def take(self, items: Iterable[_T]) -> Iterator[_T]:
        """The first ``limit`` items (all without one), noting whether one more was there."""
        for item in items:
            if self.limit is not None and self.written >= self.limit:
                self.more = True
                return
            self.written += 1
            yield item


def write_list(
    store: Store, query: RecordQuery, output: Format, cut: Cut, zone: tzinfo, out: TextIO
) -> None:
    """Write the records ``query`` matches in ``output``, at most ``cut.limit`` of them."""
    # One more than the limit is read, so that ``cut.more`` can tell a cut list from a whole one.
    reading = None if cut.limit is None else cut.limit + 1
    if output in ("json", "jsonl"):
        records = cut.take(iter_records(store, query, limit=reading))
        # Straight to the stream: an export can be millions of lines.
        out.writelines(records_as_jsonl(records) if output == "jsonl" else records_as_json(records))
    elif output == "csv":
        for number, rows in enumerate(summary_pages(store, query, reading)):
            out.write(summaries_as_csv(list(cut.take(rows)), zone, header=number == 0))
    else:
        rows = [row for page in summary_pages(store, query, reading) for row in cut.take(page)]
        width = shutil.get_terminal_size((200, 24)).columns if out.isatty() else 10_000
        out.write(summaries_as_table(rows, zone, width=width))
    out.flush()
