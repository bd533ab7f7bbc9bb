"""What is going wrong right now, and for whom: the stored findings asked across every order.

Everything here reads the ``findings`` table that the sync keeps
(``stored_findings``), at a ``now`` the caller gives: a finding is open at
``now`` when its span holds then (``due_at <= now < until_at``), so nothing
is recomputed. Three questions:

- :func:`open_findings`: the findings of one rule (or any), newest first, a
  keyset page at a time ("which orders are not received?");
- :func:`problem_groups`: the open findings grouped by rule, customer, printer
  and cause, one group per fault, with a count per time bucket;
- :func:`open_finding_references`: the references with an open finding of a
  rule, as a subquery a record query can filter on.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Literal

from sqlalchemy import (
    BigInteger,
    ColumnElement,
    Connection,
    Select,
    String,
    func,
    literal,
    literal_column,
    or_,
    select,
    tuple_,
    type_coerce,
    union_all,
)

from orderdesk.core.finding_spans import BEFORE_DUE, FindingSpan
from orderdesk.core.findings_backfill import backfill_pending as _backfill_pending
from orderdesk.core.records import Party
from orderdesk.core.schema import FINDINGS, EpochMicros
from orderdesk.core.store import Store
from orderdesk.core.stored_findings import noticed_at, span_from_row, standing_at
from orderdesk.core.timeline_rules import Severity
from orderdesk.core.volume import step_for

__all__ = [
    "QUIET_AFTER",
    "FindingCursor",
    "FindingQuery",
    "ProblemGroup",
    "ProblemState",
    "backfill_pending",
    "open_finding_references",
    "open_findings",
    "problem_groups",
    "problem_state",
]

#: A group to which nothing new came for this long is quiet.
QUIET_AFTER = timedelta(minutes=30)

ProblemState = Literal["new", "ongoing", "quiet"]
"""A group first seen since the user last looked; still coming in; or nothing new for a while."""

_SEVERITY_ORDER = {"problem": 0, "notice": 1}


@dataclass(frozen=True)
class FindingQuery:
    """Which stored findings: of which rules, when they happened, for whom."""

    rules: tuple[str, ...] = ()
    """Finding rule names (``RULE_NAMES``); empty for every rule."""
    since: datetime | None = None
    """The earliest moment a finding happened (its ``at``), inclusive."""
    until: datetime | None = None
    """The moment findings stop counting, exclusive."""
    customers: tuple[str, ...] = ()
    """Customers by id or by whole name, in any case; empty for every customer."""
    printers: tuple[str, ...] = ()
    severities: tuple[Severity, ...] = ()
    """Empty for both problems and notices."""


@dataclass(frozen=True, order=True)
class FindingCursor:
    """Where a page of :func:`open_findings` ended: the last finding's ``at``, reference, record."""

    at: datetime
    reference: str
    record_id: str

    @classmethod
    def after(cls, span: FindingSpan, now: datetime) -> FindingCursor:
        """The cursor that continues after ``span``, as it reads at ``now``."""
        return cls(span.at(now).at, span.reference, span.finding.records[0].id)


@dataclass(frozen=True)
class _Form:
    """How stored rows read at a moment: as their finding, or as its notice before it is due.

    A row whose finding is not yet due may read as a notice (``BEFORE_DUE``: an
    awaited receipt), with its own rule, severity and moment; each question is
    asked of each form that can answer it, and the answers put together.
    """

    conditions: list[ColumnElement[bool]]
    rule: ColumnElement[Any]
    severity: ColumnElement[Any]
    at: ColumnElement[Any]


def _forms(query: FindingQuery, now: datetime) -> list[_Form]:
    c = FINDINGS.c
    forms = [
        _Form(
            standing_at(now),
            c.rule,
            c.severity,
            c.at,
        )
    ]
    before = set(BEFORE_DUE.values())
    if (not query.rules or before & set(query.rules)) and (
        not query.severities or "notice" in query.severities
    ):
        forms.append(
            _Form(
                noticed_at(now),
                c.before_rule,
                # A constant, never grouped by: PostgreSQL refuses a constant in GROUP BY.
                literal_column("'notice'", String),
                c.waited_from,
            )
        )
    for form in forms:
        if query.rules:
            form.conditions.append(form.rule.in_(query.rules))
        if query.severities and form.severity is c.severity:
            form.conditions.append(c.severity.in_(query.severities))
        if query.since is not None:
            form.conditions.append(form.at >= query.since)
        if query.until is not None:
            form.conditions.append(form.at < query.until)
        if query.customers:
            form.conditions.append(_party(c.customer_id, c.customer_name, query.customers))
        if query.printers:
            form.conditions.append(_party(c.printer_id, c.printer_name, query.printers))
    return forms


