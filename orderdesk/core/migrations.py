"""The store's schema version and the upgrades from each older one.

An upgrade runs inside the transaction that records the new version, so a
failed one leaves the store as it was. To change the schema: change the tables
in ``schema.py``, bump ``SCHEMA_VERSION``, and add ``MIGRATIONS[old]``, a
function that brings a store at version ``old`` to ``old + 1``.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import Connection

__all__ = ["MIGRATIONS", "SCHEMA_VERSION", "Migration"]

#: The schema this orderdesk writes.
SCHEMA_VERSION = 1

Migration = Callable[[Connection], None]

#: ``MIGRATIONS[v]`` upgrades a store from schema ``v`` to ``v + 1``.
MIGRATIONS: dict[int, Migration] = {}
