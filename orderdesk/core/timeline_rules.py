"""What is missing or wrong in one order's story: named rules, each with its threshold.

Each rule is one small function over the records of one reference. A rule
returns findings: facts (which rule, when, which records, the threshold it
used), not sentences; the screens and the CLI word them. The thresholds
live in ``TimelineRules``, filled from the settings at the edge and passed in.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from itertools import pairwise
from typing import Literal

from orderdesk.core.diagnosis import record_diagnosis
from orderdesk.core.records import Kind, PostbackRecord, RequestRecord

__all__ = [
    "DEFAULT_RULES",
    "PRINTED",
    "RULES",
    "RULE_NAMES",
    "Finding",
    "OrderRecords",
    "RecordRef",
    "RuleName",
    "Severity",
    "TimelineRules",
    "diagnose",
]

RuleName = Literal[
    "request_failed",
    "not_received",
    "awaiting_receipt",
    "shipped_undelivered",
    "undelivered",
    "delivery_retrying",
    "error_postback",
    "cancel_after_printed",
    "duplicate_reference",
    "no_request",
]
RULE_NAMES: tuple[RuleName, ...] = (
    "request_failed",
    "not_received",
    "awaiting_receipt",
    "shipped_undelivered",
    "undelivered",
    "delivery_retrying",
    "error_postback",
    "cancel_after_printed",
    "duplicate_reference",
    "no_request",
)

Severity = Literal["problem", "notice"]
"""A problem needs someone's attention; a notice is something still in time to resolve itself."""

#: The postback event a printer sends once the order is printed (its status word is "printed").
PRINTED = "production_update"
_UNDELIVERED = ("pending", "retrying", "failed")


@dataclass(frozen=True)
class TimelineRules:
    """The thresholds of the order timeline's rules; the defaults are the issue's."""

    receipt_within: timedelta = timedelta(minutes=30)
    """A printer that accepted an order must say ``order_received`` within this."""
    delivery_within: timedelta = timedelta(minutes=10)
    """A postback not delivered to the customer this long after it arrived never will be."""
    retrying_after: timedelta = timedelta(minutes=1)
    """A postback still retrying after this long is a problem; before, a notice."""
    duplicate_within: timedelta = timedelta(days=30)
    """Two submits of one reference this close together are a duplicate, not a re-order."""


#: The issue's thresholds, for callers that configure nothing.
DEFAULT_RULES = TimelineRules()


@dataclass(frozen=True)
class RecordRef:
    """One record a finding is about."""

    kind: Kind
    id: str


@dataclass(frozen=True)
class Finding:
    """Something missing or wrong in an order's story, and the records it concerns."""

    rule: RuleName
    at: datetime
    """When the thing went wrong, or when the missing thing was due."""
    records: tuple[RecordRef, ...] = ()
    severity: Severity = "problem"
    subject: str | None = None
    """The request's action or the postback's event concerned."""
    order_id: str | None = None
    detail: str | None = None
    """The error, the printer's message, or the last answer, in the record's own words."""
    waited: timedelta | None = None
    """How long the missing thing has been awaited, or how long delivery has been retried."""
    threshold: timedelta | None = None
    """The threshold of the rule that found it, when the rule has one."""
    since: datetime | None = None
    """The earlier moment the finding relates to: the print, or the first submit."""

    @property
    def record_ids(self) -> tuple[str, ...]:
        """The ids of the records concerned, in order."""
        return tuple(ref.id for ref in self.records)


@dataclass(frozen=True)
class OrderRecords:
    """What a rule looks at: one reference's records, the moment of looking, the thresholds."""

    requests: Sequence[RequestRecord]
    postbacks: Sequence[PostbackRecord]
    now: datetime
    rules: TimelineRules


Rule = Callable[[OrderRecords], list[Finding]]


def _request_ref(record: RequestRecord) -> RecordRef:
    return RecordRef("requests", record.id)


def _postback_ref(record: PostbackRecord) -> RecordRef:
    return RecordRef("postbacks", record.id)


def _printer_message(record: PostbackRecord) -> str | None:
    """The ``message`` the printer put in its status update, when its body says one."""
    try:
        payload = json.loads(record.original.body or "")
    except ValueError:
        return None
    message = payload.get("message") if isinstance(payload, dict) else None
    return message if isinstance(message, str) and message else None


