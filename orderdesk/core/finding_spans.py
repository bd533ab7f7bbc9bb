"""Every finding of one order's records, each over the span of time in which it reads the same.

The rules of ``timeline_rules`` look at one reference at one moment. A finding
that waits on time passing (a receipt still awaited, then missing; a postback
retrying, then a problem, then undelivered) is one span per way it reads,
with the moment it falls due and the moment it stops, so that at any ``now``
the spans in effect say exactly what :func:`diagnose` says of the same
records. ``stored_findings`` keeps them in the store.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta

from orderdesk.core.causes import finding_cause
from orderdesk.core.records import Party, PostbackRecord, RequestRecord
from orderdesk.core.timeline_rules import (
    Finding,
    OrderRecords,
    RuleName,
    TimelineRules,
    cancel_after_printed,
    delivery_retrying,
    duplicate_reference,
    error_postback,
    no_request,
    not_received,
    request_failed,
    shipped_undelivered,
    undelivered,
)

__all__ = ["BEFORE_DUE", "FindingSpan", "finding_spans"]

# A finding in the making: the finding, from when, until when, since when it is waited.
_Spanned = tuple[Finding, datetime | None, datetime | None, datetime | None]

#: The notice a finding reads as before it falls due, if it has one: a receipt is
#: awaited (dated from the moment it is awaited since) before it is missing.
BEFORE_DUE: dict[str, RuleName] = {"not_received": "awaiting_receipt"}


@dataclass(frozen=True)
class FindingSpan:
    """One finding of one reference, over the span of time in which it holds."""

    reference: str
    finding: Finding
    """The finding as it reads in its span; ``waited`` as at ``due_at`` when it grows."""
    customer: Party
    printer: Party | None
    cause: str | None
    due_at: datetime | None = None
    """From when it holds; None: from the start."""
    until: datetime | None = None
    """From when it no longer holds; None: never stops."""
    waited_from: datetime | None = None
    """When ``waited`` grows with time: the moment it is counted from."""
    before: RuleName | None = None
    """The notice it reads as before ``due_at`` (``BEFORE_DUE``), dated ``waited_from``."""

    def holds_at(self, now: datetime) -> bool:
        """Whether the finding (or its notice before it falls due) is in effect at ``now``."""
        due = self.due_at is None or self.due_at <= now or self.before is not None
        return due and (self.until is None or now < self.until)

    def at(self, now: datetime) -> Finding:
        """The finding as ``diagnose`` words it at ``now``."""
        finding = self.finding
        if self.waited_from is None:
            return finding
        waited = max(now - self.waited_from, timedelta(0))
        if self.before is not None and self.due_at is not None and now < self.due_at:
            return Finding(
                rule=self.before,
                at=self.waited_from,
                records=finding.records,
                severity="notice",
                subject=finding.subject,
                order_id=finding.order_id,
                detail=finding.detail,
                waited=waited,
                threshold=finding.threshold,
                since=finding.since,
            )
        return replace(finding, waited=waited)


# The rule functions are called at two moments no record is near: long before
# anything (nothing is late yet) and long after (everything that can be late is).
_EARLY = datetime(1, 1, 3, tzinfo=UTC)
_LATE = datetime(9999, 12, 29, tzinfo=UTC)
_TIMELESS: dict[str, Callable[[OrderRecords], list[Finding]]] = {
    "request_failed": request_failed,
    "error_postback": error_postback,
    "cancel_after_printed": cancel_after_printed,
    "duplicate_reference": duplicate_reference,
    "no_request": no_request,
}


def finding_spans(
    reference: str,
    requests: Sequence[RequestRecord],
    postbacks: Sequence[PostbackRecord],
    rules: TimelineRules,
) -> list[FindingSpan]:
    """Every finding of one reference's records, each over the span in which it holds.

    At any ``now``, the spans that hold are ``diagnose(requests, postbacks,
    now=now, rules=rules)``, each read with :meth:`FindingSpan.at`.
    """
    may = _may_find(requests, postbacks)
    if not may:
        return []
    early = OrderRecords(requests, postbacks, _EARLY, rules)
    late = OrderRecords(requests, postbacks, _LATE, rules)
    spans: list[_Spanned] = []
    for name, rule in _TIMELESS.items():
        if name in may:
            spans += [(finding, None, None, None) for finding in rule(early)]
    if "not_received" in may:
        spans += _receipt_spans(late, rules.receipt_within)
    if "undelivered" in may:
        by_id = {p.id: p for p in postbacks}
        for finding in shipped_undelivered(late) + undelivered(late):
            postback = by_id[finding.records[0].id]
            due = None
            if postback.status != "failed":
                due = postback.created_at + rules.delivery_within
            spans.append((finding, due, None, postback.created_at))
        for finding in delivery_retrying(early):
            spans += _retrying_spans(finding, by_id[finding.records[0].id], rules)
    parties = _parties(requests, postbacks)
    return [
        _span(reference, finding, parties, due, until, waited_from)
        for finding, due, until, waited_from in spans
    ]


def _may_find(requests: Sequence[RequestRecord], postbacks: Sequence[PostbackRecord]) -> set[str]:
    """The rules whose precondition the records meet: the others cannot find anything.

    Checked first because it is one cheap pass and most orders meet none once
    they went well; each entry is only a precondition, the rule itself decides.
    """
    may: set[str] = set()
    if not requests and postbacks:
        may.add("no_request")
    received = {p.order_id for p in postbacks if p.event in ("order_received", "cancelled")}
    arrivals = set()
    for request in requests:
        if request.status == "failed":
            may.add("request_failed")
        if request.action != "submit":
            may.add("cancel_after_printed")
            continue
        arrivals.add(request.original.at)
        if request.status == "succeeded" and request.order_id not in received:
            may.add("not_received")
    if len(arrivals) > 1:
        may.add("duplicate_reference")
    for postback in postbacks:
        if postback.status != "delivered":
            may.add("undelivered")  # or shipped_undelivered, or delivery_retrying
        if postback.event == "error":
            may.add("error_postback")
        elif postback.event == "cancelled":
            may.add("cancel_after_printed")
    return may


def _receipt_spans(late: OrderRecords, window: timedelta) -> list[_Spanned]:
    """A receipt missing from ``sent + window``; before, awaited (``BEFORE_DUE``)."""
    spans: list[_Spanned] = []
    for missing in not_received(late):
        sent = missing.at - window
        # Without a window it is missing from the start, never awaited.
        due = missing.at if window > timedelta(0) else None
        spans.append((missing, due, None, sent))
    return spans


def _retrying_spans(
    finding: Finding, postback: PostbackRecord, rules: TimelineRules
) -> list[_Spanned]:
    """A retrying postback: a notice, then a problem, until it counts as undelivered."""
    started = postback.attempts[0].at if postback.attempts else postback.created_at
    ends = postback.created_at + rules.delivery_within
    notice = replace(finding, severity="notice", waited=timedelta(0))
    problem = replace(finding, severity="problem", waited=timedelta(0))
    if rules.retrying_after <= timedelta(0):
        return [(problem, None, ends, started)]
    serious = started + rules.retrying_after
    spans: list[_Spanned] = [(notice, None, min(serious, ends), started)]
    if serious < ends:
        spans.append((problem, serious, ends, started))
    return spans


def _parties(
    requests: Sequence[RequestRecord], postbacks: Sequence[PostbackRecord]
) -> dict[tuple[str, str], tuple[Party, Party | None]]:
    parties: dict[tuple[str, str], tuple[Party, Party | None]] = {}
    for request in requests:
        parties[("requests", request.id)] = (request.customer, request.printer)
    for postback in postbacks:
        parties[("postbacks", postback.id)] = (postback.customer, postback.printer)
    return parties


def _span(
    reference: str,
    finding: Finding,
    parties: Mapping[tuple[str, str], tuple[Party, Party | None]],
    due: datetime | None,
    until: datetime | None,
    waited_from: datetime | None,
) -> FindingSpan:
    first = finding.records[0]
    customer, printer = parties[(first.kind, first.id)]
    cause = finding_cause(
        finding.rule,
        finding.detail,
        reference=reference,
        order_id=finding.order_id,
        customer=customer.name,
        printer=printer.name if printer is not None else None,
    )
    before = BEFORE_DUE.get(finding.rule) if due is not None else None
    return FindingSpan(
        reference, finding, customer, printer, cause, due, until, waited_from, before
    )
