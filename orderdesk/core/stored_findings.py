"""Every order's findings, kept in the store: recomputed when a reference's records change.

Asking the rules for every order at every moment would read the whole store,
so each reference's findings are stored instead, one row per span
(``finding_spans``). "What is open now" is then a range query
(:func:`standing_at`, :func:`noticed_at`). The writer recomputes a reference's
rows in the transaction that changes its records (:func:`refresh_findings`),
by the thresholds ``findings_backfill`` keeps.

Records without an order reference belong to no order's story and have no
stored findings; a reference reads at most ``MAX_RECORDS`` of each kind, its
newest, as the timeline does.
"""

from __future__ import annotations

import json
from collections import OrderedDict
from collections.abc import Callable, Collection, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Connection,
    RowMapping,
    bindparam,
    delete,
    select,
    type_coerce,
)
from sqlalchemy.types import NullType

from orderdesk.core.backends.bulk import bulk_insert
from orderdesk.core.finding_spans import FindingSpan, finding_spans
from orderdesk.core.records import (
    KINDS,
    Kind,
    LogRecord,
    Party,
    PostbackRecord,
    RequestRecord,
)
from orderdesk.core.rule_records import rule_records
from orderdesk.core.schema import FINDINGS, TABLES
from orderdesk.core.timeline_rules import (
    Finding,
    RecordRef,
    RuleName,
    Severity,
    TimelineRules,
)

__all__ = [
    "ALWAYS",
    "MAX_RECORDS",
    "NEVER",
    "RecordCache",
    "noticed_at",
    "reference_findings",
    "refresh_findings",
    "span_from_row",
    "standing_at",
]

#: The open ends of a span, as stored: a finding that holds from the start, or forever.
ALWAYS = datetime(1, 1, 2, tzinfo=UTC)
NEVER = datetime(9999, 12, 30, tzinfo=UTC)
#: At most this many records of each kind are read for one reference, as on its timeline.
MAX_RECORDS = 2_000
_CHUNK = 500


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
