"""The simulator acts (log API 1.1): redeliveries and resubmits over real HTTP, and what they do."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import httpx
import pytest

from orderdesk.core.action_records import ActionRecord
from orderdesk.core.records import PostbackRecord, RequestRecord, format_timestamp
from orderdesk.sim import Faults, Simulation, SimulatorServer
from orderdesk.sim.outcomes import back_at

KEY = "act-key"
READ_KEY = "read-key"
BODY = {"actor": "alice@support", "reason": "their endpoint is fixed (ticket 4411)"}


def _world(hours: float = 6, seed: int = 5) -> Simulation:
    """A live world with history and no new orders: only its pending steps and actions move."""
    return Simulation(
        seed=seed,
        history=timedelta(hours=hours),
        history_rate=4.0,
        rate=0.0,
        tick_seconds=0.05,
    )


@pytest.fixture(scope="module")
def sim() -> Simulation:
    return _world()


@pytest.fixture(scope="module")
def server(sim: Simulation) -> Iterator[SimulatorServer]:
    with SimulatorServer(sim, api_key=KEY, read_key=READ_KEY) as server:
        yield server


@pytest.fixture
def http(server: SimulatorServer) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server.url, headers={"X-API-KEY": KEY}, timeout=10) as client:
        yield client


def post(
    http: httpx.Client, path: str, key: str, body: dict[str, Any] | None = None
) -> httpx.Response:
    return http.post(path, json=BODY if body is None else body, headers={"Idempotency-Key": key})


def finished(http: httpx.Client, action_id: str) -> ActionRecord:
    """The action once it has succeeded or failed (the world plays it out on its clock)."""
    deadline = time.monotonic() + 40
    while time.monotonic() < deadline:
        answer = http.get(f"/v1/actions/{action_id}")
        if answer.status_code == 200:
            action = ActionRecord.model_validate_json(answer.content)
            if action.done:
                return action
        time.sleep(0.05)
    raise AssertionError(f"action {action_id} did not finish")


def _postbacks(sim: Simulation, status: str) -> list[PostbackRecord]:
    return [
        p for p in sim.records("postbacks") if isinstance(p, PostbackRecord) and p.status == status
    ]


def _requests(sim: Simulation, **error: str) -> list[RequestRecord]:
    found = []
    for record in sim.records("requests"):
        assert isinstance(record, RequestRecord)
        if record.error is not None and all(
            getattr(record.error, name) == value for name, value in error.items()
        ):
            found.append(record)
    return found


def _down(sim: Simulation) -> PostbackRecord:
    """A postback whose customer's endpoint is still down now, and will be for a while."""
    soon = sim.now() + timedelta(minutes=5)
    for postback in _postbacks(sim, "failed"):
        if back_at(postback.id, postback.attempts[0].at) > soon:
            return postback
    raise AssertionError("the seed should hold a postback whose endpoint is still down")


class TestDiscoveryAndPermission:
    def test_health_says_1_1_and_whether_the_key_may_act(self, server: SimulatorServer) -> None:
        for key, may_act in ((KEY, True), (READ_KEY, False), ("wrong", False)):
            health = httpx.get(f"{server.url}/v1/health", headers={"X-API-KEY": key}).json()
            assert (health["version"], health["actions"]) == ("1.1", may_act)

    def test_a_read_key_reads_but_every_post_is_forbidden(
        self, sim: Simulation, server: SimulatorServer
    ) -> None:
        headers = {"X-API-KEY": READ_KEY, "Idempotency-Key": "k-read"}
        with httpx.Client(base_url=server.url, headers=headers) as reader:
            assert reader.get("/v1/postbacks", params={"limit": 1}).status_code == 200
            assert reader.get("/v1/actions").status_code == 200
            postback = _postbacks(sim, "failed")[0]
            for path in (f"/v1/postbacks/{postback.id}/redeliver", "/v1/requests/x/resubmit"):
                answer = reader.post(path, json=BODY)
                assert answer.status_code == 403
                assert answer.json() == {"error": "forbidden: this key may only read"}
        assert server.sent == {}

    def test_a_wrong_key_is_unauthorized(self, server: SimulatorServer) -> None:
        answer = httpx.post(
            f"{server.url}/v1/requests/x/resubmit", json=BODY, headers={"X-API-KEY": "nope"}
        )
        assert answer.status_code == 401


