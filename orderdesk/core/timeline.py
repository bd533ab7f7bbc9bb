"""One order reference's story: its requests and postbacks oldest first, and what is missing.

This is what answers "my order disappeared" and "the customer never got the
shipping notification": the records of one reference on one timeline, with
the gaps a support engineer would otherwise have to spot by reading it.
The gaps are facts, not sentences; the screens word them.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Literal

from orderdesk.core.queries import Cursor, RecordQuery, list_records
from orderdesk.core.records import Kind, LogRecord, PostbackRecord, RequestRecord
from orderdesk.core.store import Store

__all__ = [
    "RECEIPT_WINDOW",
    "Gap",
    "GapKind",
    "Timeline",
    "TimelineEntry",
    "build_timeline",
    "order_timeline",
]

#: How long a printer may take to confirm an order before it counts as missing.
#: Printers send ``order_received`` within minutes; a quarter of an hour
#: without one is worth a support engineer's attention.
RECEIPT_WINDOW = timedelta(minutes=15)

#: At most this many records of each kind are read for one reference: real
#: references have a handful, and a runaway one must not load the store.
_MAX_RECORDS = 2_000
_PAGE = 200

GapKind = Literal["request_failed", "not_received", "awaiting_receipt", "undelivered", "no_request"]
"""What an order lacks; ``awaiting_receipt`` is not missing yet, only not confirmed so far."""


@dataclass(frozen=True)
class TimelineEntry:
    """One record on an order's timeline."""

    kind: Kind
    id: str
    at: datetime
    subject: str
    """A request's action or a postback's event."""
    status: str
    http_status: int | None
    """The printer's answer, or the last delivery attempt's."""
    attempts: int
    """Delivery attempts of a postback; 0 or 1 for a request."""
    order_id: str | None
    failed: bool
    """Whether the record ended badly (a failed request, a postback not delivered)."""
    detail: str | None
    """What went wrong, in the record's own words, or None."""


@dataclass(frozen=True)
class Gap:
    """Something the order's story lacks, and the record it concerns."""

    kind: GapKind
    at: datetime
    """When the missing thing should have happened, or when the failure did."""
    record_id: str | None
    record_kind: Kind | None
    subject: str | None = None
    """The request's action or the postback's event concerned."""
    order_id: str | None = None
    detail: str | None = None
    """The error, the last answer, or how long it has been."""
    waited: timedelta | None = None
    """For ``not_received`` and ``awaiting_receipt``: how long the printer has been silent."""


@dataclass(frozen=True)
class Timeline:
    """Everything known about one order reference, oldest first."""

    reference: str
    entries: list[TimelineEntry] = field(default_factory=list)
    gaps: list[Gap] = field(default_factory=list)
    order_ids: list[str] = field(default_factory=list)
    """Every printer order id of the reference: one reference may map to several orders."""
    customers: list[str] = field(default_factory=list)
    printers: list[str] = field(default_factory=list)
    truncated: bool = False
    """Whether a kind had more records than are read for one reference."""


def _request_entry(record: RequestRecord) -> TimelineEntry:
    response = record.response
    detail = record.error.message if record.error is not None else None
    return TimelineEntry(
        kind="requests",
        id=record.id,
        at=record.created_at,
        subject=record.action,
        status=record.status,
        http_status=response.status_code if response is not None else None,
        attempts=0 if response is None else 1,
        order_id=record.order_id,
        failed=record.status == "failed",
        detail=detail,
    )


def _last_answer(record: PostbackRecord) -> str | None:
    last = record.attempts[-1] if record.attempts else record.response
    if last is None:
        return None
    if last.error:
        return last.error
    return None if last.status_code is None else f"HTTP {last.status_code}"


def _postback_entry(record: PostbackRecord) -> TimelineEntry:
    undelivered = record.status in ("failed", "retrying")
    last = record.attempts[-1] if record.attempts else record.response
    return TimelineEntry(
        kind="postbacks",
        id=record.id,
        at=record.created_at,
        subject=record.event,
        status=record.status,
        http_status=last.status_code if last is not None else None,
        attempts=len(record.attempts),
        order_id=record.order_id,
        failed=undelivered,
        detail=_last_answer(record) if undelivered else None,
    )


