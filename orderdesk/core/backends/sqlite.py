"""SQLite: a file in WAL mode, writers that take the lock when they begin, and FTS5.

One process syncs into a store while others read it: the file is in WAL mode so
readers never block the writer, a busy connection waits rather than fails, and
every write transaction takes the write lock when it begins (``BEGIN
IMMEDIATE``), so it never fails to upgrade a read lock.

Each kind's full-text index is a contentless FTS5 table (``content=''``) whose
rowid is the record row's ``pk``: the index holds tokens only, so a body is
stored once, in its stage column. A contentless table cannot look up what it
indexed, so to update a row it is handed the old text again.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from pathlib import Path
from typing import Any, ClassVar

from sqlalchemy import (
    ColumnElement,
    Connection,
    Engine,
    Insert,
    Integer,
    Table,
    cast,
    event,
    func,
    insert,
    select,
)
from sqlalchemy.engine import URL
from sqlalchemy.exc import DBAPIError

from orderdesk import strings
from orderdesk.core.backends.base import WRITES, Backend, Entry, Space
from orderdesk.core.backends.bulk import bulk_insert

__all__ = ["SQLiteBackend"]

_BUSY_TIMEOUT_MS = 10_000
_PAGE_SIZE = 16_384
_COLUMNS = "refs, body"
#: ``PRAGMA auto_vacuum``'s answer when free pages can be cut off the file a few at a time.
_INCREMENTAL = 2
#: Above every character a string can hold, so that ``prefix + _TOP`` bounds
#: the prefix's range on an index ordered by code point.
_TOP = "\U0010ffff"


def _on_connect(dbapi_connection: Any, _record: Any) -> None:
    # Let SQLAlchemy's "begin" event, not the driver, start transactions,
    # so that writers can begin IMMEDIATE and never fail to upgrade a read lock.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    try:
        # Rows are 1 to 3 KB: 4 KB pages hold one each and leave the rest
        # empty or spill it to overflow pages (a store 10 % bigger, measured).
        # This only takes effect in a file that has no table yet.
        cursor.execute(f"PRAGMA page_size = {_PAGE_SIZE}")
        # So that a prune can give the space back to the disk, a slice at a time
        # (``give_back``). Also only in a new file: an older store keeps reusing
        # its free pages, and shrinks once compacted (``compact``).
        cursor.execute("PRAGMA auto_vacuum = INCREMENTAL")
        cursor.execute(f"PRAGMA busy_timeout = {_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute("PRAGMA synchronous = NORMAL")
    finally:
        cursor.close()


def _on_begin(connection: Connection) -> None:
    writes = connection.get_execution_options().get(WRITES, False)
    connection.exec_driver_sql("BEGIN IMMEDIATE" if writes else "BEGIN")


class SQLiteBackend(Backend):
    """A store in one SQLite file."""

    name: ClassVar[str] = "sqlite"
    HAS_FULL_TEXT_SEARCH: ClassVar[bool] = True
    # PostgreSQL compresses long text by itself; SQLite does not.
    COMPRESS_STAGES: ClassVar[bool] = True
    EXPLAIN: ClassVar[str] = "EXPLAIN QUERY PLAN "

    def describe(self, url: URL) -> str:
        return url.database or super().describe(url)

    def folder(self, url: URL) -> Path | None:
        if url.database in (None, "", ":memory:"):
            return None
        return Path(url.database).parent

    def configure(self, engine: Engine) -> None:
        event.listen(engine, "connect", _on_connect)
        event.listen(engine, "begin", _on_begin)

    def insert_new(self, table: Table) -> Insert:
        return insert(table).prefix_with("OR IGNORE", dialect="sqlite")

    def insert_rows(
        self, connection: Connection, table: Table, rows: Sequence[dict[str, Any]]
    ) -> list[int]:
        # The writer holds the database (BEGIN IMMEDIATE), so the next keys
        # are its to give; a plain executemany then replaces an INSERT ...
        # RETURNING per row, which was a third of a page's save.
        if not rows:
            return []
        first = (connection.execute(select(func.max(table.c.pk))).scalar() or 0) + 1
        pks = list(range(first, first + len(rows)))
        keyed = [{**row, "pk": pk} for row, pk in zip(rows, pks, strict=True)]
        bulk_insert(connection.dialect, table, tuple(keyed[0])).run(connection, keyed)
        return pks

    def is_full(self, error: DBAPIError) -> bool:
        # The disk, or a limit set with PRAGMA max_page_count.
        return getattr(error.orig, "sqlite_errorcode", None) == sqlite3.SQLITE_FULL

    def is_denied(self, error: DBAPIError) -> bool:
        # A file this user may read but not write.
        code = getattr(error.orig, "sqlite_errorcode", None)
        return code is not None and code & 0xFF == sqlite3.SQLITE_READONLY

    def space(self, engine: Engine) -> Space:
        with engine.connect() as connection:
            pages = connection.exec_driver_sql("PRAGMA page_count").scalar_one()
            size = connection.exec_driver_sql("PRAGMA page_size").scalar_one()
            mode = connection.exec_driver_sql("PRAGMA auto_vacuum").scalar_one()
        gives_back = mode == _INCREMENTAL
        note = strings.SPACE_SQLITE_SHRINKS if gives_back else strings.SPACE_SQLITE_REUSES
        return Space(size=int(pages) * int(size), gives_back=gives_back, note=note)

    def give_back(self, engine: Engine, pages: int) -> bool:
        # The driver's own connection: PRAGMAs that must run in a transaction of
        # their own (or in none) are easier said without SQLAlchemy's begin.
        raw = engine.raw_connection()
        try:
            cursor = raw.cursor()
            cursor.execute("BEGIN IMMEDIATE")
            try:
                mode = cursor.execute("PRAGMA auto_vacuum").fetchone()[0]
                free = cursor.execute("PRAGMA freelist_count").fetchone()[0]
                if mode == _INCREMENTAL and free:
                    cursor.execute(f"PRAGMA incremental_vacuum({int(pages)})").fetchall()
            finally:
                cursor.execute("COMMIT")
            if mode == _INCREMENTAL and free:
                return True
            # The file is cut when the log is written back into it.
            cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchall()
            return False
        finally:
            raw.close()

    def tidy_search_index(self, engine: Engine, table: str, pages: int) -> bool:
        # Deleting from FTS5 adds tombstones beside the entries they cancel; both
        # go only when their segments are merged. A negative 'merge' merges every
        # segment into one, ``pages`` at a time; a step that changed fewer than
        # two rows found nothing left to merge (FTS5's documented test).
        raw = engine.raw_connection()
        try:
            driver = raw.driver_connection
            assert isinstance(driver, sqlite3.Connection)
            cursor = driver.cursor()
            cursor.execute("BEGIN IMMEDIATE")
            before = driver.total_changes
            try:
                cursor.execute(
                    f"INSERT INTO {table}({table}, rank) VALUES('merge', ?)", (-int(pages),)
                )
            finally:
                cursor.execute("COMMIT")
            return driver.total_changes - before >= 2
        finally:
            raw.close()

    def compact(self, engine: Engine) -> None:
        raw = engine.raw_connection()
        try:
            cursor = raw.cursor()
            # VACUUM rewrites the file, and with it the mode: from now on it shrinks by itself.
            cursor.execute("PRAGMA auto_vacuum = INCREMENTAL")
            cursor.execute("VACUUM")
            cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchall()
        finally:
            raw.close()

    def begins_with(self, column: ColumnElement[Any], prefix: str) -> ColumnElement[bool]:
        # SQLite compares text by code point: a range is exact and uses the index,
        # where LIKE would be case-insensitive and scan.
        return (column >= prefix) & (column < prefix + _TOP)

    def time_bucket(self, moment: ColumnElement[Any], step: int) -> ColumnElement[Any]:
        # ``//``: SQLAlchemy's ``/`` is a true division, which would give every record
        # its own bucket.
        return cast(func.strftime("%s", moment), Integer) // step

    def create_search_index(self, connection: Connection, kind: str, table: str) -> None:
        connection.exec_driver_sql(
            f"CREATE VIRTUAL TABLE IF NOT EXISTS {table} USING fts5("
            f"{_COLUMNS}, content='', tokenize='unicode61 remove_diacritics 2')"
        )

    def index(self, connection: Connection, table: str, entries: Sequence[Entry]) -> None:
        sql = f"INSERT INTO {table}(rowid, {_COLUMNS}) VALUES(?, ?, ?)"
        connection.exec_driver_sql(sql, list(entries))

    def unindex(self, connection: Connection, table: str, entries: Sequence[Entry]) -> None:
        sql = f"INSERT INTO {table}({table}, rowid, {_COLUMNS}) VALUES('delete', ?, ?, ?)"
        connection.exec_driver_sql(sql, list(entries))

    def phrases(self, terms: Sequence[tuple[str, bool]], *, any_of: bool) -> str | None:
        quoted_phrases = []
        for word, prefix in terms:
            quoted = '"' + word.replace('"', '""') + '"'
            quoted_phrases.append(quoted + " *" if prefix else quoted)
        return (" OR " if any_of else " AND ").join(quoted_phrases) or None

    def excluding(self, wanted: str, unwanted: str) -> str:
        return f"({wanted}) NOT ({unwanted})"

    def match(self, table: str) -> tuple[str, str]:
        return "rowid", f"{table} MATCH :match"