class TestRedeliver:
    def test_a_redelivery_appends_one_manual_attempt_with_a_newer_updated_at(
        self, sim: Simulation, http: httpx.Client
    ) -> None:
        before = _postbacks(sim, "failed")[-1]
        answer = post(http, f"/v1/postbacks/{before.id}/redeliver", "k-redeliver")
        assert answer.status_code == 202
        queued = ActionRecord.model_validate(answer.json()["action"])
        assert (queued.kind, queued.status, queued.result) == ("redeliver", "queued", None)
        assert (queued.target.kind, queued.target.id) == ("postbacks", before.id)
        assert (queued.actor, queued.reason, queued.force) == (BODY["actor"], BODY["reason"], False)
        assert queued.customer == before.customer and queued.idempotency_key == "k-redeliver"
        done = finished(http, queued.id)
        assert done.result is not None and done.result.record_id == before.id
        after = PostbackRecord.model_validate_json(http.get(f"/v1/postbacks/{before.id}").content)
        assert after.updated_at > before.updated_at
        assert after.attempts[:-1] == before.attempts
        assert {a.trigger for a in before.attempts} == {"automatic"}
        assert {a.action_id for a in before.attempts} == {None}
        manual = after.attempts[-1]
        assert (manual.trigger, manual.action_id) == ("manual", queued.id)
        assert after.response == manual
        assert manual.status_code == done.result.status_code
        assert after.status == ("delivered" if done.status == "succeeded" else "failed")

    def test_a_version_built_before_a_redelivery_keeps_its_manual_attempt(
        self, sim: Simulation, http: httpx.Client
    ) -> None:
        before = _postbacks(sim, "failed")[8]
        answer = post(http, f"/v1/postbacks/{before.id}/redeliver", "k-amend")
        finished(http, answer.json()["action"]["id"])
        # A retrying postback's next automatic version was built before the action, due after it.
        later = sim.now() + timedelta(seconds=1)
        built_before = {**before.model_dump(mode="json"), "updated_at": format_timestamp(later)}
        sim.apply(built_before, later)
        after = PostbackRecord.model_validate_json(http.get(f"/v1/postbacks/{before.id}").content)
        assert after.updated_at == later
        assert [a.trigger for a in after.attempts] == [
            *["automatic"] * len(before.attempts),
            "manual",
        ]
        assert after.response == after.attempts[-1]

    def test_a_delivered_postback_needs_force(self, sim: Simulation, http: httpx.Client) -> None:
        delivered = _postbacks(sim, "delivered")[0]
        path = f"/v1/postbacks/{delivered.id}/redeliver"
        refused = post(http, path, "k-force-1")
        assert refused.status_code == 409
        assert refused.json()["code"] == "needs_force"
        assert "force" in refused.json()["error"]
        forced = post(http, path, "k-force-2", {**BODY, "force": True})
        assert forced.status_code == 202
        assert finished(http, forced.json()["action"]["id"]).status == "succeeded"

    def test_an_unknown_target_is_404(self, http: httpx.Client) -> None:
        assert post(http, "/v1/postbacks/pb_nope/redeliver", "k-404").status_code == 404
        body = {**BODY, "mode": "final"}
        assert post(http, "/v1/requests/req_nope/resubmit", "k-404b", body).status_code == 404

    @pytest.mark.parametrize(
        ("body", "header", "words"),
        [
            ({"reason": "r"}, "k", "actor"),
            ({"actor": "", "reason": "r"}, "k", "actor"),
            ({"actor": "a" * 201, "reason": "r"}, "k", "actor"),
            ({"actor": "a", "reason": "r" * 501}, "k", "reason"),
            ({"actor": "a", "reason": "r", "force": "yes"}, "k", "force"),
            ({"actor": "a", "reason": "r", "mode": "final"}, "k", "resubmits only"),
            (BODY, None, "Idempotency-Key"),
            (BODY, "k" * 101, "Idempotency-Key"),
            ([1, 2], "k", "JSON object"),
        ],
    )
    def test_a_bad_body_or_key_is_400(
        self, sim: Simulation, http: httpx.Client, body: Any, header: str | None, words: str
    ) -> None:
        postback = _postbacks(sim, "failed")[0]
        headers = {} if header is None else {"Idempotency-Key": header}
        answer = http.post(f"/v1/postbacks/{postback.id}/redeliver", json=body, headers=headers)
        assert answer.status_code == 400
        assert words in answer.json()["error"]

    def test_a_body_that_is_not_json_is_400(self, sim: Simulation, http: httpx.Client) -> None:
        postback = _postbacks(sim, "failed")[0]
        answer = http.post(
            f"/v1/postbacks/{postback.id}/redeliver",
            content=b"actor=alice",
            headers={"Idempotency-Key": "k-form"},
        )
        assert answer.status_code == 400