def _party(
    id_: ColumnElement[Any], name: ColumnElement[Any], given: tuple[str, ...]
) -> ColumnElement[bool]:
    return or_(id_.in_(given), func.lower(name).in_([value.lower() for value in given]))


def open_findings(
    store: Store,
    query: FindingQuery,
    *,
    now: datetime,
    after: FindingCursor | None = None,
    limit: int = 100,
) -> list[FindingSpan]:
    """A page of the findings open at ``now``, newest first; ``span.at(now)`` words each.

    The order ``(at, reference, first record)`` is stable while the store
    changes, so :meth:`FindingCursor.after` the last one gives the next page.
    One order with two findings of a rule (two failed requests) is on two lines.
    """
    c = FINDINGS.c
    spans: list[FindingSpan] = []
    with store.engine.connect() as connection:
        for form in _forms(query, now):
            statement = select(FINDINGS).where(*form.conditions)
            key = (form.at, c.order_reference_id, c.record_id)
            if after is not None:
                position = tuple_(
                    literal(after.at, EpochMicros()),
                    literal(after.reference),
                    literal(after.record_id),
                )
                statement = statement.where(tuple_(*key) < position)
            statement = statement.order_by(*(part.desc() for part in key)).limit(limit)
            rows = connection.execute(statement).mappings()
            spans += [span_from_row(row) for row in rows]
    spans.sort(key=lambda span: FindingCursor.after(span, now), reverse=True)
    return spans[:limit]


def open_finding_references(
    rule: str, *, now: datetime, severities: Sequence[Severity] = ()
) -> Select[tuple[str]]:
    """The references with a finding of ``rule`` open at ``now``: a subquery for ``in_()``.

    For a record filter: ``table.c.order_reference_id.in_(open_finding_references(...))``.
    """
    query = FindingQuery(rules=(rule,), severities=tuple(severities))
    statements = [
        select(FINDINGS.c.order_reference_id).where(*form.conditions) for form in _forms(query, now)
    ]
    if len(statements) == 1:
        return statements[0]
    return select(union_all(*statements).subquery().c[0])


@dataclass(frozen=True)
class ProblemGroup:
    """One fault: the open findings of one rule, customer, printer and cause."""

    rule: str
    severity: Severity
    customer: Party
    printer: Party | None
    cause: str | None
    """The normalised cause (``causes``); untrusted text, None when the rule has none."""
    orders: int
    """Distinct order references."""
    findings: int
    first_seen: datetime
    last_seen: datetime
    buckets: tuple[int, ...]
    """Findings per time bucket, oldest first, for a sparkline."""
    bucket_start: datetime
    bucket_step: timedelta

    def state(self, *, now: datetime, last_looked: datetime | None) -> ProblemState:
        """New since ``last_looked``, still ongoing, or quiet; see :func:`problem_state`."""
        return problem_state(self, now=now, last_looked=last_looked)


def problem_state(
    group: ProblemGroup, *, now: datetime, last_looked: datetime | None
) -> ProblemState:
    """``new`` if first seen since the user last looked (or never looked), ``quiet`` when
    nothing new came in ``QUIET_AFTER``, else ``ongoing``."""
    if last_looked is None or group.first_seen >= last_looked:
        return "new"
    if now - group.last_seen >= QUIET_AFTER:
        return "quiet"
    return "ongoing"


