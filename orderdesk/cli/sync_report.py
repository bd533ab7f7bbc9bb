"""What ``orderdesk sync`` tells the person watching it, on stderr.

On a terminal one status line is rewritten in place as pages arrive; in a log
(a pipe, systemd's journal) only changes worth a line are written: a failure
being retried, a pass that stored something, the end.
"""

from __future__ import annotations

import time
from datetime import datetime
from typing import TYPE_CHECKING, TextIO

from orderdesk import i18n, strings
from orderdesk.core.progress import SyncProgress, SyncReport
from orderdesk.core.text import show_controls

if TYPE_CHECKING:
    from orderdesk.core.sync_service import Following

# How often the rewritten line may change: faster is flicker, not information.
_REDRAW_SECONDS = 0.1


class SyncReporter:
    """Turns sync progress into lines for a terminal or a log."""

    def __init__(self, out: TextIO, *, interactive: bool | None = None) -> None:
        self._out = out
        self._interactive = out.isatty() if interactive is None else interactive
        self._started = time.monotonic()
        self._drawn_at = 0.0
        self._line_open = False
        self._last_error: str | None = None

    def waiting(self, holder: str) -> None:
        """Say that another process syncs the store, and that this one waits for it."""
        self.say(strings.SYNC_WAITING.format(holder=holder))

    def following(self, following: Following) -> None:
        """Say from where, into where and how often the sync follows its source."""
        self.say(
            strings.FOLLOWING.format(
                url=following.url, db=following.store, interval=following.interval
            )
        )

    def progressed(self, report: SyncReport) -> None:
        """Take a progress report: redraw the status line, or log what changed."""
        progress = report.progress
        error = progress.last_error
        if error is not None and error != self._last_error:
            when = (
                i18n.format_moment(progress.next_retry_at.astimezone(), "clock")
                if progress.next_retry_at
                else "-"
            )
            self.say(strings.SYNC_RETRY.format(error=show_controls(error), when=when))
        self._last_error = error
        if progress.caught_up and progress.stored and not self._interactive:
            stamp = i18n.format_moment(datetime.now().astimezone())
            self.say(
                strings.SYNC_PASS.format(time=stamp, new=progress.new, updated=progress.updated)
            )
        if self._interactive and time.monotonic() - self._drawn_at >= _REDRAW_SECONDS:
            self._draw(strings.SYNC_PROGRESS.format(**_counts(progress)))

    def finish(self, progress: SyncProgress) -> None:
        """Say how the pass ended."""
        seconds = time.monotonic() - self._started
        self.say(strings.SYNC_DONE.format(seconds=seconds, **_counts(progress)))
        trail = progress.actions
        if trail is not None and trail.new + trail.updated:
            self.say(strings.SYNC_TRAIL_DONE.format(new=trail.new, updated=trail.updated))

    def stopped(self, progress: SyncProgress | None, stored: int) -> None:
        """Say that a signal stopped the sync, what the store holds, and where the next starts."""
        if progress is None or not progress.caught_up or progress.last_success_at is None:
            self.say(strings.SYNC_INTERRUPTED.format(stored=stored))
            return
        # The stop came after the pass (following: while waiting): nothing was cut short.
        moment = i18n.format_moment(progress.last_success_at.astimezone())
        self.say(strings.SYNC_STOPPED_CAUGHT_UP.format(stored=stored, time=moment))

    def say(self, line: str) -> None:
        """Write one whole line, below the status line if one is drawn."""
        self._clear()
        self._out.write(line + "\n")
        self._out.flush()

    def _draw(self, text: str) -> None:
        self._out.write("\r\x1b[K" + text)
        self._out.flush()
        self._line_open = True
        self._drawn_at = time.monotonic()

    def _clear(self) -> None:
        if self._line_open:
            self._out.write("\r\x1b[K")
            self._line_open = False


def _counts(progress: SyncProgress) -> dict[str, int]:
    return {"fetched": progress.fetched, "new": progress.new, "updated": progress.updated}


def stored_records(db: str) -> int:
    """How many records the store holds, of every kind."""
    from orderdesk.core.queries import RecordQuery, count
    from orderdesk.core.records import KINDS
    from orderdesk.core.store import Store

    with Store.open(db) as store:
        return sum(count(store, RecordQuery(kind)) for kind in KINDS)