class TestIdempotencyKey:
    def test_the_same_key_and_request_get_the_first_answer_and_send_nothing(
        self, sim: Simulation, server: SimulatorServer, http: httpx.Client
    ) -> None:
        postback = _postbacks(sim, "failed")[1]
        path = f"/v1/postbacks/{postback.id}/redeliver"
        first = post(http, path, "k-repeat")
        assert first.status_code == 202
        finished(http, first.json()["action"]["id"])
        again = post(http, path, "k-repeat", {**BODY, "force": False})  # the default, spelt out
        assert again.status_code == 200
        assert again.content == first.content
        assert server.sent[f"postbacks/{postback.id}"] == 1
        assert http.get("/_sim/sent").json()["sent"][f"postbacks/{postback.id}"] == 1

    def test_the_same_key_for_another_target_or_body_is_422(
        self, sim: Simulation, http: httpx.Client
    ) -> None:
        one, other = _postbacks(sim, "failed")[2:4]
        assert post(http, f"/v1/postbacks/{one.id}/redeliver", "k-mismatch").status_code == 202
        for path, body in (
            (f"/v1/postbacks/{other.id}/redeliver", BODY),
            (f"/v1/postbacks/{one.id}/redeliver", {**BODY, "reason": "another reason"}),
        ):
            answer = post(http, path, "k-mismatch", body)
            assert answer.status_code == 422
            assert answer.json()["code"] == "idempotency_mismatch"

    def test_a_key_is_kept_24_hours(self) -> None:
        sim = _world(hours=3, seed=8)
        with (
            SimulatorServer(sim, api_key=KEY) as server,
            httpx.Client(base_url=server.url, headers={"X-API-KEY": KEY}) as http,
        ):
            postback = _postbacks(sim, "failed")[0]
            path = f"/v1/postbacks/{postback.id}/redeliver"
            forced = {**BODY, "force": True}  # the first may have delivered it
            first = post(http, path, "k-day", forced)
            finished(http, first.json()["action"]["id"])
            sim.skip(timedelta(hours=23))
            assert post(http, path, "k-day", forced).status_code == 200
            sim.skip(timedelta(hours=2))
            later = post(http, path, "k-day", forced)
            assert later.status_code == 202
            assert later.json()["action"]["id"] != first.json()["action"]["id"]


class TestResubmit:
    def test_a_resubmit_makes_a_new_request_and_leaves_the_original_alone(
        self, sim: Simulation, http: httpx.Client
    ) -> None:
        original = _requests(sim, code="invalid_product")[0]
        path = f"/v1/requests/{original.id}/resubmit"
        answer = post(http, path, "k-resubmit", {**BODY, "mode": "final"})
        assert answer.status_code == 202
        assert answer.json()["action"]["mode"] == "final"
        done = finished(http, answer.json()["action"]["id"])
        assert done.result is not None and done.result.record_id not in (None, original.id)
        made = RequestRecord.model_validate_json(
            http.get(f"/v1/requests/{done.result.record_id}").content
        )
        assert (made.resubmit_of, made.action_id) == (original.id, done.id)
        assert made.order_reference_id == original.order_reference_id
        assert made.original == original.original
        assert made.final is not None and original.final is not None
        assert made.final.body == original.final.body  # byte for byte
        assert made.created_at > original.updated_at
        unchanged = http.get(f"/v1/requests/{original.id}")
        assert RequestRecord.model_validate_json(unchanged.content) == original
        assert (original.resubmit_of, original.action_id) == (None, None)

    def test_mode_is_required(self, sim: Simulation, http: httpx.Client) -> None:
        original = _requests(sim, code="invalid_product")[0]
        path = f"/v1/requests/{original.id}/resubmit"
        for body in (BODY, {**BODY, "mode": "again"}):
            answer = post(http, path, "k-mode", body)
            assert answer.status_code == 400
            assert "mode" in answer.json()["error"]

    def test_a_succeeded_request_needs_force(self, sim: Simulation, http: httpx.Client) -> None:
        succeeded = next(r for r in sim.records("requests") if r.status == "succeeded")
        path = f"/v1/requests/{succeeded.id}/resubmit"
        refused = post(http, path, "k-twice", {**BODY, "mode": "final"})
        assert (refused.status_code, refused.json()["code"]) == (409, "needs_force")
        forced = post(http, path, "k-twice-forced", {**BODY, "mode": "final", "force": True})
        assert forced.status_code == 202


