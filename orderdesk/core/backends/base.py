"""What a store engine provides: the few things SQLite and PostgreSQL do differently.

The rest of the core writes portable SQLAlchemy and asks the store's backend
(:func:`orderdesk.core.backends.backend_for`) only where engines differ: how a
connection is set up and a writer serialised, how rows get their keys, the
full-text index, the sync lease's lock, and a few expressions. Capabilities are
class constants; every method has the default any database SQLAlchemy speaks
gets, so a third engine is one new module that overrides what it does its own
way, named in ``backends/__init__.py``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

from sqlalchemy import (
    BigInteger,
    ColumnElement,
    Connection,
    Engine,
    Insert,
    Table,
    cast,
    func,
    insert,
)
from sqlalchemy.engine import URL
from sqlalchemy.exc import DBAPIError

__all__ = ["WRITES", "Backend", "Entry", "Space"]

#: The execution option that marks a connection's transaction as a write.
WRITES = "orderdesk_write"

#: A row in the full-text index: its ``pk``, its references and ids, its bodies.
Entry = tuple[int, str, str]


@dataclass(frozen=True)
class Space:
    """What a store takes on disk, and whether deleting rows gives any of it back."""

    #: Bytes the store takes; None where the engine cannot say.
    size: int | None
    #: Whether space freed by deletions goes back to the disk without rewriting the store.
    gives_back: bool
    #: What becomes of the space a prune frees in this store, in a sentence; None: nothing to say.
    note: str | None = None


class Backend:
    """A store engine: its capabilities, and the SQL it speaks where engines differ."""

    #: SQLAlchemy's name for the engine's dialect.
    name: ClassVar[str] = "other"
    #: Whether the engine has a full-text index orderdesk can search.
    HAS_FULL_TEXT_SEARCH: ClassVar[bool] = False
    #: Whether the engine has locks held by a session and released by the server
    #: when the session ends; without them the sync lease is a row that expires.
    HAS_SESSION_LOCKS: ClassVar[bool] = False
    #: Whether the engine's text can hold NUL, which the source may send in any string.
    TEXT_HOLDS_NUL: ClassVar[bool] = True
    #: Whether long stages are compressed by orderdesk (not by the engine itself).
    COMPRESS_STAGES: ClassVar[bool] = False
    #: The collation that orders text by code point, where the default may not.
    CODE_POINT_COLLATION: ClassVar[str | None] = None
    #: What makes a query say its plan instead of running.
    EXPLAIN: ClassVar[str] = "EXPLAIN "
    #: Whether the engine's planner weighs a search's matches itself (from its
    #: statistics of the index), choosing between walking the list and collecting
    #: the matches; without one, orderdesk counts the matches first and chooses.
    PLANS_SEARCH: ClassVar[bool] = False

    # Opening

    def describe(self, url: URL) -> str:
        """Where the store is, as messages name it: a password is hidden."""
        return url.render_as_string(hide_password=True)

    def folder(self, url: URL) -> Path | None:
        """The folder the store's file goes in, created if need be; None for a server."""
        return None

    def engine_options(self) -> dict[str, Any]:
        """Keyword arguments for ``create_engine``."""
        return {}

    def configure(self, engine: Engine) -> None:
        """Set up a new engine's connections and transactions (see ``WRITES``)."""

    def write_options(self) -> dict[str, Any]:
        """Execution options of a write transaction, besides ``WRITES``."""
        return {}

    def question_options(self) -> dict[str, Any]:
        """Execution options of a connection that asks one question (``Store.asking``)."""
        return {}

    # Writing rows

    def insert_new(self, table: Table) -> Insert:
        """An insert that skips rows whose unique key is already stored."""
        return insert(table)

    def insert_rows(
        self, connection: Connection, table: Table, rows: Sequence[dict[str, Any]]
    ) -> list[int]:
        """Insert rows, returning the key (``pk``) each was given, in order."""
        statement = insert(table).returning(table.c.pk, sort_by_parameter_order=True)
        return list(connection.execute(statement, rows).scalars().all())

    # Expressions

    def begins_with(self, column: ColumnElement[Any], prefix: str) -> ColumnElement[bool]:
        """``column`` begins with ``prefix``, exactly, in a form an index on it serves."""
        return column.startswith(prefix, autoescape=True)

    def time_bucket(self, moment: ColumnElement[Any], step: int) -> ColumnElement[Any]:
        """Which ``step``-second bucket since the epoch a naive UTC datetime falls in."""
        return cast(func.floor(func.extract("epoch", moment) / step), BigInteger)

    # The full-text index (only asked when HAS_FULL_TEXT_SEARCH)

    def create_search_index(self, connection: Connection, kind: str, table: str) -> None:
        """Create a kind's full-text index, in ``table``."""
        raise NotImplementedError

    def index(self, connection: Connection, table: str, entries: Sequence[Entry]) -> None:
        """Index each row under its text."""
        raise NotImplementedError

    def unindex(self, connection: Connection, table: str, entries: Sequence[Entry]) -> None:
        """Remove rows from the index, given the text they were indexed under."""
        raise NotImplementedError

    def phrases(self, terms: Sequence[tuple[str, bool]], *, any_of: bool) -> str | None:
        """A search expression matching all (or any) of the texts, each a phrase of its tokens.

        Each term is a text and whether it ends in a prefix (``*``); None if no term.
        """
        raise NotImplementedError

    def excluding(self, wanted: str, unwanted: str) -> str:
        """A search expression matching ``wanted`` but not ``unwanted``."""
        raise NotImplementedError

    def match(self, table: str) -> tuple[str, str]:
        """The index's column naming a row's ``pk``, and its condition for ``:match``."""
        raise NotImplementedError

    # Space on disk

    def is_full(self, error: DBAPIError) -> bool:
        """Whether a statement failed because the store's disk (or its size limit) is full."""
        return False

    def is_denied(self, error: DBAPIError) -> bool:
        """Whether a statement failed because this connection may only read the store."""
        return False

    def space(self, engine: Engine) -> Space:
        """What the store takes on disk, and whether deleting rows gives space back."""
        return Space(size=None, gives_back=False)

    def give_back(self, engine: Engine, pages: int) -> bool:
        """Give back some space freed by deletions, in one short step; False once none is left.

        ``pages`` bounds the step, so a caller can stop between steps.
        """
        return False

    def tidy_search_index(self, engine: Engine, table: str, pages: int) -> bool:
        """One short step of taking deleted rows' entries out of a full-text index.

        False once there is nothing left to do; ``pages`` bounds the step.
        """
        return False

    def compact(self, engine: Engine) -> None:
        """Rewrite the store to give back all the space it does not use (long; blocks writers)."""

    # The sync lease's lock (only asked when HAS_SESSION_LOCKS)

    def take_session_lock(self, engine: Engine, key: int) -> Connection | None:
        """A connection of its own holding the lock ``key``; None if another session has it."""
        raise NotImplementedError

    def session_lock_held(self, connection: Connection, key: int) -> bool:
        """Whether any session of this database holds the lock ``key``."""
        raise NotImplementedError

    def release_session_lock(self, connection: Connection, key: int) -> None:
        """Let go of the lock ``key`` that ``connection`` holds."""
        raise NotImplementedError
