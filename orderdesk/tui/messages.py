"""The messages the TUI's widgets, screens and workers send each other."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from textual.message import Message
from textual.worker import Worker

from orderdesk.core.lease import SyncStatus
from orderdesk.core.problems import ProblemGroup
from orderdesk.core.progress import SyncProgress
from orderdesk.core.queries import RecordQuery, RecordSummary
from orderdesk.core.records import Kind, LogRecord
from orderdesk.export import Exported
from orderdesk.tui.list_filter import ListFilter, TimeWindow

__all__ = [
    "ActingWanted",
    "ActionWanted",
    "ComparisonWanted",
    "ExportWanted",
    "FiltersWanted",
    "OrderWanted",
    "ProblemOrdersWanted",
    "RecordHighlighted",
    "RecordWanted",
    "ServiceWatched",
    "SyncProgressed",
    "TemplateChangesWanted",
    "TimeRangeWanted",
    "WorkerFailed",
]


@dataclass
class ServiceWatched(Message):
    """A poll read who syncs the store and how it went; ``error`` when the store was unreadable."""

    holder: str | None
    status: SyncStatus | None
    error: str | None = None


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
class ActionWanted(Message):
    """The user asked to redeliver (a postback) or resubmit (a request) one record."""

    kind: Kind
    record_id: str


@dataclass
class OrderWanted(Message):
    """The user asked for the order of a record; with no reference, for the order finder."""

    order_reference: str | None


@dataclass
class ProblemOrdersWanted(Message):
    """The user asked for the orders of a problem group, over the screen's time range."""

    group: ProblemGroup
    since: datetime | None
    until: datetime | None


@dataclass
class TemplateChangesWanted(Message):
    """The user asked what the template changed in a record; the App shows it."""

    record: LogRecord


@dataclass
class ComparisonWanted(Message):
    """The user asked how a record differs from the base remembered; the App shows it."""

    base: LogRecord
    record: LogRecord


# A list's dialogs answer the list that asked, through ``answer``: the App builds
# the dialog, and the list applies what the user chose (None: nothing chosen).


@dataclass
class FiltersWanted(Message):
    """The user asked to choose a list's statuses, customer and printer."""

    kind: Kind
    list_filter: ListFilter
    answer: Callable[[ListFilter | None], None]


@dataclass
class TimeRangeWanted(Message):
    """The user asked to choose a list's time window."""

    window: TimeWindow
    answer: Callable[[TimeWindow | None], None]


@dataclass
class ExportWanted(Message):
    """The user asked to write a list (or its marked records) to a file."""

    query: RecordQuery
    marks: frozenset[str]
    answer: Callable[[Exported | None], None]


@dataclass
class ActingWanted(Message):
    """The user asked to act on many records: a list's, its marked ones, or a problem group's."""

    #: The list's query: every record it matches; None for a problem group.
    query: RecordQuery | None = None
    marks: frozenset[str] = frozenset()
    #: The problem group, over the Problems screen's time range; None for a list.
    group: ProblemGroup | None = None
    since: datetime | None = None
    until: datetime | None = None


@dataclass
class WorkerFailed(Message):
    """A widget's worker failed (its own ``Worker.StateChanged`` does not bubble)."""

    worker: Worker[Any]
