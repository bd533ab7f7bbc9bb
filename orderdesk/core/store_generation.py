"""A count every change to the store's records moves on, so a writer can tell it alone wrote.

The page writer keeps each recent order's records in memory between pages
(``stored_findings.ReferenceIndex``), so that its next pages' findings need
not read them back. That holds only while nobody else changes those records:
another sync sharing the store, or the retention deleting old ones. So every
transaction that writes or deletes records takes the next number first
(:func:`next_generation`), and a writer whose number is one more than the
last it took knows that nobody wrote in between.

Writers already hold the store's write lock one at a time (SQLite's own; on
PostgreSQL an advisory lock taken as the transaction begins), so no two
transactions take the same number.
"""

from __future__ import annotations

from sqlalchemy import Connection, Integer, String, cast, update

from orderdesk.core.backends import backend_for
from orderdesk.core.schema import META

__all__ = ["GENERATION_KEY", "next_generation"]

GENERATION_KEY = "records_generation"

_NEXT = (
    update(META)
    .where(META.c.key == GENERATION_KEY)
    .values(value=cast(cast(META.c.value, Integer) + 1, String))
    .returning(META.c.value)
)


def next_generation(connection: Connection) -> int:
    """Move the count on, in the caller's transaction, and return it."""
    # One statement that reads and adds one, in case a writer ever comes without the lock.
    taken = connection.execute(_NEXT).scalar_one_or_none()
    if taken is None:
        insert = backend_for(connection).insert_new(META)
        connection.execute(insert, {"key": GENERATION_KEY, "value": "0"})
        taken = connection.execute(_NEXT).scalar_one()
    return int(taken)
