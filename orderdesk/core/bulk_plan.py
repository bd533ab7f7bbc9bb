"""The plan of one action on many records: every record a query matches, counted before any is read.

A list may match a million records. Its plan is counted first (how many would
be sent, how many need ``force``), and whole records are read only when what
would be sent is within the cap: a plan over the cap is refused without
reading them. The records that need force and are left out are listed by
their ids alone, so a day of delivered postbacks costs a list of ids.

A problem group's records are those of its findings, of the kind its rule is
about: a failed request is resubmitted, an undelivered postback redelivered.
A rule no action remedies (a duplicate reference, a cancel after printing)
has none.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace

from orderdesk.core.acting import FORCE_STATUS, ActionPlan, TooManyTargets, plan_actions
from orderdesk.core.action_journal import PlannedTarget
from orderdesk.core.finding_spans import FindingSpan
from orderdesk.core.queries import RecordQuery, count, iter_records, list_summaries
from orderdesk.core.records import Kind
from orderdesk.core.store import Store

__all__ = ["ACTING_RULES", "MOST_SKIPPED_LISTED", "BulkPlan", "group_query", "plan_query"]

#: The problems an action remedies, and the kind of record it acts on.
ACTING_RULES: dict[str, Kind] = {
    # The printer never got the order, or refused it: send it again.
    "request_failed": "requests",
    "not_received": "requests",
    # The customer's system never got the news: deliver it again.
    "undelivered": "postbacks",
    "shipped_undelivered": "postbacks",
    "delivery_retrying": "postbacks",
}
#: The records left out for want of ``force`` that a plan lists by id (all are counted).
MOST_SKIPPED_LISTED = 1000


@dataclass(frozen=True)
class BulkPlan:
    """What acting on a query's records would do, or how far over the cap it is."""

    #: The records the query matches.
    total: int
    #: Of them, those that need ``force`` (sent only when forced).
    needs_force: int
    #: How many actions would be sent.
    count: int
    #: The plan itself; None when ``count`` is over the cap, and nothing may be sent.
    plan: ActionPlan | None

    @property
    def over_cap(self) -> bool:
        """True when more records would be acted on than the cap allows."""
        return self.plan is None


def plan_query(store: Store, query: RecordQuery, *, force: bool, cap: int, pace: float) -> BulkPlan:
    """The plan for acting on every record ``query`` matches (blocking: run it in a thread)."""
    kind = query.kind
    total = count(store, query)
    unforced = replace(query, not_statuses=(*query.not_statuses, FORCE_STATUS[kind]))
    plain = count(store, unforced)
    sending = total if force else plain
    if sending > cap:
        return BulkPlan(total, total - plain, sending, None)
    records = iter_records(store, query if force else unforced)
    try:
        plan = plan_actions(kind, records, force=force, cap=cap, pace=pace)
    except TooManyTargets:
        # Records arrived between the count and the read: over the cap all the same.
        return BulkPlan(total, total - plain, cap + 1, None)
    if not force and total > plain:
        plan = replace(plan, skipped=_left_out(store, query))
    return BulkPlan(total, total - plain, plan.count, plan)


def _left_out(store: Store, query: RecordQuery) -> tuple[PlannedTarget, ...]:
    """The records of ``query`` that need force, by id, newest first, up to the most listed."""
    # Some need force, so the query's statuses are none or include that one: narrowing holds.
    needing = replace(query, statuses=(FORCE_STATUS[query.kind],))
    summaries = list_summaries(store, needing, limit=MOST_SKIPPED_LISTED)
    return tuple(PlannedTarget(s.id, s.order_reference_id) for s in summaries)


def group_query(rule: str, spans: Iterable[FindingSpan]) -> RecordQuery | None:
    """The records a problem group's action is on; None when no action remedies its rule."""
    kind = ACTING_RULES.get(rule)
    if kind is None:
        return None
    ids = dict.fromkeys(
        ref.id for span in spans for ref in span.finding.records if ref.kind == kind
    )
    return RecordQuery(kind).only(ids)
