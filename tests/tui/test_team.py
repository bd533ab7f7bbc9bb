"""Team mode in the console: beside a sync service it syncs nothing, shows the service's freshness,
and takes over when the service stops."""

from __future__ import annotations

import os
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from orderdesk import strings
from orderdesk.cli.commands import main
from orderdesk.core import lease as lease_module
from orderdesk.core.lease import Lease, lease_holder
from orderdesk.core.lease import read_status as lease_status
from orderdesk.core.records import Watermark
from orderdesk.core.store import Store
from orderdesk.core.sync import SyncProgress
from orderdesk.core.sync_service import Source
from orderdesk.tui import launch
from orderdesk.tui.app import OrderdeskApp
from orderdesk.tui.widgets.status_line import StatusLine
from tests.record_factory import request
from tests.tui.simulated_day import ANCHOR
from tests.tui.tui_console import console, record_list, settled, shown, until


def _status(app: OrderdeskApp) -> str:
    return shown(app.screen.query_one(StatusLine)).plain


class RecordingOpener:
    """A source opener that notes every use; the source behind it never answers."""

    def __init__(self) -> None:
        self.opened = 0

    @contextmanager
    def __call__(self) -> Iterator[Source]:
        self.opened += 1
        # Nothing listens on port 9 of loopback: every attempt is refused.
        yield Source("http://127.0.0.1:9", None, interval=60)


def _save(store: Store, number: int) -> None:
    record = request(number, at=ANCHOR - timedelta(minutes=60 - number))
    store.save_page("requests", [record], Watermark(record.updated_at, record.id))


async def test_beside_a_service_it_syncs_nothing_shows_its_freshness_and_its_new_records(
    store_url: str,
) -> None:
    opener = RecordingOpener()
    with Store.open(store_url) as service, Store.open(store_url) as store:
        _save(service, 1)
        with Lease.acquire(service, holder="sync-host:7") as lease:
            lease.report(
                SyncProgress(caught_up=True, last_success_at=ANCHOR - timedelta(seconds=30))
            )
            app = console(store, open_source=opener, service_poll=0.1)
            async with app.run_test(size=(160, 30)) as pilot:
                await settled(pilot)
                line = _status(app)
                assert strings.FRESH_SERVICE.format(holder="sync-host:7") in line
                assert "synced 30 s ago" in line
                assert record_list(app).total == 1
                _save(service, 2)
                lease.report(
                    SyncProgress(caught_up=True, last_success_at=ANCHOR, last_error="HTTP 503")
                )
                await until(pilot, lambda: record_list(app).total == 2)
                await until(pilot, lambda: "HTTP 503" in _status(app))
                assert lease_holder(store) == "sync-host:7"
    assert opener.opened == 0


async def test_when_the_service_stops_it_takes_over_and_says_so(store_url: str) -> None:
    opener = RecordingOpener()
    with Store.open(store_url) as service, Store.open(store_url) as store:
        lease = Lease.acquire(service, holder="sync-host:7")
        lease.report(SyncProgress(caught_up=True, last_success_at=ANCHOR))
        app = console(store, open_source=opener, service_poll=0.1)
        async with app.run_test(size=(200, 30)) as pilot:
            await settled(pilot)
            assert opener.opened == 0
            lease.release()
            await until(pilot, lambda: strings.FRESH_TOOK_OVER in _status(app))
            await until(pilot, lambda: opener.opened == 1)
            assert lease_holder(store) == f"{socket.gethostname()}:{os.getpid()}"
        # Leaving, the console gave the lease back.
        assert lease_holder(store) is None


async def test_told_not_to_take_over_it_only_watches(store_url: str) -> None:
    opener = RecordingOpener()
    with Store.open(store_url) as service, Store.open(store_url) as store:
        lease = Lease.acquire(service, holder="sync-host:7")
        app = console(store, open_source=opener, service_poll=0.1, take_over=False)
        async with app.run_test(size=(200, 30)) as pilot:
            await settled(pilot)
            lease.release()
            await until(pilot, lambda: strings.FRESH_SERVICE_GONE in _status(app))
            await pilot.pause(0.3)
            assert opener.opened == 0


def test_no_take_over_on_the_command_line_reaches_the_console(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    given: dict[str, object] = {}

    class Recorder:
        def __init__(self, store: Store, **options: object) -> None:
            given.update(options)

        def run(self) -> None:
            pass

    monkeypatch.setattr(launch, "OrderdeskApp", Recorder)
    monkeypatch.setattr(launch, "drawing_on_terminal", nullcontext)
    assert main(["--db", str(tmp_path / "x.db"), "--no-take-over"]) == 0
    assert given["take_over"] is False


async def test_the_poll_reads_the_store_off_the_consoles_thread(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Across a network each read is round trips: on the console's thread they held
    # back the frame of any key pressed while the poll waited for its answers.
    threads: list[int] = []

    def read_status(store: Store) -> Any:
        threads.append(threading.get_ident())
        return lease_status(store)

    monkeypatch.setattr(lease_module, "read_status", read_status)
    path = tmp_path / "store.db"
    with Store.open(path) as service, Store.open(path) as store:
        lease = Lease.acquire(service, holder="sync-host:7")
        lease.report(SyncProgress(caught_up=True, last_success_at=ANCHOR))
        app = console(store, open_source=RecordingOpener(), service_poll=0.1)
        async with app.run_test(size=(160, 30)) as pilot:
            await settled(pilot)
            console_thread = threading.get_ident()
            await until(pilot, lambda: len(threads) >= 3)
            lease.report(
                SyncProgress(caught_up=True, last_success_at=ANCHOR, last_error="HTTP 503")
            )
            await until(pilot, lambda: "HTTP 503" in _status(app))
        lease.release()
    # The first read, before the console is shown, decides whether it syncs.
    assert threads[0] == console_thread
    assert console_thread not in threads[1:]
