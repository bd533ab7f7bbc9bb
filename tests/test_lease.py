"""One sync per store: the lease, on both engines, across stores and processes."""

from __future__ import annotations

import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import text

from orderdesk import strings
from orderdesk.core import migrations
from orderdesk.core.lease import Lease, LeaseHeld, lease_holder, read_status
from orderdesk.core.records import Watermark
from orderdesk.core.store import Store
from orderdesk.core.sync import SyncProgress
from orderdesk.sim.server import SimulatorServer
from orderdesk.sim.traffic import Simulation
from tests.record_factory import request


@pytest.fixture
def store(store_url: str) -> Iterator[Store]:
    with Store.open(store_url) as opened:
        yield opened


@pytest.fixture
def other(store_url: str, store: Store) -> Iterator[Store]:
    """A second Store on the same database, as another process would open it."""
    with Store.open(store_url) as opened:
        yield opened


_HOLD = """
import sys, time
from orderdesk.core.lease import Lease
from orderdesk.core.store import Store
store = Store.open(sys.argv[1])
lease = Lease.acquire(store, holder="child:1", heartbeat=0.2)
print("held", flush=True)
time.sleep(600)
"""


class TestTheLease:
    def test_only_one_store_holds_it(self, store: Store, other: Store) -> None:
        with Lease.acquire(store, holder="service:1"):
            with pytest.raises(LeaseHeld) as refused:
                Lease.acquire(other, holder="console:2")
            assert refused.value.holder == "service:1"
            assert "service:1 is already syncing" in str(refused.value)
            assert lease_holder(other) == "service:1"

    def test_released_it_is_free_for_another(self, store: Store, other: Store) -> None:
        with Lease.acquire(store, holder="service:1"):
            pass
        assert lease_holder(other) is None
        with Lease.acquire(other, holder="console:2"):
            assert lease_holder(store) == "console:2"
        status = read_status(store)
        assert status is not None and status.holders == ("service:1", "console:2")

    def test_a_killed_holder_lets_it_go(self, store_url: str, store: Store) -> None:
        child = subprocess.Popen(
            [sys.executable, "-c", _HOLD, store_url], stdout=subprocess.PIPE, text=True
        )
        try:
            assert child.stdout is not None and child.stdout.readline().strip() == "held"
            assert lease_holder(store) == "child:1"
        finally:
            child.kill()
            child.wait()
            assert child.stdout is not None
            child.stdout.close()
        # PostgreSQL frees it when the connection drops; SQLite when three beats are missed.
        deadline = time.monotonic() + 10
        while True:
            try:
                lease = Lease.acquire(store, holder="after:2")
                break
            except LeaseHeld:
                assert time.monotonic() < deadline, "the dead child's lease never lapsed"
                time.sleep(0.1)
        lease.release()


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    """A SQLite store: PostgreSQL's lock ends with its holder's connection, with no expiry
    and no heartbeat to test."""
    return str(tmp_path / "orderdesk.db")


class TestOnSqlite:
    def test_an_expired_lease_is_taken_over_and_its_holder_learns_it(self, sqlite_url: str) -> None:
        store_url = sqlite_url
        with Store.open(store_url) as first, Store.open(store_url) as second:
            stalled = Lease.acquire(first, holder="stalled:1", heartbeat=60)
            with pytest.raises(LeaseHeld):
                Lease.acquire(second, holder="console:2", heartbeat=60)
            with second.engine.begin() as connection:
                connection.execute(text("UPDATE sync_status SET expires_at = '2000-01-01'"))
            later = datetime.now(UTC) + timedelta(seconds=1)
            assert lease_holder(second, now=later) is None
            taken = Lease.acquire(second, holder="console:2", heartbeat=0.1)
            try:
                assert lease_holder(first) == "console:2"
            finally:
                stalled.release()
                taken.release()
            # Releasing a lease taken over leaves the new holder's row alone.
            after = read_status(first)
            assert after is not None
            assert after.holders == ("stalled:1", "console:2")

    def test_the_holder_renews_it(self, sqlite_url: str) -> None:
        with Store.open(sqlite_url) as store, Lease.acquire(store, holder="s:1", heartbeat=0.1):
            first = read_status(store)
            time.sleep(0.35)
            later = read_status(store)
            assert first is not None and later is not None
            assert first.expires_at is not None and later.expires_at is not None
            assert later.expires_at > first.expires_at