def request_failed(order: OrderRecords) -> list[Finding]:
    """A request that failed, at which stage and why."""
    return [
        Finding(
            rule="request_failed",
            at=r.updated_at,
            records=(_request_ref(r),),
            subject=r.action,
            order_id=r.order_id,
            detail=f"{r.error.stage}: {r.error.message}" if r.error is not None else None,
        )
        for r in order.requests
        if r.status == "failed"
    ]


def not_received(order: OrderRecords) -> list[Finding]:
    """A submit the printer accepted but never confirmed with ``order_received`` in time.

    Within ``receipt_within`` it is only awaited (a notice); an order cancelled
    before the printer confirmed it is not awaited at all.
    """
    requests, postbacks = order.requests, order.postbacks
    received = {p.order_id for p in postbacks if p.event == "order_received"}
    cancelled = {r.order_id for r in requests if r.action == "cancel" and r.status == "succeeded"}
    cancelled |= {p.order_id for p in postbacks if p.event == "cancelled"}
    window = order.rules.receipt_within
    findings = []
    for request in requests:
        if request.action != "submit" or request.status != "succeeded":
            continue
        # A postback without an order id still confirms an order without one.
        if request.order_id in received or request.order_id in cancelled:
            continue
        sent = request.final.at if request.final is not None else request.created_at
        waited = max(order.now - sent, timedelta(0))
        late = waited >= window
        findings.append(
            Finding(
                rule="not_received" if late else "awaiting_receipt",
                at=sent + window if late else sent,
                records=(_request_ref(request),),
                severity="problem" if late else "notice",
                subject=request.action,
                order_id=request.order_id,
                waited=waited,
                threshold=window,
            )
        )
    return findings


def _undelivered_for(postback: PostbackRecord, order: OrderRecords) -> bool:
    """Whether delivery gave up, or has not succeeded within ``delivery_within``."""
    if postback.status == "failed":
        return True
    waited = order.now - postback.created_at
    return postback.status in _UNDELIVERED and waited >= order.rules.delivery_within


def _undelivered_finding(rule: RuleName, postback: PostbackRecord, order: OrderRecords) -> Finding:
    return Finding(
        rule=rule,
        at=postback.updated_at,
        records=(_postback_ref(postback),),
        subject=postback.event,
        order_id=postback.order_id,
        detail=record_diagnosis(postback).last_answer_text,
        waited=max(order.now - postback.created_at, timedelta(0)),
        threshold=order.rules.delivery_within,
    )


def shipped_undelivered(order: OrderRecords) -> list[Finding]:
    """A ``shipped`` postback that never reached the customer: no shipping notification."""
    return [
        _undelivered_finding("shipped_undelivered", p, order)
        for p in order.postbacks
        if p.event == "shipped" and _undelivered_for(p, order)
    ]


def undelivered(order: OrderRecords) -> list[Finding]:
    """Any other postback that never reached the customer's system."""
    return [
        _undelivered_finding("undelivered", p, order)
        for p in order.postbacks
        if p.event != "shipped" and _undelivered_for(p, order)
    ]


def delivery_retrying(order: OrderRecords) -> list[Finding]:
    """A postback whose delivery is still being retried, not yet given up on.

    Retries come seconds apart, so a short run of them is a notice; past
    ``retrying_after`` it is a problem, and past ``delivery_within`` the
    postback counts as undelivered instead.
    """
    findings = []
    threshold = order.rules.retrying_after
    for postback in order.postbacks:
        if postback.status != "retrying" or _undelivered_for(postback, order):
            continue
        started = postback.attempts[0].at if postback.attempts else postback.created_at
        waited = max(order.now - started, timedelta(0))
        findings.append(
            Finding(
                rule="delivery_retrying",
                at=postback.updated_at,
                records=(_postback_ref(postback),),
                severity="problem" if waited >= threshold else "notice",
                subject=postback.event,
                order_id=postback.order_id,
                detail=record_diagnosis(postback).last_answer_text,
                waited=waited,
                threshold=threshold,
            )
        )
    return findings


