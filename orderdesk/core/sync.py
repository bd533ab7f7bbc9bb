"""Sync: pull each kind's pages from the log API into the store until caught up.

A pass starts a look-back window behind the newest stored watermark, because the
contract lets records become visible up to 120 seconds older than records
already served; within the pass it follows the keyset ``(updated_at, id)`` page
after page. Each page is saved with its watermark in one transaction, so an
interrupted sync loses nothing and a rerun duplicates nothing (upserts by id).
The kinds are followed together, the next page always from the kind furthest
behind, so that an order's requests and postbacks are saved close together.

While a page is saved, the next one is already being fetched, in a thread of
its own: the source's time to answer and the store's time to write overlap. The
fetched page is only saved after the one before it committed, so the store
never holds a page whose predecessor it lacks.
"""

from __future__ import annotations

import copy
import threading
import time
from collections.abc import Callable, Generator, Iterable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import partial
from typing import TYPE_CHECKING, Generic, Protocol, TypeVar

from orderdesk import strings
from orderdesk.core.backoff import Backoff
from orderdesk.core.client import MAX_PAGE_SIZE, LogApiClient
from orderdesk.core.errors import ActionsUnsupported, SourceError, TransientSourceError
from orderdesk.core.progress import KindProgress, SyncProgress
from orderdesk.core.records import (
    KINDS,
    Kind,
    LogRecord,
    Watermark,
    to_utc,
)

if TYPE_CHECKING:
    from orderdesk.core.action_sync import TrailFollower
    from orderdesk.core.pages import SaveResult

__all__ = [
    "DEFAULT_LOOKBACK",
    "MIN_LOOKBACK",
    "KindProgress",
    "PageStore",
    "SyncProgress",
    "follow",
    "sync_once",
]

#: The contract's late-visibility bound: a pass must re-read at least this far back.
MIN_LOOKBACK = timedelta(seconds=120)
#: The bound plus a margin for our own rounding and the service's clocks.
DEFAULT_LOOKBACK = timedelta(seconds=150)

_T = TypeVar("_T")
_Page = TypeVar("_Page")


class _Keyed(Protocol):
    """An item of a list endpoint: its place in the keyset."""

    @property
    def id(self) -> str: ...

    @property
    def updated_at(self) -> datetime: ...


_Item = TypeVar("_Item", bound=_Keyed)
_Item_co = TypeVar("_Item_co", bound=_Keyed, covariant=True)


class _Paged(Protocol[_Item_co]):
    """A page of a list endpoint."""

    @property
    def data(self) -> Sequence[_Item_co]: ...

    @property
    def has_more(self) -> bool: ...


class PageStore(Protocol):
    """What sync needs of the store."""

    def save_page(
        self, kind: Kind, records: Sequence[LogRecord], watermark: Watermark | None
    ) -> SaveResult: ...

    def watermark(self, kind: Kind) -> Watermark | None: ...


class _Stopped(Exception):
    """The stop event was set; the pass ends where it is."""


def _now() -> datetime:
    return datetime.now(UTC)


@dataclass
class _Retrier:
    """Calls the log API, waiting and retrying on transient failures, and keeps progress told."""

    backoff: Backoff
    progress: SyncProgress
    report: Callable[[], None]
    stop: threading.Event | None
    sleep: Callable[[float], None] | None
    max_attempts: int | None
    #: Consecutive failures; a success resets it, so one bad minute does not last forever.
    attempt: int = 0

    def call(self, request: Callable[[], _T]) -> _T:
        """``request()``, retried until it succeeds, fails permanently, or stop is set."""
        while True:
            try:
                result = request()
            except TransientSourceError as error:
                self.attempt += 1
                self.progress.retries += 1
                self.progress.last_error_brief = error.brief or strings.BRIEF_SOURCE_ERROR
                if self.progress.failing_since is None:
                    self.progress.failing_since = _now()
                if self.max_attempts is not None and self.attempt >= self.max_attempts:
                    self.progress.last_error = f"{error}; gave up after {self.attempt} attempts"
                    self.progress.next_retry_at = None
                    self.report()
                    raise TransientSourceError(
                        self.progress.last_error, retry_after=error.retry_after
                    ) from error
                delay = self.backoff.delay(self.attempt - 1, error.retry_after)
                self.progress.last_error = f"{error}; {delay.describe()}"
                self.progress.next_retry_at = _now() + timedelta(seconds=delay.seconds)
                self.report()
                if self._wait(delay.seconds):
                    raise _Stopped from error
                self.progress.next_retry_at = None
            else:
                self.attempt = 0
                self.progress.last_error = None
                self.progress.last_error_brief = None
                self.progress.failing_since = None
                self.progress.last_success_at = _now()
                return result

    def _wait(self, seconds: float) -> bool:
        """Wait; True if the stop event was set meanwhile."""
        if self.sleep is not None:
            self.sleep(seconds)
            return self.stop is not None and self.stop.is_set()
        if self.stop is not None:
            return self.stop.wait(seconds)
        time.sleep(seconds)
        return False


