"""The sync follows the action trail (log API 1.1) into the store, over HTTP, on every engine."""

from __future__ import annotations

import json
import threading
import time
import uuid
from collections.abc import Iterator, Sequence
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from orderdesk.core.action_records import ActionPage, ActionRecord
from orderdesk.core.action_sync import TrailFollower
from orderdesk.core.action_trail import list_actions, trail_watermark
from orderdesk.core.client import LogApiClient
from orderdesk.core.pages import SaveResult
from orderdesk.core.records import PostbackRecord, RequestRecord, Watermark
from orderdesk.core.store import Store
from orderdesk.core.sync import sync_once
from orderdesk.core.sync_service import Source, SyncService
from orderdesk.sim import Simulation, SimulatorServer
from tests.cli_run import orderdesk_here
from tests.fake_log_api import KEY as FAKE_KEY
from tests.fake_log_api import FakeLogApi, over_http, request_record
from tests.fake_log_api import at as fake_at

KEY = "sim-key"
READ_KEY = "read-key"

pytestmark = pytest.mark.slow


def _world() -> Simulation:
    """Six hours of history and no new orders: only actions and pending steps move."""
    return Simulation(
        seed=5, history=timedelta(hours=6), history_rate=4.0, rate=0.0, tick_seconds=0.05
    )


def _ask(sim: Simulation, count: int, prefix: str) -> list[str]:
    """Redeliver ``count`` failed postbacks and resubmit as many failed requests; their ids."""
    postbacks = [
        p
        for p in sim.records("postbacks")
        if isinstance(p, PostbackRecord) and p.status == "failed"
    ]
    requests = [
        r for r in sim.records("requests") if isinstance(r, RequestRecord) and r.status == "failed"
    ]
    ids = []
    for n in range(count):
        # Forced: an earlier test may have delivered it already.
        body = {"actor": f"alice-{n}", "reason": "ticket 4411", "force": True}
        answer = sim.actions.ask(
            "redeliver", postbacks[n].id, json.dumps(body).encode(), f"{prefix}-pb-{n}"
        )
        ids.append(answer.payload["action"]["id"])
        resubmit = {**body, "mode": "reprocess"}
        answer = sim.actions.ask(
            "resubmit", requests[n].id, json.dumps(resubmit).encode(), f"{prefix}-req-{n}"
        )
        ids.append(answer.payload["action"]["id"])
    return ids


def _served(url: str, key: str = KEY) -> dict[str, ActionRecord]:
    """Every action the service lists now, by id: what a complete sync must hold."""
    found: dict[str, ActionRecord] = {}
    after: dict[str, Any] = {}
    with httpx.Client(base_url=url, headers={"X-API-KEY": key}) as http:
        while True:
            page = ActionPage.model_validate_json(
                http.get("/v1/actions", params={"limit": 1000, **after}).content
            )
            found.update((a.id, a) for a in page.data)
            if not page.has_more or not page.data:
                return found
            last = page.data[-1]
            after = {"updated_after": last.updated_at.isoformat(), "after_id": last.id}


def _settled(sim: Simulation, url: str, ids: list[str]) -> dict[str, ActionRecord]:
    """The trail once every one of ``ids`` has finished."""
    deadline = time.monotonic() + 40
    while time.monotonic() < deadline:
        served = _served(url)
        if all(i in served and served[i].done for i in ids):
            return served
        time.sleep(0.05)
    raise AssertionError("the actions did not finish")


def _stored(store: Store) -> dict[str, ActionRecord]:
    return {a.id: a for a in list_actions(store, limit=100_000).actions}


@pytest.fixture(scope="module")
def sim() -> Simulation:
    return _world()


@pytest.fixture(scope="module")
def server(sim: Simulation) -> Iterator[SimulatorServer]:
    with SimulatorServer(sim, api_key=KEY, read_key=READ_KEY) as server:
        yield server


def test_actions_made_at_the_service_reach_the_store_and_a_resync_changes_nothing(
    sim: Simulation, server: SimulatorServer, store_url: str
) -> None:
    ids = _ask(sim, 3, f"first-{uuid.uuid4().hex}")
    served = _settled(sim, server.url, ids)
    with LogApiClient(server.url, KEY) as client, Store.open(store_url) as store:
        trail = TrailFollower(client, store)
        sync_once(client, store)  # the records first, in big pages
        progress = sync_once(client, store, page_size=2, trail=trail)
        assert progress.caught_up and progress.actions is not None
        assert progress.actions.new == len(served)
        # The trail is not counted as records.
        assert progress.new == sum(progress.per_kind[k].new for k in progress.per_kind)
        assert _stored(store) == served
        newest = max(served.values(), key=lambda a: (a.updated_at, a.id))
        assert trail_watermark(store) == Watermark(newest.updated_at, newest.id)
        again = sync_once(client, store, page_size=2, trail=trail)
        assert again.actions is not None
        assert (again.actions.new, again.actions.updated) == (0, 0)
        assert _stored(store) == served


