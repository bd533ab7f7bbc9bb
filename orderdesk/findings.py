"""An order's findings worded for support staff: one sentence each, for the console and the CLI.

The rules in ``orderdesk.core.timeline_rules`` return facts; this module
turns each into a whole sentence from ``strings``. Details come from the
store and stay untrusted: callers make them safe for where they go.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from orderdesk import strings
from orderdesk.core.timeline_rules import Finding
from orderdesk.core.timerange import describe_duration

__all__ = ["finding_sentence"]


def _duration(span: timedelta | None) -> str:
    return describe_duration(span) if span is not None else "-"


def finding_sentence(finding: Finding, moment: Callable[[datetime], str]) -> str:
    """What ``finding`` means, without its time (callers show it); ``moment`` words other times."""
    rule = finding.rule
    order_id = finding.order_id or "-"
    detail = finding.detail or "-"
    subject = finding.subject or "-"
    waited, threshold = _duration(finding.waited), _duration(finding.threshold)
    earlier = moment(finding.since) if finding.since is not None else "-"
    if rule == "request_failed":
        return strings.FINDING_REQUEST_FAILED.format(subject=subject, detail=detail)
    if rule == "not_received":
        return strings.FINDING_NOT_RECEIVED.format(
            order_id=order_id, threshold=threshold, waited=waited
        )
    if rule == "awaiting_receipt":
        return strings.FINDING_AWAITING_RECEIPT.format(
            order_id=order_id, threshold=threshold, waited=waited
        )
    if rule == "shipped_undelivered":
        return strings.FINDING_SHIPPED_UNDELIVERED.format(detail=detail)
    if rule == "undelivered":
        return strings.FINDING_UNDELIVERED.format(subject=subject, detail=detail)
    if rule == "delivery_retrying" and finding.severity == "notice":
        return strings.FINDING_RETRYING_NOTICE.format(subject=subject, detail=detail)
    if rule == "delivery_retrying":
        return strings.FINDING_RETRYING.format(
            subject=subject, waited=waited, threshold=threshold, detail=detail
        )
    if rule == "error_postback":
        return strings.FINDING_ERROR_POSTBACK.format(order_id=order_id, detail=detail)
    if rule == "cancel_after_printed":
        sentence = (
            strings.FINDING_CANCEL_REFUSED
            if finding.detail is not None
            else strings.FINDING_CANCEL_AFTER_PRINTED
        )
        return sentence.format(order_id=order_id, printed=earlier)
    if rule == "duplicate_reference":
        return strings.FINDING_DUPLICATE.format(waited=waited, first=earlier)
    return strings.FINDING_NO_REQUEST
