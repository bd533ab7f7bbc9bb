"""A count every change to the store's records moves on, so a writer can tell it alone wrote.

The page writer keeps each recent order's records in memory between pages
(``stored_findings.ReferenceIndex``), so that its next pages' findings need
not read them back. That holds only while nobody else changes those records:
another sync sharing the store, or the retention deleting old ones. So every
transaction that writes or deletes records takes the next number first
(:func:`next_generation`), and a writer whose number is one more than the
last it took knows that nobody wrote in between.

First thing in the transaction: on PostgreSQL the number's row is then the
first lock every writer of records takes, so two never wait on each other
the other way round.
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
    # One statement that adds one: two writers never both read the same number.
    taken = connection.execute(_NEXT).scalar_one_or_none()
    if taken is None:
        insert = backend_for(connection).insert_new(META)
        connection.execute(insert, {"key": GENERATION_KEY, "value": "0"})
        taken = connection.execute(_NEXT).scalar_one()
    return int(taken)
