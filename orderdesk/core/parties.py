"""The customers and printers a list names: by id, by name in any case, or by part of a name."""

from __future__ import annotations

from sqlalchemy import Connection, Table, func, literal, select

from orderdesk.core.records import Kind
from orderdesk.core.schema import TABLES
from orderdesk.core.store import Store

__all__ = ["distinct_parties", "known_parties", "matching_ids", "party_ids"]

_MAX_IDS_PER_NAME = 50


def party_ids(connection: Connection, table: Table, prefix: str, text: str) -> list[str]:
    """The ids of the customers (or printers) with this id, or with this name in any case."""
    # Resolving to ids first lets the list walk (customer_id, created_at, id)
    # newest first instead of sorting. A name has few ids: find each with one
    # seek in (lower(name), id) rather than reading every row with that name.
    identity, name = table.c[f"{prefix}_id"], table.c[f"{prefix}_name"]
    exact = connection.execute(select(identity).where(identity == text).limit(1)).first()
    ids = [text] if exact is not None else []
    # The text is bound as the column's type, which stores an odd character (NUL) its own way.
    named = func.lower(name) == func.lower(literal(text, name.type))
    last: str | None = None
    for _ in range(_MAX_IDS_PER_NAME):
        step = select(identity).where(named).order_by(identity).limit(1)
        if last is not None:
            step = step.where(identity > last)
        last = connection.execute(step).scalar()
        if last is None:
            break
        if last not in ids:
            ids.append(last)
    return ids


_MAX_PARTIES = 1_000


def distinct_parties(connection: Connection, table: Table, prefix: str) -> list[tuple[str, str]]:
    """Every distinct customer (or printer) of a table as (id, name), by id."""
    # One seek per party in the (id, created_at, id) index: there are a few
    # dozen parties, and millions of rows.
    identity, name = table.c[f"{prefix}_id"], table.c[f"{prefix}_name"]
    found: list[tuple[str, str]] = []
    last: str | None = None
    for _ in range(_MAX_PARTIES):
        step = select(identity, name).where(identity.is_not(None)).order_by(identity).limit(1)
        if last is not None:
            step = step.where(identity > last)
        row = connection.execute(step).first()
        if row is None:
            break
        last = row[0]
        found.append((row[0], row[1] or row[0]))
    return found


def known_parties(store: Store, kind: Kind, role: str) -> list[tuple[str, str]]:
    """The ``role`` ("customer" or "printer") ids and names found in a kind's records."""
    with store.engine.connect() as connection:
        return distinct_parties(connection, TABLES[kind], role)


def matching_ids(
    connection: Connection, table: Table, prefix: str, texts: tuple[str, ...]
) -> list[str]:
    """The ids each text names: an id, a name in any case, else any name or id holding it."""
    ids: list[str] = []
    parties: list[tuple[str, str]] | None = None
    for text in texts:
        found = party_ids(connection, table, prefix, text)
        if not found:
            parties = distinct_parties(connection, table, prefix) if parties is None else parties
            part = text.casefold()
            found = [i for i, name in parties if part in name.casefold() or part in i.casefold()]
        ids.extend(i for i in found if i not in ids)
    return ids
