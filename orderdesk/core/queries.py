"""What the screens and the CLI ask the store: filters, keyset pages, counts, search.

Pages are keyset pages on ``(created_at, id)``, never OFFSET: a page after a
cursor costs the same at row 10 as at row 1,000,000. Lists read summaries,
which never touch the stage columns where the bodies are. What a query holds
is ``orderdesk.core.record_query``; a condition's leaves are compiled here as
whole queries, and joined with AND, OR and NOT.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from sqlalchemy import (
    Boolean,
    ColumnElement,
    Connection,
    Select,
    Table,
    TextClause,
    and_,
    false,
    func,
    literal,
    not_,
    or_,
    select,
    true,
    tuple_,
    union_all,
)

from orderdesk import strings
from orderdesk.core.backends import backend_for
from orderdesk.core.errors import StoreError
from orderdesk.core.finding_spans import BEFORE_DUE
from orderdesk.core.parties import matching_ids
from orderdesk.core.record_query import Bounds, Condition, RecordQuery
from orderdesk.core.records import Kind, LogRecord
from orderdesk.core.rows import record_from_row, whole_rows
from orderdesk.core.schema import FINDINGS, TABLES, UtcDateTime
from orderdesk.core.search import (
    count_matches,
    excluding,
    phrases_expression,
    search_clause,
    supports_search,
)
from orderdesk.core.store import Store
from orderdesk.core.stored_findings import noticed_at, standing_at

__all__ = [
    "Bounds",
    "Condition",
    "Cursor",
    "RecordQuery",
    "RecordSummary",
    "count",
    "get_record",
    "iter_records",
    "list_records",
    "list_summaries",
    "summaries_statement",
]


@dataclass(frozen=True)
class Cursor:
    """A position in a list: the page continues after the row with this ``(created_at, id)``."""

    created_at: datetime
    id: str


@dataclass(frozen=True)
class RecordSummary:
    """One row of a Requests or Postbacks list: what the list shows, without the bodies."""

    kind: Kind
    id: str
    created_at: datetime
    updated_at: datetime
    order_reference_id: str | None
    order_id: str | None
    customer_id: str
    customer_name: str
    printer_id: str | None
    printer_name: str | None
    status: str
    subject: str
    """What the record is about: a request's action or a postback's event."""
    http_status: int | None
    """The last HTTP answer's status code: the printer's, or the last delivery attempt's."""
    duration_ms: int | None
    """How long the last HTTP answer took."""
    attempts: int
    """HTTP answers received: delivery attempts for a postback, 0 or 1 for a request."""
    error_summary: str | None
    """One line saying what went wrong, or None."""

    @property
    def cursor(self) -> Cursor:
        """The cursor of the page that continues after this row."""
        return Cursor(self.created_at, self.id)

    @property
    def failed(self) -> bool:
        """Whether the record ended in failure."""
        return self.status == "failed"


def _ranges(column: ColumnElement[Any], ranges: Sequence[Bounds]) -> ColumnElement[bool]:
    """``column`` lies in any of the ranges (and is not empty)."""
    return or_(*(_within(column, low, high) for low, high in ranges))


def _within(column: ColumnElement[Any], low: int | None, high: int | None) -> ColumnElement[bool]:
    if low is not None and high is not None:
        return column.between(low, high)
    if low is not None:
        return column >= low
    return column <= high if high is not None else column.is_not(None)


def _any_of(column: ColumnElement[Any], values: Sequence[str]) -> ColumnElement[bool]:
    """``column`` holds any of the values; one value is an equality, the plainest for a planner."""
    if not values:
        return false()
    return column == values[0] if len(values) == 1 else column.in_(values)


def _exclusions(
    connection: Connection, table: Table, query: RecordQuery
) -> Iterator[ColumnElement[bool]]:
    """The clauses of what the query keeps by several values, or drops."""
    c = table.c
    for column, values in (
        (c.status, query.not_statuses),
        (c.get("event"), query.not_events),
        (c.get("action"), query.not_actions),
    ):
        if values and column is not None:
            yield column.not_in(values)
    for prefix, wanted, unwanted in (
        ("customer", query.customers, query.not_customers),
        ("printer", query.printers, query.not_printers),
    ):
        column = c[f"{prefix}_id"]
        if wanted:
            yield _any_of(column, matching_ids(connection, table, prefix, wanted))
        if unwanted:
            ids = matching_ids(connection, table, prefix, unwanted)
            if ids:
                yield or_(column.is_(None), column.not_in(ids))
    if query.order_references:
        yield _any_of(c.order_reference_id, query.order_references)
    if query.not_order_references:
        reference = c.order_reference_id
        yield or_(reference.is_(None), reference.not_in(query.not_order_references))
    if query.not_ids:
        yield c.id.not_in(query.not_ids)
    yield from _findings(c.order_reference_id, query)
    for column, wanted_ranges, unwanted_ranges in (
        (c.http_status, query.http_statuses, query.not_http_statuses),
        (c.attempt_count, query.attempt_counts, query.not_attempt_counts),
        (c.duration_ms, query.durations_ms, query.not_durations_ms),
    ):
        if wanted_ranges:
            yield _ranges(column, wanted_ranges)
        if unwanted_ranges:
            yield or_(column.is_(None), not_(_ranges(column, unwanted_ranges)))