def sync_once(
    client: LogApiClient,
    store: PageStore,
    *,
    kinds: Iterable[Kind] = KINDS,
    page_size: int = MAX_PAGE_SIZE,
    lookback: timedelta = DEFAULT_LOOKBACK,
    on_progress: Callable[[SyncProgress], None] | None = None,
    backoff: Backoff | None = None,
    stop: threading.Event | None = None,
    sleep: Callable[[float], None] | None = None,
    max_attempts: int | None = None,
    trail: TrailFollower | None = None,
) -> SyncProgress:
    """Pull every kind's pages into the store until caught up (or until ``stop`` is set).

    Transient failures are retried (forever unless ``max_attempts`` is given)
    and reported through ``on_progress``; permanent ones raise at once.
    ``sleep`` defaults to waiting on ``stop`` (so a stop ends a wait at once),
    or to ``time.sleep`` without one. With a ``trail``, the action trail
    follows the records, when the source has one.
    """
    if lookback < MIN_LOOKBACK:
        raise ValueError(
            f"a look-back of {lookback.total_seconds():g} s would lose late-visible records; "
            f"the log API needs at least {MIN_LOOKBACK.total_seconds():g} s"
        )
    progress = SyncProgress(per_kind={kind: KindProgress() for kind in kinds})

    def report() -> None:
        if on_progress is not None:
            on_progress(copy.deepcopy(progress))

    retrier = _Retrier(backoff or Backoff(), progress, report, stop, sleep, max_attempts)
    try:
        if not client.confirmed:
            # Before trusting any failure to be transient, know the URL is a log API.
            retrier.call(client.health)
        _sync_kinds(client, store, tuple(progress.per_kind), page_size, lookback, retrier, stop)
        if trail is not None and trail.present(retrier.call):
            _sync_trail(trail, client.url, page_size, lookback, retrier, stop)
    except _Stopped:
        progress.interrupted = True
        report()
        return progress
    progress.caught_up = True
    report()
    return progress


class _PagesAhead(Generic[_Page]):
    """Fetches a list's next page in a thread of its own, while the main thread saves this one.

    Only the first try of a page runs ahead; retries, waits and reports stay
    in the main thread, with the retrier. One request at a time is in flight.
    """

    def __init__(self, fetch: Callable[[Watermark | None, int], _Page], page_size: int) -> None:
        self._fetch = fetch
        self._page_size = page_size
        self._thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="orderdesk-fetch")
        self._ahead: tuple[Watermark | None, Future[_Page]] | None = None

    def fetch(self, position: Watermark | None) -> _Page:
        """The page after ``position``: the one fetched ahead if it is that one, else now."""
        ahead, self._ahead = self._ahead, None
        if ahead is not None and ahead[0] == position:
            return ahead[1].result()
        return self._fetch(position, self._page_size)

    def start(self, position: Watermark) -> None:
        """Begin fetching the page after ``position``."""
        future = self._thread.submit(self._fetch, position, self._page_size)
        self._ahead = (position, future)

    def close(self) -> None:
        """Wait for a page still in flight (its result is dropped) and end the thread."""
        self._ahead = None
        self._thread.shutdown(wait=True, cancel_futures=True)


#: Where a kind never synced stands: before any other.
_EARLIEST = datetime.min.replace(tzinfo=UTC)


def _sync_kinds(
    client: LogApiClient,
    store: PageStore,
    kinds: tuple[Kind, ...],
    page_size: int,
    lookback: timedelta,
    retrier: _Retrier,
    stop: threading.Event | None,
) -> None:
    """Follow every kind's keyset together: the next page is always the kind furthest behind.

    A postback's findings need its order's requests. Saved in time order across
    the kinds, the requests came a moment before and are mostly still in the
    writer's memory (``stored_findings.ReferenceIndex``); kind after kind, a
    day's backfill had long pushed them out, and with the findings the sync's
    throughput was 45% lower than without them, against 35% this way (measured
    when this order came in, before the collector's thresholds, the slimmer
    read-back and the writer's index brought it to between 12% and 24%).
    """
    followers: dict[Kind, Generator[Watermark, None, None]] = {}
    behind: dict[Kind, datetime] = {}
    for kind in kinds:
        stored = store.watermark(kind)
        listed = _List(
            kind, partial(client.fetch_page, kind), partial(store.save_page, kind), stored, True
        )
        mine = retrier.progress.per_kind[kind]
        followers[kind] = _followed(listed, client.url, page_size, lookback, retrier, stop, mine)
        behind[kind] = _EARLIEST if stored is None else to_utc(stored.updated_at) - lookback
    try:
        while followers:
            kind = min(followers, key=behind.__getitem__)
            try:
                behind[kind] = to_utc(next(followers[kind]).updated_at)
            except StopIteration:
                del followers[kind]
    finally:
        for follower in followers.values():
            follower.close()  # so that its page fetched ahead is waited for


