"""The order references that begin with what was typed, for the order finder's completion.

A support engineer types a reference heard on the phone; before it is
complete, the references it could still become are the best hint that it is
being typed right. Both kinds are asked, since a reference may be known only
from its postbacks.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, select

from orderdesk.core.records import KINDS
from orderdesk.core.schema import TABLES
from orderdesk.core.store import Store

__all__ = ["references_starting"]

#: Above every character a reference can hold, so that ``prefix + _TOP`` bounds
#: the prefix's range on an index ordered by code point.
_TOP = "\U0010ffff"


def _begins(column: ColumnElement[Any], prefix: str, dialect: str) -> ColumnElement[bool]:
    """``column`` begins with ``prefix``, in a form that walks the reference index."""
    if dialect == "sqlite":
        # SQLite compares text by code point: a range is exact and uses the index,
        # where LIKE would be case-insensitive and scan.
        return (column >= prefix) & (column < prefix + _TOP)
    # PostgreSQL's collation may not order by code point: LIKE is exact in any one.
    return column.startswith(prefix, autoescape=True)


def references_starting(store: Store, prefix: str, *, limit: int = 8) -> list[str]:
    """Up to ``limit`` distinct order references beginning with ``prefix``, in order."""
    if not prefix:
        return []
    found: set[str] = set()
    with store.engine.connect() as connection:
        for kind in KINDS:
            column = TABLES[kind].c.order_reference_id
            statement = (
                select(column)
                .where(_begins(column, prefix, connection.dialect.name))
                .distinct()
                .order_by(column)
                .limit(limit)
            )
            found.update(connection.execute(statement).scalars())
    return sorted(found)[:limit]
