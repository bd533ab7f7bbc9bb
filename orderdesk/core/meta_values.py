"""The store's own marks, by key, in its ``meta`` table: read one, set one.

What the store records about itself (the findings' thresholds, a backfill's
place, when the retention last ran) lives there, beside the schema version.
"""

from __future__ import annotations

from sqlalchemy import Connection, insert, select, update

from orderdesk.core.schema import META

__all__ = ["read_meta", "write_meta"]


def read_meta(connection: Connection, key: str) -> str | None:
    """The value kept under ``key``, or None."""
    query = select(META.c.value).where(META.c.key == key)
    value: str | None = connection.execute(query).scalar_one_or_none()
    return value


def write_meta(connection: Connection, key: str, value: str) -> None:
    """Keep ``value`` under ``key``, in the caller's transaction."""
    if read_meta(connection, key) is None:
        connection.execute(insert(META), {"key": key, "value": value})
    else:
        connection.execute(update(META).where(META.c.key == key).values(value=value))