def test_a_later_version_of_an_action_replaces_the_stored_one(
    sim: Simulation, server: SimulatorServer, store_url: str
) -> None:
    with LogApiClient(server.url, KEY) as client, Store.open(store_url) as store:
        trail = TrailFollower(client, store)
        (action_id, *_) = _ask(sim, 1, f"newer-{uuid.uuid4().hex}")
        sync_once(client, store, trail=trail)
        first = _stored(store)[action_id]
        final = _settled(sim, server.url, [action_id])[action_id]
        sync_once(client, store, trail=trail)
        assert _stored(store)[action_id] == final
        assert final.updated_at >= first.updated_at
        assert final.done


def test_a_read_only_key_still_syncs_the_trail(server: SimulatorServer, store_url: str) -> None:
    with LogApiClient(server.url, READ_KEY) as client, Store.open(store_url) as store:
        progress = sync_once(client, store, trail=TrailFollower(client, store))
        assert progress.actions is not None
        assert set(_stored(store)) == set(_served(server.url, READ_KEY))


class StoppingAfter(TrailFollower):
    """A follower whose run is stopped (as by Ctrl-C) once it has saved ``pages`` pages."""

    def __init__(self, client: LogApiClient, store: Store, pages: int) -> None:
        super().__init__(client, store)
        self.stop = threading.Event()
        self._left = pages

    def save(self, actions: Sequence[ActionRecord], watermark: Watermark) -> SaveResult:
        saved = super().save(actions, watermark)
        self._left -= 1
        if self._left == 0:
            self.stop.set()
        return saved


def test_a_sync_stopped_between_pages_resumes_from_the_trails_watermark(
    sim: Simulation, server: SimulatorServer, store_url: str
) -> None:
    _settled(sim, server.url, _ask(sim, 2, f"atomic-{uuid.uuid4().hex}"))
    with LogApiClient(server.url, KEY) as client, Store.open(store_url) as store:
        sync_once(client, store)  # the records first, in big pages
        stopping = StoppingAfter(client, store, pages=2)
        progress = sync_once(client, store, page_size=1, trail=stopping, stop=stopping.stop)
        assert progress.interrupted
        mark = trail_watermark(store)
        assert mark is not None
        stored = _stored(store)
        assert len(stored) == 2
        assert max((a.updated_at, a.id) for a in stored.values()) == (mark.updated_at, mark.id)
        sync_once(client, store, trail=TrailFollower(client, store))
        assert _stored(store) == _served(server.url)


def test_a_version_1_source_is_skipped_quietly_and_asked_once_per_run(store_url: str) -> None:
    api = FakeLogApi()
    api.put(request_record("r1", fake_at(1)))
    with over_http(api) as url:
        stop = threading.Event()
        passes: list[int] = []

        def count(progress: Any) -> None:
            if progress.caught_up:
                passes.append(1)
                assert progress.actions is None
                if len(passes) == 3:
                    stop.set()

        service = SyncService(store_url, Source(url, FAKE_KEY, interval=0.01))
        last = service.follow(stop, lambda report: count(report.progress))
        assert last is not None and last.caught_up
        with Store.open(store_url) as store:
            assert trail_watermark(store) is None
            assert store.watermark("requests") is not None
    asked = [r.url.path for r in api.seen]
    assert len(passes) >= 3
    assert asked.count("/v1/health") <= 2
    assert "/v1/actions" not in asked


def test_orderdesk_sync_brings_the_trail_and_orderdesk_actions_lists_it(
    sim: Simulation, server: SimulatorServer, tmp_path: Path
) -> None:
    ids = _ask(sim, 1, f"cli-{uuid.uuid4().hex}")
    _settled(sim, server.url, ids)
    db = str(tmp_path / "orderdesk.db")
    synced = orderdesk_here("sync", "--once", "--api-url", server.url, "--api-key", KEY, "--db", db)
    assert synced.returncode == 0, synced.stderr
    assert "action trail: " in synced.stdout + synced.stderr
    listed = orderdesk_here("actions", "--db", db, "--format", "jsonl", "--limit", "0")
    assert listed.returncode == 0, listed.stderr
    shown = {json.loads(line)["id"] for line in listed.stdout.splitlines()}
    assert set(ids) <= shown
    assert shown == set(_served(server.url))
