"""The console's sync: its own, in a worker under the store's lease, or another process's, watched.

Either way it keeps the status line's :class:`Freshness` true: when the store
last caught up, what arrived since, and what is failing. The App routes the
worker's messages here; this module builds no screen.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy.exc import DBAPIError
from textual.app import App

from orderdesk import strings
from orderdesk.core.empty_result import store_is_empty
from orderdesk.core.errors import OrderdeskError, SourceError, StoreFull
from orderdesk.core.lease import LeaseHeld, SyncStatus, read_lease
from orderdesk.core.progress import SyncReport
from orderdesk.core.store import Store
from orderdesk.core.sync_service import SyncService
from orderdesk.tui.messages import ServiceWatched, SyncProgressed
from orderdesk.tui.threads import in_thread
from orderdesk.tui.widgets.status_line import Freshness, SourceFailure, StatusLine

if TYPE_CHECKING:
    from orderdesk.tui.screens.records import RecordsScreen

__all__ = ["SYNC_GROUP", "WATCH_GROUP", "ConsoleSync"]

#: The worker group of the console's own sync.
SYNC_GROUP = "sync"
#: The worker group of the poll that watches another process's sync.
WATCH_GROUP = "watch"


class ConsoleSync:
    """Who keeps the console's store fresh, and how fresh it is, as the status line tells it."""

    def __init__(
        self,
        app: App[Any],
        store: Store,
        service: SyncService | None,
        *,
        lists: Callable[[], Iterable[RecordsScreen]],
        now: Callable[[], datetime],
        take_over: bool,
        poll: float,
        arrived: Callable[[], None] = lambda: None,
    ) -> None:
        self._app = app
        #: Told when records arrived, besides the lists (an open record shows its newest version).
        self._arrived = arrived
        self._store = store
        self._service = service
        self._lists = lists
        self._now = now
        #: Whether this console may sync when no other process does.
        self._take_over = take_over
        self._poll = poll
        self.freshness = Freshness(has_source=service is not None)
        self._stop = threading.Event()
        self._ended = threading.Event()
        self._ended.set()
        self._seen_service = False
        self._seen_watermark: datetime | None = None
        self._failing_shown = False

    def start(self) -> bool:
        """Watch who syncs the store, and sync it if nobody does; False if nobody can."""
        holder = self._watch_service()
        self._app.set_interval(self._poll, self._poll_service)
        if holder is not None:
            return True  # another process syncs this store: watch it, sync nothing
        if self._service is None:
            return False
        self._start_sync()
        return True

    def stop(self) -> None:
        """Stop the sync between pages, and give its lease back before the console ends."""
        self._stop.set()
        # A page in flight ends within the client's timeout; past this, a SQLite
        # lease left behind lapses by itself.
        self._ended.wait(timeout=5)

    def progressed(self, message: SyncProgressed) -> None:
        """Take the console's own sync's report."""
        progress = self.freshness.progress = message.progress
        if progress.caught_up and progress.last_success_at is not None:
            # Only a pass that caught up is a sync that ended: a stopped one is not.
            self._synced(progress.last_success_at)
        self.freshness.unseen += message.new
        if message.stored:
            for screen in self._lists():
                screen.records_arrived()
            self._arrived()
        self.redraw()

    def failed(self, error: BaseException | None) -> None:
        """The console's own sync ended on ``error``: say so on the status line."""
        self.freshness.stopped = self._stopped_by(error)
        self.redraw()

    def redraw(self) -> None:
        """Show the freshness as it now is, wherever it is shown."""
        if not self._app.screen_stack:
            return  # the console is closing: its screens are gone, the poll not yet stopped
        for line in self._app.screen.query(StatusLine):
            line.redraw()
        for screen in self._lists():
            screen.freshness_changed()
        failing = self.freshness.failure is not None
        if failing != self._failing_shown:
            # The key to the whole error is offered only while there is one.
            self._failing_shown = failing
            self._app.refresh_bindings()

    # -- another process's sync ------------------------------------------------------

    def _poll_service(self) -> None:
        """Read who syncs the store in a thread: the answer comes back as :class:`ServiceWatched`.

        Across a network (a team's PostgreSQL through a tunnel) the reads are
        round trips: on the UI thread they held back the frame of any key
        pressed meanwhile (nine of them then, about 190 ms every 2 s at 20 ms
        a round trip; three now).
        """
        if not self._ended.is_set():
            return  # this console syncs: its own progress says more
        in_thread(self._app, self._read_service, group=WATCH_GROUP, name="watch")

    def _read_service(self) -> None:
        try:
            watched = ServiceWatched(*read_lease(self._store))
        except DBAPIError as error:
            watched = ServiceWatched(None, None, str(error.orig))
        self._app.post_message(watched)

    def watched(self, message: ServiceWatched) -> None:
        """Take a poll's reading, as the console's thread."""
        if not self._ended.is_set():
            return  # this console began to sync while the poll read
        if message.error is not None:
            self._unreadable(message.error)
            return
        self._watched(message.holder, message.status)

    def _watch_service(self) -> str | None:
        """Read who syncs the store and how it went (one row); reload when its watermark moves."""
        if not self._ended.is_set():
            return None  # this console syncs: its own progress says more
        try:
            holder, status = read_lease(self._store)
        except DBAPIError as error:
            self._unreadable(str(error.orig))
            return None
        self._watched(holder, status)
        return holder

    def _unreadable(self, whole: str) -> None:
        brief = strings.BRIEF_STORE_UNREADABLE
        self.freshness.stopped = SourceFailure(brief, whole, self._now(), stopped=True)
        self.redraw()

    def _watched(self, holder: str | None, status: SyncStatus | None) -> None:
        self._show_service(holder, status)
        may_take_over = self._take_over and self.freshness.stopped is None
        if holder is None and self._seen_service and may_take_over and self._service:
            self.freshness.took_over = True
            self._start_sync()
        self._seen_service = self._seen_service or holder is not None

    def _show_service(self, holder: str | None, status: SyncStatus | None) -> None:
        seen = holder is not None or self._seen_service
        self.freshness.service = status if seen else None
        self.freshness.service_holder = holder
        if status is not None and status.last_success_at is not None:
            # An earlier sync's, until this console's own catches up.
            self._synced(status.last_success_at)
        moved = status is not None and status.watermark_at != self._seen_watermark
        if moved and status is not None:
            if self._seen_watermark is not None:
                for screen in self._lists():
                    screen.records_arrived()
                self._arrived()
            self._seen_watermark = status.watermark_at
        self.redraw()

    def _synced(self, moment: datetime) -> None:
        synced_at = self.freshness.synced_at
        if synced_at is None or moment > synced_at:
            self.freshness.synced_at = moment

    # -- the console's own sync ------------------------------------------------------

    def _start_sync(self) -> None:
        assert self._service is not None
        self._ended.clear()
        self.freshness.service = None
        # Records stored before the first pass: a sync ran, whether or not it caught up.
        self.freshness.had_records = not store_is_empty(self._store)
        in_thread(self._app, self._follow_source, group=SYNC_GROUP, name="sync")

    def _follow_source(self) -> None:
        assert self._service is not None
        try:
            self._service.follow(self._stop, self._report_from_thread)
        except LeaseHeld:
            self._ended.set()
            self._app.call_from_thread(self._sync_declined)
        finally:
            self._ended.set()

    def _report_from_thread(self, report: SyncReport) -> None:
        self._app.post_message(SyncProgressed(report.progress, report.new, report.stored))

    def _sync_declined(self) -> None:
        """Another process took the lease first: watch it instead."""
        self.freshness.took_over = False
        self._watch_service()

    def _stopped_by(self, error: BaseException | None) -> SourceFailure:
        """The failure that ended the sync, in a few words and whole."""
        if isinstance(error, SourceError) and error.brief:
            brief = error.brief
        elif isinstance(error, StoreFull):
            brief = strings.BRIEF_STORE_FULL
        elif isinstance(error, OrderdeskError):
            brief = strings.BRIEF_SOURCE_ERROR
        else:
            brief = type(error).__name__
        whole = str(error) if isinstance(error, OrderdeskError) else repr(error)
        progress = self.freshness.progress
        since = progress.failing_since if progress is not None else None
        return SourceFailure(brief, whole, since or self._now(), stopped=True)
