"""One order reference's story: its requests and postbacks oldest first, and what is missing.

This is what answers "my order disappeared" and "the customer never got the
shipping notification": the records of one reference on one timeline, with
the findings of the rules in ``timeline_rules`` that a support engineer
would otherwise have to spot by reading it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from orderdesk.core.action_records import ActionRecord
from orderdesk.core.action_trail import actions_of_reference
from orderdesk.core.diagnosis import record_diagnosis
from orderdesk.core.queries import Cursor, RecordQuery, list_records
from orderdesk.core.records import Kind, LogRecord, PostbackRecord, RequestRecord
from orderdesk.core.store import Store
from orderdesk.core.timeline_rules import DEFAULT_RULES, Finding, TimelineRules, diagnose

__all__ = [
    "MAX_RECORDS",
    "Timeline",
    "TimelineEntry",
    "build_timeline",
    "order_timeline",
    "reference_records",
]

#: At most this many records of each kind are read for one reference: real
#: references have a handful, and a runaway one must not load the store.
MAX_RECORDS = 2_000
_PAGE = 200


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
class Timeline:
    """Everything known about one order reference, oldest first."""

    reference: str
    entries: list[TimelineEntry] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    """What the rules found missing or wrong, in the order it happened."""
    order_ids: list[str] = field(default_factory=list)
    """Every printer order id of the reference: one reference may map to several orders."""
    customers: list[str] = field(default_factory=list)
    printers: list[str] = field(default_factory=list)
    truncated: bool = False
    """Whether a kind had more records than are read for one reference."""
    actions: list[ActionRecord] = field(default_factory=list)
    """The redeliveries and resubmits of the reference's records (log API 1.1), oldest first."""


def _request_entry(record: RequestRecord) -> TimelineEntry:
    diagnosis = record_diagnosis(record)
    answer, error = diagnosis.last_answer, diagnosis.error
    return TimelineEntry(
        kind="requests",
        id=record.id,
        at=record.created_at,
        subject=record.action,
        status=record.status,
        http_status=answer.status_code if answer is not None else None,
        attempts=diagnosis.attempts,
        order_id=record.order_id,
        failed=record.status == "failed",
        detail=error.message if error is not None else None,
    )


def _postback_entry(record: PostbackRecord) -> TimelineEntry:
    undelivered = record.status in ("failed", "retrying")
    diagnosis = record_diagnosis(record)
    answer = diagnosis.last_answer
    return TimelineEntry(
        kind="postbacks",
        id=record.id,
        at=record.created_at,
        subject=record.event,
        status=record.status,
        http_status=answer.status_code if answer is not None else None,
        attempts=diagnosis.attempts,
        order_id=record.order_id,
        failed=undelivered,
        detail=diagnosis.last_answer_text if undelivered else None,
    )


def build_timeline(
    reference: str,
    requests: Sequence[RequestRecord],
    postbacks: Sequence[PostbackRecord],
    *,
    now: datetime,
    rules: TimelineRules = DEFAULT_RULES,
    truncated: bool = False,
    actions: Sequence[ActionRecord] = (),
) -> Timeline:
    """The timeline of one reference from its records; ``now`` and ``rules`` decide what is late.

    ``actions`` are the reference's actions; they tell the story, the rules judge the records.
    """
    entries = [_request_entry(r) for r in requests] + [_postback_entry(p) for p in postbacks]
    # At the same instant a request comes before the postbacks it caused.
    entries.sort(key=lambda entry: (entry.at, entry.kind != "requests", entry.id))
    findings = diagnose(requests, postbacks, now=now, rules=rules)
    records: list[LogRecord] = [*requests, *postbacks]
    # In the timeline's order, so the first printer order listed is the first one on it.
    records.sort(
        key=lambda record: (record.created_at, isinstance(record, PostbackRecord), record.id)
    )
    return Timeline(
        reference=reference,
        entries=entries,
        findings=findings,
        order_ids=_unique(r.order_id for r in records),
        customers=_unique(r.customer.name for r in records),
        printers=_unique(r.printer.name if r.printer is not None else None for r in records),
        truncated=truncated,
        actions=sorted(actions, key=lambda action: (action.created_at, action.id)),
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
    query = RecordQuery(kind, order_references=(reference,))
    records: list[LogRecord] = []
    after: Cursor | None = None
    while len(records) < MAX_RECORDS:
        page = list_records(store, query, after=after, limit=_PAGE)
        records += page
        if len(page) < _PAGE:
            return records, False
        after = Cursor(page[-1].created_at, page[-1].id)
    return records, True


def reference_records(
    store: Store, reference: str
) -> tuple[list[RequestRecord], list[PostbackRecord], bool]:
    """The requests and postbacks of one reference, up to the cap, and whether it was hit."""
    requests, more_requests = _all_of(store, "requests", reference)
    postbacks, more_postbacks = _all_of(store, "postbacks", reference)
    return (
        [r for r in requests if isinstance(r, RequestRecord)],
        [p for p in postbacks if isinstance(p, PostbackRecord)],
        more_requests or more_postbacks,
    )


def order_timeline(
    store: Store, reference: str, *, now: datetime, rules: TimelineRules = DEFAULT_RULES
) -> Timeline:
    """The timeline of one order reference as the store knows it, its actions included."""
    requests, postbacks, truncated = reference_records(store, reference)
    return build_timeline(
        reference,
        requests,
        postbacks,
        now=now,
        rules=rules,
        truncated=truncated,
        actions=actions_of_reference(store, reference),
    )
