"""Records written out for other tools: JSON, JSON lines and CSV, a page at a time.

The CLI's lists and the console's export write the same formats, so both
come from here. Nothing from the store is written raw: CSV shows control
characters visibly, and JSON escapes every non-ASCII character, so no escape
sequence hidden in a body or a reference reaches a terminal that prints it.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Iterator, Sequence
from datetime import tzinfo

from pydantic_core import PydanticSerializationError

from orderdesk import i18n
from orderdesk.core.queries import Cursor, RecordQuery, RecordSummary, list_summaries
from orderdesk.core.records import LogRecord
from orderdesk.core.store import Store
from orderdesk.core.text import show_controls

# The list's columns, by the names of strings.LISTING_COLUMNS.
REQUEST_COLUMNS = (
    "time",
    "order reference",
    "customer",
    "printer",
    "action",
    "status",
    "ms",
    "error",
)
POSTBACK_COLUMNS = (
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
    try:
        shaped = record.model_dump(mode="json")
    except PydanticSerializationError as error:
        # Ctrl-C landing inside one of the model's serializers comes out wrapped in
        # pydantic's error: it is still the user's interrupt, not a fault of the record.
        if "KeyboardInterrupt" in str(error):
            raise KeyboardInterrupt from None
        raise
    return json.dumps(shaped, ensure_ascii=True, separators=(",", ":"))


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


def summaries_as_csv(
    summaries: Sequence[RecordSummary], zone: tzinfo, *, header: bool = True
) -> str:
    """CSV with a header row; control characters are shown as escapes, not written."""
    if not summaries:
        return ""
    columns = REQUEST_COLUMNS if summaries[0].kind == "requests" else POSTBACK_COLUMNS
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
