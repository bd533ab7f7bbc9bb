"""Records from the store as the CLI prints them: a table, or the formats of ``orderdesk.formats``.

Whatever the format, nothing from the store reaches the terminal raw: a table
shows control characters visibly, like the machine formats.

Machine formats are written as they are read, a page at a time, and are never
cut unless asked; a table is cut to a screenful. Either way, one record more
than shown is read, so that a cut list can say it was cut.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import tzinfo
from typing import Literal, TextIO, TypeVar

from orderdesk import strings
from orderdesk.core.queries import RecordQuery, RecordSummary, iter_records
from orderdesk.core.store import Store
from orderdesk.formats import (
    POSTBACK_COLUMNS,
    REQUEST_COLUMNS,
    records_as_json,
    records_as_jsonl,
    summaries_as_csv,
    summary_cells,
    summary_pages,
)

_T = TypeVar("_T")

Format = Literal["table", "json", "jsonl", "csv"]


def summaries_as_table(summaries: Sequence[RecordSummary], zone: tzinfo, *, width: int) -> str:
    """Aligned columns that fit ``width``; the last column is cut, never wrapped."""
    if not summaries:
        return ""
    columns = REQUEST_COLUMNS if summaries[0].kind == "requests" else POSTBACK_COLUMNS
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
