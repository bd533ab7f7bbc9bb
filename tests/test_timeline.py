"""An order's timeline: its records oldest first, and what is missing called out."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from record_factory import T0, failed_request, postback, request

from orderdesk.core.records import HttpResponse
from orderdesk.core.store import Store
from orderdesk.core.timeline import RECEIPT_WINDOW, build_timeline, order_timeline

LATER = T0 + timedelta(hours=2)


def _received(number: int = 1, **fields: object) -> object:
    return postback(number, event="order_received", tracking=None, **fields)


def test_records_are_told_oldest_first_whatever_order_they_come_in() -> None:
    sent = request(1)
    shipped = postback(1, at=T0 + timedelta(hours=1))
    received = _received(1, id="pb_rcv", at=T0 + timedelta(minutes=3))
    timeline = build_timeline("ORD-1", [sent], [shipped, received], now=LATER)
    assert [entry.id for entry in timeline.entries] == ["req_000001", "pb_rcv", "pb_000001"]
    assert [entry.subject for entry in timeline.entries] == ["submit", "order_received", "shipped"]
    assert timeline.gaps == []
    assert timeline.order_ids == ["po_000001"]


def test_my_order_disappeared_a_printer_that_never_confirmed_it() -> None:
    sent = request(1)
    timeline = build_timeline("ORD-1", [sent], [], now=LATER)
    [gap] = timeline.gaps
    assert gap.kind == "not_received"
    assert gap.record_id == "req_000001"
    assert gap.order_id == "po_000001"
    assert gap.waited is not None and gap.waited > RECEIPT_WINDOW


def test_a_printer_still_within_its_window_is_awaited_not_called_missing() -> None:
    timeline = build_timeline("ORD-1", [request(1)], [], now=T0 + timedelta(minutes=5))
    [gap] = timeline.gaps
    assert gap.kind == "awaiting_receipt"
    assert gap.waited is not None and gap.waited < RECEIPT_WINDOW


def test_the_customer_never_got_the_shipping_notification() -> None:
    timeout = HttpResponse(at=T0, error="timeout", duration_ms=10_000)
    refused = HttpResponse(at=T0, status_code=500, body="oops", duration_ms=40)
    shipped = postback(1, status="failed", attempts=[refused, refused, timeout], response=timeout)
    timeline = build_timeline("ORD-1", [request(1)], [_received(1, id="pb_r"), shipped], now=LATER)
    [gap] = timeline.gaps
    assert (gap.kind, gap.subject, gap.record_id) == ("undelivered", "shipped", "pb_000001")
    assert gap.detail == "timeout"
    [entry] = [entry for entry in timeline.entries if entry.subject == "shipped"]
    assert entry.failed and entry.attempts == 3


def test_a_postback_still_retrying_is_not_delivered_yet() -> None:
    refused = HttpResponse(at=T0, status_code=503, duration_ms=40)
    shipped = postback(1, status="retrying", attempts=[refused], response=refused)
    timeline = build_timeline("ORD-1", [], [shipped], now=LATER)
    assert [gap.kind for gap in timeline.gaps] == ["no_request", "undelivered"]
    assert timeline.gaps[1].detail == "HTTP 503"


def test_a_failed_request_says_at_which_stage_and_why() -> None:
    timeline = build_timeline("ORD-1", [failed_request(1)], [], now=LATER)
    [gap] = timeline.gaps
    assert gap.kind == "request_failed"
    assert gap.detail == "printer: unknown productUid"
    assert timeline.entries[0].failed


def test_one_reference_sent_twice_lists_every_printer_order() -> None:
    first = request(1)
    again = request(2, at=T0 + timedelta(hours=1), order_reference_id="ORD-1")
    received = [_received(1, id="pb_a"), _received(2, id="pb_b", order_reference_id="ORD-1")]
    timeline = build_timeline("ORD-1", [again, first], received, now=LATER)
    assert timeline.order_ids == ["po_000001", "po_000002"]
    assert timeline.gaps == []


def test_the_store_gives_the_timeline_of_one_reference(tmp_path: Path) -> None:
    with Store.open(tmp_path / "store.db") as store:
        store.save_page("requests", [request(1), request(2)], None)
        store.save_page("postbacks", [_received(1, id="pb_a"), postback(2)], None)
        timeline = order_timeline(store, "ORD-2", now=LATER)
    assert [entry.id for entry in timeline.entries] == ["req_000002", "pb_000002"]
    assert [gap.kind for gap in timeline.gaps] == ["not_received"]
    assert timeline.customers == ["Acme Prints"]
    assert not timeline.truncated


def test_an_unknown_reference_has_an_empty_story(tmp_path: Path) -> None:
    with Store.open(tmp_path / "store.db") as store:
        timeline = order_timeline(store, "nope", now=LATER)
    assert timeline.entries == [] and timeline.gaps == [] and timeline.order_ids == []
