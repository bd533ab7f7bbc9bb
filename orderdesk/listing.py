"""Records from the store as the CLI prints them: a table, JSON, JSON lines or CSV.

Whatever the format, nothing from the store reaches the terminal raw: tables
and CSV show control characters visibly, and JSON escapes every non-ASCII
character, so no escape sequence hidden in a body or a reference is ever
interpreted by the terminal that prints it.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Sequence
from datetime import tzinfo
from typing import Literal

from orderdesk import i18n, strings
from orderdesk.core.queries import RecordSummary
from orderdesk.core.records import LogRecord
from orderdesk.core.text import show_controls

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


def summaries_as_csv(summaries: Sequence[RecordSummary], zone: tzinfo) -> str:
    """CSV with a header row; control characters are shown as escapes, not written."""
    if not summaries:
        return ""
    columns = _REQUEST_COLUMNS if summaries[0].kind == "requests" else _POSTBACK_COLUMNS
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow([*columns, "id"])
    for summary in summaries:
        writer.writerow([*summary_cells(summary, zone), show_controls(summary.id)])
    return buffer.getvalue()
