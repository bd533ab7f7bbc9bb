"""Retention: the records older than a cutoff taken out of the store, and the space given back.

The log API keeps 30 days; the store is the long-term record, "except by its
own configured retention" (the contract). A record goes by its ``updated_at``,
the last time it changed, as in the log API's own retention. The sync only
writes records newer than any cutoff of a day or more, and a prune runs under
the sync's lease (its caller's), so the two never touch the same rows.

Each batch is one short write transaction: the records, their entries in the
full-text index (given their old text, which SQLite's index needs), and the
findings of the orders they belonged to, recomputed from the records that stay
by the store's own thresholds; an order that loses all its records loses its
findings. A prune stopped between batches leaves a consistent store, and the
next one goes on. Template sources stay: the sync remembers their ids. The
space the records took goes back to the disk through ``disk``.

The action trail goes by the same cutoff, after the records: the service's
actions last changed before it, and the journal's entries planned before it
that were answered, refused, cancelled or expired. An entry still ``planned``
stays whatever its age: it is what keeps a resume from sending twice.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import (
    ColumnElement,
    Connection,
    RowMapping,
    Table,
    delete,
    exists,
    func,
    select,
    tuple_,
    union,
)

from orderdesk import strings
from orderdesk.core.action_schema import ACTION_JOURNAL, ACTIONS
from orderdesk.core.disk import give_back
from orderdesk.core.errors import InputError
from orderdesk.core.findings_backfill import stored_rules
from orderdesk.core.meta_values import read_meta, write_meta
from orderdesk.core.records import KINDS, Kind, to_utc
from orderdesk.core.schema import FINDINGS, TABLES
from orderdesk.core.search import unindex_documents
from orderdesk.core.stop import Stop
from orderdesk.core.store import Store
from orderdesk.core.store_generation import next_generation
from orderdesk.core.stored_findings import refresh_findings
from orderdesk.core.timeline_rules import TimelineRules
from orderdesk.core.timerange import describe_duration

__all__ = [
    "APPLIED_KEY",
    "APPLY_EVERY",
    "MIN_AGE",
    "PrunePlan",
    "Pruned",
    "apply_retention",
    "check_age",
    "plan_prune",
    "prune",
]

#: The shortest retention: the sync re-reads its last minutes, and a day is far from them.
MIN_AGE = timedelta(days=1)
#: ``meta`` key: when the sync last finished applying its retention.
APPLIED_KEY = "retention_applied_at"
#: The sync applies its retention at most this often, once it has caught up with it.
APPLY_EVERY = timedelta(hours=1)
_BATCH = 500
#: Batches a sync prunes after one pass: records keep coming in while it catches up
#: with a retention that has much to take out (the first one, on a big store).
_SYNC_BATCHES = 20
_CHUNK = 500


def check_age(age: timedelta) -> timedelta:
    """``age`` if a retention may keep that little; an :class:`InputError` otherwise."""
    if age < MIN_AGE:
        raise InputError(strings.RETENTION_TOO_SHORT.format(age=describe_duration(age)))
    return age


@dataclass(frozen=True)
class PrunePlan:
    """What a prune at ``cutoff`` would take out of the store."""

    cutoff: datetime
    requests: int
    postbacks: int
    #: Stored findings of the orders that have no record left after the prune.
    findings: int
    #: The oldest and newest ``updated_at`` of the records that would go.
    oldest: datetime | None
    newest: datetime | None
    #: The service's actions, and the journal's ended entries, that would go.
    actions: int = 0
    journal: int = 0

    @property
    def records(self) -> int:
        """Requests and postbacks that would go."""
        return self.requests + self.postbacks

    @property
    def empty(self) -> bool:
        """Whether nothing at all would go."""
        return not (self.records or self.actions or self.journal)


@dataclass
class Pruned:
    """What a prune took out so far, and whether nothing older than its cutoff is left."""

    requests: int = 0
    postbacks: int = 0
    #: Finding rows the store holds fewer of: those of orders gone, or recomputed.
    findings: int = 0
    #: The service's actions, and the journal's ended entries, taken out.
    actions: int = 0
    journal: int = 0
    finished: bool = False

    @property
    def records(self) -> int:
        """Requests and postbacks taken out."""
        return self.requests + self.postbacks

    @property
    def anything(self) -> bool:
        """Whether anything at all was taken out."""
        return bool(self.records or self.actions or self.journal)

    def add(self, kind: Kind, records: int) -> None:
        """Count records of ``kind`` taken out."""
        if kind == "requests":
            self.requests += records
        else:
            self.postbacks += records


def _old(kind: Kind, cutoff: datetime) -> list[ColumnElement[bool]]:
    table = TABLES[kind]
    # updated_at is never before created_at, so the created_at bound is implied;
    # it is there for the index on (created_at, id), which nothing on updated_at has.
    return [table.c.created_at < cutoff, table.c.updated_at < cutoff]


def _old_actions(cutoff: datetime) -> list[ColumnElement[bool]]:
    """The service's actions last changed before ``cutoff`` (the index is on created_at)."""
    return [ACTIONS.c.created_at < cutoff, ACTIONS.c.updated_at < cutoff]


