"""A list written to a file, JSON lines or CSV, a page at a time, with progress and a way to stop.

The console exports what the user sees (or only the records they marked) in
the CLI's own formats (see ``formats``): JSON lines hold whole records as the
log API gives them, to feed ``jq`` or another tool; CSV holds the list's
columns, one row per record, for a spreadsheet. The file is written beside
its final name and renamed only when complete, so a cancelled or failed
export never leaves a half file that looks whole.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime, tzinfo
from pathlib import Path
from typing import Literal

from orderdesk.core.queries import RecordQuery, iter_records
from orderdesk.core.records import Kind
from orderdesk.core.store import Store
from orderdesk.formats import record_json, summaries_as_csv, summary_pages

__all__ = ["EXPORT_FORMATS", "ExportFormat", "Exported", "default_export_path", "export_records"]

ExportFormat = Literal["jsonl", "csv"]
EXPORT_FORMATS: tuple[ExportFormat, ...] = ("jsonl", "csv")
_PAGE = 500


@dataclass(frozen=True)
class Exported:
    """How an export ended: the records written, and whether it was stopped before the end."""

    path: Path
    written: int
    cancelled: bool = False


def default_export_path(kind: Kind, fmt: ExportFormat, now: datetime, folder: Path) -> Path:
    """``orderdesk-requests-20261123-120000.jsonl`` in ``folder``."""
    return folder / f"orderdesk-{kind}-{now:%Y%m%d-%H%M%S}.{fmt}"


def _chunks(
    store: Store, query: RecordQuery, fmt: ExportFormat, zone: tzinfo
) -> Iterator[tuple[str, int]]:
    """The file's text with how many records it holds: one record (JSON lines) or a page (CSV)."""
    if fmt == "jsonl":
        for record in iter_records(store, query, page=_PAGE):
            yield record_json(record) + "\n", 1
        return
    for number, page in enumerate(summary_pages(store, query, page=_PAGE)):
        yield summaries_as_csv(page, zone, header=number == 0), len(page)


def export_records(
    store: Store,
    query: RecordQuery,
    path: Path,
    fmt: ExportFormat,
    *,
    zone: tzinfo,
    on_progress: Callable[[int], None] | None = None,
    stop: threading.Event | None = None,
) -> Exported:
    """Write the query's records to ``path``; refuses to replace an existing file.

    Raises ``FileExistsError`` or another ``OSError`` when the file cannot be written.
    """
    if path.exists():
        raise FileExistsError(f"{path} already exists")
    partial = path.with_name(path.name + ".part")
    written = reported = 0
    try:
        with partial.open("w", encoding="utf-8", newline="") as out:
            for text, records in _chunks(store, query, fmt, zone):
                if stop is not None and stop.is_set():
                    break
                out.write(text)
                written += records
                # About once a page: a report per record would flood the screen's queue.
                if on_progress is not None and written - reported >= _PAGE:
                    on_progress(written)
                    reported = written
        if stop is not None and stop.is_set():
            partial.unlink()
            return Exported(path, written, cancelled=True)
        partial.rename(path)
        if on_progress is not None:
            on_progress(written)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    return Exported(path, written)
