"""A store whose disk is full: said in a sentence instead of a database's error.

SQLite says SQLITE_FULL (the disk, or a size limit), PostgreSQL SQLSTATE 53100;
each engine's backend knows its own (``Backend.is_full``). Whatever was being
written is rolled back with its transaction, and everything committed before
stays whole, so the sentence can say so and what to do.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy.exc import DBAPIError

from orderdesk.core.errors import StoreFull
from orderdesk.core.store import Store

__all__ = ["said_when_full"]


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
