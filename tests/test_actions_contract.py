"""Log API 1.1 end to end: the actions client against the simulator, over real loopback HTTP.

The version 1 server is the project's own fake log API (``tests.fake_log_api``),
served over HTTP: it was written for version 1 and knows nothing of actions, so
it is what an older service looks like, without a version 1 mode in the
simulator that could drift from the real thing.
"""

from __future__ import annotations

import re
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import timedelta

import httpx
import pytest

from orderdesk.core.action_records import ActionRecord
from orderdesk.core.actions_client import ActionIntent, ActionsClient, Capability
from orderdesk.core.backoff import Backoff
from orderdesk.core.client import LogApiClient
from orderdesk.core.errors import (
    ActionsUnsupported,
    IdempotencyMismatch,
    NeedsForce,
    ReadOnlyKeyError,
    TargetNotFound,
)
from orderdesk.core.records import PostbackRecord, RequestRecord, Watermark
from orderdesk.sim import Faults, Simulation, SimulatorServer
from tests.fake_log_api import KEY as V1_KEY
from tests.fake_log_api import FakeLogApi, over_http

#: Where `orderdesk simulate` says it serves.
_AT = re.compile(r" at (http://\S+)")

KEY = "act-key"
READ_KEY = "read-key"
INTENT = ActionIntent(actor="alice@support", reason="their endpoint is fixed (ticket 4411)")


@pytest.fixture(scope="module")
def sim() -> Simulation:
    return Simulation(
        seed=5, history=timedelta(hours=6), history_rate=4.0, rate=0.0, tick_seconds=0.05
    )


@pytest.fixture(scope="module")
def faults() -> Faults:
    return Faults(retry_after_seconds=0)


@pytest.fixture(scope="module")
def server(sim: Simulation, faults: Faults) -> Iterator[SimulatorServer]:
    with SimulatorServer(sim, api_key=KEY, read_key=READ_KEY, faults=faults) as server:
        yield server


def _client(url: str, key: str) -> Iterator[ActionsClient]:
    with LogApiClient(url, key, timeout=5) as log_api:
        yield ActionsClient(log_api, backoff=Backoff(base=0.01, cap=0.05))


@pytest.fixture
def actions(server: SimulatorServer) -> Iterator[ActionsClient]:
    yield from _client(server.url, KEY)


def _postbacks(sim: Simulation, status: str) -> list[PostbackRecord]:
    return [
        p for p in sim.records("postbacks") if isinstance(p, PostbackRecord) and p.status == status
    ]


def finished(actions: ActionsClient, action_id: str) -> ActionRecord:
    deadline = time.monotonic() + 40
    while time.monotonic() < deadline:
        action = actions.get_action(action_id)
        if action is not None and action.done:
            return action
        time.sleep(0.05)
    raise AssertionError(f"action {action_id} did not finish")


class TestDiscovery:
    def test_the_simulator_lets_its_key_act(self, actions: ActionsClient) -> None:
        assert actions.capability() == Capability("1.1", may_act=True)

    def test_a_read_key_may_not_act_and_nothing_is_sent(
        self, sim: Simulation, server: SimulatorServer
    ) -> None:
        for reader in _client(server.url, READ_KEY):
            assert reader.capability() == Capability("1.1", may_act=False)
            postback = _postbacks(sim, "failed")[0]
            with pytest.raises(ReadOnlyKeyError, match="may only read"):
                reader.redeliver(postback.id, INTENT, "k-reader")
            assert reader.fetch_page(None).data is not None  # reading is allowed
        assert f"postbacks/{postback.id}" not in server.sent

    def test_a_version_1_server_has_no_actions(self) -> None:
        fake = FakeLogApi()
        with over_http(fake) as url:
            for actions in _client(url, V1_KEY):
                assert actions.capability() == Capability("1", may_act=False)
                with pytest.raises(ActionsUnsupported, match="version 1"):
                    actions.redeliver("pb_1", INTENT, "k-v1")
                with pytest.raises(ActionsUnsupported):
                    actions.fetch_page(None)
        assert {request.method for request in fake.seen} == {"GET"}


class TestActing:
    def test_a_repeated_key_gets_the_first_answer_and_another_target_is_refused(
        self, sim: Simulation, server: SimulatorServer, actions: ActionsClient
    ) -> None:
        one, other = _postbacks(sim, "failed")[:2]
        first = actions.redeliver(one.id, INTENT, "k-repeat")
        assert (first.repeated, first.action.status) == (False, "queued")
        finished(actions, first.action.id)
        again = actions.redeliver(one.id, INTENT, "k-repeat")
        assert again.repeated and again.action == first.action
        with pytest.raises(IdempotencyMismatch, match="k-repeat"):
            actions.redeliver(other.id, INTENT, "k-repeat")
        assert server.sent[f"postbacks/{one.id}"] == 1
        assert f"postbacks/{other.id}" not in server.sent

    def test_a_delivered_postback_needs_force(
        self, sim: Simulation, actions: ActionsClient
    ) -> None:
        delivered = _postbacks(sim, "delivered")[0]
        with pytest.raises(NeedsForce, match=delivered.id):
            actions.redeliver(delivered.id, INTENT, "k-force")
        forced = ActionIntent(INTENT.actor, INTENT.reason, force=True)
        sent = actions.redeliver(delivered.id, forced, "k-force-2")
        assert sent.action.force
        assert finished(actions, sent.action.id).status == "succeeded"

    def test_an_unknown_target_is_not_found(self, actions: ActionsClient) -> None:
        with pytest.raises(TargetNotFound, match="req_nope"):
            actions.resubmit("req_nope", ActionIntent("a", "r", mode="final"), "k-404")

    def test_a_resubmit_is_traced_to_a_new_request(
        self, sim: Simulation, actions: ActionsClient
    ) -> None:
        original = next(
            r
            for r in sim.records("requests")
            if isinstance(r, RequestRecord) and r.customer.id == "cus_maplethreads"
            if r.error is not None and r.error.code == "invalid_product"
        )
        intent = ActionIntent("bob@support", "lookup table fixed", mode="reprocess")
        done = finished(actions, actions.resubmit(original.id, intent, "k-reprocess").action.id)
        assert done.status == "succeeded" and done.result is not None
        assert done.result.record_id is not None
        made = sim.get("requests", done.result.record_id)
        assert isinstance(made, RequestRecord)
        assert (made.resubmit_of, made.action_id, made.status) == (
            original.id,
            done.id,
            "succeeded",
        )


