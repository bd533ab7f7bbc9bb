"""The store on its disk: what it takes, giving space back, and a full disk said as such.

How each engine does it is its backend's (``Backend.space``, ``give_back``,
``tidy_search_index``, ``compact``, ``is_full``). A full disk (SQLite's
SQLITE_FULL, for the disk or a size limit; PostgreSQL's SQLSTATE 53100) rolls
back the transaction being written, and everything committed before stays
whole, so the sentence that replaces the database's error can say so and what
to do.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy.exc import DBAPIError

from orderdesk.core.backends import Space
from orderdesk.core.errors import StoreError, StoreFull
from orderdesk.core.search import SEARCH_TABLES
from orderdesk.core.stop import Stop
from orderdesk.core.store import Store

__all__ = ["compact", "give_back", "said_when_denied", "said_when_full", "space"]

#: Pages given back per step: 32 MB of SQLite's 16 KB pages, a fraction of a second.
_GIVE_BACK_PAGES = 2_000
#: Full-text index pages merged per step.
_MERGE_PAGES = 256


def space(store: Store) -> Space:
    """What the store takes on disk, and what becomes of the space a prune frees."""
    return store.backend.space(store.engine)


def give_back(store: Store, stop: Stop | None = None, *, search_index: bool = True) -> None:
    """Give the space pruned records took back to the disk, a short step at a time.

    First the full-text index lets go of the pruned rows' entries (on SQLite
    they stay, cancelled, until their segments are merged: ``search_index``
    merges them all now, which rewrites the index once). Then SQLite cuts free
    pages off the end of a file created with incremental auto-vacuum (a store
    created before it only reuses them); PostgreSQL makes them free for new
    rows (plain VACUUM, which also cleans its index).
    """
    backend = store.backend
    if search_index and backend.HAS_FULL_TEXT_SEARCH:
        for table in SEARCH_TABLES.values():
            while stop is None or not stop.is_set():
                if not backend.tidy_search_index(store.engine, table, _MERGE_PAGES):
                    break
    while stop is None or not stop.is_set():
        if not backend.give_back(store.engine, _GIVE_BACK_PAGES):
            return


def compact(store: Store) -> None:
    """Rewrite the store, giving back all the space it does not use; the sync waits meanwhile.

    SQLite's file is rewritten (it needs as much free disk as the store takes)
    and shrinks by itself after every prune from then on; PostgreSQL's tables
    are rewritten by VACUUM FULL, each locked while it is.
    """
    store.backend.compact(store.engine)


@contextmanager
def said_when_full(store: Store, sentence: str) -> Iterator[None]:
    """Turn the store's full disk, in the block, into :class:`StoreFull` saying ``sentence``.

    ``sentence`` may name the store as ``{where}``.
    """
    try:
        yield
    except DBAPIError as error:
        if not store.backend.is_full(error):
            raise
        raise StoreFull(sentence.format(where=store.shown_url)) from error


@contextmanager
def said_when_denied(store: Store, sentence: str) -> Iterator[None]:
    """Turn a write this connection may not make, in the block, into :class:`StoreError`.

    ``sentence`` may name the store as ``{where}``.
    """
    try:
        yield
    except DBAPIError as error:
        if not store.backend.is_denied(error):
            raise
        raise StoreError(sentence.format(where=store.shown_url)) from None