def _unconfirmed(
    requests: Sequence[RequestRecord],
    postbacks: Sequence[PostbackRecord],
    now: datetime,
    window: timedelta,
) -> list[Gap]:
    """Orders handed to a printer that has not said ``order_received``: late, or not yet."""
    received_ids = {p.order_id for p in postbacks if p.event == "order_received"}
    received_without_id = any(p.event == "order_received" and p.order_id is None for p in postbacks)
    gaps = []
    for request in requests:
        if request.action != "submit" or request.status != "succeeded":
            continue
        if request.order_id in received_ids or (request.order_id is None and received_without_id):
            continue
        sent = request.final.at if request.final is not None else request.created_at
        waited = now - sent
        late = waited >= window
        gaps.append(
            Gap(
                kind="not_received" if late else "awaiting_receipt",
                at=sent + window if late else sent,
                record_id=request.id,
                record_kind="requests",
                subject=request.action,
                order_id=request.order_id,
                waited=max(waited, timedelta(0)),
            )
        )
    return gaps


def build_timeline(
    reference: str,
    requests: Sequence[RequestRecord],
    postbacks: Sequence[PostbackRecord],
    *,
    now: datetime,
    receipt_window: timedelta = RECEIPT_WINDOW,
    truncated: bool = False,
) -> Timeline:
    """The timeline of one reference from its records; ``now`` decides what is overdue."""
    entries = [_request_entry(r) for r in requests] + [_postback_entry(p) for p in postbacks]
    # At the same instant a request comes before the postbacks it caused.
    entries.sort(key=lambda entry: (entry.at, entry.kind != "requests", entry.id))
    gaps = [
        Gap(
            kind="request_failed",
            at=r.updated_at,
            record_id=r.id,
            record_kind="requests",
            subject=r.action,
            order_id=r.order_id,
            detail=f"{r.error.stage}: {r.error.message}" if r.error is not None else None,
        )
        for r in requests
        if r.status == "failed"
    ]
    gaps += _unconfirmed(requests, postbacks, now, receipt_window)
    gaps += [
        Gap(
            kind="undelivered",
            at=p.updated_at,
            record_id=p.id,
            record_kind="postbacks",
            subject=p.event,
            order_id=p.order_id,
            detail=_last_answer(p),
        )
        for p in postbacks
        if p.status in ("failed", "retrying")
    ]
    if postbacks and not requests:
        first = min(postbacks, key=lambda p: p.created_at)
        gaps.append(Gap(kind="no_request", at=first.created_at, record_id=None, record_kind=None))
    gaps.sort(key=lambda gap: gap.at)
    records: list[LogRecord] = [*requests, *postbacks]
    records.sort(key=lambda record: record.created_at)
    return Timeline(
        reference=reference,
        entries=entries,
        gaps=gaps,
        order_ids=_unique(r.order_id for r in records),
        customers=_unique(r.customer.name for r in records),
        printers=_unique(r.printer.name if r.printer is not None else None for r in records),
        truncated=truncated,
    )


def _unique(values: Iterable[str | None]) -> list[str]:
    """The values in first-seen order, without None or repeats."""
    seen: dict[str, None] = {}
    for value in values:
        if value is not None:
            seen.setdefault(value, None)
    return list(seen)


def _all_of(store: Store, kind: Kind, reference: str) -> tuple[list[LogRecord], bool]:
    """Every record of a kind with this reference, up to the cap, and whether it was hit."""
    query = RecordQuery(kind, order_reference=reference)
    records: list[LogRecord] = []
    after: Cursor | None = None
    while len(records) < _MAX_RECORDS:
        page = list_records(store, query, after=after, limit=_PAGE)
        records += page
        if len(page) < _PAGE:
            return records, False
        after = Cursor(page[-1].created_at, page[-1].id)
    return records, True


def order_timeline(
    store: Store, reference: str, *, now: datetime, receipt_window: timedelta = RECEIPT_WINDOW
) -> Timeline:
    """The timeline of one order reference as the store knows it."""
    requests, more_requests = _all_of(store, "requests", reference)
    postbacks, more_postbacks = _all_of(store, "postbacks", reference)
    return build_timeline(
        reference,
        [r for r in requests if isinstance(r, RequestRecord)],
        [p for p in postbacks if isinstance(p, PostbackRecord)],
        now=now,
        receipt_window=receipt_window,
        truncated=more_requests or more_postbacks,
    )
