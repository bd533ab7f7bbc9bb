"""The actions client alone: what it sends, how it retries with the same key, what it raises."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest

from orderdesk.core.actions_client import (
    ActionIntent,
    ActionsClient,
    Capability,
    new_idempotency_key,
)
from orderdesk.core.backoff import Backoff
from orderdesk.core.client import LogApiClient
from orderdesk.core.errors import (
    ActionOutcomeUnknown,
    ActionRefused,
    ActionsUnsupported,
    AuthenticationError,
    IdempotencyMismatch,
    InvalidAction,
    NeedsForce,
    ReadOnlyKeyError,
    SourceError,
    TargetNotFound,
)

URL = "http://logs.example:8000"
INTENT = ActionIntent(actor="alice@support", reason="their endpoint is fixed")
ACTION = {
    "id": "act_1",
    "kind": "redeliver",
    "target": {"kind": "postbacks", "id": "pb_1"},
    "order_reference_id": "MT1001",
    "customer": {"id": "cus_1", "name": "Maple Threads"},
    "printer": {"id": "prn_1", "name": "Inkwell Press"},
    "actor": "alice@support",
    "reason": "their endpoint is fixed",
    "mode": None,
    "force": False,
    "idempotency_key": "k-1",
    "created_at": "2026-11-23T10:00:00.000000Z",
    "updated_at": "2026-11-23T10:00:00.000000Z",
    "status": "queued",
    "result": None,
}
HEALTH_1_1 = {"status": "ok", "time": "2026-11-23T10:00:00Z", "version": "1.1", "actions": True}

Answer = Callable[[httpx.Request], httpx.Response]


class Service:
    """A log API that answers health as told, and each POST with the next scripted answer."""

    def __init__(self, *posts: Answer, health: dict[str, Any] = HEALTH_1_1) -> None:
        self.health = health
        self.script = list(posts)
        self.posts: list[httpx.Request] = []

    def handle(self, request: httpx.Request) -> httpx.Response:
        if request.url.path == "/v1/health":
            return httpx.Response(200, json=self.health)
        self.posts.append(request)
        return self.script.pop(0)(request)


def answer(status: int, payload: Any = None, **headers: str) -> Answer:
    body = {"action": ACTION} if payload is None else payload
    return lambda request: httpx.Response(status, json=body, headers=headers)


def breaking(error: type[httpx.TransportError]) -> Answer:
    def handle(request: httpx.Request) -> httpx.Response:
        raise error("the connection broke", request=request)

    return handle


@pytest.fixture
def slept() -> list[float]:
    return []


@pytest.fixture
def connect(slept: list[float]) -> Iterator[Callable[..., ActionsClient]]:
    opened: list[LogApiClient] = []

    def connect(service: Service, tries: int = 5) -> ActionsClient:
        log_api = LogApiClient(URL, "key", transport=httpx.MockTransport(service.handle))
        opened.append(log_api)
        backoff = Backoff(base=1.0, uniform=lambda low, high: high)
        return ActionsClient(log_api, tries=tries, backoff=backoff, sleep=slept.append)

    yield connect
    for log_api in opened:
        log_api.close()


def _keys_and_bodies(service: Service) -> set[tuple[str, bytes]]:
    return {(r.headers["Idempotency-Key"], r.content) for r in service.posts}


class TestWhatIsSent:
    def test_a_redelivery_posts_the_intent_with_the_callers_key(
        self, connect: Callable[..., ActionsClient]
    ) -> None:
        service = Service(answer(202))
        sent = connect(service).redeliver("pb_1", INTENT, "k-1")
        (request,) = service.posts
        assert (request.method, request.url.path) == ("POST", "/v1/postbacks/pb_1/redeliver")
        assert request.headers["Idempotency-Key"] == "k-1"
        assert request.headers["X-API-KEY"] == "key"
        assert json.loads(request.content) == {
            "actor": "alice@support",
            "reason": "their endpoint is fixed",
            "force": False,
        }
        assert (sent.action.id, sent.action.status, sent.repeated, sent.tries) == (
            "act_1",
            "queued",
            False,
            1,
        )

    def test_a_resubmit_sends_its_mode_and_force(
        self, connect: Callable[..., ActionsClient]
    ) -> None:
        service = Service(answer(202))
        intent = ActionIntent("bob", "template fixed", force=True, mode="reprocess")
        connect(service).resubmit("req/1", intent, "k-2")
        (request,) = service.posts
        assert request.url.raw_path == b"/v1/requests/req%2F1/resubmit"
        assert json.loads(request.content)["mode"] == "reprocess"
        assert json.loads(request.content)["force"] is True

    def test_a_200_means_the_key_was_seen_and_nothing_new_was_sent(
        self, connect: Callable[..., ActionsClient]
    ) -> None:
        assert connect(Service(answer(200))).redeliver("pb_1", INTENT, "k-1").repeated

    @pytest.mark.parametrize(
        ("kind", "intent", "key", "words"),
        [
            ("redeliver", ActionIntent("", "r"), "k", "actor"),
            ("redeliver", ActionIntent("a" * 201, "r"), "k", "actor"),
            ("redeliver", ActionIntent("a", ""), "k", "reason"),
            ("redeliver", ActionIntent("a", "r", mode="final"), "k", "no mode"),
            ("resubmit", ActionIntent("a", "r"), "k", "needs a mode"),
            ("redeliver", INTENT, "", "idempotency key"),
            ("redeliver", INTENT, "k" * 101, "idempotency key"),
        ],
    )
    def test_an_intent_the_contract_refuses_is_not_sent(
        self,
        connect: Callable[..., ActionsClient],
        kind: str,
        intent: ActionIntent,
        key: str,
        words: str,
    ) -> None:
        service = Service()
        client = connect(service)
        act = client.redeliver if kind == "redeliver" else client.resubmit
        with pytest.raises(InvalidAction, match=words):
            act("x", intent, key)
        assert service.posts == []

    def test_new_keys_are_unique_and_fit_the_contract(self) -> None:
        keys = {new_idempotency_key() for _ in range(100)}
        assert len(keys) == 100 and all(1 <= len(key) <= 100 for key in keys)


class TestRetriesKeepTheKey:
    @pytest.mark.parametrize(
        "failure",
        [
            answer(500, {"error": "internal"}),
            answer(503, {"error": "unavailable"}),
            lambda request: httpx.Response(502, text="<html>Bad Gateway</html>"),
            breaking(httpx.ReadTimeout),
            breaking(httpx.RemoteProtocolError),
            breaking(httpx.ReadError),
            lambda request: httpx.Response(202, text='{"action": {"id": "act_1"'),
        ],
        ids=["500", "503", "502-html", "timeout", "reset", "read-error", "malformed"],
    )
    def test_a_transient_failure_is_retried_with_the_same_key_and_body(
        self, connect: Callable[..., ActionsClient], failure: Answer
    ) -> None:
        service = Service(failure, failure, answer(200))
        sent = connect(service).redeliver("pb_1", INTENT, "k-1")
        assert (sent.tries, sent.repeated) == (3, True)
        assert len(service.posts) == 3
        assert len(_keys_and_bodies(service)) == 1

    def test_429_waits_as_long_as_retry_after_says(
        self, connect: Callable[..., ActionsClient], slept: list[float]
    ) -> None:
        service = Service(answer(429, {"error": "slow down"}, **{"Retry-After": "7"}), answer(202))
        connect(service).redeliver("pb_1", INTENT, "k-1")
        assert slept == [7.0]
        assert len(_keys_and_bodies(service)) == 1

    def test_other_failures_back_off_exponentially(
        self, connect: Callable[..., ActionsClient], slept: list[float]
    ) -> None:
        fail = answer(503, {"error": "unavailable"})
        connect(Service(fail, fail, fail, answer(202))).redeliver("pb_1", INTENT, "k-1")
        assert slept == [1.0, 2.0, 4.0]

    def test_when_the_tries_run_out_the_outcome_is_unknown_and_the_key_is_given_back(
        self, connect: Callable[..., ActionsClient]
    ) -> None:
        service = Service(*[breaking(httpx.RemoteProtocolError)] * 3)
        with pytest.raises(ActionOutcomeUnknown) as raised:
            connect(service, tries=3).redeliver("pb_1", INTENT, "k-lost")
        assert raised.value.idempotency_key == "k-lost"
        assert "k-lost" in str(raised.value) and "3" in str(raised.value)
        assert len(service.posts) == 3


class TestRefusalsAreTypedAndNotRetried:
    @pytest.mark.parametrize(
        ("status", "payload", "error", "words"),
        [
            (400, {"error": "actor is required"}, InvalidAction, "actor is required"),
            (403, {"error": "forbidden: this key may only read"}, ReadOnlyKeyError, "only read"),
            (404, {"error": "not found"}, TargetNotFound, "no postback pb_1"),
            (409, {"error": "delivered", "code": "needs_force"}, NeedsForce, "force"),
            (
                422,
                {"error": "other body", "code": "idempotency_mismatch"},
                IdempotencyMismatch,
                "k-1",
            ),
        ],
    )
    def test_each_refusal_raises_its_error_after_one_post(
        self,
        connect: Callable[..., ActionsClient],
        status: int,
        payload: dict[str, str],
        error: type[Exception],
        words: str,
    ) -> None:
        service = Service(answer(status, payload))
        with pytest.raises(error, match=words):
            connect(service).redeliver("pb_1", INTENT, "k-1")
        assert len(service.posts) == 1

    def test_a_refusal_is_not_a_transient_error_and_a_read_only_key_is_an_auth_error(self) -> None:
        assert issubclass(NeedsForce, ActionRefused)
        assert issubclass(ReadOnlyKeyError, AuthenticationError)

    def test_a_409_without_needs_force_is_no_needs_force(
        self, connect: Callable[..., ActionsClient]
    ) -> None:
        service = Service(answer(409, {"error": "conflict"}))
        with pytest.raises(SourceError) as raised:
            connect(service).redeliver("pb_1", INTENT, "k-1")
        assert type(raised.value) is SourceError
        assert "409" in str(raised.value)

    def test_a_403_leaves_the_client_knowing_the_key_may_only_read(
        self, connect: Callable[..., ActionsClient]
    ) -> None:
        service = Service(answer(403, {"error": "forbidden: this key may only read"}))
        client = connect(service)
        with pytest.raises(ReadOnlyKeyError):
            client.redeliver("pb_1", INTENT, "k-1")
        with pytest.raises(ReadOnlyKeyError):
            client.redeliver("pb_1", INTENT, "k-2")
        assert len(service.posts) == 1
        assert client.capability() == Capability("1.1", may_act=False)


class TestDiscovery:
    def test_a_version_1_health_means_no_actions_and_nothing_is_posted(
        self, connect: Callable[..., ActionsClient]
    ) -> None:
        service = Service(health={"status": "ok", "time": "2026-11-23T10:00:00Z"})
        client = connect(service)
        assert client.capability() == Capability("1", may_act=False)
        assert not client.capability().has_actions
        with pytest.raises(ActionsUnsupported, match="version 1"):
            client.redeliver("pb_1", INTENT, "k-1")
        assert service.posts == []

    def test_a_key_that_may_only_read_posts_nothing(
        self, connect: Callable[..., ActionsClient]
    ) -> None:
        service = Service(health={**HEALTH_1_1, "actions": False})
        client = connect(service)
        assert client.capability() == Capability("1.1", may_act=False)
        with pytest.raises(ReadOnlyKeyError):
            client.resubmit("req_1", ActionIntent("a", "r", mode="final"), "k-1")
        assert service.posts == []

    @pytest.mark.parametrize(
        ("version", "actions", "has", "may"),
        [
            ("1.1", True, True, True),
            ("1.2", True, True, True),
            ("2", True, True, True),
            ("1", True, False, False),
            ("soon", True, False, False),
            ("1.1", "yes", True, False),
        ],
    )
    def test_versions_compare_as_numbers_and_only_true_means_may_act(
        self,
        connect: Callable[..., ActionsClient],
        version: str,
        actions: object,
        has: bool,
        may: bool,
    ) -> None:
        service = Service(health={**HEALTH_1_1, "version": version, "actions": actions})
        capability = connect(service).capability()
        assert (capability.has_actions, capability.may_act) == (has, may)