class TestOutcomesFollowTheWorld:
    def test_an_endpoint_still_down_fails_again_and_a_later_redelivery_lands(self) -> None:
        sim = _world(seed=5)
        postback = _down(sim)
        with (
            SimulatorServer(sim, api_key=KEY) as server,
            httpx.Client(base_url=server.url, headers={"X-API-KEY": KEY}) as http,
        ):
            path = f"/v1/postbacks/{postback.id}/redeliver"
            early = finished(http, post(http, path, "k-early").json()["action"]["id"])
            assert early.status == "failed"
            assert early.result is not None and early.result.error is not None
            sim.skip(back_at(postback.id, postback.attempts[0].at) - sim.now())
            late = finished(http, post(http, path, "k-late").json()["action"]["id"])
            assert late.status == "succeeded"
            assert late.result is not None and late.result.status_code == 200
            record = PostbackRecord.model_validate_json(
                http.get(f"/v1/postbacks/{postback.id}").content
            )
            assert record.status == "delivered"
            assert [a.trigger for a in record.attempts[-2:]] == ["manual", "manual"]
            assert server.sent == {f"postbacks/{postback.id}": 2}

    def test_an_unknown_product_fails_again_unless_the_customer_fixed_its_template(
        self, sim: Simulation, http: httpx.Client
    ) -> None:
        outcomes: dict[tuple[str, str], str] = {}
        for customer in ("cus_maplethreads", "cus_craftly"):
            original = next(
                r for r in _requests(sim, code="invalid_product") if r.customer.id == customer
            )
            for mode in ("final", "reprocess"):
                body = {**BODY, "mode": mode}
                answer = post(
                    http, f"/v1/requests/{original.id}/resubmit", f"k-{customer}-{mode}", body
                )
                outcomes[customer, mode] = finished(http, answer.json()["action"]["id"]).status
        assert outcomes == {
            ("cus_maplethreads", "final"): "failed",
            ("cus_maplethreads", "reprocess"): "succeeded",  # fixed two hours ago
            ("cus_craftly", "final"): "failed",
            ("cus_craftly", "reprocess"): "failed",  # never fixed
        }

    def test_a_customer_that_fixes_its_template_later_makes_reprocess_succeed_later(
        self,
    ) -> None:
        sim = _world(hours=12, seed=5)
        original = next(
            r for r in _requests(sim, code="invalid_product") if r.customer.id == "cus_pixelpress"
        )
        assert original.template is not None
        with (
            SimulatorServer(sim, api_key=KEY) as server,
            httpx.Client(base_url=server.url, headers={"X-API-KEY": KEY}) as http,
        ):
            path = f"/v1/requests/{original.id}/resubmit"
            body = {**BODY, "mode": "reprocess"}
            before = finished(http, post(http, path, "k-before", body).json()["action"]["id"])
            sim.skip(timedelta(hours=3, minutes=1))
            after = finished(http, post(http, path, "k-after", body).json()["action"]["id"])
            assert (before.status, after.status) == ("failed", "succeeded")
            assert after.result is not None and after.result.record_id is not None
            made = RequestRecord.model_validate_json(
                http.get(f"/v1/requests/{after.result.record_id}").content
            )
            assert made.template is not None
            assert made.template.version == original.template.version + 1
            assert made.status == "succeeded" and made.order_id is not None
            assert server.sent == {f"requests/{original.id}": 2}


