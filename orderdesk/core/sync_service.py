"""The sync as a process runs it: open the store, hold its lease, follow the source, report.

``orderdesk sync``, the console and the demo all sync this way; they differ
only in what they do with the progress and in what sets the stop.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from orderdesk import strings
from orderdesk.core.disk import said_when_full
from orderdesk.core.findings_backfill import adopt_rules, backfill
from orderdesk.core.lease import DEFAULT_HEARTBEAT, Lease, LeaseHeld
from orderdesk.core.progress import SyncProgress, SyncReport
from orderdesk.core.retention import apply_retention
from orderdesk.core.store import Store
from orderdesk.core.timeline_rules import DEFAULT_RULES, TimelineRules

if TYPE_CHECKING:
    from orderdesk.core.client import LogApiClient

__all__ = ["Following", "Source", "SourceOpener", "SyncService"]


@dataclass(frozen=True)
class Source:
    """The log API a sync follows, and how many seconds it waits between passes."""

    url: str
    api_key: str | None = None
    interval: float = 5.0


#: Opens the source when the sync starts, and closes it when the sync ends.
SourceOpener = Callable[[], AbstractContextManager[Source]]


@dataclass(frozen=True)
class Following:
    """What a sync that follows its source says before the first pass."""

    #: The source, without any credentials in its address.
    url: str
    #: The store, its password hidden.
    store: str
    interval: float


@dataclass(frozen=True)
class _Held:
    """The store, its lease, and the open source: what a pass needs."""

    store: Store
    lease: Lease
    source: Source
    client: LogApiClient


class SyncService:
    """Keeps one store in step with one source, while this process holds the store's lease.

    Each run follows the source's action trail too, after its records, when
    the source has one (log API 1.1).

    Progress goes to ``on_progress`` as a :class:`SyncReport` (and, for every
    viewer of the store, to the lease's status row); ``stop`` ends the sync
    between pages, or at once while it waits. Without ``waiting`` a store
    another process syncs raises :class:`LeaseHeld`; with it, the holder is
    named to it and the lease is waited for.
    """

    def __init__(
        self,
        store_url: str,
        source: Source | SourceOpener,
        *,
        heartbeat: float = DEFAULT_HEARTBEAT,
        rules: TimelineRules = DEFAULT_RULES,
        retention: timedelta | None = None,
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.store_url = store_url
        #: The thresholds the store's findings are kept by, from the settings of this process.
        self.rules = rules
        #: How long the store keeps records (``retention``); None: for ever.
        self.retention = retention
        self._now = now
        self._open_source: SourceOpener = (
            (lambda: nullcontext(source)) if isinstance(source, Source) else source
        )
        self.heartbeat = heartbeat

    def follow(
        self,
        stop: threading.Event,
        on_progress: Callable[[SyncReport], None] | None = None,
        *,
        waiting: Callable[[str], None] | None = None,
        on_following: Callable[[Following], None] | None = None,
    ) -> SyncProgress | None:
        """Sync, wait the source's interval, and again, until ``stop`` is set.

        Returns the last pass's progress, or None if none ran; a permanent
        failure of the source raises.
        """
        # Imported here: a console that only reads its store never loads the HTTP client.
        from orderdesk.core.action_sync import TrailFollower
        from orderdesk.core.sync import follow

        with self._held(stop, waiting) as held:
            if held is None:
                return None
            interval = held.source.interval
            if on_following is not None:
                on_following(Following(held.client.url, held.store.shown_url, interval))
            report = _reporter(held.lease, on_progress, self._after_pass(held.store, stop))
            return follow(
                held.client,
                held.store,
                interval=interval,
                stop=stop,
                on_progress=report,
                trail=TrailFollower(held.client, held.store),
            )

    def catch_up(
        self,
        stop: threading.Event,
        on_progress: Callable[[SyncReport], None] | None = None,
        *,
        attempts: int,
        waiting: Callable[[str], None] | None = None,
    ) -> SyncProgress | None:
        """One pass, until the store holds all the source has; None if the lease never came.

        A one-off pull is usually asked for by a person: a source that does not
        answer at all fails at once instead of being retried for a minute. Once
        it has answered, up to ``attempts`` transient failures in a row are
        ridden out.
        """
        from orderdesk.core.action_sync import TrailFollower
        from orderdesk.core.sync import sync_once

        with self._held(stop, waiting) as held:
            if held is None:
                return None
            held.client.health()
            report = _reporter(held.lease, on_progress, self._after_pass(held.store, stop))
            return sync_once(
                held.client,
                held.store,
                on_progress=report,
                stop=stop,
                max_attempts=attempts,
                trail=TrailFollower(held.client, held.store),
            )

    @contextmanager
    def _held(
        self, stop: threading.Event, waiting: Callable[[str], None] | None
    ) -> Iterator[_Held | None]:
        from orderdesk.core.client import LogApiClient

        # A store of its own: in the console, a separate connection that writes
        # while the screens read.
        with (
            Store.open(self.store_url, rules=self.rules) as store,
            said_when_full(store, strings.STORE_FULL),
        ):
            lease = self._lease(store, stop, waiting)
            if lease is None:
                yield None
                return
            self._keep_findings(store, stop)
            # The lease comes first, so a process that ends up only watching opens
            # no source (opening one may take a while: the demo generates its service).
            with (
                lease,
                self._open_source() as source,
                LogApiClient(source.url, source.api_key) as client,
            ):
                yield _Held(store, lease, source, client)

    def _after_pass(self, store: Store, stop: threading.Event) -> Callable[[], None]:
        """What the service does once a pass caught up: apply the retention, when it is due."""

        def after_pass() -> None:
            if self.retention is not None:
                apply_retention(store, self.retention, self._now(), stop)

        return after_pass

    def _keep_findings(self, store: Store, stop: threading.Event) -> None:
        """Under the lease: the findings follow this process's thresholds, all of them computed.

        A backfill (after an upgrade, or new thresholds) resumes where the last one stopped.
        """
        with store.writing() as connection:
            adopt_rules(connection, self.rules)
        backfill(store.writing, self.rules, stop=stop)

    def _lease(
        self, store: Store, stop: threading.Event, waiting: Callable[[str], None] | None
    ) -> Lease | None:
        try:
            return Lease.acquire(store, heartbeat=self.heartbeat)
        except LeaseHeld as held:
            if waiting is None:
                raise
            waiting(held.holder)
        return Lease.wait_for(store, stop, heartbeat=self.heartbeat)


def _reporter(
    lease: Lease,
    on_progress: Callable[[SyncReport], None] | None,
    after_pass: Callable[[], None],
) -> Callable[[SyncProgress], None]:
    """Tell each pass's progress to ``on_progress``, then to the lease's status row.

    A pass that caught up is told first, then followed by ``after_pass``: still
    under the lease, between two passes, where nothing is being written.
    """
    last: SyncProgress | None = None

    def report(progress: SyncProgress) -> None:
        nonlocal last
        if on_progress is not None:
            on_progress(SyncReport.since(last, progress))
        last = progress
        lease.report(progress)
        if progress.caught_up:
            after_pass()

    return report
