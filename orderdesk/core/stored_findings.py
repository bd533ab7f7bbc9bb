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
from collections.abc import Collection, Mapping
from datetime import UTC, datetime, timedelta
from operator import attrgetter
from typing import Any, TypeVar

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
from orderdesk.core.rule_records import rule_copy, rule_records
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
    "ReferenceIndex",
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
#: Beyond this many customers and printers, the index forgets them and starts again.
_MAX_PARTIES = 10_000
_Record = TypeVar("_Record", RequestRecord, PostbackRecord)
#: A record's place on its timeline: made in C, not a Python call per record.
_MOMENT_AND_ID = attrgetter("created_at", "id")


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


class ReferenceIndex:
    """Every record of the references a writer lately stored or read, as the rules read them.

    A postback's page needs the other records of its order, which the same
    sync saved a moment or a few hours before: kept here, they are neither
    looked up nor read back and parsed again. A reference is kept whole (all
    its records of both kinds, as ``rule_records`` reads them: without their
    bodies) or not at all, up to ``size`` records in all, the references least
    lately refreshed going first.

    It serves only while this writer alone changes records: each transaction
    that does takes the store's next generation (``store_generation``), and
    one that is not this writer's last plus one forgets everything. What a
    transaction works out is only staged, and kept once it commits
    (:meth:`commit`): a rolled-back page's records were never stored.

    It also knows which of the references it keeps have no stored findings, so
    that a page does not delete their rows again: a fifth of a backfill's
    refreshes are of an order that went well and stays so.
    """

    def __init__(self, size: int = 60_000) -> None:
        self._size = size
        self._references: OrderedDict[str, dict[tuple[Kind, str], LogRecord]] = OrderedDict()
        self._count = 0
        self._generation: int | None = None
        self._staged: dict[str, dict[tuple[Kind, str], LogRecord]] = {}
        # Of the references kept, those with no findings stored; and of those staged.
        self._clear: set[str] = set()
        self._staged_clear: set[str] = set()
        #: Each customer and printer of the records kept, once (see ``rule_copy``).
        self.parties: dict[tuple[str, str], Party] = {}

    def begin(self, generation: int) -> None:
        """A transaction took ``generation``: forget everything if someone else wrote since."""
        if self._generation is None or generation != self._generation + 1:
            self._references.clear()
            self._clear.clear()
            self._count = 0
        if len(self.parties) > _MAX_PARTIES:
            self.parties = {}
        # Until this transaction commits, the store's records are not known.
        self._generation = None
        self._staged = {}
        self._staged_clear = set()

    def records(self, reference: str) -> dict[tuple[Kind, str], LogRecord] | None:
        """Every record of ``reference`` as the last commit left it, or None if not kept."""
        return self._references.get(reference)

    def stage(self, reference: str, records: dict[tuple[Kind, str], LogRecord]) -> None:
        """All the records ``reference`` will have once this transaction commits."""
        self._staged[reference] = records

    def forget(self, reference: str) -> None:
        """Keep ``reference`` no longer: what is kept of it would not be all its records.

        At once, not at the commit: a reference not kept is read from the store,
        which is right whether this transaction commits or not.
        """
        gone = self._references.pop(reference, None)
        if gone is not None:
            self._count -= len(gone)
        self._clear.discard(reference)

    def has_no_findings(self, reference: str) -> bool:
        """Whether ``reference`` is kept and the last commit left it no stored findings."""
        return reference in self._clear

    def stage_findings(self, reference: str, rows: int) -> None:
        """How many findings rows ``reference`` will have once this transaction commits."""
        if rows:
            self._staged_clear.discard(reference)
        else:
            self._staged_clear.add(reference)

    def commit(self, generation: int) -> None:
        """The transaction that took ``generation`` committed: keep what it staged."""
        for reference, records in self._staged.items():
            old = self._references.pop(reference, None)
            self._count += len(records) - (len(old) if old is not None else 0)
            self._references[reference] = records
            if reference in self._staged_clear:
                self._clear.add(reference)
            else:
                self._clear.discard(reference)
        self._staged = {}
        self._staged_clear = set()
        while self._count > self._size and self._references:
            gone_reference, gone = self._references.popitem(last=False)
            self._count -= len(gone)
            self._clear.discard(gone_reference)
        self._generation = generation


def _newest(records: list[_Record]) -> list[_Record]:
    """The records the rules read of one kind of one reference: its newest, oldest first."""
    # Most orders have one record of a kind: sorting and slicing it cost about 0.1 s a backfill.
    if len(records) < 2:
        return records
    records.sort(key=_MOMENT_AND_ID)
    return records[-MAX_RECORDS:] if len(records) > MAX_RECORDS else records


