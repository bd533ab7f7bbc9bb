"""An order's timeline: records oldest first, and each rule's findings on records built for it."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path
from typing import Any

from orderdesk.core.records import HttpMessage, HttpResponse, PostbackRecord, RecordError
from orderdesk.core.store import Store
from orderdesk.core.timeline import Timeline, build_timeline, order_timeline
from orderdesk.core.timeline_rules import DEFAULT_RULES, RULES, RecordRef, TimelineRules
from tests.record_factory import T0, failed_request, postback, request

LATER = T0 + timedelta(hours=2)


def _received(number: int = 1, **fields: Any) -> PostbackRecord:
    return postback(number, event="order_received", tracking=None, **fields)


def _printed(number: int = 1, **fields: Any) -> PostbackRecord:
    return postback(number, event="production_update", tracking=None, **fields)


def _rules(timeline: Timeline) -> list[str]:
    return [finding.rule for finding in timeline.findings]


def _answers(*codes: int | None) -> list[HttpResponse]:
    return [
        HttpResponse(at=T0, error="timeout", duration_ms=10_000)
        if code is None
        else HttpResponse(at=T0, status_code=code, body="oops", duration_ms=40)
        for code in codes
    ]


def test_records_are_told_oldest_first_whatever_order_they_come_in() -> None:
    sent = request(1)
    shipped = postback(1, at=T0 + timedelta(hours=1))
    received = _received(1, id="pb_rcv", at=T0 + timedelta(minutes=3))
    timeline = build_timeline("ORD-1", [sent], [shipped, received], now=LATER)
    assert [entry.id for entry in timeline.entries] == ["req_000001", "pb_rcv", "pb_000001"]
    assert [entry.subject for entry in timeline.entries] == ["submit", "order_received", "shipped"]
    assert timeline.findings == []
    assert timeline.order_ids == ["po_000001"]


def test_every_rule_named_in_the_issue_exists() -> None:
    issue = {
        "not_received",
        "shipped_undelivered",
        "delivery_retrying",
        "error_postback",
        "cancel_after_printed",
        "duplicate_reference",
    }
    assert issue <= set(RULES)


class TestNotReceived:
    """The request succeeded but no order_received came within 30 minutes."""

    def test_my_order_disappeared_a_printer_that_never_confirmed_it(self) -> None:
        timeline = build_timeline("ORD-1", [request(1)], [], now=LATER)
        [finding] = timeline.findings
        assert (finding.rule, finding.severity) == ("not_received", "problem")
        assert finding.records == (RecordRef("requests", "req_000001"),)
        assert finding.order_id == "po_000001"
        assert finding.threshold == timedelta(minutes=30)
        assert finding.waited is not None and finding.waited > timedelta(hours=1)

    def test_within_the_window_the_receipt_is_awaited_not_called_missing(self) -> None:
        timeline = build_timeline("ORD-1", [request(1)], [], now=T0 + timedelta(minutes=29))
        [finding] = timeline.findings
        assert (finding.rule, finding.severity) == ("awaiting_receipt", "notice")

    def test_the_window_comes_from_the_rules(self) -> None:
        strict = TimelineRules(receipt_within=timedelta(minutes=5))
        now = T0 + timedelta(minutes=10)
        assert _rules(build_timeline("ORD-1", [request(1)], [], now=now)) == ["awaiting_receipt"]
        timeline = build_timeline("ORD-1", [request(1)], [], now=now, rules=strict)
        assert _rules(timeline) == ["not_received"]
        assert timeline.findings[0].threshold == timedelta(minutes=5)

    def test_a_receipt_for_the_order_silences_it(self) -> None:
        timeline = build_timeline("ORD-1", [request(1)], [_received(1)], now=LATER)
        assert timeline.findings == []

    def test_a_receipt_for_another_printer_order_does_not(self) -> None:
        other = _received(1, order_id="po_other")
        assert _rules(build_timeline("ORD-1", [request(1)], [other], now=LATER)) == ["not_received"]

    def test_an_order_cancelled_before_the_printer_confirmed_it_is_not_awaited(self) -> None:
        cancel = request(1, id="req_cancel", action="cancel", at=T0 + timedelta(minutes=2))
        assert build_timeline("ORD-1", [request(1), cancel], [], now=LATER).findings == []


class TestShippedUndelivered:
    """`shipped` came but was never delivered to the customer."""

    def test_the_customer_never_got_the_shipping_notification(self) -> None:
        attempts = _answers(500, 500, 503, None)
        shipped = postback(1, status="failed", attempts=attempts, response=attempts[-1])
        timeline = build_timeline(
            "ORD-1", [request(1)], [_received(1, id="pb_r"), shipped], now=LATER
        )
        [finding] = timeline.findings
        assert (finding.rule, finding.subject) == ("shipped_undelivered", "shipped")
        assert finding.record_ids == ("pb_000001",)
        assert finding.detail == "timeout"
        [entry] = [entry for entry in timeline.entries if entry.subject == "shipped"]
        assert entry.failed and entry.attempts == 4

    def test_a_shipped_postback_pending_past_the_threshold_was_never_delivered(self) -> None:
        pending = postback(1, status="pending", attempts=[], response=None)
        just_in = T0 + timedelta(minutes=9)
        assert _rules(build_timeline("ORD-1", [], [pending], now=just_in)) == ["no_request"]
        late = build_timeline("ORD-1", [], [pending], now=T0 + timedelta(minutes=11))
        assert _rules(late) == ["no_request", "shipped_undelivered"]
        loose = TimelineRules(delivery_within=timedelta(hours=1))
        relaxed = build_timeline(
            "ORD-1", [], [pending], now=T0 + timedelta(minutes=11), rules=loose
        )
        assert _rules(relaxed) == ["no_request"]

    def test_another_event_not_delivered_is_its_own_rule(self) -> None:
        attempts = _answers(500, 500, 500, 500)
        received = _received(1, status="failed", attempts=attempts, response=attempts[-1])
        timeline = build_timeline("ORD-1", [request(1)], [received], now=LATER)
        [finding] = timeline.findings
        assert (finding.rule, finding.subject, finding.detail) == (
            "undelivered",
            "order_received",
            "HTTP 500",
        )


class TestDeliveryRetrying:
    """Delivery is still retrying."""

    def _retrying(self) -> PostbackRecord:
        attempts = [
            HttpResponse(at=T0 + timedelta(seconds=1), status_code=503, duration_ms=40),
            HttpResponse(at=T0 + timedelta(seconds=7), status_code=502, duration_ms=40),
        ]
        return postback(1, status="retrying", attempts=attempts, response=attempts[-1])

    def test_a_few_seconds_of_retries_are_a_notice(self) -> None:
        timeline = build_timeline(
            "ORD-1",
            [request(1)],
            [_received(1, id="r"), self._retrying()],
            now=T0 + timedelta(seconds=20),
        )
        [finding] = timeline.findings
        assert (finding.rule, finding.severity) == ("delivery_retrying", "notice")
        assert finding.detail == "HTTP 502"

    def test_retrying_past_the_threshold_is_a_problem(self) -> None:
        now = T0 + timedelta(minutes=3)
        records = ([request(1)], [_received(1, id="r"), self._retrying()])
        [finding] = build_timeline("ORD-1", *records, now=now).findings
        assert (finding.rule, finding.severity) == ("delivery_retrying", "problem")
        assert finding.threshold == timedelta(minutes=1)
        patient = TimelineRules(retrying_after=timedelta(minutes=5))
        [finding] = build_timeline("ORD-1", *records, now=now, rules=patient).findings
        assert finding.severity == "notice"

    def test_retrying_past_the_delivery_threshold_counts_as_never_delivered(self) -> None:
        records = ([request(1)], [_received(1, id="r"), self._retrying()])
        timeline = build_timeline("ORD-1", *records, now=T0 + timedelta(minutes=30))
        assert _rules(timeline) == ["shipped_undelivered"]


class TestErrorPostback:
    """An error postback arrived."""

    def test_the_printers_message_is_the_detail(self) -> None:
        body = json.dumps({"orderId": "po_000001", "status": "error", "message": "File too small"})
        original = HttpMessage(at=T0, method="POST", url="https://intake.example.com", body=body)
        error = postback(1, event="error", tracking=None, original=original, at=LATER)
        timeline = build_timeline("ORD-1", [request(1)], [_received(1, id="r"), error], now=LATER)
        [finding] = timeline.findings
        assert (finding.rule, finding.detail, finding.at) == (
            "error_postback",
            "File too small",
            LATER,
        )
        assert finding.record_ids == ("pb_000001",)

    def test_a_body_that_is_not_json_still_reports_the_error(self) -> None:
        original = HttpMessage(at=T0, method="POST", url="https://x", body="<error/>")
        error = postback(1, event="error", tracking=None, original=original)
        findings = build_timeline("ORD-1", [], [error], now=LATER).findings
        [finding] = [finding for finding in findings if finding.rule == "error_postback"]
        assert finding.detail is None


class TestCancelAfterPrinted:
    """A cancel came after `printed`."""

    def test_a_cancel_request_after_the_print_is_called_out(self) -> None:
        printed = _printed(1, id="pb_printed", at=T0 + timedelta(hours=3))
        refusal = RecordError(stage="printer", code="already_printed", message="already printed")
        cancel = request(
            1,
            id="req_cancel",
            action="cancel",
            at=T0 + timedelta(hours=4),
            status="failed",
            error=refusal,
        )
        received = _received(1, id="pb_r")
        timeline = build_timeline("ORD-1", [request(1), cancel], [received, printed], now=LATER)
        assert _rules(timeline) == ["cancel_after_printed", "request_failed"]
        finding = timeline.findings[0]
        assert finding.records == (
            RecordRef("requests", "req_cancel"),
            RecordRef("postbacks", "pb_printed"),
        )
        assert finding.since == printed.created_at and finding.detail == "already printed"

    def test_a_cancel_before_the_print_is_fine(self) -> None:
        cancel = request(1, id="req_cancel", action="cancel", at=T0 + timedelta(minutes=30))
        printed = _printed(1, id="pb_printed", at=T0 + timedelta(hours=3))
        timeline = build_timeline(
            "ORD-1", [request(1), cancel], [_received(1, id="r"), printed], now=LATER
        )
        assert timeline.findings == []

    def test_a_cancelled_postback_after_the_print_is_called_out(self) -> None:
        printed = _printed(1, id="pb_printed", at=T0 + timedelta(hours=1))
        cancelled = postback(1, id="pb_cancelled", event="cancelled", at=T0 + timedelta(hours=2))
        timeline = build_timeline(
            "ORD-1", [request(1)], [_received(1, id="r"), printed, cancelled], now=LATER
        )
        [finding] = timeline.findings
        assert finding.rule == "cancel_after_printed" and finding.subject == "cancelled"


class TestDuplicateReference:
    """Two requests share the same reference."""

    def test_a_reference_submitted_twice_is_a_duplicate(self) -> None:
        first = request(1)
        conflict = RecordError(stage="printer", code="duplicate_order_reference", message="exists")
        again = request(
            2,
            at=T0 + timedelta(hours=1),
            order_reference_id="ORD-1",
            order_id=None,
            status="failed",
            error=conflict,
        )
        timeline = build_timeline("ORD-1", [again, first], [_received(1, id="r")], now=LATER)
        assert _rules(timeline) == ["duplicate_reference", "request_failed"]
        finding = timeline.findings[0]
        assert finding.record_ids == ("req_000001", "req_000002")
        assert finding.waited == timedelta(hours=1)
        assert finding.threshold == timedelta(days=30)

    def test_one_order_split_between_two_printers_is_not_a_duplicate(self) -> None:
        first = request(1)
        # One message from the customer, sent as one submit per printer.
        second = request(2, order_reference_id="ORD-1", original=first.original)
        received = [_received(1, id="pb_a"), _received(2, id="pb_b", order_reference_id="ORD-1")]
        timeline = build_timeline("ORD-1", [second, first], received, now=LATER)
        assert timeline.order_ids == ["po_000001", "po_000002"]
        assert timeline.findings == []

    def test_a_reference_reused_long_after_is_a_new_order(self) -> None:
        again = request(2, at=T0 + timedelta(days=40), order_reference_id="ORD-1")
        received = [_received(1, id="pb_a"), _received(2, id="pb_b")]
        now = T0 + timedelta(days=41)
        assert build_timeline("ORD-1", [request(1), again], received, now=now).findings == []
        month = TimelineRules(duplicate_within=timedelta(days=60))
        timeline = build_timeline("ORD-1", [request(1), again], received, now=now, rules=month)
        assert _rules(timeline) == ["duplicate_reference"]


def test_a_failed_request_says_at_which_stage_and_why() -> None:
    timeline = build_timeline("ORD-1", [failed_request(1)], [], now=LATER)
    [finding] = timeline.findings
    assert finding.rule == "request_failed"
    assert finding.detail == "printer: unknown productUid"
    assert timeline.entries[0].failed


def test_postbacks_without_their_request_say_so() -> None:
    timeline = build_timeline("ORD-1", [], [_received(1)], now=LATER)
    assert _rules(timeline) == ["no_request"]


def test_findings_are_in_the_order_they_happened() -> None:
    attempts = _answers(500, 500, 500, 500)
    shipped = postback(
        1, status="failed", attempts=attempts, response=attempts[-1], at=T0 + timedelta(hours=5)
    )
    timeline = build_timeline("ORD-1", [request(1), failed_request(2)], [shipped], now=LATER)
    moments = [finding.at for finding in timeline.findings]
    assert moments == sorted(moments)
    assert _rules(timeline) == ["request_failed", "not_received", "shipped_undelivered"]


def test_the_defaults_are_the_issues() -> None:
    assert DEFAULT_RULES.receipt_within == timedelta(minutes=30)
    assert DEFAULT_RULES.delivery_within == timedelta(minutes=10)
    assert DEFAULT_RULES.retrying_after == timedelta(minutes=1)
    assert DEFAULT_RULES.duplicate_within == timedelta(days=30)


def test_the_store_gives_the_timeline_of_one_reference(tmp_path: Path) -> None:
    with Store.open(tmp_path / "store.db") as store:
        store.save_page("requests", [request(1), request(2)], None)
        store.save_page("postbacks", [_received(1, id="pb_a"), postback(2)], None)
        timeline = order_timeline(store, "ORD-2", now=LATER)
        strict = order_timeline(
            store, "ORD-2", now=LATER, rules=TimelineRules(receipt_within=timedelta(hours=3))
        )
    assert [entry.id for entry in timeline.entries] == ["req_000002", "pb_000002"]
    assert _rules(timeline) == ["not_received"]
    assert _rules(strict) == ["awaiting_receipt"]
    assert timeline.customers == ["Acme Prints"]
    assert not timeline.truncated


def test_an_unknown_reference_has_an_empty_story(tmp_path: Path) -> None:
    with Store.open(tmp_path / "store.db") as store:
        timeline = order_timeline(store, "nope", now=LATER)
    assert timeline.entries == [] and timeline.findings == [] and timeline.order_ids == []
