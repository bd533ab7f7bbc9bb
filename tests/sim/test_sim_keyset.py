"""The list endpoints page exactly as the contract says: keyset on (updated_at, id)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import httpx
import pytest

from orderdesk.core.records import (
    Kind,
    PostbackPage,
    RequestPage,
    RequestRecord,
    format_timestamp,
)
from orderdesk.sim import Simulation, SimulatorServer

KEY = "secret-key"


@pytest.fixture(scope="module")
def sim() -> Simulation:
    sim = Simulation(seed=3, history=timedelta(hours=2), history_rate=4.0, rate=0.0)
    sim.freeze()
    # Ties on updated_at, broken by id as byte strings: "B" < "a" < "z" < "é".
    template = sim.records("requests")[len(sim.records("requests")) // 2]
    assert isinstance(template, RequestRecord)
    for suffix in ("a", "B", "z", "é"):
        sim.inject(template.model_copy(update={"id": f"req_tie_{suffix}"}))
    return sim


@pytest.fixture(scope="module")
def client(sim: Simulation) -> Iterator[httpx.Client]:
    with (
        SimulatorServer(sim, api_key=KEY, live=False) as server,
        httpx.Client(base_url=server.url, headers={"X-API-KEY": KEY}) as client,
    ):
        yield client


def _walk(client: httpx.Client, kind: Kind, limit: int) -> list[tuple[str, str]]:
    seen: list[tuple[str, str]] = []
    params: dict[str, str | int] = {"limit": limit}
    page_type = RequestPage if kind == "requests" else PostbackPage
    while True:
        response = client.get(f"/v1/{kind}", params=params)
        assert response.status_code == 200
        page = page_type.model_validate_json(response.content)
        assert len(page.data) <= limit
        seen += [(format_timestamp(r.updated_at), r.id) for r in page.data]
        if not page.has_more:
            return seen
        last = page.data[-1]
        params = {
            "limit": limit,
            "updated_after": format_timestamp(last.updated_at),
            "after_id": last.id,
        }


@pytest.mark.parametrize("kind", ["requests", "postbacks"])
def test_walking_every_page_returns_every_record_once_in_order(
    client: httpx.Client, sim: Simulation, kind: Kind
) -> None:
    seen = _walk(client, kind, limit=97)
    expected = sorted(
        (format_timestamp(at), record_id) for record_id, (at, _) in sim.truth(kind).items()
    )
    assert seen == expected
    assert len(set(seen)) == len(seen)


def test_ties_on_updated_at_are_broken_by_id_as_bytes(client: httpx.Client) -> None:
    tied = client.get("/v1/requests/req_tie_a").json()
    after = {"updated_after": tied["updated_at"], "after_id": "req_tie_B", "limit": 1000}
    ids = [r["id"] for r in client.get("/v1/requests", params=after).json()["data"]]
    assert ids[:3] == ["req_tie_a", "req_tie_z", "req_tie_é"]
    assert "req_tie_B" not in ids


def test_the_pair_is_strictly_greater(client: httpx.Client) -> None:
    first = client.get("/v1/requests", params={"limit": 1}).json()["data"][0]
    after = {"updated_after": first["updated_at"], "after_id": first["id"], "limit": 1}
    second = client.get("/v1/requests", params=after).json()["data"][0]
    assert (second["updated_at"], second["id"]) > (first["updated_at"], first["id"])


def test_a_page_that_reaches_the_newest_record_has_no_more(
    client: httpx.Client, sim: Simulation
) -> None:
    total = len(sim.truth("postbacks"))
    assert client.get("/v1/postbacks", params={"limit": 1000}).json()["has_more"] is (total > 1000)
    newest = sim.records("postbacks")[-2]
    after = {"updated_after": format_timestamp(newest.updated_at), "after_id": newest.id}
    page = client.get("/v1/postbacks", params={**after, "limit": 1}).json()
    assert len(page["data"]) == 1
    assert page["has_more"] is False


def test_limit_defaults_to_100_and_accepts_1_to_1000(client: httpx.Client) -> None:
    assert len(client.get("/v1/requests").json()["data"]) == 100
    assert len(client.get("/v1/requests", params={"limit": 1}).json()["data"]) == 1
    assert client.get("/v1/requests", params={"limit": 1000}).status_code == 200


@pytest.mark.parametrize(
    "params",
    [
        {"limit": 0},
        {"limit": 1001},
        {"limit": "ten"},
        {"updated_after": "yesterday"},
        {"updated_after": "2026-11-23T10:15:02"},
    ],
)
def test_bad_parameters_get_400_saying_what_is_wrong(
    client: httpx.Client, params: dict[str, str | int]
) -> None:
    response = client.get("/v1/requests", params=params)
    assert response.status_code == 400
    assert response.json()["error"]


def test_offsets_and_fewer_digits_are_accepted(client: httpx.Client) -> None:
    params: dict[str, str | int] = {"updated_after": "2000-01-01T00:00:00+00:00", "limit": 5}
    assert len(client.get("/v1/postbacks", params=params).json()["data"]) == 5
    params = {"updated_after": "2000-01-01T00:00:00.1Z", "limit": 5}
    assert len(client.get("/v1/postbacks", params=params).json()["data"]) == 5


def test_a_missing_or_wrong_key_gets_401(sim: Simulation, client: httpx.Client) -> None:
    base = str(client.base_url)
    assert httpx.get(f"{base}/v1/requests").status_code == 401
    wrong = httpx.get(f"{base}/v1/requests", headers={"X-API-KEY": "nope"})
    assert (wrong.status_code, wrong.json()) == (401, {"error": "unauthorized"})


def test_health_answers_with_the_server_time(client: httpx.Client) -> None:
    body = client.get("/v1/health").json()
    assert body["status"] == "ok"
    assert body["time"].endswith("Z")


def test_one_record_by_id_and_404s(client: httpx.Client, sim: Simulation) -> None:
    record = sim.records("postbacks")[10]
    assert client.get(f"/v1/postbacks/{record.id}").json() == record.model_dump(mode="json")
    missing = client.get("/v1/postbacks/pb_nothing")
    assert (missing.status_code, missing.json()) == (404, {"error": "not found"})
    unknown = client.get("/v2/orders")
    assert unknown.status_code == 404
    assert "error" in unknown.json()


def test_records_older_than_30_days_are_not_served(client: httpx.Client, sim: Simulation) -> None:
    record = sim.records("requests")[0]
    old = sim.now() - timedelta(days=31)
    sim.inject(
        record.model_copy(update={"id": "req_ancient", "updated_at": old, "created_at": old})
    )
    assert client.get("/v1/requests/req_ancient").status_code == 404
    first = client.get("/v1/requests", params={"limit": 1}).json()["data"][0]
    assert first["id"] != "req_ancient"
    assert "req_ancient" not in sim.truth("requests")
