"""How far a sync pass got, as plain data: what a status line or a report needs.

Apart from the sync itself so that a console that only reads its store
never imports the HTTP client to know what progress looks like.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from orderdesk.core.records import Kind, Watermark

__all__ = ["KindProgress", "SyncProgress", "SyncReport"]


@dataclass
class KindProgress:
    """How far one kind got in a pass."""

    fetched: int = 0
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    pages: int = 0
    #: The last ``(updated_at, id)`` read and saved in this pass.
    position: Watermark | None = None
    caught_up: bool = False


@dataclass
class SyncProgress:
    """A pass's progress as plain data, for a status line; callbacks get a copy."""

    #: Records received in pages.
    fetched: int = 0
    #: Records written to the store: new ones plus newer versions.
    stored: int = 0
    new: int = 0
    updated: int = 0
    #: The failure being retried, with the wait; None once a request succeeds again.
    last_error: str | None = None
    #: That failure in a few words ("connection refused", "HTTP 503").
    last_error_brief: str | None = None
    #: When the failures being retried began: the first of the run, not the last.
    failing_since: datetime | None = None
    next_retry_at: datetime | None = None
    last_success_at: datetime | None = None
    #: True when every kind's last page said there was nothing more.
    caught_up: bool = False
    #: True when a stop (Ctrl-C, SIGTERM, a closing console) ended the pass before it caught
    #: up: what was stored stays, and the next pass continues from the stored watermark.
    interrupted: bool = False
    #: Transient failures met in this pass.
    retries: int = 0
    per_kind: dict[Kind, KindProgress] = field(default_factory=dict)
    #: The action trail's progress (log API 1.1); None when the pass did not follow one.
    actions: KindProgress | None = None


@dataclass(frozen=True)
class SyncReport:
    """A pass's progress, and what reached the store since the report before it."""

    progress: SyncProgress
    #: Records new to the store since the last report.
    new: int
    #: Records written (new ones and newer versions) since the last report.
    stored: int

    @classmethod
    def since(cls, last: SyncProgress | None, progress: SyncProgress) -> SyncReport:
        """``progress`` told after ``last``: the counts grown in between."""
        # Each pass counts from zero again once the one before caught up.
        if last is None or last.caught_up:
            return cls(progress, progress.new, progress.stored)
        return cls(progress, progress.new - last.new, progress.stored - last.stored)
