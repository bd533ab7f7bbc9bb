"""Sync: the contract's promises (keyset, changes, late records, failures) kept against a fake."""

from __future__ import annotations

import random
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import create_engine

from orderdesk.core.backoff import Backoff
from orderdesk.core.client import LogApiClient
from orderdesk.core.errors import (
    AuthenticationError,
    NotALogApiError,
    SourceError,
    TransientSourceError,
)
from orderdesk.core.pages import SaveResult
from orderdesk.core.query_check import truth
from orderdesk.core.records import Kind, LogRecord, Watermark
from orderdesk.core.store import Store
from orderdesk.core.sync import SyncProgress, follow, sync_once
from tests.engines import StoreEngine
from tests.fake_log_api import (
    KEY,
    FakeLogApi,
    Fault,
    answer,
    at,
    over_http,
    postback_record,
    raising,
    request_record,
    serve,
)

URL = "http://logs.example"


@pytest.fixture
def api() -> FakeLogApi:
    return FakeLogApi()


@pytest.fixture
def client(api: FakeLogApi) -> Iterator[LogApiClient]:
    with LogApiClient(URL, KEY, transport=api.transport()) as client:
        yield client


@pytest.fixture
def store(store_url: str) -> Iterator[Store]:
    with Store.open(store_url) as store:
        yield store


class Sleeps(list[float]):
    """An injected sleep that only remembers what it was asked to wait."""

    def __call__(self, seconds: float) -> None:
        self.append(seconds)


def served(api: FakeLogApi, kind: Kind) -> dict[str, tuple[datetime, str]]:
    """What the fake serves, in the shape ``truth`` gives for the store."""
    return {r.id: (r.updated_at, r.status) for r in api.records[kind].values()}


