"""A day of simulated traffic holds every failure of domain.md, rendered by real templates."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ElementTree
from collections import Counter, defaultdict
from datetime import UTC, datetime, timedelta

from orderdesk.core.records import EVENTS, Kind, PostbackRecord, RequestRecord
from orderdesk.sim import Simulation
from orderdesk.sim.templating import template_path
from orderdesk.sim.world import CUSTOMERS

#: The conftest's anchor: the simulations end at this moment.
ANCHOR = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)

#: Each kind of record with the model of the contract it follows.
MODELS: tuple[tuple[Kind, type[RequestRecord] | type[PostbackRecord]], ...] = (
    ("requests", RequestRecord),
    ("postbacks", PostbackRecord),
)


def _requests(sim: Simulation) -> list[RequestRecord]:
    return [r for r in sim.records("requests") if isinstance(r, RequestRecord)]


def _postbacks(sim: Simulation) -> list[PostbackRecord]:
    return [r for r in sim.records("postbacks") if isinstance(r, PostbackRecord)]


def test_the_same_seed_and_anchor_give_the_same_history() -> None:
    def dump(seed: int) -> list[str]:
        sim = Simulation(
            seed=seed, history=timedelta(hours=3), history_rate=4.0, rate=0.0, now=ANCHOR
        )
        return [
            r.model_dump_json() for kind in ("requests", "postbacks") for r in sim.records(kind)
        ]

    assert dump(5) == dump(5)
    assert dump(5) != dump(6)


def test_every_record_is_valid_against_the_contract(day: Simulation) -> None:
    for kind, model in MODELS:
        for record in day.records(kind)[::50]:
            assert model.model_validate_json(record.model_dump_json()) == record


def test_served_json_is_exactly_what_the_records_serialize_to(day: Simulation) -> None:
    # The simulator builds and encodes records without the models, for speed; the
    # bytes must still be the models' own, field for field and timestamp for timestamp.
    for kind, model in MODELS:
        for record in day.records(kind)[::7]:
            served = day.get_json(kind, record.id)
            assert served is not None, record.id
            assert served == model.model_validate_json(served).model_dump_json().encode()


def test_every_request_failure_of_the_domain_appears_in_a_day(day: Simulation) -> None:
    failures = {(r.error.stage, r.error.code) for r in _requests(day) if r.error}
    assert failures >= {
        ("template", "invalid_original"),
        ("template", "template_undefined"),
        ("validation", "address_line_too_long"),
        ("validation", "state_required"),
        ("validation", "invalid_postcode"),
        ("validation", "phone_required"),
        ("validation", "file_unreachable"),
        ("validation", "out_of_stock"),
        ("validation", "delivery_not_possible"),
        ("delivery", "printer_timeout"),
        ("delivery", "connection_refused"),
        ("delivery", "printer_unavailable"),
        ("printer", "duplicate_order_reference"),
        ("printer", "invalid_product"),
        ("printer", "already_printed"),
    }
    messages = {r.error.message for r in _requests(day) if r.error}
    assert "The frame or hanger included in this order is temporarily out of stock" in messages
    assert any("UndefinedError" in message for message in messages)


def test_failures_are_a_minority(day: Simulation) -> None:
    statuses = Counter(r.status for r in _requests(day))
    share = statuses["failed"] / sum(statuses.values())
    assert 0.05 <= share <= 0.15


def test_failed_stages_leave_the_right_stages_empty(day: Simulation) -> None:
    for request in _requests(day):
        if request.error is None:
            continue
        if request.error.stage in ("template", "validation"):
            assert request.final is None and request.printer is None
        if request.error.code == "invalid_original":
            assert request.order_reference_id is None
            assert request.template is not None and request.template.output is None
        if request.error.stage == "delivery":
            assert request.final is not None and request.response is not None
        if request.error.code in ("printer_timeout", "connection_refused"):
            assert request.response is not None and request.response.status_code is None


def test_an_unknown_product_code_goes_out_with_an_empty_product_uid(day: Simulation) -> None:
    unknown = [r for r in _requests(day) if r.error and r.error.code == "invalid_product"]
    assert unknown
    final = unknown[0].final
    assert final is not None and final.body is not None
    assert "" in [item["productUid"] for item in json.loads(final.body)["items"]]


def test_templates_are_the_real_files_and_their_output_went_out(day: Simulation) -> None:
    succeeded = [r for r in _requests(day) if r.status == "succeeded" and r.action == "submit"]
    for request in succeeded[:200]:
        assert request.template is not None and request.template.output is not None
        assert "lookups(" in request.template.source
        assert request.final is not None and request.final.body is not None
        rendered = json.loads(request.template.output)
        sent = json.loads(request.final.body)
        assert (
            sent["orderReferenceId"] == rendered["orderReferenceId"] == (request.order_reference_id)
        )
        assert {item["productUid"] for item in sent["items"]} <= {
            item["productUid"] for item in rendered["items"]
        }


def test_the_xml_customer_sends_xml_and_gets_xml_webhooks(day: Simulation) -> None:
    northwind = [p for p in _postbacks(day) if p.customer.id == "cus_northwind"]
    assert northwind
    final = northwind[0].final
    assert final is not None and final.content_type == "application/xml"
    assert final.body is not None
    root = ElementTree.fromstring(final.body)
    assert root.tag.endswith("OrderStatusUpdate")
    northwind_customer = next(c for c in CUSTOMERS if c.id == "cus_northwind")
    assert template_path(northwind_customer, "webhook").endswith(".xml.j2")
    orders = [r for r in _requests(day) if r.customer.id == "cus_northwind"]
    assert orders[0].original.body is not None
    assert orders[0].original.body.startswith("<?xml")


def test_originals_carry_secrets_for_the_store_to_redact(day: Simulation) -> None:
    headers = [r.original.headers for r in _requests(day)[:100]]
    assert any("X-API-KEY" in h for h in headers)
    assert any(h.get("Authorization", "").startswith(("Bearer ", "Basic ")) for h in headers)


def test_one_reference_can_map_to_several_printer_orders(day: Simulation) -> None:
    by_reference: dict[str, set[tuple[str, str]]] = defaultdict(set)
    for request in _requests(day):
        if request.order_id and request.printer and request.action == "submit":
            by_reference[request.order_reference_id or ""].add(
                (request.order_id, request.printer.id)
            )
    split = [pairs for pairs in by_reference.values() if len(pairs) > 1]
    assert split
    assert all(len({printer for _, printer in pairs}) > 1 for pairs in split)


def test_some_accepted_orders_never_get_order_received(day: Simulation) -> None:
    received = {p.order_id for p in _postbacks(day) if p.event == "order_received"}
    old_enough = [
        r
        for r in _requests(day)
        if r.status == "succeeded"
        and r.action == "submit"
        and r.updated_at < ANCHOR - timedelta(hours=2)
    ]
    stuck = [r for r in old_enough if r.order_id not in received]
    assert 0 < len(stuck) < len(old_enough) * 0.05


def test_postbacks_carry_printer_status_and_delivery_attempts(day: Simulation) -> None:
    postbacks = _postbacks(day)
    events = Counter(p.event for p in postbacks)
    assert {"order_received", "production_update", "shipped", "cancelled", "error"} <= set(events)
    failed = [p for p in postbacks if p.status == "failed"]
    assert failed and all(len(p.attempts) == 4 for p in failed)
    assert all(p.response == p.attempts[-1] for p in failed)
    shipped = next(p for p in postbacks if p.event == "shipped")
    assert shipped.tracking is not None and shipped.tracking.url
    original = json.loads(shipped.original.body or "")
    assert original["status"] == "shipped" and original["trackingCode"] == shipped.tracking.code
    assert shipped.original.url.endswith("/v2/order/status")
    webhook = next(p for p in postbacks if p.customer.id == "cus_maplethreads")
    assert webhook.final is not None
    assert json.loads(webhook.final.body or "")["event"] == "order_status_updated"


def test_a_week_delivers_and_returns_parcels(week: Simulation) -> None:
    events = Counter(p.event for p in _postbacks(week))
    assert {"in_transit", "delivered", "returned"} <= set(events)
    assert set(events) <= set(EVENTS)