class TestActionsAreListedLikeRecords:
    def test_actions_page_by_updated_at_and_id(self, sim: Simulation, http: httpx.Client) -> None:
        ids = []
        for index, postback in enumerate(_postbacks(sim, "failed")[4:7]):
            answer = post(http, f"/v1/postbacks/{postback.id}/redeliver", f"k-page-{index}")
            ids.append(finished(http, answer.json()["action"]["id"]).id)
        seen: list[dict[str, Any]] = []
        params: dict[str, Any] = {"limit": 2}
        while True:
            page = http.get("/v1/actions", params=params).json()
            seen += page["data"]
            if not page["has_more"]:
                break
            last = page["data"][-1]
            params = {"limit": 2, "updated_after": last["updated_at"], "after_id": last["id"]}
        keys = [(a["updated_at"], a["id"]) for a in seen]
        assert keys == sorted(keys) and len(set(keys)) == len(keys)
        assert set(ids) <= {a["id"] for a in seen}
        assert http.get("/v1/actions", params={"limit": 0}).status_code == 400
        assert http.get("/v1/actions/act_nope").status_code == 404

    def test_served_actions_are_exactly_what_the_model_serializes(
        self, sim: Simulation, http: httpx.Client
    ) -> None:
        post(http, f"/v1/postbacks/{_postbacks(sim, 'failed')[7].id}/redeliver", "k-bytes")
        for served in http.get("/v1/actions").json()["data"]:
            raw = http.get(f"/v1/actions/{served['id']}").content
            assert raw == ActionRecord.model_validate_json(raw).model_dump_json().encode()

    def test_an_action_may_become_visible_late_behind_the_newest_updated_at(self) -> None:
        sim = _world(hours=1, seed=3)
        sim.freeze()  # the action stays queued: one version, hidden until settle()
        faults = Faults(late=1.0, late_max_seconds=60, seed=1)
        with (
            SimulatorServer(sim, api_key=KEY, faults=faults, live=False) as server,
            httpx.Client(base_url=server.url, headers={"X-API-KEY": KEY}) as http,
        ):
            postback = _postbacks(sim, "failed")[0]
            answer = post(http, f"/v1/postbacks/{postback.id}/redeliver", "k-late")
            action = ActionRecord.model_validate(answer.json()["action"])
            assert http.get("/v1/actions").json()["data"] == []
            assert http.get(f"/v1/actions/{action.id}").status_code == 404
            newest_seen = sim.now()
            sim.settle()
            after_newest = {"updated_after": format_timestamp(newest_seen)}
            assert http.get("/v1/actions", params=after_newest).json()["data"] == []
            window = {"updated_after": format_timestamp(newest_seen - timedelta(seconds=120))}
            listed = http.get("/v1/actions", params=window).json()["data"]
            assert [a["id"] for a in listed] == [action.id]
            assert ActionRecord.model_validate(listed[0]).updated_at < newest_seen


class TestFaultsOnPosts:
    def test_a_429_refuses_before_acting_and_a_reset_loses_only_the_answer(self) -> None:
        sim = _world(hours=3, seed=8)
        faults = Faults()
        with (
            SimulatorServer(sim, api_key=KEY, faults=faults) as server,
            httpx.Client(base_url=server.url, headers={"X-API-KEY": KEY}) as http,
        ):
            postback = _postbacks(sim, "failed")[0]
            path = f"/v1/postbacks/{postback.id}/redeliver"
            faults.next("429")
            refused = post(http, path, "k-reset")
            assert refused.status_code == 429 and "Retry-After" in refused.headers
            assert http.get("/v1/actions").json()["data"] == []
            faults.next("reset")
            with pytest.raises(httpx.TransportError):
                post(http, path, "k-reset")
            retried = post(http, path, "k-reset")
            assert retried.status_code == 200  # the action was taken before the reset
            finished(http, retried.json()["action"]["id"])
            assert len(http.get("/v1/actions").json()["data"]) == 1
            assert server.sent == {f"postbacks/{postback.id}": 1}
