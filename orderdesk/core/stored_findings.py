"""Every order's findings, kept in the store: recomputed when a reference's records change.

The rules of ``timeline_rules`` look at one reference at one moment. Asking
them for every order at every moment would read the whole store, so the
findings are stored instead, each over the span of time in which it reads the
same (:class:`FindingSpan`): a finding that waits on time passing (a receipt
still awaited, then missing; a postback retrying, then a problem, then
undelivered) is one row per span, with the moment it falls due and the moment
it stops. "What is open now" is then a range query, and at any ``now`` the
spans in effect say exactly what :func:`diagnose` says of the same records.

The thresholds are the writer's: the sync stores findings by the
``TimelineRules`` of its own settings, and records them in ``meta``; a writer
with other thresholds recomputes every reference (:func:`adopt_rules`,
:func:`backfill`). A reader that set other thresholds still sees the writer's
findings: one store, one set of findings, whoever looks.

Records without an order reference belong to no order's story and have no
stored findings; a reference reads at most ``MAX_RECORDS`` of each kind, its
newest, as the timeline does.
"""

from __future__ import annotations

import json
from collections import OrderedDict
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol

from sqlalchemy import (
    ColumnElement,
    Connection,
    RowMapping,
    bindparam,
    delete,
    insert,
    select,
    type_coerce,
    update,
)
from sqlalchemy.types import NullType