def error_postback(order: OrderRecords) -> list[Finding]:
    """The printer reported an error, with its message."""
    return [
        Finding(
            rule="error_postback",
            at=p.created_at,
            records=(_postback_ref(p),),
            subject=p.event,
            order_id=p.order_id,
            detail=_printer_message(p),
        )
        for p in order.postbacks
        if p.event == "error"
    ]


def cancel_after_printed(order: OrderRecords) -> list[Finding]:
    """A cancel (request or postback) that came after the printer said the order was printed.

    Its detail is the printer's refusal when the cancel request failed.
    """
    printed: dict[str | None, PostbackRecord] = {}
    requests, postbacks = order.requests, order.postbacks
    for p in sorted(postbacks, key=lambda p: p.created_at):
        if p.event == PRINTED:
            printed.setdefault(p.order_id, p)
    # (when, which record, printer order, action or event, the printer's refusal if any)
    cancels: list[tuple[datetime, RecordRef, str | None, str, str | None]] = [
        (r.created_at, _request_ref(r), r.order_id, r.action, r.error.message if r.error else None)
        for r in requests
    ]
    cancels += [(p.created_at, _postback_ref(p), p.order_id, p.event, None) for p in postbacks]
    findings = []
    for at, ref, order_id, subject, refusal in cancels:
        if subject not in ("cancel", "cancelled"):
            continue
        # A cancel that names no printer order is set against any print of the reference.
        candidates = [printed[order_id]] if order_id in printed else []
        if order_id is None:
            candidates = list(printed.values())
        prints = [p for p in candidates if p.created_at <= at]
        if not prints:
            continue
        first = prints[0]
        findings.append(
            Finding(
                rule="cancel_after_printed",
                at=at,
                records=(ref, _postback_ref(first)),
                subject=subject,
                order_id=order_id or first.order_id,
                detail=refusal,
                since=first.created_at,
            )
        )
    return findings


def duplicate_reference(order: OrderRecords) -> list[Finding]:
    """The reference was submitted again: two submits that are not one order split by printer.

    An order whose items go to two printers is sent as one submit per printer,
    from one message; a duplicate is a second message with the same reference.
    """
    submits = sorted(
        (r for r in order.requests if r.action == "submit"), key=lambda r: r.created_at
    )
    messages: dict[datetime, list[RequestRecord]] = {}
    for submit in submits:
        arrived = submit.original.at if submit.original is not None else submit.created_at
        messages.setdefault(arrived, []).append(submit)
    arrivals = sorted(messages)
    findings = []
    for earlier, later in pairwise(arrivals):
        if later - earlier > order.rules.duplicate_within:
            continue
        again = messages[later]
        findings.append(
            Finding(
                rule="duplicate_reference",
                at=later,
                records=tuple(_request_ref(r) for r in messages[earlier] + again),
                subject="submit",
                order_id=again[0].order_id,
                detail=again[0].status,
                waited=later - earlier,
                threshold=order.rules.duplicate_within,
                since=earlier,
            )
        )
    return findings


def no_request(order: OrderRecords) -> list[Finding]:
    """Postbacks for a reference whose request the store does not hold."""
    if order.requests or not order.postbacks:
        return []
    first = min(order.postbacks, key=lambda p: p.created_at)
    return [Finding(rule="no_request", at=first.created_at, records=(_postback_ref(first),))]


#: Every rule, by name; a finding's ``rule`` is one of these names (``not_received``
#: also reports ``awaiting_receipt`` while the printer is still within its window).
RULES: dict[str, Rule] = {
    "request_failed": request_failed,
    "not_received": not_received,
    "shipped_undelivered": shipped_undelivered,
    "undelivered": undelivered,
    "delivery_retrying": delivery_retrying,
    "error_postback": error_postback,
    "cancel_after_printed": cancel_after_printed,
    "duplicate_reference": duplicate_reference,
    "no_request": no_request,
}


def diagnose(
    requests: Sequence[RequestRecord],
    postbacks: Sequence[PostbackRecord],
    *,
    now: datetime,
    rules: TimelineRules,
) -> list[Finding]:
    """Every rule's findings for one reference's records, in the order they happened."""
    findings = [
        finding
        for rule in RULES.values()
        for finding in rule(OrderRecords(requests, postbacks, now, rules))
    ]
    findings.sort(key=lambda finding: finding.at)
    return findings