class TestTheStatus:
    def test_a_pass_is_written_and_read_back(self, store: Store, other: Store) -> None:
        record = request(id="r-1")
        store.save_page("requests", [record], Watermark(record.updated_at, record.id))
        synced = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
        with Lease.acquire(store, holder="service:1") as lease:
            lease.report(
                SyncProgress(caught_up=True, last_success_at=synced, last_error="HTTP 503")
            )
            status = read_status(other)
        assert status is not None
        assert status.holder == "service:1"
        assert status.last_success_at == synced
        assert status.last_error == "HTTP 503"
        assert status.watermark_at == record.updated_at
        after = read_status(other)
        assert after is not None
        assert after.holder is None

    def test_none_before_any_sync(self, store: Store) -> None:
        assert read_status(store) is None
        assert lease_holder(store) is None


def test_a_v2_store_gains_the_status_table(store_url: str) -> None:
    with Store.open(store_url) as store, store.engine.begin() as connection:
        connection.execute(text("DROP TABLE sync_status"))
        connection.execute(text("UPDATE meta SET value = '2' WHERE key = 'schema_version'"))
    with Store.open(store_url) as store:
        assert read_status(store) is None
        with Lease.acquire(store, holder="service:1"):
            assert lease_holder(store) == "service:1"
        with store.engine.connect() as connection:
            version = connection.execute(
                text("SELECT value FROM meta WHERE key = 'schema_version'")
            ).scalar_one()
    assert version == str(migrations.SCHEMA_VERSION)


KEY = "lease-test-key"


@pytest.fixture(scope="module")
def service() -> Iterator[SimulatorServer]:
    """An hour of frozen traffic: enough for a pass to store something."""
    sim = Simulation(seed=7, history=timedelta(hours=1), history_rate=2.0, rate=0.0)
    sim.freeze()
    with SimulatorServer(sim, api_key=KEY, live=False) as server:
        yield server


def _sync(service: SimulatorServer, store_url: str, *args: str) -> list[str]:
    return [
        sys.executable, "-m", "orderdesk", "sync", *args,
        "--api-url", service.url, "--api-key", KEY, "--db", store_url,
    ]  # fmt: skip


class TestTheSyncCommand:
    def test_follow_refuses_while_another_holds_the_lease(
        self, service: SimulatorServer, store_url: str, store: Store
    ) -> None:
        with Lease.acquire(store, holder="service-host:41"):
            done = subprocess.run(
                _sync(service, store_url, "--follow"), capture_output=True, text=True, timeout=60
            )
        assert done.returncode == 2
        assert done.stderr.strip().splitlines() == [
            strings.SYNC_LEASE_HELD.format(holder="service-host:41")
        ]

    def test_follow_holds_it_writes_its_status_and_lets_go_on_sigterm(
        self, service: SimulatorServer, store_url: str, store: Store
    ) -> None:
        follower = subprocess.Popen(
            _sync(service, store_url, "--follow", "--interval", "0.2"),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        try:
            deadline = time.monotonic() + 60
            while True:
                status = read_status(store)
                if status is not None and status.last_success_at and status.watermark_at:
                    break
                assert follower.poll() is None, follower.communicate()[1]
                assert time.monotonic() < deadline, "sync --follow never reported a pass"
                time.sleep(0.1)
            assert status.holder == f"{socket.gethostname()}:{follower.pid}"
            assert lease_holder(store) == status.holder
            with pytest.raises(LeaseHeld):
                Lease.acquire(store, holder="console:2")
        finally:
            follower.send_signal(signal.SIGTERM)
            _, errors = follower.communicate(timeout=30)
        # Stopped by a signal, it exits as shells expect (128 + 15), and gives the lease back.
        assert follower.returncode == 143, errors
        assert "caught up at" in errors or "stopped before catching up" in errors
        assert lease_holder(store) is None
