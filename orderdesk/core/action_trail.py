"""The action trail in the store: pages of ``GET /v1/actions`` saved, and the trail read back.

The trail is synced as records are: a page is one transaction that upserts its
actions (the newer ``updated_at`` of each wins) and moves the ``"actions"``
watermark, so a sync stopped anywhere resumes where the store says it stopped.
Each row keeps the action's contract JSON (``body``); the other columns are
there to filter and order by.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Connection, bindparam, func, insert, literal, or_, select
from sqlalchemy import update as sql_update

from orderdesk.core.action_records import ActionKind, ActionRecord, ActionStatus
from orderdesk.core.action_schema import ACTIONS
from orderdesk.core.pages import SaveResult
from orderdesk.core.records import Watermark, to_utc
from orderdesk.core.schema import WATERMARKS
from orderdesk.core.store import Store

__all__ = [
    "DEFAULT_ACTION_LIMIT",
    "TRAIL_WATERMARK",
    "ActionFilter",
    "ActionList",
    "action_by_id",
    "actions_of_reference",
    "actions_with_keys",
    "count_actions",
    "list_actions",
    "save_actions",
    "trail_watermark",
]

#: The trail's kind in the watermark table, beside ``requests`` and ``postbacks``.
TRAIL_WATERMARK = "actions"
#: How many actions a list shows unless told otherwise.
DEFAULT_ACTION_LIMIT = 500

_CHUNK = 500


@dataclass(frozen=True)
class ActionFilter:
    """Which actions a list shows; every field left None lets all through."""

    #: Made at or after this moment.
    since: datetime | None = None
    #: Made before this moment.
    until: datetime | None = None
    #: Who asked, in any case.
    actor: str | None = None
    kind: ActionKind | None = None
    status: ActionStatus | None = None
    order_reference_id: str | None = None
    #: A customer's id, or its name (or part of it) in any case.
    customer: str | None = None


@dataclass(frozen=True)
class ActionList:
    """Actions newest first, and whether the limit cut the list short."""

    actions: list[ActionRecord]
    cut: bool


def _row(action: ActionRecord) -> dict[str, Any]:
    return {
        "id": action.id,
        "kind": action.kind,
        "target_kind": action.target.kind,
        "target_id": action.target.id,
        "order_reference_id": action.order_reference_id,
        "customer_id": action.customer.id if action.customer else None,
        "customer_name": action.customer.name if action.customer else None,
        "printer_id": action.printer.id if action.printer else None,
        "printer_name": action.printer.name if action.printer else None,
        "actor": action.actor,
        "status": action.status,
        "idempotency_key": action.idempotency_key,
        "created_at": action.created_at,
        "updated_at": action.updated_at,
        "body": action.model_dump_json(),
    }


def save_actions(
    connection: Connection, actions: Sequence[ActionRecord], watermark: Watermark | None
) -> SaveResult:
    """Upsert a page of actions (newer wins) and advance the trail's watermark, in ``connection``.

    The caller's transaction holds both, so the watermark never passes an
    action that is not stored.
    """
    newest: dict[str, ActionRecord] = {}
    for action in actions:
        seen = newest.get(action.id)
        if seen is None or action.updated_at > seen.updated_at:
            newest[action.id] = action
    stored = _stored_versions(connection, list(newest))
    inserts = [_row(a) for a in newest.values() if a.id not in stored]
    # Bound under names of their own: SQLAlchemy keeps a column's own name for itself.
    updates = [
        {**{f"new_{name}": value for name, value in _row(a).items()}, "old_pk": stored[a.id][0]}
        for a in newest.values()
        if a.id in stored and a.updated_at > stored[a.id][1]
    ]
    if inserts:
        connection.execute(insert(ACTIONS), inserts)
    if updates:
        columns: dict[str, Any] = {name: bindparam(f"new_{name}") for name in _row_columns()}
        statement = sql_update(ACTIONS).where(ACTIONS.c.pk == bindparam("old_pk")).values(columns)
        connection.execute(statement, updates)
    if watermark is not None:
        _advance(connection, watermark)
    return SaveResult(
        new=len(inserts),
        updated=len(updates),
        unchanged=len(actions) - len(inserts) - len(updates),
    )


def _row_columns() -> tuple[str, ...]:
    return tuple(column.name for column in ACTIONS.columns if column.name != "pk")


def _stored_versions(connection: Connection, ids: list[str]) -> dict[str, tuple[int, datetime]]:
    versions: dict[str, tuple[int, datetime]] = {}
    query = select(ACTIONS.c.id, ACTIONS.c.pk, ACTIONS.c.updated_at).where(
        ACTIONS.c.id.in_(bindparam("ids", expanding=True))
    )
    for start in range(0, len(ids), _CHUNK):
        for action_id, pk, updated_at in connection.execute(
            query, {"ids": ids[start : start + _CHUNK]}
        ):
            versions[action_id] = (pk, updated_at)
    return versions


def _advance(connection: Connection, watermark: Watermark) -> None:
    given = Watermark(to_utc(watermark.updated_at), watermark.id)
    current = read_trail_watermark(connection)
    if current is None:
        connection.execute(
            insert(WATERMARKS),
            {"kind": TRAIL_WATERMARK, "updated_at": given.updated_at, "after_id": given.id},
        )
    elif given > current:
        connection.execute(
            sql_update(WATERMARKS)
            .where(WATERMARKS.c.kind == TRAIL_WATERMARK)
            .values(updated_at=given.updated_at, after_id=given.id)
        )


def read_trail_watermark(connection: Connection) -> Watermark | None:
    """Where the trail's next read starts after, in ``connection``; None before its first page."""
    row = connection.execute(
        select(WATERMARKS.c.updated_at, WATERMARKS.c.after_id).where(
            WATERMARKS.c.kind == TRAIL_WATERMARK
        )
    ).first()
    return None if row is None else Watermark(row.updated_at, row.after_id)


