"""An order's story told to its customer: whole sentences to paste into a reply.

Support answers "what happened to my order?" with this instead of "I'll
investigate and get back to you". It is read by someone outside: it names
the printer, the times and the answers the customer's own system gave, and
nothing internal. No record id, no printer order id and nothing from a body,
a header or an error message reaches it (an error message can quote an id or
a presigned file URL): only what the contract's fields say in our own words,
the printer's name, the order reference the customer chose, HTTP status codes
and the tracking number.

The tracking number is shown whole. It is the customer's own information
(their webhook carries it to them), and the one thing a customer whose
shipping notification never arrived needs; cut short it could not be
looked up. It comes from the printer, though, so it is shown only when it
looks like a tracking number and is not one of the order's ids.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, tzinfo

from babel.dates import format_date

from orderdesk import i18n, strings
from orderdesk.core.errors import InputError
from orderdesk.core.records import HttpResponse, LogRecord, PostbackRecord, RequestRecord
from orderdesk.core.store import Store
from orderdesk.core.text import show_controls
from orderdesk.core.timeline import reference_records
from orderdesk.core.timeline_rules import DEFAULT_RULES, TimelineRules, diagnose

__all__ = ["customer_summary", "order_summary", "shown_tracking"]

_TRACKING = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9 -]{2,38})[A-Za-z0-9]")
#: Names are the store's words: long enough for any real printer or reference, no longer.
_LONGEST_NAME = 80


@dataclass(frozen=True)
class _Event:
    """One sentence of the story, and when it happened."""

    at: datetime
    sentences: tuple[str, ...]


def _name(text: str) -> str:
    shown = show_controls(text)
    return shown if len(shown) <= _LONGEST_NAME else shown[: _LONGEST_NAME - 1] + "…"


def shown_tracking(postback: PostbackRecord, ids: frozenset[str]) -> str | None:
    """The postback's tracking number as the customer may read it, or None when it looks wrong."""
    tracking = postback.tracking
    if tracking is None:
        return None
    code = tracking.code.strip()
    if not _TRACKING.fullmatch(code) or code in ids:
        return None
    return code


class _Teller:
    """Words the records of one customer's order, in the language in use."""

    def __init__(self, zone: tzinfo, moments: list[datetime]) -> None:
        self.zone = zone
        days = {moment.astimezone(zone).date() for moment in moments}
        self.one_day = len(days) == 1
        self.style = "clock_minutes" if self.one_day else "minutes"

    def time(self, moment: datetime) -> str:
        return i18n.format_moment(moment.astimezone(self.zone), self.style)

    def header(self, reference: str, first: datetime) -> str:
        local = first.astimezone(self.zone)
        zone = self.zone.tzname(local) or str(self.zone)
        if self.one_day:
            date = format_date(local.date(), "long", locale=i18n.language())
            return strings.SUMMARY_HEADER_DAY.format(reference=reference, date=date, zone=zone)
        return strings.SUMMARY_HEADER.format(reference=reference, zone=zone)


def _answer_sentence(attempts: Sequence[HttpResponse]) -> str | None:
    """What the customer's system answered to the delivery attempts, in a sentence."""
    if not attempts:
        return None
    codes = [attempt.status_code for attempt in attempts]
    last, count = codes[-1], len(codes)
    if len(set(codes)) == 1:
        if last is None:
            return (
                strings.SUMMARY_SILENT_ONCE
                if count == 1
                else strings.SUMMARY_SILENT_TIMES.format(count=count)
            )
        if count == 1:
            return strings.SUMMARY_ANSWERED_ONCE.format(code=last)
        return strings.SUMMARY_ANSWERED_TIMES.format(code=last, count=count)
    if last is None:
        return strings.SUMMARY_LAST_SILENT.format(count=count)
    return strings.SUMMARY_LAST_ANSWER.format(count=count, code=last)


def _attempts(postback: PostbackRecord) -> list[HttpResponse]:
    if postback.attempts:
        return list(postback.attempts)
    return [postback.response] if postback.response is not None else []


def _delivery_sentences(postback: PostbackRecord) -> tuple[str, ...]:
    """Whether the customer's system was told about the postback, and what it answered."""
    if postback.status == "delivered":
        return ()
    if postback.status == "pending" and not _attempts(postback):
        return (strings.SUMMARY_NOT_TOLD_YET,)
    lead = {
        "failed": strings.SUMMARY_NOT_TOLD,
        "retrying": strings.SUMMARY_STILL_TELLING,
        "pending": strings.SUMMARY_NOT_TOLD_YET,
    }[postback.status]
    answer = _answer_sentence(_attempts(postback))
    return (lead,) if answer is None else (lead, answer)