def _old_journal(cutoff: datetime) -> list[ColumnElement[bool]]:
    """The journal's entries planned before ``cutoff`` that no resume needs: all but planned."""
    return [ACTION_JOURNAL.c.planned_at < cutoff, ACTION_JOURNAL.c.state != "planned"]


def plan_prune(store: Store, cutoff: datetime) -> PrunePlan:
    """How many records (and findings) a prune at ``cutoff`` would take out, and their span."""
    counts: dict[Kind, int] = {}
    spans: list[datetime] = []
    with store.engine.connect() as connection:
        for kind in KINDS:
            table = TABLES[kind]
            count, oldest, newest = connection.execute(
                select(
                    func.count(), func.min(table.c.updated_at), func.max(table.c.updated_at)
                ).where(*_old(kind, cutoff))
            ).one()
            counts[kind] = int(count)
            spans += [moment for moment in (oldest, newest) if moment is not None]
        going = union(
            *(
                select(TABLES[kind].c.order_reference_id).where(*_old(kind, cutoff))
                for kind in KINDS
            )
        )
        staying = [
            exists().where(
                TABLES[kind].c.order_reference_id == FINDINGS.c.order_reference_id,
                TABLES[kind].c.updated_at >= cutoff,
            )
            for kind in KINDS
        ]
        findings = connection.execute(
            select(func.count())
            .select_from(FINDINGS)
            .where(FINDINGS.c.order_reference_id.in_(going), *(~stays for stays in staying))
        ).scalar_one()
        actions = connection.execute(
            select(func.count()).select_from(ACTIONS).where(*_old_actions(cutoff))
        ).scalar_one()
        journal = connection.execute(
            select(func.count()).select_from(ACTION_JOURNAL).where(*_old_journal(cutoff))
        ).scalar_one()
    # The database gives naive moments for min and max of a typed column on some engines.
    moments = [_aware(moment) for moment in spans]
    return PrunePlan(
        cutoff=cutoff,
        requests=counts["requests"],
        postbacks=counts["postbacks"],
        findings=int(findings),
        oldest=min(moments) if moments else None,
        newest=max(moments) if moments else None,
        actions=int(actions),
        journal=int(journal),
    )


def _aware(moment: datetime | str) -> datetime:
    if isinstance(moment, str):
        moment = datetime.fromisoformat(moment)
    return to_utc(moment)


def prune(
    store: Store,
    cutoff: datetime,
    *,
    stop: Stop | None = None,
    on_batch: Callable[[Pruned], None] | None = None,
    batch: int = _BATCH,
    batches: int | None = None,
) -> Pruned:
    """Take the records last changed before ``cutoff`` out of the store, a batch at a time.

    The caller holds the store's sync lease. ``stop`` ends it between batches,
    ``batches`` bounds how many run; ``on_batch`` hears the running total.
    ``finished`` says whether nothing older than the cutoff is left.
    """
    pruned = Pruned()
    done = 0
    for kind in KINDS:
        after: tuple[datetime, str] | None = None
        while True:
            if (stop is not None and stop.is_set()) or (batches is not None and done >= batches):
                return pruned
            with store.writing() as connection:
                after = _prune_batch(
                    connection,
                    kind,
                    cutoff,
                    after,
                    batch,
                    stored_rules(connection, store.rules),
                    pruned,
                )
            if after is None:
                break
            done += 1
            if on_batch is not None:
                on_batch(pruned)
    for trail in (ACTIONS, ACTION_JOURNAL):
        while True:
            if (stop is not None and stop.is_set()) or (batches is not None and done >= batches):
                return pruned
            with store.writing() as connection:
                taken = _prune_trail_batch(connection, trail, cutoff, batch)
            if trail is ACTIONS:
                pruned.actions += taken
            else:
                pruned.journal += taken
            if taken < batch:
                break
            done += 1
            if on_batch is not None:
                on_batch(pruned)
    pruned.finished = True
    return pruned