def problem_groups(
    store: Store,
    *,
    now: datetime,
    since: datetime | None = None,
    until: datetime | None = None,
    buckets: int = 24,
    severities: tuple[Severity, ...] = ("problem",),
    customers: tuple[str, ...] = (),
    printers: tuple[str, ...] = (),
) -> list[ProblemGroup]:
    """The findings open at ``now`` that happened in ``[since, until)``, one group per fault.

    Ordered by severity, then by how many orders each touches, most first.
    ``until`` defaults to ``now``; ``buckets`` is about how many bars the
    counts per bucket have (their width is a round step, as the volume line's).
    """
    end = until or now
    query = FindingQuery(
        since=since,
        until=end,
        severities=severities,
        customers=customers,
        printers=printers,
    )
    c = FINDINGS.c
    rows: list[tuple[Any, ...]] = []
    counts: dict[tuple[Any, ...], dict[int, int]] = {}
    with store.engine.connect() as connection:
        forms = _forms(query, now)
        for form in forms:
            rows += connection.execute(
                select(
                    form.rule,
                    form.severity,
                    c.customer_id,
                    c.printer_id,
                    c.cause,
                    func.max(c.customer_name),
                    func.max(c.printer_name),
                    func.count(c.order_reference_id.distinct()),
                    func.count(),
                    func.min(form.at, type_=EpochMicros()),
                    func.max(form.at, type_=EpochMicros()),
                )
                .where(*form.conditions)
                .group_by(*_group_keys(form))
            ).all()
        if not rows:
            return []
        start = since or min(row[9] for row in rows)
        start = min(start, end - timedelta(seconds=1))
        step = step_for(end - start, max(1, buckets))
        for form in forms:
            counts.update(_bucket_counts(connection, form, step))
    first_bucket = int(start.timestamp()) // step
    last_bucket = (int(end.timestamp()) - 1) // step
    groups = []
    for row in rows:
        key = tuple(row[:5])
        per_bucket = counts.get(key, {})
        series = tuple(per_bucket.get(b, 0) for b in range(first_bucket, last_bucket + 1))
        rule, severity, customer_id, printer_id, cause = key
        groups.append(
            ProblemGroup(
                rule=rule,
                severity=severity,
                customer=Party(id=customer_id, name=row[5]),
                printer=None if printer_id is None else Party(id=printer_id, name=row[6] or ""),
                cause=cause,
                orders=row[7],
                findings=row[8],
                first_seen=row[9],
                last_seen=row[10],
                buckets=series,
                bucket_start=datetime.fromtimestamp(first_bucket * step, UTC),
                bucket_step=timedelta(seconds=step),
            )
        )
    groups.sort(key=_rank)
    return groups


def _rank(group: ProblemGroup) -> tuple[Any, ...]:
    """Severity, then size; ties in the order of SQLite's grouping, absent values first.

    Without the whole key, tied groups came in each engine's grouping order, so
    SQLite and PostgreSQL listed the same problems differently.
    """
    printer, cause = group.printer, group.cause
    return (
        _SEVERITY_ORDER.get(group.severity, 2),
        -group.orders,
        -group.findings,
        group.rule,
        group.customer.id,
        (printer is not None, "" if printer is None else printer.id),
        (cause is not None, cause or ""),
    )


def _group_keys(form: _Form) -> list[ColumnElement[Any]]:
    c = FINDINGS.c
    keys = [form.rule, c.customer_id, c.printer_id, c.cause]
    return [*keys, form.severity] if form.severity is c.severity else keys


def _bucket_counts(
    connection: Connection, form: _Form, step: int
) -> dict[tuple[Any, ...], dict[int, int]]:
    c = FINDINGS.c
    keys = [form.rule, form.severity, c.customer_id, c.printer_id, c.cause]
    # Moments are microseconds since 1970: a bucket is a division, the same on every engine.
    bucket = type_coerce(form.at, BigInteger).op("/")(step * 1_000_000).label("bucket")
    statement = (
        select(*keys, bucket, func.count())
        .where(*form.conditions)
        .group_by(*_group_keys(form), bucket)
    )
    counts: dict[tuple[Any, ...], dict[int, int]] = {}
    for row in connection.execute(statement):
        key = tuple(row[: len(keys)])
        counts.setdefault(key, {})[int(row[-2])] = int(row[-1])
    return counts


def backfill_pending(store: Store) -> bool:
    """Whether the store's findings are still being computed (after an upgrade, or new
    thresholds): until the sync finishes, the answers here leave some orders out."""
    with store.engine.connect() as connection:
        return _backfill_pending(connection)