def _findings(reference: ColumnElement[Any], query: RecordQuery) -> Iterator[ColumnElement[bool]]:
    """The clauses of the rules whose findings, open at the query's ``now``, keep or drop."""
    if not query.findings and not query.not_findings:
        return
    now = query.now
    if now is None:
        raise ValueError("a finding filter needs the query's now: the moment findings are open")
    if query.findings:
        yield or_(*(reference.in_(_open_references(rule, now)) for rule in query.findings))
    if query.not_findings:
        # No order reference, no finding: such records stay, as with -order:.
        opened = (reference.in_(_open_references(rule, now)) for rule in query.not_findings)
        yield or_(reference.is_(None), not_(or_(*opened)))


def _open_references(rule: str, now: datetime) -> Select[tuple[str]]:
    """The references with a finding of ``rule`` open at ``now``, as the sync stored them."""
    c = FINDINGS.c
    statement = select(c.order_reference_id).where(c.rule == rule, *standing_at(now))
    if rule not in BEFORE_DUE.values():
        return statement
    # A not_received row reads as its notice (awaiting_receipt) before it falls due.
    notice = select(c.order_reference_id).where(c.before_rule == rule, *noticed_at(now))
    return select(union_all(statement, notice).subquery().c[0])


def _search(
    connection: Connection, table: Table, query: RecordQuery, page: int | None
) -> Iterator[ColumnElement[bool] | TextClause]:
    """The full-text clause: every word and phrase found, and no unwanted one."""
    required = query.search
    if not required and not query.not_search:
        return
    if not supports_search(connection):
        raise StoreError(strings.SEARCH_UNSUPPORTED.format(dialect=connection.dialect.name))
    wanted = phrases_expression(connection, required)
    unwanted = phrases_expression(connection, query.not_search, any_of=True)
    if wanted is None:
        if required:
            yield false()  # only punctuation was asked for: nothing has it
        elif unwanted is not None:
            yield search_clause(connection, query.kind, unwanted, negated=True)
        return
    expression = wanted if unwanted is None else excluding(connection, wanted, unwanted)
    common = (
        page is not None
        and not backend_for(connection).PLANS_SEARCH
        and _is_common(connection, table, query.kind, expression, page)
    )
    yield search_clause(connection, query.kind, expression, common=common)


def _conditions(
    connection: Connection, table: Table, query: RecordQuery, page: int | None = None
) -> list[ColumnElement[bool] | TextClause]:
    """The WHERE clauses of a query; ``page`` is the page size when rows will be listed."""
    if (query.events or query.not_events) and query.kind != "postbacks":
        raise ValueError("only postbacks have events; filter requests by action")
    if (query.actions or query.not_actions) and query.kind != "requests":
        raise ValueError("only requests have actions; filter postbacks by event")
    if query.matches_nothing:
        return [false()]
    c = table.c
    conditions: list[ColumnElement[bool] | TextClause] = []
    if query.since is not None:
        conditions.append(c.created_at >= query.since)
    if query.until is not None:
        conditions.append(c.created_at < query.until)
    if query.statuses:
        conditions.append(c.status.in_(query.statuses))
    if query.events:
        conditions.append(c.event.in_(query.events))
    if query.actions:
        conditions.append(c.action.in_(query.actions))
    if query.ids:
        # On the unique index of id: a few seeks, however large the store.
        conditions.append(c.id.in_(query.ids))
    conditions.extend(_exclusions(connection, table, query))
    conditions.extend(_search(connection, table, query, page))
    if query.where is not None:
        conditions.append(_condition(connection, table, query.where, query.now))
    return conditions


def _condition(
    connection: Connection, table: Table, condition: Condition, now: datetime | None
) -> ColumnElement[bool]:
    """The clause of a condition's tree: its leaves compiled as whole queries, joined.

    Every leaf is judged at the whole query's ``now``, however it was built.
    """
    clauses = []
    for part in condition.parts:
        if isinstance(part, Condition):
            clauses.append(_condition(connection, table, part, now))
        else:
            leaf = _conditions(connection, table, replace(part, now=now))
            clauses.append(and_(*leaf) if leaf else true())
    joined = or_(*clauses) if condition.any_of else and_(*clauses)
    if not condition.negated:
        return joined
    # A clause on an empty column is NULL, not false, and NOT NULL keeps nothing:
    # the negation must keep what the part does not, records with no printer included.
    return not_(func.coalesce(joined, false(), type_=Boolean))


# Measured on SQLite 3.40: collecting and sorting matches costs about 1 µs per
# match, asking the index about one row about 40 µs. Walking wins once the
# matches outnumber sqrt(page size x rows x 40).
_PROBE_COST = 40