def _prune_trail_batch(connection: Connection, trail: Table, cutoff: datetime, size: int) -> int:
    """Take out up to ``size`` old rows of the action trail or the journal; how many went."""
    old = _old_actions(cutoff) if trail is ACTIONS else _old_journal(cutoff)
    keys = list(connection.execute(select(trail.c.pk).where(*old).limit(size)).scalars())
    if keys:
        connection.execute(delete(trail).where(trail.c.pk.in_(keys)))
    return len(keys)


def _prune_batch(
    connection: Connection,
    kind: Kind,
    cutoff: datetime,
    after: tuple[datetime, str] | None,
    size: int,
    rules: TimelineRules,
    pruned: Pruned,
) -> tuple[datetime, str] | None:
    """One batch, counted in ``pruned``; where it ended, or None when nothing was left.

    The batch is ``size`` records of ``kind`` and, with them, the old records of
    the other kind that share their order references, so that an order that goes
    whole goes in one transaction and its findings are computed once, not
    recomputed in between from half of it.
    """
    table = TABLES[kind]
    query = select(table).where(*_old(kind, cutoff))
    if after is not None:
        # Records created before the cutoff but changed since stay, and are walked past once.
        query = query.where(tuple_(table.c.created_at, table.c.id) > tuple_(*after))
    rows = list(
        connection.execute(query.order_by(table.c.created_at, table.c.id).limit(size)).mappings()
    )
    if not rows:
        return None
    # Before any delete: a writer that keeps records in memory reads them again.
    next_generation(connection)
    references = {row["order_reference_id"] for row in rows} - {None}
    gone = {kind: rows}
    for other in KINDS:
        if other != kind and references:
            gone[other] = _old_of_references(connection, other, cutoff, references)
    before = _findings_of(connection, references)
    for each, records in gone.items():
        _delete(connection, each, records)
    kept = refresh_findings(connection, references, rules)
    for each, records in gone.items():
        pruned.add(each, len(records))
    pruned.findings += before - kept
    return rows[-1]["created_at"], rows[-1]["id"]


def _old_of_references(
    connection: Connection, kind: Kind, cutoff: datetime, references: Collection[str]
) -> list[RowMapping]:
    """The records of ``kind`` last changed before ``cutoff`` that belong to ``references``."""
    table = TABLES[kind]
    ordered = sorted(references)
    found: list[RowMapping] = []
    for start in range(0, len(ordered), _CHUNK):
        chunk = ordered[start : start + _CHUNK]
        query = select(table).where(table.c.order_reference_id.in_(chunk), *_old(kind, cutoff))
        found += connection.execute(query).mappings()
    return found


def _delete(connection: Connection, kind: Kind, rows: Sequence[RowMapping]) -> None:
    """Take rows out of their table and of the search index."""
    if not rows:
        return
    # A contentless index forgets what it indexed: it is handed the old text.
    unindex_documents(connection, kind, rows)
    table = TABLES[kind]
    keys = [row["pk"] for row in rows]
    for start in range(0, len(keys), _CHUNK):
        connection.execute(delete(table).where(table.c.pk.in_(keys[start : start + _CHUNK])))


def _findings_of(connection: Connection, references: Collection[str]) -> int:
    ordered = sorted(references)
    total = 0
    for start in range(0, len(ordered), _CHUNK):
        chunk = ordered[start : start + _CHUNK]
        total += connection.execute(
            select(func.count()).where(FINDINGS.c.order_reference_id.in_(chunk))
        ).scalar_one()
    return total


def apply_retention(
    store: Store,
    retention: timedelta,
    now: datetime,
    stop: Stop | None = None,
    *,
    batch: int = _BATCH,
    batches: int = _SYNC_BATCHES,
) -> Pruned | None:
    """The sync's retention after a pass that caught up; None when it is not due.

    Due when it was never applied, or last finished ``APPLY_EVERY`` ago. Each
    call prunes ``batches`` batches at most, so a pass that comes every few seconds is not
    held up; once nothing older is left the space is given back and the moment
    recorded. The caller holds the lease.
    """
    cutoff = now - check_age(retention)
    with store.engine.connect() as connection:
        applied = read_meta(connection, APPLIED_KEY)
    if applied is not None and now - datetime.fromisoformat(applied) < APPLY_EVERY:
        return None
    pruned = prune(store, cutoff, stop=stop, batch=batch, batches=batches)
    if not pruned.finished:
        return pruned
    if pruned.anything:
        # Usually an hour's worth of records: merging the whole search index for them would
        # rewrite it every hour; its own merging takes their entries out as it goes.
        give_back(store, stop, search_index=False)
    with store.writing() as connection:
        write_meta(connection, APPLIED_KEY, now.isoformat())
    return pruned
