"""What lies around a query that matched nothing: the facts a hint about an empty list needs.

"Widen the time range" is only true advice when the range is what hid the
records; an empty store needs a sync instead. The CLI and the console word
their hints differently, but they ask the store the same questions, here,
each a one-row read that an index answers.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from orderdesk.core.queries import RecordQuery, list_summaries
from orderdesk.core.records import KINDS
from orderdesk.core.store import Store

__all__ = ["AroundEmpty", "look_around", "store_is_empty"]


@dataclass(frozen=True)
class AroundEmpty:
    """What exists around a query that matched nothing."""

    #: The newest record that matches everything but the time range, if one does.
    newest_outside_range: datetime | None
    #: The store holds records of the query's kind, whatever the filters.
    kind_stored: bool
    #: The store holds records of any kind.
    store_stored: bool

    @property
    def outside_range(self) -> bool:
        """Records match but for the time range: widening it would show them."""
        return self.newest_outside_range is not None


def _newest(store: Store, query: RecordQuery) -> datetime | None:
    rows = list_summaries(store, query, limit=1)
    return rows[0].created_at if rows else None


def store_is_empty(store: Store) -> bool:
    """Whether the store holds no record of any kind."""
    return all(_newest(store, RecordQuery(kind=kind)) is None for kind in KINDS)


def look_around(store: Store, query: RecordQuery) -> AroundEmpty:
    """Look around ``query``, which matched nothing, with a few one-row reads."""
    ranged = query.since is not None or query.until is not None
    newest = _newest(store, replace(query, since=None, until=None)) if ranged else None
    kind_stored = newest is not None or _newest(store, RecordQuery(kind=query.kind)) is not None
    store_stored = kind_stored or any(
        _newest(store, RecordQuery(kind=kind)) is not None for kind in KINDS if kind != query.kind
    )
    return AroundEmpty(newest, kind_stored, store_stored)