def _is_common(
    connection: Connection, table: Table, kind: Kind, expression: str, page: int
) -> bool:
    rows = connection.execute(select(func.max(table.c.pk))).scalar() or 0
    threshold = max(1_000, math.isqrt(page * rows * _PROBE_COST))
    return count_matches(connection, kind, expression, up_to=threshold) >= threshold


def _beyond(query: RecordQuery, after: Cursor | None, newest_first: bool) -> RecordQuery:
    """The query less the time bound the cursor already implies.

    Given both ``created_at < until`` and ``(created_at, id) < cursor``, SQLite
    seeks the index by the first and filters by the second: a page 100,000 rows
    down the range then reads 100,000 rows. Without the implied bound it seeks
    straight to the cursor.
    """
    if after is None:
        return query
    if newest_first and query.until is not None and after.created_at < query.until:
        return replace(query, until=None)
    if not newest_first and query.since is not None and after.created_at >= query.since:
        return replace(query, since=None)
    return query


def _paged(
    statement: Select[Any], table: Table, after: Cursor | None, limit: int, newest_first: bool
) -> Select[Any]:
    key = tuple_(table.c.created_at, table.c.id)
    if after is not None:
        position = tuple_(literal(after.created_at, UtcDateTime()), literal(after.id))
        statement = statement.where(key < position if newest_first else key > position)
    if newest_first:
        statement = statement.order_by(table.c.created_at.desc(), table.c.id.desc())
    else:
        statement = statement.order_by(table.c.created_at, table.c.id)
    return statement.limit(limit)


def _summary_columns(table: Table, kind: Kind) -> list[ColumnElement[Any]]:
    c = table.c
    subject = c.action if kind == "requests" else c.event
    return [
        c.id,
        c.created_at,
        c.updated_at,
        c.order_reference_id,
        c.order_id,
        c.customer_id,
        c.customer_name,
        c.printer_id,
        c.printer_name,
        c.status,
        subject.label("subject"),
        c.http_status,
        c.duration_ms,
        c.attempt_count.label("attempts"),
        c.error_summary,
    ]


def summaries_statement(
    connection: Connection,
    query: RecordQuery,
    *,
    after: Cursor | None = None,
    limit: int = 100,
    newest_first: bool = True,
) -> Select[Any]:
    """The SELECT of a page of list rows: what :func:`list_summaries` runs."""
    table = TABLES[query.kind]
    bounded = _beyond(query, after, newest_first)
    statement = select(*_summary_columns(table, query.kind)).where(
        *_conditions(connection, table, bounded, limit)
    )
    return _paged(statement, table, after, limit, newest_first)


def list_summaries(
    store: Store,
    query: RecordQuery,
    *,
    after: Cursor | None = None,
    limit: int = 100,
    newest_first: bool = True,
) -> list[RecordSummary]:
    """A page of list rows matching the query, after the cursor, newest first by default."""
    with store.asking() as connection:
        statement = summaries_statement(
            connection, query, after=after, limit=limit, newest_first=newest_first
        )
        rows = connection.execute(statement)
        return [RecordSummary(kind=query.kind, **row) for row in rows.mappings()]


def list_records(
    store: Store, query: RecordQuery, *, after: Cursor | None = None, limit: int = 100
) -> list[LogRecord]:
    """A page of whole records matching the query, newest first."""
    table = TABLES[query.kind]
    bounded = _beyond(query, after, newest_first=True)
    with store.asking() as connection:
        statement = whole_rows(query.kind).where(*_conditions(connection, table, bounded, limit))
        rows = connection.execute(_paged(statement, table, after, limit, newest_first=True))
        return [record_from_row(query.kind, row) for row in rows.mappings()]


def iter_records(
    store: Store, query: RecordQuery, *, limit: int | None = None, page: int = 500
) -> Iterator[LogRecord]:
    """Whole records matching the query, newest first, read a page at a time.

    An export of a million records must not hold a million models at once.
    """
    after: Cursor | None = None
    left = limit
    while left is None or left > 0:
        size = page if left is None else min(page, left)
        records = list_records(store, query, after=after, limit=size)
        yield from records
        if len(records) < size:
            return
        if left is not None:
            left -= len(records)
        after = Cursor(records[-1].created_at, records[-1].id)


def get_record(store: Store, kind: Kind, record_id: str) -> LogRecord | None:
    """One record by id, as saved (with its secrets redacted); None if the store has none."""
    table = TABLES[kind]
    with store.asking() as connection:
        statement = whole_rows(kind).where(table.c.id == record_id)
        row = connection.execute(statement).mappings().first()
        return None if row is None else record_from_row(kind, row)


def count(store: Store, query: RecordQuery) -> int:
    """How many records match the query."""
    table = TABLES[query.kind]
    with store.asking() as connection:
        statement = select(func.count()).select_from(table)
        statement = statement.where(*_conditions(connection, table, query))
        return int(connection.execute(statement).scalar_one())