def _postback_event(
    postback: PostbackRecord, teller: _Teller, ids: frozenset[str], *, split: bool
) -> _Event:
    """What the printer said, and whether the customer's system heard it.

    In an order ``split`` between printers, "it was printed" would be half true:
    each sentence names the printer whose part it is.
    """
    time, printer = teller.time(postback.created_at), _name(postback.printer.name)
    tracking = shown_tracking(postback, ids) if postback.event == "shipped" else None
    if tracking is not None:
        shipped = (
            strings.SUMMARY_PART_SHIPPED_TRACKING if split else strings.SUMMARY_SHIPPED_TRACKING
        )
        told = shipped.format(time=time, tracking=tracking, printer=printer)
    else:
        events = strings.SUMMARY_PART_EVENTS if split else strings.SUMMARY_EVENTS
        told = events[postback.event].format(time=time, printer=printer)
    return _Event(postback.created_at, (told, *_delivery_sentences(postback)))


def _failed_at(request: RequestRecord) -> datetime:
    """When a request was seen to fail: the printer's answer, or the sending, or its arrival."""
    answered = request.response or request.final
    return answered.at if answered is not None else request.created_at


def _failed_submit(request: RequestRecord, teller: _Teller, *, split: bool) -> str:
    """Where a submit failed, in our words; in a ``split`` order only a part failed, not "it"."""
    time = teller.time(_failed_at(request))
    stage = request.error.stage if request.error is not None else None
    printer = _name(request.printer.name) if request.printer is not None else None
    if stage == "template":
        told = strings.SUMMARY_TEMPLATE_FAILED_PART if split else strings.SUMMARY_TEMPLATE_FAILED
        return told.format(time=time)
    if stage == "validation":
        told = strings.SUMMARY_CHECKS_FAILED_PART if split else strings.SUMMARY_CHECKS_FAILED
        return told.format(time=time)
    if stage == "delivery" and printer is not None:
        told = (
            strings.SUMMARY_PRINTER_UNREACHABLE_PART
            if split
            else strings.SUMMARY_PRINTER_UNREACHABLE
        )
        return told.format(time=time, printer=printer)
    if stage == "printer" and printer is not None:
        told = strings.SUMMARY_PRINTER_REFUSED_PART if split else strings.SUMMARY_PRINTER_REFUSED
        return told.format(time=time, printer=printer)
    told = strings.SUMMARY_NOT_SENT_PART if split else strings.SUMMARY_NOT_SENT
    return told.format(time=time)


def _submit_outcome(request: RequestRecord, teller: _Teller, *, split: bool) -> _Event:
    """What became of one submit: sent to its printer, still on its way, or not sent and why.

    An order ``split`` between printers is one message sent as a part to each.
    """
    printer = _name(request.printer.name) if request.printer is not None else None
    if request.status == "failed":
        return _Event(_failed_at(request), (_failed_submit(request, teller, split=split),))
    if request.final is None or printer is None:
        return _Event(request.created_at, (strings.SUMMARY_PROCESSING,))
    time = teller.time(request.final.at)
    if request.status == "succeeded":
        sentence = strings.SUMMARY_SENT_PART if split else strings.SUMMARY_SENT
    else:
        sentence = strings.SUMMARY_SENDING_PART if split else strings.SUMMARY_SENDING
    return _Event(request.final.at, (sentence.format(printer=printer, time=time),))


def _cancel_event(request: RequestRecord, teller: _Teller, too_late: bool) -> _Event:
    time = teller.time(request.created_at)
    printer = _name(request.printer.name) if request.printer is not None else None
    if request.status == "succeeded" and printer is not None:
        told = strings.SUMMARY_CANCEL_ACCEPTED.format(time=time, printer=printer)
    elif request.status == "pending":
        told = strings.SUMMARY_CANCEL_PENDING.format(time=time)
    elif too_late and printer is not None:
        told = strings.SUMMARY_CANCEL_TOO_LATE.format(time=time, printer=printer)
    else:
        told = strings.SUMMARY_CANCEL_REFUSED.format(time=time)
    return _Event(request.created_at, (told,))


