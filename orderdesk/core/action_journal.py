"""The journal of intended actions: each one's idempotency key, written before anything is sent.

Sending exactly once across a crash rests on one order of events: the intent
and its key are committed to the store, *then* the ``POST`` goes out, *then*
the answer is written back. A process killed between the first and the last
leaves an entry ``planned``: it may or may not have reached the service, and
sending it again with the same key is safe, because the service answers a key
it has seen with its first answer and sends nothing (``acting.resume``).

Entries belong to their actor: a resume finishes the actor's own entries,
never someone else's, since each person acts with their own key.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, insert, select, update

from orderdesk.core.action_records import ActionKind, Mode
from orderdesk.core.action_schema import ACTION_JOURNAL
from orderdesk.core.actions_client import ActionIntent, new_idempotency_key
from orderdesk.core.store import Store

__all__ = ["ActionJournal", "JournalEntry", "PlannedTarget"]


@dataclass(frozen=True)
class PlannedTarget:
    """A record an action is meant for: its id, and the order it belongs to."""

    id: str
    order_reference_id: str | None = None


@dataclass(frozen=True)
class JournalEntry:
    """One intended action as the journal holds it."""

    idempotency_key: str
    batch: str
    kind: ActionKind
    target_id: str
    order_reference_id: str | None
    actor: str
    reason: str
    mode: Mode | None
    force: bool
    planned_at: datetime
    #: ``planned``, ``accepted``, ``refused``, ``cancelled`` or ``expired`` (``action_schema``).
    state: str
    answered_at: datetime | None = None
    action_id: str | None = None
    error: str | None = None

    @property
    def intent(self) -> ActionIntent:
        """The body this entry sends, exactly as it was planned."""
        return ActionIntent(actor=self.actor, reason=self.reason, force=self.force, mode=self.mode)


_COLUMNS = tuple(JournalEntry.__dataclass_fields__)


def _entry(row: object) -> JournalEntry:
    mapping = row._mapping  # type: ignore[attr-defined]
    return JournalEntry(**{name: mapping[name] for name in _COLUMNS})


class ActionJournal:
    """Intended actions in one store: planned, then answered, refused or cancelled."""

    def __init__(self, store: Store) -> None:
        self._store = store

    def plan(
        self,
        kind: ActionKind,
        targets: Sequence[PlannedTarget],
        intent: ActionIntent,
        *,
        now: datetime,
    ) -> list[JournalEntry]:
        """Write one entry per target, each with a new key, in one transaction; nothing is sent.

        The entries share a batch named after the first key, so that a batch of
        one is named like its action.
        """
        keys = [new_idempotency_key() for _ in targets]
        batch = keys[0] if keys else new_idempotency_key()
        entries = [
            JournalEntry(
                idempotency_key=key,
                batch=batch,
                kind=kind,
                target_id=target.id,
                order_reference_id=target.order_reference_id,
                actor=intent.actor,
                reason=intent.reason,
                mode=intent.mode,
                force=intent.force,
                planned_at=now,
                state="planned",
            )
            for key, target in zip(keys, targets, strict=True)
        ]
        if entries:
            with self._store.writing() as connection:
                connection.execute(
                    insert(ACTION_JOURNAL),
                    [{name: getattr(entry, name) for name in _COLUMNS} for entry in entries],
                )
        return entries

    def accepted(self, key: str, action_id: str, *, now: datetime) -> None:
        """The service took the entry's action (or had taken it: a repeated key)."""
        self._answer(key, state="accepted", action_id=action_id, now=now)

    def refused(self, key: str, error: str, *, now: datetime) -> None:
        """The service refused the entry's action: nothing was done."""
        self._answer(key, state="refused", error=error, now=now)

    def expired(self, key: str, *, now: datetime) -> None:
        """The entry is too old to send again safely, and the trail does not have it."""
        self._answer(key, state="expired", now=now)

    def cancel(self, keys: Sequence[str], *, now: datetime) -> int:
        """Mark entries still planned as cancelled (never sent); returns how many were."""
        if not keys:
            return 0
        with self._store.writing() as connection:
            result = connection.execute(
                update(ACTION_JOURNAL)
                .where(
                    ACTION_JOURNAL.c.idempotency_key.in_(list(keys)),
                    ACTION_JOURNAL.c.state == "planned",
                )
                .values(state="cancelled", answered_at=now)
            )
            return result.rowcount

    def pending(self, actor: str | None = None) -> list[JournalEntry]:
        """Entries that may or may not have been sent, oldest first; one actor's when given."""
        query = select(*(ACTION_JOURNAL.c[name] for name in _COLUMNS)).where(
            ACTION_JOURNAL.c.state == "planned"
        )
        if actor is not None:
            query = query.where(ACTION_JOURNAL.c.actor == actor)
        query = query.order_by(ACTION_JOURNAL.c.planned_at, ACTION_JOURNAL.c.pk)
        with self._store.engine.connect() as connection:
            return [_entry(row) for row in connection.execute(query)]

    def batch(self, batch: str) -> list[JournalEntry]:
        """A batch's entries, in the order they were planned."""
        query = (
            select(*(ACTION_JOURNAL.c[name] for name in _COLUMNS))
            .where(ACTION_JOURNAL.c.batch == batch)
            .order_by(ACTION_JOURNAL.c.pk)
        )
        with self._store.engine.connect() as connection:
            return [_entry(row) for row in connection.execute(query)]

    def _answer(
        self,
        key: str,
        *,
        state: str,
        now: datetime,
        action_id: str | None = None,
        error: str | None = None,
    ) -> None:
        with self._store.writing() as connection:
            _set(connection, key, state=state, answered_at=now, action_id=action_id, error=error)


def _set(connection: Connection, key: str, **values: object) -> None:
    connection.execute(
        update(ACTION_JOURNAL).where(ACTION_JOURNAL.c.idempotency_key == key).values(**values)
    )
