"""One `sync --follow` process and five viewers on one store, while the service misbehaves live."""

from __future__ import annotations

import signal
import subprocess
import sys
import threading
import time
from datetime import timedelta

import pytest

from orderdesk.core.lease import Lease, LeaseHeld, lease_holder, read_status
from orderdesk.core.queries import RecordQuery, count, get_record, list_summaries
from orderdesk.core.query_check import truth
from orderdesk.core.records import KINDS
from orderdesk.core.store import Store
from orderdesk.sim.faults import Faults
from orderdesk.sim.server import SimulatorServer
from orderdesk.sim.traffic import Simulation

KEY = "team-key"
VIEWERS = 5


def _view(
    store_url: str, stop: threading.Event, errors: list[BaseException], reads: list[int]
) -> None:
    """What a console does: list, count, open a record, read the service's row; never sync."""
    try:
        with Store.open(store_url) as store:
            while not stop.is_set():
                for kind in KINDS:
                    summaries = list_summaries(store, RecordQuery(kind), limit=50)
                    count(store, RecordQuery(kind))
                    if summaries:
                        assert get_record(store, kind, summaries[0].id) is not None
                read_status(store)
                if lease_holder(store) is not None:
                    # A console with a source would try; the service must keep it.
                    with pytest.raises(LeaseHeld):
                        Lease.acquire(store, holder="viewer:0").release()
                reads.append(1)
                time.sleep(0.05)
    except BaseException as error:  # handed to the test's thread, which reports it
        errors.append(error)


def test_one_service_five_viewers_live_traffic_with_faults(store_url: str) -> None:
    sim = Simulation(
        seed=11, history=timedelta(minutes=10), history_rate=5.0, rate=600.0, tick_seconds=0.05
    )
    faults = Faults.parse("429=0.05,5xx=0.05,late=0.2,late_max=2,seed=3")
    stop = threading.Event()
    errors: list[BaseException] = []
    reads: list[int] = []
    with SimulatorServer(sim, api_key=KEY, faults=faults) as server:
        Store.open(store_url).close()  # the schema exists before anyone reads
        command = [
            sys.executable, "-m", "orderdesk", "sync", "--follow", "--interval", "0.2",
            "--api-url", server.url, "--api-key", KEY, "--db", store_url,
        ]  # fmt: skip
        service = subprocess.Popen(
            command,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        viewers = [
            threading.Thread(target=_view, args=(store_url, stop, errors, reads))
            for _ in range(VIEWERS)
        ]
        for viewer in viewers:
            viewer.start()
        try:
            time.sleep(6)
            sim.freeze()
            sim.settle()
            with Store.open(store_url) as store:
                deadline = time.monotonic() + 60
                while any(truth(store, kind) != sim.truth(kind) for kind in KINDS):
                    assert service.poll() is None, service.communicate()[1]
                    assert time.monotonic() < deadline, "the service never caught up"
                    time.sleep(0.3)
        finally:
            stop.set()
            for viewer in viewers:
                viewer.join(timeout=30)
            service.send_signal(signal.SIGTERM)
            _, stderr = service.communicate(timeout=30)
    # Stopped by SIGTERM, the service exits 128 + 15, as shells and service managers expect.
    assert service.returncode == 143, stderr
    assert not errors, errors
    assert len(reads) > VIEWERS * 10
    with Store.open(store_url) as store:
        for kind in KINDS:
            assert truth(store, kind) == sim.truth(kind)
        status = read_status(store)
    assert status is not None
    assert status.holders == (f"{status.holders[0].split(':')[0]}:{service.pid}",)
