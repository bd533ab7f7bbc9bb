"""The messages the TUI's widgets, screens and workers send each other."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from textual.message import Message
from textual.worker import Worker

from orderdesk.core.progress import SyncProgress
from orderdesk.core.queries import RecordSummary
from orderdesk.core.records import Kind

__all__ = [
    "OrderWanted",
    "RecordHighlighted",
    "RecordWanted",
    "SyncProgressed",
    "WorkerFailed",
]


@dataclass
class SyncProgressed(Message):
    """The background sync reported progress; ``new`` and ``stored`` count since its last report."""

    progress: SyncProgress
    new: int
    stored: int

    def can_replace(self, message: Message) -> bool:
        # A flood of page reports may collapse only when nothing arrived in between.
        return isinstance(message, SyncProgressed) and message.stored == 0 and self.stored == 0


@dataclass
class RecordHighlighted(Message):
    """The list's cursor moved onto a record (None: the list is empty)."""

    summary: RecordSummary | None


@dataclass
class RecordWanted(Message):
    """The user asked for a record's drill-down; the App opens it."""

    kind: Kind
    record_id: str


@dataclass
class OrderWanted(Message):
    """The user asked for the order of a record; with no reference, for the order finder."""

    order_reference: str | None


@dataclass
class WorkerFailed(Message):
    """A widget's worker failed (its own ``Worker.StateChanged`` does not bubble)."""

    worker: Worker[Any]