class TestExactlyOnce:
    def test_a_post_reset_after_acting_is_retried_with_its_key_and_sent_once(
        self, sim: Simulation, server: SimulatorServer, faults: Faults, actions: ActionsClient
    ) -> None:
        postback = _postbacks(sim, "failed")[2]
        # Refused twice before acting, then acted on with its answer lost, then answered.
        faults.next("429", "5xx", "reset")
        sent = actions.redeliver(postback.id, INTENT, "k-reset")
        assert (sent.tries, sent.repeated) == (4, True)
        done = finished(actions, sent.action.id)
        assert done.idempotency_key == "k-reset"
        assert server.sent[f"postbacks/{postback.id}"] == 1
        trail = [a for a in actions.fetch_page(None).data if a.target.id == postback.id]
        assert [a.id for a in trail] == [done.id]


class TestTheTrail:
    def test_action_pages_follow_the_keyset(self, sim: Simulation, actions: ActionsClient) -> None:
        for index, postback in enumerate(_postbacks(sim, "failed")[3:6]):
            finished(actions, actions.redeliver(postback.id, INTENT, f"k-page-{index}").action.id)
        seen: list[ActionRecord] = []
        after: Watermark | None = None
        while True:
            page = actions.fetch_page(after, limit=2)
            seen += page.data
            if not page.has_more:
                break
            after = Watermark(page.data[-1].updated_at, page.data[-1].id)
        keys = [(a.updated_at, a.id) for a in seen]
        assert len(keys) >= 3 and keys == sorted(keys) and len(set(keys)) == len(keys)

    def test_a_late_action_is_found_only_by_rereading_the_window(self) -> None:
        sim = Simulation(seed=3, history=timedelta(hours=1), history_rate=4.0, rate=0.0)
        sim.freeze()  # the action stays queued: one version, hidden until settle()
        faults = Faults(late=1.0, late_max_seconds=60, seed=1)
        with SimulatorServer(sim, api_key=KEY, faults=faults, live=False) as server:
            for actions in _client(server.url, KEY):
                postback = _postbacks(sim, "failed")[0]
                queued = actions.redeliver(postback.id, INTENT, "k-late").action
                assert actions.fetch_page(None).data == []
                newest = Watermark(sim.now())
                sim.settle()
                assert actions.fetch_page(newest).data == []
                window = Watermark(newest.updated_at - timedelta(seconds=120))
                assert [a.id for a in actions.fetch_page(window).data] == [queued.id]


def test_orderdesk_simulate_serves_a_key_that_may_only_read() -> None:
    """The command line's simulator, as a user starts it: --api-key acts, --read-key reads."""
    command = [sys.executable, "-m", "orderdesk", "simulate", "--port", "0", "--history", "1h"]
    command += ["--rate", "0/min", "--api-key", "act-key", "--read-key", "read-key"]
    with subprocess.Popen(command, stderr=subprocess.PIPE, text=True) as simulator:
        try:
            assert simulator.stderr is not None
            url = next(
                (found.group(1) for line in simulator.stderr if (found := _AT.search(line))),
                None,
            )
            assert url is not None, "the simulator never said where it serves"
            for key, acts in (("act-key", True), ("read-key", False)):
                health = httpx.get(f"{url}/v1/health", headers={"X-API-KEY": key}, timeout=10)
                assert (health.status_code, health.json()["actions"]) == (200, acts)
            page = httpx.get(f"{url}/v1/postbacks", headers={"X-API-KEY": "read-key"}, timeout=10)
            postback = page.json()["data"][0]["id"]
            refused = httpx.post(
                f"{url}/v1/postbacks/{postback}/redeliver",
                headers={"X-API-KEY": "read-key", "Idempotency-Key": "k1"},
                json={"actor": "alice", "reason": "a test"},
                timeout=10,
            )
            assert refused.status_code == 403
            assert refused.json() == {"error": "forbidden: this key may only read"}
        finally:
            simulator.send_signal(signal.SIGINT)
            try:
                simulator.communicate(timeout=30)
            except subprocess.TimeoutExpired:
                simulator.kill()  # or leaving the block would wait for it forever
                raise
