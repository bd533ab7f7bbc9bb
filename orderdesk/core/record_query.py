"""What a list asks the store for: one kind's records, narrowed by plain fields and a condition.

A query is flat for the common case: every field of a ``RecordQuery`` narrows,
and together they mean AND. What a flat query cannot say (this OR that, NOT
both) is its ``where``: a :class:`Condition`, a small tree whose leaves are flat
queries of the same kind, each compiled by the same code as a whole query, and
whose nodes join them with AND or OR and may negate them. The filter language
fills the flat fields from its plain terms and builds a ``where`` only for its
groups and ORs, so a plain query's SQL is what it always was. How a query
becomes SQL is ``orderdesk.core.queries``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import datetime

from orderdesk.core.records import Kind

__all__ = ["Bounds", "Condition", "RecordQuery"]

Bounds = tuple[int | None, int | None]
"""An inclusive range of whole numbers, ``(low, high)``; None leaves that side open."""


@dataclass(frozen=True)
class RecordQuery:
    """Which records of a kind to list: every field narrows, and empty ones do not.

    A field of values keeps the records with any of them, a ``not_`` field those
    with none; ``search`` keeps those where every word and phrase is found.
    """

    kind: Kind
    since: datetime | None = None
    """Created at or after this moment."""
    until: datetime | None = None
    """Created before this moment."""
    statuses: tuple[str, ...] = ()
    """Any of these statuses."""
    events: tuple[str, ...] = ()
    """Postbacks only: any of these events."""
    actions: tuple[str, ...] = ()
    """Requests only: any of these actions."""
    search: tuple[str, ...] = ()
    """Words and phrases all found in references, ids or bodies (see ``orderdesk.core.search``).

    A phrase's words are found next to each other, in its order.
    """
    ids: tuple[str, ...] = ()
    """Only records with these ids (the marked ones)."""
    not_statuses: tuple[str, ...] = ()
    """None of these statuses."""
    not_events: tuple[str, ...] = ()
    """Postbacks only: none of these events."""
    not_actions: tuple[str, ...] = ()
    """Requests only: none of these actions."""
    customers: tuple[str, ...] = ()
    """Any of these customers, each an id, a name in any case, or part of one."""
    not_customers: tuple[str, ...] = ()
    """None of these customers (as ``customers``)."""
    printers: tuple[str, ...] = ()
    """Any of these printers, each an id, a name in any case, or part of one."""
    not_printers: tuple[str, ...] = ()
    """None of these printers (records with no printer stay)."""
    order_references: tuple[str, ...] = ()
    """Any of these order references, exactly."""
    not_order_references: tuple[str, ...] = ()
    """None of these order references."""
    not_ids: tuple[str, ...] = ()
    """None of these record ids."""
    http_statuses: tuple[tuple[int, int], ...] = ()
    """The last HTTP answer's status in any of these inclusive ranges: (500, 599) is 5xx."""
    not_http_statuses: tuple[tuple[int, int], ...] = ()
    """The last HTTP answer's status in none of these ranges (records with none stay)."""
    not_search: tuple[str, ...] = ()
    """Words or phrases that must not be found."""
    attempt_counts: tuple[Bounds, ...] = ()
    """HTTP answers received (``RecordSummary.attempts``) in any of these ranges."""
    not_attempt_counts: tuple[Bounds, ...] = ()
    """HTTP answers received in none of these ranges."""
    durations_ms: tuple[Bounds, ...] = ()
    """How long the last HTTP answer took, in ms, in any of these ranges (never when none)."""
    not_durations_ms: tuple[Bounds, ...] = ()
    """How long the last HTTP answer took in none of these ranges (records with none stay)."""
    findings: tuple[str, ...] = ()
    """Records whose order reference has a finding of any of these rules open at ``now``."""
    not_findings: tuple[str, ...] = ()
    """Records whose order reference has none open at ``now`` (records with none stay)."""
    now: datetime | None = None
    """The moment findings are judged at, as ``since`` was resolved at; needed with them.

    Findings fall due as time passes (a receipt awaited for 30 minutes is not
    received), so the caller that knows the clock sets it with the time bounds.
    """
    where: Condition | None = None
    """What the flat fields cannot say (OR, negated groups): it must hold too."""
    matches_nothing: bool = False
    """No record can match: two filters exclude each other, or the records asked for are none."""

    def only(self, ids: Iterable[str]) -> RecordQuery:
        """The query kept to the records with these ids, in place of its own: none when none."""
        chosen = tuple(ids)
        return replace(self, ids=chosen, matches_nothing=self.matches_nothing or not chosen)


@dataclass(frozen=True)
class Condition:
    """Records matching all of its parts, or with ``any_of`` any; ``negated``, the others.

    A part is a flat query of the same kind (its time bounds unused, its
    findings judged at the whole query's ``now``) or another condition. A
    negated part keeps exactly the records the part does not keep, records
    with an empty column included, as a negated field does.
    """

    parts: tuple[RecordQuery | Condition, ...]
    any_of: bool = False
    negated: bool = False