def busy_history(api: FakeLogApi, count: int = 25) -> None:
    """Requests and postbacks, three to a timestamp, so that pages split ties."""
    for n in range(count):
        api.put(request_record(f"req_{n:03}", at(n // 3)))
        api.put(postback_record(f"pb_{n:03}", at(n // 3)))


def pages_of(api: FakeLogApi, kind: Kind) -> list[dict[str, str]]:
    return [dict(request.url.params) for request in api.list_requests(kind)]


class TestKeysetPaging:
    def test_a_first_sync_reads_everything_across_ties(
        self, api: FakeLogApi, client: LogApiClient, store: Store
    ) -> None:
        busy_history(api)
        progress = sync_once(client, store, page_size=4)
        assert truth(store, "requests") == served(api, "requests")
        assert truth(store, "postbacks") == served(api, "postbacks")
        assert (progress.fetched, progress.new, progress.updated) == (50, 50, 0)
        assert progress.caught_up
        assert progress.per_kind["requests"].pages == 7
        assert store.watermark("requests") == Watermark(at(8), "req_024")

    def test_each_page_continues_after_the_last_pair(
        self, api: FakeLogApi, client: LogApiClient, store: Store
    ) -> None:
        busy_history(api, count=6)
        sync_once(client, store, kinds=["requests"], page_size=4)
        assert pages_of(api, "requests") == [
            {"limit": "4"},
            {"updated_after": "2026-11-23T10:00:01.000000Z", "after_id": "req_003", "limit": "4"},
        ]

    def test_a_pass_restarts_the_look_back_behind_the_watermark(
        self, api: FakeLogApi, client: LogApiClient, store: Store
    ) -> None:
        api.put(request_record("req_a", at(600)))
        sync_once(client, store, kinds=["requests"])
        sync_once(client, store, kinds=["requests"])
        assert pages_of(api, "requests")[-1] == {
            "updated_after": "2026-11-23T10:07:30.000000Z",  # 600 s - 150 s
            "after_id": "",
            "limit": "1000",
        }

    def test_only_the_kinds_asked_for(
        self, api: FakeLogApi, client: LogApiClient, store: Store
    ) -> None:
        busy_history(api, count=3)
        progress = sync_once(client, store, kinds=["postbacks"])
        assert list(progress.per_kind) == ["postbacks"]
        assert truth(store, "requests") == {}
        assert api.list_requests("requests") == []

    def test_an_empty_service(self, client: LogApiClient, store: Store) -> None:
        progress = sync_once(client, store)
        assert progress.caught_up and progress.fetched == 0
        assert store.watermark("requests") is None


class TestChangingRecords:
    def test_a_newer_version_replaces_the_stored_one(
        self, api: FakeLogApi, client: LogApiClient, store: Store
    ) -> None:
        api.put(request_record("req_a", at(10)), request_record("req_b", at(20)))
        sync_once(client, store)
        api.put(request_record("req_a", at(900), status="succeeded"))
        progress = sync_once(client, store)
        assert truth(store, "requests")["req_a"] == (at(900), "succeeded")
        assert (progress.new, progress.updated) == (0, 1)

    def test_a_record_changing_between_pages_of_one_pass_ends_newest(
        self, api: FakeLogApi, client: LogApiClient, store: Store
    ) -> None:
        busy_history(api, count=12)

        def complete_req_000(request: httpx.Request) -> None:
            api.put(request_record("req_000", at(3000), status="failed"))

        api.fail_next(serve, serve, complete_req_000)  # health, page 1, then it changes
        sync_once(client, store, kinds=["requests"], page_size=5)
        assert truth(store, "requests")["req_000"] == (at(3000), "failed")
        assert truth(store, "requests") == served(api, "requests")

    def test_a_second_pass_without_changes_writes_nothing(
        self, api: FakeLogApi, client: LogApiClient, store: Store
    ) -> None:
        busy_history(api)
        sync_once(client, store)
        progress = sync_once(client, store)
        assert progress.fetched > 0  # the look-back window is read again
        assert (progress.new, progress.updated, progress.stored) == (0, 0, 0)


class TestLateRecords:
    def test_a_record_visible_late_is_caught_by_the_next_pass(
        self, api: FakeLogApi, client: LogApiClient, store: Store
    ) -> None:
        api.put(request_record("req_early", at(1000)))
        sync_once(client, store)
        api.put(request_record("req_late", at(1000 - 120)))  # the contract's worst case
        progress = sync_once(client, store)
        assert "req_late" in truth(store, "requests")
        assert progress.new == 1

    def test_a_look_back_under_the_contracts_bound_is_refused(
        self, client: LogApiClient, store: Store
    ) -> None:
        with pytest.raises(ValueError, match="at least 120 s"):
            sync_once(client, store, lookback=timedelta(seconds=60))


class TestRetries:
    def test_429_waits_exactly_what_retry_after_says(
        self, api: FakeLogApi, client: LogApiClient, store: Store
    ) -> None:
        api.put(request_record("req_a", at(1)))
        api.fail_next(serve, answer(429, headers={"Retry-After": "7"}))
        sleeps = Sleeps()
        progress = sync_once(client, store, sleep=sleeps)
        assert sleeps == [7.0]
        assert progress.caught_up and progress.retries == 1
        assert "req_a" in truth(store, "requests")

    def test_a_long_retry_after_is_capped_and_says_so(
        self, api: FakeLogApi, client: LogApiClient, store: Store
    ) -> None:
        api.fail_next(serve, answer(429, headers={"Retry-After": "3600"}))
        sleeps, reports = Sleeps(), list[SyncProgress]()
        sync_once(client, store, sleep=sleeps, on_progress=reports.append)
        assert sleeps == [300.0]
        assert reports[0].last_error is not None
        assert reports[0].last_error.endswith("retrying in 300 s (the server asked 3600 s; capped)")

    def test_progress_tells_the_error_and_the_retry_time_before_waiting(
        self, api: FakeLogApi, client: LogApiClient, store: Store
    ) -> None:
        api.fail_next(serve, answer(503, headers={"Retry-After": "30"}))
        reports = list[SyncProgress]()
        seen_while_waiting = list[SyncProgress]()
        before = datetime.now(UTC)
        sync_once(
            client,
            store,
            on_progress=reports.append,
            sleep=lambda seconds: seen_while_waiting.append(reports[-1]),
        )
        waiting = seen_while_waiting[0]
        assert waiting.last_error is not None and "(503 Service Unavailable)" in waiting.last_error
        assert waiting.next_retry_at is not None
        assert before + timedelta(seconds=30) <= waiting.next_retry_at
        assert waiting.next_retry_at <= datetime.now(UTC) + timedelta(seconds=30)
        assert reports[-1].last_error is None and reports[-1].next_retry_at is None

    def test_backoff_doubles_with_full_jitter_and_resets_after_a_success(
        self, api: FakeLogApi, client: LogApiClient, store: Store
    ) -> None:
        busy_history(api, count=4)
        ceilings: list[float] = []

        def uniform(low: float, high: float) -> float:
            assert low == 0.0
            ceilings.append(high)
            return high / 2

        five_failures = [answer(503)] * 5
        api.fail_next(serve, *five_failures, serve, answer(502), serve)
        sleeps = Sleeps()
        sync_once(
            client,
            store,
            kinds=["requests"],
            page_size=2,
            backoff=Backoff(base=1.0, cap=8.0, uniform=uniform),
            sleep=sleeps,
        )
        assert ceilings == [1.0, 2.0, 4.0, 8.0, 8.0, 1.0]
        assert sleeps == [0.5, 1.0, 2.0, 4.0, 4.0, 0.5]
        assert truth(store, "requests") == served(api, "requests")

    @pytest.mark.parametrize(
        "fault",
        [
            raising(httpx.ReadTimeout),
            raising(httpx.RemoteProtocolError),
            raising(httpx.ReadError),
            answer(500),
            answer(504),
            answer(200, content=b'{"data": [{"id": "req_a"}], "has_more": false}'),
            answer(200, content=b"<html>Bad Gateway</html>"),
        ],
        ids=["timeout", "reset", "read-error", "500", "504", "wrong-shape", "not-json"],
    )
    def test_every_transient_failure_is_retried_and_loses_nothing(
        self,
        api: FakeLogApi,
        client: LogApiClient,
        store: Store,
        fault: Callable[[httpx.Request], httpx.Response],
    ) -> None:
        busy_history(api, count=9)
        api.fail_next(serve, serve, fault)  # fails the second page
        sleeps = Sleeps()
        progress = sync_once(client, store, kinds=["requests"], page_size=4, sleep=sleeps)
        assert len(sleeps) == 1 and progress.retries == 1
        assert truth(store, "requests") == served(api, "requests")

    def test_max_attempts_gives_up_with_the_last_error(
        self, api: FakeLogApi, client: LogApiClient, store: Store
    ) -> None:
        api.fail_next(serve, *[answer(503)] * 3)
        sleeps = Sleeps()
        with pytest.raises(TransientSourceError, match="gave up after 3 attempts"):
            sync_once(client, store, max_attempts=3, sleep=sleeps)
        assert len(sleeps) == 2

    def test_an_unreachable_service_at_start_is_retried(
        self, api: FakeLogApi, client: LogApiClient, store: Store
    ) -> None:
        api.fail_next(raising(httpx.ConnectError))
        reports = list[SyncProgress]()
        sync_once(client, store, sleep=Sleeps(), on_progress=reports.append)
        assert reports[0].last_error is not None
        assert reports[0].last_error.startswith(f"cannot reach the log API at {URL}")
        assert reports[0].last_success_at is None
        assert reports[-1].caught_up and reports[-1].last_success_at is not None


class TestPermanentFailures:
    def test_a_refused_key_raises_at_once(self, api: FakeLogApi, store: Store) -> None:
        sleeps = Sleeps()
        with (
            LogApiClient(URL, "wrong", transport=api.transport()) as client,
            pytest.raises(AuthenticationError),
        ):
            sync_once(client, store, sleep=sleeps)
        assert sleeps == [] and len(api.seen) == 1

    def test_a_url_that_is_not_a_log_api_raises_at_once(self, store: Store) -> None:
        site = httpx.MockTransport(lambda request: httpx.Response(200, html="<p>hello</p>"))
        sleeps = Sleeps()
        with LogApiClient(URL, KEY, transport=site) as client, pytest.raises(NotALogApiError):
            sync_once(client, store, sleep=sleeps)
        assert sleeps == []

    def test_a_bad_request_raises_at_once(
        self, api: FakeLogApi, client: LogApiClient, store: Store
    ) -> None:
        api.fail_next(serve, answer(400, json={"error": "limit must be 1 to 1000"}))
        with pytest.raises(SourceError, match="limit must be 1 to 1000"):
            sync_once(client, store, sleep=Sleeps())

    def test_a_page_that_goes_backwards_is_refused_rather_than_looped_on(
        self, api: FakeLogApi, client: LogApiClient, store: Store
    ) -> None:
        api.put(request_record("req_b", at(5)), request_record("req_c", at(6)))
        stale = {"data": [request_record("req_a", at(5)).model_dump(mode="json")], "has_more": True}
        api.fail_next(serve, serve, answer(200, json=stale))
        with pytest.raises(SourceError, match="breaks the keyset contract"):
            sync_once(client, store, kinds=["requests"], page_size=1)

    def test_an_empty_page_that_claims_more_ends_the_pass(
        self, api: FakeLogApi, client: LogApiClient, store: Store
    ) -> None:
        api.fail_next(serve, answer(200, json={"data": [], "has_more": True}))
        progress = sync_once(client, store, kinds=["requests"])
        assert progress.caught_up and len(api.list_requests("requests")) == 1


def stopping_after_two_pages(stop: threading.Event) -> Callable[[SyncProgress], None]:
    """A progress callback that sets ``stop`` once two pages of requests are in."""

    def report(progress: SyncProgress) -> None:
        if progress.per_kind["requests"].pages == 2:
            stop.set()

    return report


class _FailingOnPage:
    """A store whose ``save_page`` fails on one page, as a full disk or a lost server would."""

    def __init__(self, store: Store, failing: int) -> None:
        self.store = store
        self.failing = failing
        self.saves = 0

    def save_page(
        self, kind: Kind, records: Sequence[LogRecord], watermark: Watermark | None
    ) -> SaveResult:
        self.saves += 1
        if self.saves == self.failing:
            raise OSError("disk full")
        return self.store.save_page(kind, records, watermark)

    def watermark(self, kind: Kind) -> Watermark | None:
        return self.store.watermark(kind)


class TestFetchingAhead:
    """The next page is fetched while this one is saved; the store only ever moves page by page."""

    def test_the_next_page_is_asked_for_before_this_one_is_stored(
        self, api: FakeLogApi, client: LogApiClient, store: Store
    ) -> None:
        busy_history(api, count=8)
        asked_while_saving: list[int] = []

        class Watching(_FailingOnPage):
            def save_page(
                self, kind: Kind, records: Sequence[LogRecord], watermark: Watermark | None
            ) -> SaveResult:
                if self.saves == 0:
                    # Give the page on its way the time to be asked for.
                    deadline = time.monotonic() + 5
                    while len(api.list_requests(kind)) < 2 and time.monotonic() < deadline:
                        time.sleep(0.01)
                    asked_while_saving.append(len(api.list_requests(kind)))
                return super().save_page(kind, records, watermark)

        sync_once(client, Watching(store, failing=0), kinds=["requests"], page_size=4)
        assert asked_while_saving == [2] and len(api.list_requests("requests")) == 2
        assert truth(store, "requests") == served(api, "requests")

    def test_a_page_fetched_ahead_that_fails_for_good_leaves_the_last_page_saved(
        self, api: FakeLogApi, client: LogApiClient, store: Store
    ) -> None:
        busy_history(api)
        # The health check, the first page, then the page fetched ahead is refused.
        api.fail_next(serve, serve, answer(400, json={"error": "after_id is not valid"}))
        with pytest.raises(SourceError, match="after_id is not valid"):
            sync_once(client, store, kinds=["requests"], page_size=4)
        assert store.watermark("requests") == Watermark(at(1), "req_003")
        assert sorted(truth(store, "requests")) == ["req_000", "req_001", "req_002", "req_003"]

    def test_a_page_fetched_ahead_that_fails_for_a_while_is_fetched_again_once(
        self, api: FakeLogApi, client: LogApiClient, store: Store
    ) -> None:
        busy_history(api)
        api.fail_next(serve, serve, answer(503), raising(httpx.ReadTimeout))
        sleeps = Sleeps()
        progress = sync_once(client, store, page_size=4, sleep=sleeps)
        assert progress.caught_up and progress.retries == 2 and len(sleeps) == 2
        assert truth(store, "requests") == served(api, "requests")
        assert truth(store, "postbacks") == served(api, "postbacks")
        assert progress.stored == 50 and progress.fetched == 50

    def test_a_save_that_fails_with_the_next_page_on_its_way_stops_at_the_last_saved_page(
        self, api: FakeLogApi, client: LogApiClient, store: Store
    ) -> None:
        busy_history(api)
        failing = _FailingOnPage(store, failing=2)
        with pytest.raises(OSError, match="disk full"):
            sync_once(client, failing, kinds=["requests"], page_size=4)
        assert store.watermark("requests") == Watermark(at(1), "req_003")
        assert len(truth(store, "requests")) == 4
        # A rerun picks up from there and stores every record once.
        sync_once(client, store, kinds=["requests"], page_size=4)
        assert truth(store, "requests") == served(api, "requests")


class TestStopping:
    def test_stop_between_pages(self, api: FakeLogApi, client: LogApiClient, store: Store) -> None:
        busy_history(api)
        stop = threading.Event()
        progress = sync_once(
            client, store, page_size=4, stop=stop, on_progress=stopping_after_two_pages(stop)
        )
        assert not progress.caught_up and progress.interrupted
        # The third page may have been on its way while the second was saved (the fetch
        # runs ahead, as fast as the machine lets it): if it was, it is dropped, not stored.
        asked = api.list_requests("requests")
        assert len(asked) in (2, 3)
        assert all(request.url.params.get("after_id") == "req_007" for request in asked[2:])
        # The kinds go page for page in time: the postbacks' first page came between.
        assert store.watermark("requests") == Watermark(at(2), "req_007")
        assert len(truth(store, "requests")) == 8
        assert store.watermark("postbacks") == Watermark(at(1), "pb_003")
        assert len(truth(store, "postbacks")) == 4

    def test_stop_ends_a_long_wait_at_once(
        self, api: FakeLogApi, client: LogApiClient, store: Store
    ) -> None:
        api.fail_next(serve, answer(429, headers={"Retry-After": "120"}))
        stop = threading.Event()
        threading.Timer(0.1, stop.set).start()
        started = time.monotonic()
        progress = sync_once(client, store, stop=stop)
        assert time.monotonic() - started < 5
        assert not progress.caught_up and progress.interrupted
        assert progress.next_retry_at is not None

    def test_a_pass_that_catches_up_is_not_interrupted(
        self, api: FakeLogApi, client: LogApiClient, store: Store
    ) -> None:
        busy_history(api)
        progress = sync_once(client, store, page_size=4, stop=threading.Event())
        assert progress.caught_up and not progress.interrupted

    def test_follow_stopped_during_a_pass_returns_it_interrupted(
        self, api: FakeLogApi, client: LogApiClient, store: Store
    ) -> None:
        busy_history(api)
        stop = threading.Event()
        report = stopping_after_two_pages(stop)
        last = follow(client, store, interval=0.01, stop=stop, on_progress=report, page_size=4)
        assert last is not None and last.interrupted and not last.caught_up


class TestCrashSafety:
    def test_a_crash_between_pages_then_a_rerun_loses_and_duplicates_nothing(
        self, api: FakeLogApi, client: LogApiClient, store_url: str
    ) -> None:
        busy_history(api)

        class PowerCut(Exception):
            pass

        class CrashingStore:
            """The real store, until the third page."""

            def __init__(self, store: Store) -> None:
                self.store, self.pages = store, 0

            def save_page(
                self, kind: Kind, records: Sequence[LogRecord], watermark: Watermark | None
            ) -> SaveResult:
                self.pages += 1
                if self.pages == 3:
                    raise PowerCut
                return self.store.save_page(kind, records, watermark)

            def watermark(self, kind: Kind) -> Watermark | None:
                return self.store.watermark(kind)

        with Store.open(store_url) as store, pytest.raises(PowerCut):
            sync_once(client, CrashingStore(store), page_size=4)
        with Store.open(store_url) as store:
            # Saved before the cut: the requests' first page, then the postbacks'.
            assert store.watermark("requests") == Watermark(at(1), "req_003")
            assert store.watermark("postbacks") == Watermark(at(1), "pb_003")
            assert len(truth(store, "requests")) == len(truth(store, "postbacks")) == 4
            progress = sync_once(client, store, page_size=4)
            assert truth(store, "requests") == served(api, "requests")
            assert truth(store, "postbacks") == served(api, "postbacks")
            assert progress.new == 50 - 8


class TestProgress:
    def test_each_page_reports_running_totals(
        self, api: FakeLogApi, client: LogApiClient, store: Store
    ) -> None:
        busy_history(api, count=10)
        reports = list[SyncProgress]()
        sync_once(client, store, page_size=4, on_progress=reports.append)
        assert [r.fetched for r in reports] == [4, 8, 12, 16, 18, 20, 20]
        # Page for page in time, each kind in turn from the one furthest behind.
        assert [r.per_kind["postbacks"].new for r in reports] == [0, 4, 4, 8, 8, 10, 10]
        assert [r.caught_up for r in reports] == [False] * 6 + [True]

    def test_reports_are_copies_a_thread_can_keep(
        self, api: FakeLogApi, client: LogApiClient, store: Store
    ) -> None:
        busy_history(api, count=10)
        reports = list[SyncProgress]()
        final = sync_once(client, store, page_size=4, on_progress=reports.append)
        assert reports[0].fetched == 4 and final.fetched == 20
        assert reports[0].per_kind["requests"] is not final.per_kind["requests"]


class TestFollow:
    def test_follow_keeps_syncing_until_stopped(
        self, api: FakeLogApi, client: LogApiClient, store: Store
    ) -> None:
        stop = threading.Event()
        passes = list[SyncProgress]()

        def on_progress(progress: SyncProgress) -> None:
            if not progress.caught_up:
                return
            passes.append(progress)
            if len(passes) == 1:
                api.put(request_record("req_later", at(50)))
            if len(passes) == 3:
                stop.set()

        api.put(request_record("req_first", at(10)))
        last = follow(client, store, interval=0.01, stop=stop, on_progress=on_progress)
        assert [p.new for p in passes] == [1, 1, 0]
        # Stopped while waiting between passes: the last pass had caught up.
        assert last is not None and last.caught_up and not last.interrupted
        assert set(truth(store, "requests")) == {"req_first", "req_later"}

    def test_follow_reports_transient_errors_and_carries_on(
        self, api: FakeLogApi, client: LogApiClient, store: Store
    ) -> None:
        stop = threading.Event()
        errors: list[str] = []

        def on_progress(progress: SyncProgress) -> None:
            if progress.last_error:
                errors.append(progress.last_error)
            if progress.caught_up:
                stop.set()

        api.fail_next(serve, answer(503, headers={"Retry-After": "0"}))
        follow(client, store, interval=0.01, stop=stop, on_progress=on_progress)
        assert len(errors) == 1 and "503" in errors[0]

    def test_follow_remembers_the_last_success_across_passes(
        self, api: FakeLogApi, client: LogApiClient, store: Store
    ) -> None:
        stop = threading.Event()
        reports = list[SyncProgress]()

        def on_progress(progress: SyncProgress) -> None:
            reports.append(progress)
            if progress.caught_up and sum(r.caught_up for r in reports) == 1:
                # The next pass's first request fails; its report keeps the last success.
                api.fail_next(answer(503, headers={"Retry-After": "0"}))
            elif progress.caught_up:
                stop.set()

        follow(client, store, interval=0.01, stop=stop, on_progress=on_progress)
        failing = next(r for r in reports if r.last_error)
        assert failing.last_success_at is not None

    def test_follow_raises_a_permanent_failure(self, api: FakeLogApi, store: Store) -> None:
        with (
            LogApiClient(URL, "wrong", transport=api.transport()) as client,
            pytest.raises(AuthenticationError),
        ):
            follow(client, store, interval=0.01, stop=threading.Event())


# A child process that syncs slowly (small pages) and says when its first page is stored.
_CHILD = """
import sys
from orderdesk.core.client import LogApiClient
from orderdesk.core.store import Store
from orderdesk.core.sync import sync_once

url, key, path = sys.argv[1:4]
def told(progress):
    if progress.stored:
        print("stored", flush=True)
with LogApiClient(url, key) as client, Store.open(path) as store:
    sync_once(client, store, page_size=10, on_progress=told)
print("done", flush=True)
"""


@pytest.mark.slow
def test_sigkill_at_any_moment_loses_nothing_and_a_rerun_duplicates_nothing(
    api: FakeLogApi, store_url: str
) -> None:
    busy_history(api, count=600)
    path = store_url
    chance = random.Random(7)
    with over_http(api) as url:
        command = [sys.executable, "-c", _CHILD, url, KEY, path]
        stored_after_kills = []
        for _ in range(3):
            with subprocess.Popen(command, stdout=subprocess.PIPE, text=True) as child:
                assert child.stdout is not None
                assert child.stdout.readline() == "stored\n"
                time.sleep(chance.uniform(0.0, 0.2))
                child.kill()
                child.wait()
            with Store.open(path) as store:
                stored_after_kills.append(len(truth(store, "requests")))
        finished = subprocess.run(command, capture_output=True, text=True, check=True)
    assert finished.stdout.endswith("done\n")
    assert min(stored_after_kills) < 600, "no kill landed mid-sync; the test proved nothing"
    with Store.open(path) as store:
        assert truth(store, "requests") == served(api, "requests")
        assert truth(store, "postbacks") == served(api, "postbacks")
    database = create_engine(path if "://" in path else f"sqlite:///{path}")
    with database.connect() as connection:
        for table in ("requests", "postbacks"):
            rows, ids = connection.exec_driver_sql(
                f"SELECT COUNT(*), COUNT(DISTINCT id) FROM {table}"
            ).one()
            assert rows == ids == 600
    database.dispose()


class TestBackoffPolicy:
    def test_full_jitter_draws_between_zero_and_the_exponential_ceiling(self) -> None:
        draws: list[tuple[float, float]] = []

        def uniform(low: float, high: float) -> float:
            draws.append((low, high))
            return low

        policy = Backoff(base=0.5, cap=60.0, uniform=uniform)
        for attempt in (0, 1, 2, 7, 8, 5000):
            policy.delay(attempt)
        assert draws == [(0, 0.5), (0, 1.0), (0, 2.0), (0, 60.0), (0, 60.0), (0, 60.0)]

    def test_retry_after_is_honoured_exactly_up_to_the_cap(self) -> None:
        policy = Backoff(retry_after_cap=300.0)
        assert policy.delay(9, retry_after=42.0).seconds == 42.0
        assert not policy.delay(9, retry_after=42.0).capped
        assert policy.delay(0, retry_after=301.0).seconds == 300.0
        assert policy.delay(0, retry_after=301.0).capped

    def test_the_real_jitter_stays_in_bounds(self) -> None:
        policy = Backoff(base=1.0, cap=4.0)
        assert all(0.0 <= policy.delay(attempt).seconds <= 4.0 for attempt in range(200))


# The service's history as steps: new versions (some visible late, within the contract's
# 120 s), transient faults, and sync passes with various page sizes.
_put = st.tuples(
    st.just("put"),
    st.sampled_from(["requests", "postbacks"]),
    st.integers(0, 15),  # which record: few ids, so that versions pile up
    st.floats(0, 30),  # how far the service's clock moves on
    st.one_of(st.just(0.0), st.floats(0, 120)),  # how late the version becomes visible
)
_fault = st.tuples(
    st.just("fault"),
    st.sampled_from(["429", "503", "reset", "timeout", "malformed"]),
)
_sync = st.tuples(st.just("sync"), st.integers(1, 7))
_FAULTS: dict[str, Fault] = {
    "429": answer(429, headers={"Retry-After": "1"}),
    "503": answer(503),
    "reset": raising(httpx.RemoteProtocolError),
    "timeout": raising(httpx.ReadTimeout),
    "malformed": answer(200, content=b'{"data": [{"oops": 1}], "has_more": true}'),
}


@settings(max_examples=40, deadline=None)
@given(steps=st.lists(st.one_of(_put, _put, _put, _fault, _sync), min_size=1, max_size=40))
def test_after_every_pass_the_store_holds_what_the_service_serves(
    engine: StoreEngine, steps: list[tuple[object, ...]]
) -> None:
    api = FakeLogApi()
    clock = 0.0
    makers: dict[str, Callable[..., LogRecord]] = {
        "requests": request_record,
        "postbacks": postback_record,
    }
    prefixes = {"requests": "req", "postbacks": "pb"}
    with (
        engine.database() as store_url,
        LogApiClient(URL, KEY, transport=api.transport()) as client,
        Store.open(store_url) as store,
    ):
        client.health()  # like the simulator, the fake's faults never hit the health check
        for step in [*steps, ("sync", 3)]:
            match step:
                case ("put", str(kind), int(number), float(advance), float(lateness)):
                    clock += advance
                    record_id = f"{prefixes[kind]}_{number:02}"
                    previous = api.records[kind].get(record_id)
                    updated_at = at(clock - lateness)
                    if previous is not None and updated_at <= previous.updated_at:
                        updated_at = previous.updated_at + timedelta(microseconds=1)
                    api.put(makers[kind](record_id, updated_at, status="failed"))
                case ("fault", str(name)):
                    api.fail_next(_FAULTS[name])
                case ("sync", int(page_size)):
                    sync_once(client, store, page_size=page_size, sleep=Sleeps())
                    assert truth(store, "requests") == served(api, "requests")
                    assert truth(store, "postbacks") == served(api, "postbacks")