def _sync_trail(
    trail: TrailFollower,
    url: str,
    page_size: int,
    lookback: timedelta,
    retrier: _Retrier,
    stop: threading.Event | None,
) -> None:
    """Follow the action trail as a kind is followed; a source without one is left alone."""
    mine = retrier.progress.actions = KindProgress()
    listed = _List("actions", trail.fetch, trail.save, trail.watermark(), counted=False)
    try:
        for _ in _followed(listed, url, page_size, lookback, retrier, stop, mine):
            pass  # each page saved; nothing else to interleave with
    except ActionsUnsupported:
        # Its health said 1.1 but it lists no actions: a version 1 service after all.
        trail.absent()
        retrier.progress.actions = None


@dataclass(frozen=True)
class _List(Generic[_Item]):
    """One list endpoint a pass follows: how to fetch its pages and save them."""

    name: str
    fetch: Callable[[Watermark | None, int], _Paged[_Item]]
    save: Callable[[Sequence[_Item], Watermark], SaveResult]
    stored: Watermark | None
    #: Whether its items count in the pass's totals of records (the trail's do not).
    counted: bool


def _followed(
    listed: _List[_Item],
    url: str,
    page_size: int,
    lookback: timedelta,
    retrier: _Retrier,
    stop: threading.Event | None,
    mine: KindProgress,
) -> Generator[Watermark, None, None]:
    """Follow one list's keyset, yielding the position after each page saved."""
    progress = retrier.progress
    stored = listed.stored
    position = None if stored is None else Watermark(to_utc(stored.updated_at) - lookback)
    pages = _PagesAhead(listed.fetch, page_size)
    try:
        while True:
            if stop is not None and stop.is_set():
                raise _Stopped
            page = retrier.call(partial(pages.fetch, position))
            mine.pages += 1
            if page.data:
                last = page.data[-1]
                following = Watermark(last.updated_at, last.id)
                if position is not None and following <= position:
                    # Going on would ask for the same page forever.
                    raise SourceError(
                        strings.SYNC_STUCK.format(
                            url=url,
                            kind=listed.name,
                            at=position.updated_at.isoformat(),
                            id=position.id,
                        )
                    )
                if page.has_more:
                    pages.start(following)
                # The page and its own last position commit together, so the watermark
                # never passes a record that is not stored.
                result = listed.save(page.data, following)
                position = mine.position = following
                mine.fetched += len(page.data)
                mine.new += result.new
                mine.updated += result.updated
                mine.unchanged += result.unchanged
                if listed.counted:
                    progress.fetched += len(page.data)
                    progress.new += result.new
                    progress.updated += result.updated
                    progress.stored += result.new + result.updated
            retrier.report()
            # An empty page cannot move the keyset, whatever has_more says; the next pass retries.
            if not page.has_more or not page.data:
                mine.caught_up = True
                return
            yield following
    finally:
        pages.close()


def follow(
    client: LogApiClient,
    store: PageStore,
    *,
    interval: float = 5.0,
    stop: threading.Event,
    on_progress: Callable[[SyncProgress], None] | None = None,
    kinds: Iterable[Kind] = KINDS,
    page_size: int = MAX_PAGE_SIZE,
    lookback: timedelta = DEFAULT_LOOKBACK,
    backoff: Backoff | None = None,
    trail: TrailFollower | None = None,
) -> SyncProgress | None:
    """Sync, wait ``interval`` seconds, and again, until ``stop`` is set; permanent errors raise.

    Returns the last pass's progress (``interrupted`` if the stop came during it),
    or None if the stop came before the first pass. One ``trail`` serves every
    pass, so whether the source has actions is asked once.
    """
    last_success_at: datetime | None = None

    def report(progress: SyncProgress) -> None:
        # Each pass starts a fresh progress; the status line still wants the last success.
        nonlocal last_success_at
        if progress.last_success_at is None:
            progress.last_success_at = last_success_at
        last_success_at = progress.last_success_at
        if on_progress is not None:
            on_progress(progress)

    kinds = tuple(kinds)
    last: SyncProgress | None = None
    while not stop.is_set():
        last = sync_once(
            client,
            store,
            kinds=kinds,
            page_size=page_size,
            lookback=lookback,
            on_progress=report,
            backoff=backoff,
            stop=stop,
            trail=trail,
        )
        stop.wait(interval)
    return last
