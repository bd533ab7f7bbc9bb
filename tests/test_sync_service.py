"""The sync as a process runs it: the store opened, the lease held and given back, progress told.

A fake log API answers over loopback, so the service opens its own client as
``orderdesk sync`` and the console do.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from orderdesk.core.errors import SourceError
from orderdesk.core.lease import Lease, LeaseHeld, lease_holder, read_status
from orderdesk.core.progress import SyncProgress, SyncReport
from orderdesk.core.records import KINDS, Watermark
from orderdesk.core.store import Store
from orderdesk.core.sync_service import Following, Source, SyncService
from tests.fake_log_api import (
    KEY,
    FakeLogApi,
    answer,
    at,
    over_http,
    postback_record,
    request_record,
)


@pytest.fixture
def api() -> FakeLogApi:
    """Three requests and two postbacks."""
    fake = FakeLogApi()
    fake.put(*(request_record(f"r{n}", at(n)) for n in range(1, 4)))
    fake.put(postback_record("p1", at(4)), postback_record("p2", at(5)))
    return fake


@pytest.fixture
def url(api: FakeLogApi) -> Iterator[str]:
    with over_http(api) as served:
        yield served


class Opener:
    """A source opener that counts how often the source was opened, and closed."""

    def __init__(self, source: Source) -> None:
        self.source = source
        self.opened = self.closed = 0

    @contextmanager
    def __call__(self) -> Iterator[Source]:
        self.opened += 1
        try:
            yield self.source
        finally:
            self.closed += 1


def test_catching_up_stores_everything_tells_each_arrival_once_and_gives_the_lease_back(
    store_url: str, url: str
) -> None:
    reports: list[SyncReport] = []
    service = SyncService(store_url, Source(url, KEY))

    progress = service.catch_up(threading.Event(), reports.append, attempts=3)

    assert progress is not None and progress.caught_up
    assert sum(report.new for report in reports) == 5
    assert sum(report.stored for report in reports) == 5
    assert reports[-1].progress.caught_up
    with Store.open(store_url) as store:
        assert [store.watermark(kind) for kind in KINDS] == [
            Watermark(at(3), "r3"),
            Watermark(at(5), "p2"),
        ]
        assert lease_holder(store) is None
        status = read_status(store)
        assert status is not None and status.last_success_at == progress.last_success_at


def test_following_says_where_from_and_to_and_stops_when_asked(
    tmp_path: Path, api: FakeLogApi, url: str
) -> None:
    stop = threading.Event()
    told: list[Following] = []
    news: list[int] = []

    def progressed(report: SyncReport) -> None:
        news.append(report.new)
        if report.progress.caught_up:
            if len(news) > 3:
                stop.set()  # the second pass found nothing new: enough
            api.put(request_record("r4", at(6)))

    credentials = url.replace("http://", "http://someone:secret@")
    opener = Opener(Source(credentials, KEY, interval=0.1))
    service = SyncService(str(tmp_path / "orderdesk.db"), opener)

    last = service.follow(stop, progressed, on_following=told.append)

    assert last is not None and last.caught_up
    # The address is told without the credentials it was given.
    assert told == [Following(url, f"sqlite:///{tmp_path / 'orderdesk.db'}", 0.1)]
    # The first pass brought five records; the next only the one put meanwhile.
    assert sum(news[:3]) == 5 and sum(news[3:]) == 1
    assert (opener.opened, opener.closed) == (1, 1)


def test_a_store_another_process_syncs_is_refused_and_no_source_is_opened(
    store_url: str, url: str
) -> None:
    opener = Opener(Source(url, KEY))
    with (
        Store.open(store_url) as other,
        Lease.acquire(other, holder="service:1"),
        pytest.raises(LeaseHeld) as refused,
    ):
        SyncService(store_url, opener).follow(threading.Event())
    assert refused.value.holder == "service:1"
    assert opener.opened == 0


def test_waiting_for_the_lease_names_its_holder_and_a_stop_ends_the_wait(
    store_url: str, url: str
) -> None:
    stop = threading.Event()
    holders: list[str] = []

    def waiting(holder: str) -> None:
        holders.append(holder)
        stop.set()  # give up at once: Ctrl-C while waiting

    opener = Opener(Source(url, KEY))
    with Store.open(store_url) as other, Lease.acquire(other, holder="service:1"):
        service = SyncService(store_url, opener, heartbeat=0.1)
        assert service.catch_up(stop, attempts=3, waiting=waiting) is None
    assert holders == ["service:1"]
    assert opener.opened == 0


def test_waiting_for_the_lease_syncs_once_its_holder_lets_go(tmp_path: Path, url: str) -> None:
    path = tmp_path / "orderdesk.db"
    with Store.open(path) as other:
        lease = Lease.acquire(other, holder="service:1")
        service = SyncService(str(path), Source(url, KEY), heartbeat=0.1)
        progress = service.catch_up(
            threading.Event(), attempts=3, waiting=lambda holder: lease.release()
        )
    assert progress is not None and progress.caught_up and progress.new == 5


def test_a_source_that_refuses_for_good_raises_and_the_lease_is_given_back(
    tmp_path: Path, api: FakeLogApi, url: str
) -> None:
    # The health check is answered; the first page is refused for good.
    api.fail_next(lambda request: None, answer(400, json={"error": "bad cursor"}))
    opener = Opener(Source(url, KEY, interval=60))
    path = tmp_path / "orderdesk.db"

    with pytest.raises(SourceError, match="bad cursor"):
        SyncService(str(path), opener).follow(threading.Event())

    assert (opener.opened, opener.closed) == (1, 1)
    with Store.open(path) as store:
        assert lease_holder(store) is None


def test_catching_up_from_a_source_that_never_answers_fails_at_once(tmp_path: Path) -> None:
    # Nothing listens on port 9 of loopback: a person typing `sync` hears it now.
    service = SyncService(str(tmp_path / "orderdesk.db"), Source("http://127.0.0.1:9"))
    with pytest.raises(SourceError, match="cannot reach"):
        service.catch_up(threading.Event(), attempts=7)


class TestSyncReport:
    def test_counts_what_arrived_since_the_last_report_of_the_same_pass(self) -> None:
        first = SyncProgress(new=3, stored=4)
        report = SyncReport.since(first, SyncProgress(new=5, stored=9))
        assert (report.new, report.stored) == (2, 5)

    def test_a_pass_after_one_that_caught_up_counts_from_zero(self) -> None:
        ended = SyncProgress(new=5, stored=9, caught_up=True)
        report = SyncReport.since(ended, SyncProgress(new=1, stored=2))
        assert (report.new, report.stored) == (1, 2)

    def test_the_first_report_counts_everything(self) -> None:
        report = SyncReport.since(None, SyncProgress(new=2, stored=3))
        assert (report.new, report.stored, report.progress.new) == (2, 3, 2)