def _read_references(
    connection: Connection,
    references: Collection[str],
    known: Mapping[tuple[Kind, str], LogRecord],
    inserted: Collection[tuple[Kind, str]],
) -> tuple[dict[str, dict[tuple[Kind, str], LogRecord]], set[str], set[str]]:
    """Every record of each reference from the store, the references cut to the cap, the new.

    Of a reference with more than ``MAX_RECORDS`` of a kind, only its newest are
    read. ``known`` holds records as just stored, by kind and id: they are not
    read back. A reference is new when its every record is one of ``inserted``,
    the records this transaction added: before it, it had none.
    """
    found: dict[str, dict[tuple[Kind, str], LogRecord]] = {
        reference: {} for reference in references
    }
    cut: set[str] = set()
    older: set[str] = set()
    ordered = sorted(references)
    for kind in KINDS:
        table = TABLES[kind]
        # The moments as the database gives them, not parsed: they are only sorted.
        created_at = type_coerce(table.c.created_at, NullType())
        query = select(table.c.order_reference_id, created_at, table.c.id, table.c.pk)
        query = query.where(table.c.order_reference_id.in_(bindparam("refs", expanding=True)))
        keys: dict[str, list[tuple[Any, str, int]]] = {}
        for start in range(0, len(ordered), _CHUNK):
            chunk = {"refs": ordered[start : start + _CHUNK]}
            # All at once: a row at a time through the result costs more than the query.
            for reference, created, record_id, pk in connection.execute(query, chunk).all():
                keys.setdefault(reference, []).append((created, record_id, pk))
        wanted: list[int] = []
        owners: dict[str, str] = {}
        for reference, rows in keys.items():
            newest = rows
            if len(rows) > MAX_RECORDS:
                newest = sorted(rows)[-MAX_RECORDS:]
                cut.add(reference)
            records = found[reference]
            if len(newest) < len(rows) or any((kind, key[1]) not in inserted for key in rows):
                older.add(reference)
            for _, record_id, pk in newest:
                kept = known.get((kind, record_id))
                if kept is None:
                    wanted.append(pk)
                    owners[record_id] = reference
                else:
                    records[(kind, record_id)] = kept
        # Only what the rules look at (``rule_records``): a fraction of each record's cost.
        for start in range(0, len(wanted), _CHUNK):
            for record in rule_records(connection, kind, wanted[start : start + _CHUNK]):
                found[owners[record.id]][(kind, record.id)] = record
    new = {reference for reference, records in found.items() if records} - older
    return found, cut, new


def _reference_records(
    connection: Connection,
    references: Collection[str],
    known: Mapping[tuple[Kind, str], LogRecord],
    inserted: Collection[tuple[Kind, str]],
    index: ReferenceIndex,
    left: Collection[str],
) -> tuple[dict[str, tuple[list[RequestRecord], list[PostbackRecord]]], set[str]]:
    """Each reference's records (its newest of each kind, up to the cap), oldest first.

    Those ``index`` keeps whole are brought up to date with ``known``, the
    records the page just stored; the others are read from the store. Also the
    references sure to have no findings stored: new ones (but those a record
    ``left``: they had it before), and those ``index`` knows to have none.
    """
    # Kept as the rules read them: the page's records with their bodies would fill the memory.
    known = {key: rule_copy(record, index.parties) for key, record in known.items()}
    by_reference: dict[str, dict[tuple[Kind, str], LogRecord]] = {}
    for key, record in known.items():
        if record.order_reference_id is not None:
            by_reference.setdefault(record.order_reference_id, {})[key] = record
    whole: dict[str, dict[tuple[Kind, str], LogRecord]] = {}
    unknown: list[str] = []
    clear: set[str] = set()
    for reference in references:
        kept = index.records(reference)
        if kept is None:
            unknown.append(reference)
            continue
        if index.has_no_findings(reference):
            clear.add(reference)
        records = dict(kept)
        # A record the page moved to another reference leaves this one.
        for key in kept.keys() & known.keys():
            del records[key]
        records.update(by_reference.get(reference, {}))
        whole[reference] = records
    read, cut, new = _read_references(connection, unknown, known, inserted)
    whole.update(read)
    found: dict[str, tuple[list[RequestRecord], list[PostbackRecord]]] = {}
    for reference, records in whole.items():
        requests: list[RequestRecord] = []
        postbacks: list[PostbackRecord] = []
        for record in records.values():
            if isinstance(record, RequestRecord):
                requests.append(record)
            else:
                postbacks.append(record)
        # Kept whole only: one cut to the cap is read again, and so is one that grew past it
        # (what the index kept of it before would miss its newest records).
        if reference not in cut and max(len(requests), len(postbacks)) <= MAX_RECORDS:
            index.stage(reference, records)
        else:
            index.forget(reference)
        found[reference] = (_newest(requests), _newest(postbacks))
    return found, clear | (new - set(left))


def refresh_findings(
    connection: Connection,
    references: Collection[str],
    rules: TimelineRules,
    known: Mapping[tuple[Kind, str], LogRecord] | None = None,
    index: ReferenceIndex | None = None,
    inserted: Collection[tuple[Kind, str]] = frozenset(),
    left: Collection[str] = frozenset(),
) -> int:
    """Recompute and replace the stored findings of ``references``; returns the rows stored.

    Runs in the caller's transaction: the page writer's, so a page and its
    findings are stored together or not at all. ``known`` are the records the
    page just stored, ``inserted`` the keys of those it added rather than
    updated, ``left`` the references its updated records were in before it;
    ``index`` keeps records between pages (see :class:`ReferenceIndex`).

    A reference's findings come only from its records, and one left with none
    has no findings (the retention sees to it): a reference whose every record
    this transaction added had no rows to delete, unless a record it had before
    moved to another reference in the same transaction.
    """
    if not references:
        return 0
    index = index or ReferenceIndex(0)
    records, clear = _reference_records(connection, references, known or {}, inserted, index, left)
    ordered = sorted(references)
    stale_references = [reference for reference in ordered if reference not in clear]
    stale = delete(FINDINGS).where(
        FINDINGS.c.order_reference_id.in_(bindparam("refs", expanding=True))
    )
    for start in range(0, len(stale_references), _CHUNK):
        connection.execute(stale, {"refs": stale_references[start : start + _CHUNK]})
    rows: list[dict[str, Any]] = []
    for reference in ordered:
        spans = finding_spans(reference, *records[reference], rules)
        index.stage_findings(reference, len(spans))
        rows += [_span_row(span) for span in spans]
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