def _arrivals(submits: Sequence[RequestRecord], teller: _Teller) -> list[_Event]:
    """When the order's message reached us, and again for each message sent with its reference.

    An order split between printers is one message and several submits; it arrived once.
    """
    arrived = sorted({submit.original.at for submit in submits})
    return [
        _Event(
            at,
            (
                (strings.SUMMARY_RECEIVED if n == 0 else strings.SUMMARY_RECEIVED_AGAIN).format(
                    time=teller.time(at)
                ),
            ),
        )
        for n, at in enumerate(arrived)
    ]


def _shown_moments(
    requests: Sequence[RequestRecord], postbacks: Sequence[PostbackRecord]
) -> list[datetime]:
    """Every moment a sentence may name: whether they share a day decides how times read."""
    moments = [postback.created_at for postback in postbacks]
    for request in requests:
        moments += [request.created_at, request.original.at]
        moments += [stage.at for stage in (request.final, request.response) if stage is not None]
    return moments


def _ids(requests: Sequence[RequestRecord], postbacks: Sequence[PostbackRecord]) -> frozenset[str]:
    """Every internal id of the order, which a tracking number must not be."""
    ids: set[str] = set()
    records: list[LogRecord] = [*requests, *postbacks]
    for record in records:
        ids.add(record.id)
        if record.order_id:
            ids.add(record.order_id)
    return frozenset(ids)


def customer_summary(
    reference: str,
    requests: Sequence[RequestRecord],
    postbacks: Sequence[PostbackRecord],
    zone: tzinfo,
    *,
    now: datetime,
    rules: TimelineRules = DEFAULT_RULES,
    truncated: bool = False,
) -> str:
    """What happened to the order, for its customer: whole sentences, oldest first, no ids.

    The records must be one customer's (an InputError says so otherwise): a
    reference two customers both use would tell one about the other's order.
    An order without records has no story: the answer is "".
    """
    records: list[LogRecord] = [*requests, *postbacks]
    customers = {record.customer.id: record.customer.name for record in records}
    if len(customers) > 1:
        names = ", ".join(_name(name) for name in customers.values())
        raise InputError(
            strings.SUMMARY_SEVERAL_CUSTOMERS.format(reference=_name(reference), customers=names)
        )
    if not requests and not postbacks:
        return ""
    findings = diagnose(requests, postbacks, now=now, rules=rules)
    too_late = {
        ref.id
        for finding in findings
        if finding.rule == "cancel_after_printed"
        for ref in finding.records
    }
    unconfirmed = {
        ref.id: finding.at
        for finding in findings
        if finding.rule == "not_received"
        for ref in finding.records
    }
    moments = _shown_moments(requests, postbacks)
    teller = _Teller(zone, moments)
    printers = {record.printer.id for record in records if record.printer is not None}
    split = len(printers) > 1
    submits = [r for r in requests if r.action == "submit"]
    events = _arrivals(submits, teller)
    for request in requests:
        if request.action == "cancel":
            events.append(_cancel_event(request, teller, request.id in too_late))
            continue
        events.append(_submit_outcome(request, teller, split=split))
        # A printer that sent any update about the order plainly has it, whatever it skipped.
        heard = request.order_id in {postback.order_id for postback in postbacks}
        if request.id in unconfirmed and request.printer is not None and not heard:
            sentence = strings.SUMMARY_NOT_CONFIRMED.format(printer=_name(request.printer.name))
            events.append(_Event(unconfirmed[request.id], (sentence,)))
    ids = _ids(requests, postbacks)
    events += [_postback_event(p, teller, ids, split=split) for p in postbacks]
    # Stable: at one instant the order's arrival comes before what it caused.
    events.sort(key=lambda event: event.at)
    first = min(record.created_at for record in records)
    sentences = [teller.header(_name(reference), first)]
    sentences += [sentence for event in events for sentence in event.sentences]
    if truncated:
        sentences.append(strings.SUMMARY_CUT)
    return show_controls(" ".join(sentences))


def order_summary(
    store: Store,
    reference: str,
    zone: tzinfo,
    *,
    now: datetime,
    rules: TimelineRules = DEFAULT_RULES,
) -> str:
    """The customer's summary of the order ``reference`` as the store knows it ("" if unknown)."""
    requests, postbacks, truncated = reference_records(store, reference)
    return customer_summary(
        reference, requests, postbacks, zone, now=now, rules=rules, truncated=truncated
    )