def trail_watermark(store: Store) -> Watermark | None:
    """Where the trail's next read starts after; None before its first page."""
    with store.engine.connect() as connection:
        return read_trail_watermark(connection)


def _same_text(column: Any, text: str) -> ColumnElement[bool]:
    # Bound as the column's type, which stores an odd character (NUL) its own way.
    result: ColumnElement[bool] = func.lower(column) == func.lower(literal(text, column.type))
    return result


def _conditions(where: ActionFilter) -> list[ColumnElement[bool]]:
    c = ACTIONS.c
    conditions: list[ColumnElement[bool]] = []
    if where.since is not None:
        conditions.append(c.created_at >= where.since)
    if where.until is not None:
        conditions.append(c.created_at < where.until)
    if where.actor is not None:
        conditions.append(_same_text(c.actor, where.actor))
    if where.kind is not None:
        conditions.append(c.kind == where.kind)
    if where.status is not None:
        conditions.append(c.status == where.status)
    if where.order_reference_id is not None:
        conditions.append(c.order_reference_id == where.order_reference_id)
    if where.customer is not None:
        # As the record lists take a customer: its id, or its name or part of it in any case.
        part = func.lower(c.customer_name).contains(where.customer.lower(), autoescape=True)
        conditions.append(or_(c.customer_id == where.customer, part))
    return conditions


def list_actions(
    store: Store, where: ActionFilter | None = None, *, limit: int | None = DEFAULT_ACTION_LIMIT
) -> ActionList:
    """The actions ``where`` lets through, newest first, at most ``limit`` of them (None: all)."""
    if limit is not None and limit < 1:
        raise ValueError(f"limit must be at least 1, not {limit}")
    query = (
        select(ACTIONS.c.body)
        .where(*_conditions(where or ActionFilter()))
        .order_by(ACTIONS.c.created_at.desc(), ACTIONS.c.id.desc())
    )
    if limit is not None:
        # One more than shown, so that a cut list can say it was cut.
        query = query.limit(limit + 1)
    with store.engine.connect() as connection:
        bodies = list(connection.execute(query).scalars())
    kept = bodies if limit is None else bodies[:limit]
    actions = [ActionRecord.model_validate_json(body) for body in kept]
    return ActionList(actions, cut=len(bodies) > len(kept))


def count_actions(store: Store) -> int:
    """How many actions the store holds."""
    with store.engine.connect() as connection:
        return int(connection.execute(select(func.count()).select_from(ACTIONS)).scalar_one())


def actions_of_reference(store: Store, order_reference_id: str) -> list[ActionRecord]:
    """Every action taken on one order reference's records, oldest first."""
    query = (
        select(ACTIONS.c.body)
        .where(ACTIONS.c.order_reference_id == order_reference_id)
        .order_by(ACTIONS.c.created_at, ACTIONS.c.id)
    )
    with store.engine.connect() as connection:
        return [ActionRecord.model_validate_json(b) for b in connection.execute(query).scalars()]


def action_by_id(store: Store, action_id: str) -> ActionRecord | None:
    """One stored action, or None if the trail does not hold it (yet)."""
    query = select(ACTIONS.c.body).where(ACTIONS.c.id == action_id)
    with store.engine.connect() as connection:
        body = connection.execute(query).scalar()
    return None if body is None else ActionRecord.model_validate_json(body)


def actions_with_keys(store: Store, keys: Collection[str]) -> dict[str, ActionRecord]:
    """The stored actions whose idempotency key is one of ``keys``, by key.

    Two actions with one key (a key reused after the service forgot it) leave
    the newer one.
    """
    found: dict[str, ActionRecord] = {}
    wanted = list(dict.fromkeys(keys))
    query = (
        select(ACTIONS.c.body)
        .where(ACTIONS.c.idempotency_key.in_(bindparam("keys", expanding=True)))
        .order_by(ACTIONS.c.created_at, ACTIONS.c.id)
    )
    with store.engine.connect() as connection:
        for start in range(0, len(wanted), _CHUNK):
            for body in connection.execute(
                query, {"keys": wanted[start : start + _CHUNK]}
            ).scalars():
                action = ActionRecord.model_validate_json(body)
                found[action.idempotency_key] = action
    return found