from orderdesk.core.backends.bulk import bulk_insert
from orderdesk.core.causes import finding_cause
from orderdesk.core.records import (
    KINDS,
    Kind,
    LogRecord,
    Party,
    PostbackRecord,
    RequestRecord,
)
from orderdesk.core.rule_records import rule_records
from orderdesk.core.schema import FINDINGS, META, TABLES
from orderdesk.core.timeline_rules import (
    Finding,
    OrderRecords,
    RecordRef,
    RuleName,
    Severity,
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

__all__ = [
    "ALWAYS",
    "BACKFILL_KEY",
    "BEFORE_DUE",
    "MAX_RECORDS",
    "NEVER",
    "RULES_KEY",
    "FindingSpan",
    "RecordCache",
    "Stop",
    "adopt_rules",
    "backfill",
    "backfill_pending",
    "finding_spans",
    "noticed_at",
    "reference_findings",
    "refresh_findings",
    "rules_text",
    "span_from_row",
    "standing_at",
]

#: The open ends of a span, as stored: a finding that holds from the start, or forever.
ALWAYS = datetime(1, 1, 2, tzinfo=UTC)
NEVER = datetime(9999, 12, 30, tzinfo=UTC)
#: ``meta`` keys: the thresholds the findings were computed with, and while a
#: backfill is under way, the last reference it finished.
RULES_KEY = "findings_rules"
BACKFILL_KEY = "findings_backfill_after"
#: At most this many records of each kind are read for one reference, as on its timeline.
MAX_RECORDS = 2_000
_CHUNK = 500
_BACKFILL_BATCH = 200


class Stop(Protocol):
    """What asks a long task to stop between steps: a ``threading.Event``, typically."""

    def is_set(self) -> bool:
        """Whether to stop now."""
        ...


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


def _micros(span: timedelta | None) -> int | None:
    return None if span is None else span // timedelta(microseconds=1)


def _span_row(span: FindingSpan) -> dict[str, Any]:
    finding = span.finding
    first = finding.records[0]
    return {
        "order_reference_id": span.reference,
        "rule": finding.rule,
        "severity": finding.severity,
        "records": json.dumps([[ref.kind, ref.id] for ref in finding.records]),
        "record_kind": first.kind,
        "record_id": first.id,
        "customer_id": span.customer.id,
        "customer_name": span.customer.name,
        "printer_id": span.printer.id if span.printer is not None else None,
        "printer_name": span.printer.name if span.printer is not None else None,
        "order_id": finding.order_id,
        "subject": finding.subject,
        "detail": finding.detail,
        "cause": span.cause,
        "at": finding.at,
        "since": finding.since,
        "threshold_us": _micros(finding.threshold),
        "waited_from": span.waited_from,
        "waited_us": None if span.waited_from is not None else _micros(finding.waited),
        "due_at": span.due_at or ALWAYS,
        "until_at": span.until or NEVER,
        "before_rule": span.before,
    }


def _span_of(micros: int | None) -> timedelta | None:
    return None if micros is None else timedelta(microseconds=micros)


def span_from_row(row: RowMapping) -> FindingSpan:
    """A stored finding row as the span it was saved from."""
    refs: list[tuple[Kind, str]] = [(kind, id_) for kind, id_ in json.loads(row["records"])]
    rule: RuleName = row["rule"]
    severity: Severity = row["severity"]
    finding = Finding(
        rule=rule,
        at=row["at"],
        records=tuple(RecordRef(kind, id_) for kind, id_ in refs),
        severity=severity,
        subject=row["subject"],
        order_id=row["order_id"],
        detail=row["detail"],
        waited=_span_of(row["waited_us"]),
        threshold=_span_of(row["threshold_us"]),
        since=row["since"],
    )
    printer = None
    if row["printer_id"] is not None:
        printer = Party(id=row["printer_id"], name=row["printer_name"])
    due, until = row["due_at"], row["until_at"]
    return FindingSpan(
        reference=row["order_reference_id"],
        finding=finding,
        customer=Party(id=row["customer_id"], name=row["customer_name"]),
        printer=printer,
        cause=row["cause"],
        due_at=None if due <= ALWAYS else due,
        until=None if until >= NEVER else until,
        waited_from=row["waited_from"],
        before=row["before_rule"],
    )


class RecordCache:
    """The latest records a writer saved or read, up to ``size`` of them.

    A postback's page needs its order's requests, which the same sync saved a
    moment before: kept here, they are not read back and parsed again. An entry
    serves only while the store holds the same version (``updated_at``), so a
    record another writer changed is read again. A page's records are kept as
    they were saved (a copy without their bodies cost more than reading them
    back), at a few kilobytes each; those read back, as the rules read them
    (``rule_records``), without their bodies.
    """

    def __init__(self, size: int = 20_000) -> None:
        self._size = size
        self._records: OrderedDict[tuple[Kind, str], LogRecord] = OrderedDict()

    def put(self, kind: Kind, record: LogRecord) -> None:
        """Keep ``record``, as the store now holds it."""
        key = (kind, record.id)
        self._records[key] = record
        self._records.move_to_end(key)
        while len(self._records) > self._size:
            self._records.popitem(last=False)

    def get(self, kind: Kind, record_id: str) -> LogRecord | None:
        """The record kept, if any: the caller checks it is the version the store holds."""
        return self._records.get((kind, record_id))


def _as_stored(connection: Connection, column: ColumnElement[Any]) -> Callable[[Any], Any]:
    """What a value of ``column`` becomes in the database, as it reads back unparsed."""
    dialect = connection.dialect
    process = column.type.dialect_impl(dialect).bind_processor(dialect)
    return process if process is not None else (lambda value: value)


def _reference_records(
    connection: Connection,
    references: Collection[str],
    known: Mapping[tuple[Kind, str], LogRecord],
    cache: RecordCache,
) -> dict[str, tuple[list[RequestRecord], list[PostbackRecord]]]:
    """Each reference's records (its newest, up to the cap), oldest first.

    ``known`` holds records as just stored, by kind and id, and ``cache`` those
    saved or read before: neither is read back.
    """
    found: dict[str, tuple[list[RequestRecord], list[PostbackRecord]]] = {
        reference: ([], []) for reference in references
    }
    for kind in KINDS:
        table = TABLES[kind]
        # The moments as the database gives them, not parsed: they are only sorted
        # (the newest records of a reference) and compared with a kept record's.
        raw = [type_coerce(table.c[name], NullType()) for name in ("created_at", "updated_at")]
        as_stored = _as_stored(connection, table.c.updated_at)
        keys: dict[str, list[tuple[Any, str, int, Any]]] = {}
        ordered = sorted(references)
        query = select(table.c.order_reference_id, raw[0], table.c.id, table.c.pk, raw[1])
        query = query.where(table.c.order_reference_id.in_(bindparam("refs", expanding=True)))
        for start in range(0, len(ordered), _CHUNK):
            chunk = {"refs": ordered[start : start + _CHUNK]}
            for reference, *key in connection.execute(query, chunk):
                created_at, record_id, pk, updated_at = key
                keys.setdefault(reference, []).append((created_at, record_id, pk, updated_at))
        wanted: list[int] = []
        read: dict[str, LogRecord] = {}
        chosen: dict[str, list[str]] = {}
        for reference, rows in keys.items():
            newest = rows if len(rows) <= MAX_RECORDS else sorted(rows)[-MAX_RECORDS:]
            chosen[reference] = [record_id for _, record_id, _, _ in newest]
            for _, record_id, pk, updated_at in newest:
                kept = known.get((kind, record_id))
                if kept is None:
                    kept = cache.get(kind, record_id)
                    if kept is not None and as_stored(kept.updated_at) != updated_at:
                        kept = None
                if kept is None:
                    wanted.append(pk)
                else:
                    read[record_id] = kept
        # Only what the rules look at (``rule_records``): a fraction of each record's cost.
        for start in range(0, len(wanted), _CHUNK):
            for record in rule_records(connection, kind, wanted[start : start + _CHUNK]):
                cache.put(kind, record)
                read[record.id] = record
        for reference, ids in chosen.items():
            records = [read[record_id] for record_id in ids]
            records.sort(key=lambda record: (record.created_at, record.id))
            requests, postbacks = found[reference]
            for record in records:
                if isinstance(record, RequestRecord):
                    requests.append(record)
                else:
                    postbacks.append(record)
    return found


def refresh_findings(
    connection: Connection,
    references: Collection[str],
    rules: TimelineRules,
    known: Mapping[tuple[Kind, str], LogRecord] | None = None,
    cache: RecordCache | None = None,
) -> int:
    """Recompute and replace the stored findings of ``references``; returns the rows stored.

    Runs in the caller's transaction: the page writer's, so a page and its
    findings are stored together or not at all. ``known`` are the records the
    page just stored; ``cache`` keeps records between pages (see :class:`RecordCache`).
    """
    if not references:
        return 0
    records = _reference_records(connection, references, known or {}, cache or RecordCache(0))
    ordered = sorted(references)
    stale = delete(FINDINGS).where(
        FINDINGS.c.order_reference_id.in_(bindparam("refs", expanding=True))
    )
    for start in range(0, len(ordered), _CHUNK):
        connection.execute(stale, {"refs": ordered[start : start + _CHUNK]})
    rows = [
        _span_row(span)
        for reference in ordered
        for span in finding_spans(reference, *records[reference], rules)
    ]
    if rows:
        bulk_insert(connection.dialect, FINDINGS, tuple(rows[0])).run(connection, rows)
    return len(rows)


def reference_findings(connection: Connection, reference: str, now: datetime) -> list[Finding]:
    """The stored findings of one reference in effect at ``now``, in the order they happened."""
    query = select(FINDINGS).where(
        FINDINGS.c.order_reference_id == reference, FINDINGS.c.until_at > now
    )
    spans = [span_from_row(row) for row in connection.execute(query).mappings()]
    findings = [span.at(now) for span in spans if span.holds_at(now)]
    findings.sort(key=lambda finding: finding.at)
    return findings


# The writer's thresholds, and recomputing every reference when they change.


def rules_text(rules: TimelineRules) -> str:
    """The thresholds as ``meta`` keeps them: seconds, by name."""
    return json.dumps(
        {
            "receipt_within": rules.receipt_within.total_seconds(),
            "delivery_within": rules.delivery_within.total_seconds(),
            "retrying_after": rules.retrying_after.total_seconds(),
            "duplicate_within": rules.duplicate_within.total_seconds(),
        },
        sort_keys=True,
    )


def _meta(connection: Connection, key: str) -> str | None:
    query = select(META.c.value).where(META.c.key == key)
    value: str | None = connection.execute(query).scalar_one_or_none()
    return value


def _set_meta(connection: Connection, key: str, value: str) -> None:
    if _meta(connection, key) is None:
        connection.execute(insert(META), {"key": key, "value": value})
    else:
        connection.execute(update(META).where(META.c.key == key).values(value=value))


def adopt_rules(connection: Connection, rules: TimelineRules) -> bool:
    """Make ``rules`` the store's thresholds; True if the findings must be recomputed.

    A store whose findings were computed with other thresholds (or none) gets
    a backfill from the first reference; :func:`backfill` then does it.
    """
    wanted = rules_text(rules)
    if _meta(connection, RULES_KEY) == wanted:
        return False
    _set_meta(connection, RULES_KEY, wanted)
    _set_meta(connection, BACKFILL_KEY, "")
    return True


def backfill_pending(connection: Connection) -> bool:
    """Whether some references' findings are still to be computed."""
    return _meta(connection, BACKFILL_KEY) is not None


def _next_references(connection: Connection, after: str, limit: int) -> list[str]:
    found: set[str] = set()
    for table in TABLES.values():
        reference = table.c.order_reference_id
        query = (
            select(reference)
            .where(reference > after)
            .group_by(reference)
            .order_by(reference)
            .limit(limit)
        )
        found.update(connection.execute(query).scalars())
    return sorted(found)[:limit]


def backfill(
    writing: Callable[[], Any],
    rules: TimelineRules,
    *,
    batch: int = _BACKFILL_BATCH,
    stop: Stop | None = None,
    on_batch: Callable[[int], None] | None = None,
) -> bool:
    """Compute the findings of every reference still pending, a batch per transaction.

    Each batch records the last reference it finished in ``meta`` in its own
    transaction, so a backfill stopped anywhere (``stop``, a crash) resumes
    after that reference. ``writing`` is the store's write transaction;
    ``on_batch`` hears how many references each batch did. True once done.
    """
    while stop is None or not stop.is_set():
        with writing() as connection:
            after = _meta(connection, BACKFILL_KEY)
            if after is None:
                return True
            references = _next_references(connection, after, batch)
            if not references:
                connection.execute(delete(META).where(META.c.key == BACKFILL_KEY))
                return True
            refresh_findings(connection, references, rules)
            _set_meta(connection, BACKFILL_KEY, references[-1])
        if on_batch is not None:
            on_batch(len(references))
    return False


def standing_at(now: datetime) -> list[ColumnElement[bool]]:
    """The stored rows whose own rule holds at ``now``: fallen due and not yet ended.

    With :func:`noticed_at`, the SQL form of :meth:`FindingSpan.holds_at`, for
    every query that asks what is open.
    """
    c = FINDINGS.c
    return [c.due_at <= now, c.until_at > now]


def noticed_at(now: datetime) -> list[ColumnElement[bool]]:
    """The stored rows that read as their notice at ``now`` (``BEFORE_DUE``): not yet due."""
    c = FINDINGS.c
    return [c.before_rule.is_not(None), c.due_at > now, c.until_at > now]
