"""Where the store builder's copies go: a SQLite file, or a PostgreSQL database.

The builder saves its pool through the real store, then writes a million
copies of the pool's rows straight through the engine's driver: SQLite's
``executemany`` into the FTS5 index and the tables, PostgreSQL's ``COPY`` with
each row's tsvector made as the store makes it (``search_terms``). Either way
the kind's secondary indexes are dropped first and built once at the end: a
million inserts in time order would scatter writes across them.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, ClassVar, Protocol

import psycopg
from psycopg.rows import dict_row
from sqlalchemy.engine import make_url

from orderdesk.core.backends.base import Entry
from orderdesk.core.records import Kind
from orderdesk.core.search import SEARCH_TABLES
from orderdesk.core.search_terms import tsvector_literal

__all__ = ["Sink", "database_name", "fresh_store", "is_url", "open_sink"]

Rows = Sequence[tuple[Any, ...]]
Documents = Sequence[Entry]


class Sink(Protocol):
    """A store the builder writes rows into, below the store's own code."""

    #: Whether the engine keeps stages packed (``stage_codec``) or as text.
    PACKS_STAGES: ClassVar[bool]

    def dictionaries(self) -> dict[int, bytes]:
        """The store's stage dictionaries, by id."""

    def take_pool(self, kind: Kind) -> list[dict[str, Any]]:
        """The kind's rows (without ``pk``), then an empty table without its secondary indexes."""

    def write(self, kind: Kind, columns: Sequence[str], rows: Rows, documents: Documents) -> None:
        """Insert rows ``(pk, *columns)`` and their search documents, in one transaction."""

    def finish_kind(self, kind: Kind) -> None:
        """Build the kind's secondary indexes again."""

    def findings(self) -> list[dict[str, Any]]:
        """The stored findings' rows."""

    def add_findings(self, columns: Sequence[str], rows: Rows) -> None:
        """Insert findings' rows (no ``pk``), in one transaction."""

    def finish(self) -> None:
        """Leave the store as a store in use would be."""

    def oldest(self) -> Any:
        """The oldest request's ``created_at``, as the engine stores it."""

    def close(self) -> None:
        """Let go of the connection."""


def is_url(target: str) -> bool:
    return "://" in target


def database_name(url: str) -> str:
    name = make_url(url).database
    if not name:
        raise ValueError(f"{url} names no database")
    return name


def _libpq(url: str, database: str | None = None) -> str:
    """The SQLAlchemy URL as libpq reads it (psycopg's own form)."""
    parsed = make_url(url).set(drivername="postgresql")
    if database is not None:
        parsed = parsed.set(database=database)
    return parsed.render_as_string(hide_password=False)


def fresh_store(target: str | Path) -> None:
    """Remove what a previous build left: the file and its journal, or the database."""
    if not is_url(str(target)):
        for stale in (Path(target), Path(f"{target}-wal"), Path(f"{target}-shm")):
            stale.unlink(missing_ok=True)
        return
    name = database_name(str(target))
    with psycopg.connect(_libpq(str(target), "postgres"), autocommit=True) as server:
        server.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        server.execute(f'CREATE DATABASE "{name}"')


@contextmanager
def open_sink(target: str | Path) -> Iterator[Sink]:
    url = is_url(str(target))
    sink: Sink = PostgreSQLSink(str(target)) if url else SqliteSink(Path(target))
    try:
        yield sink
    finally:
        sink.close()


class SqliteSink:
    PACKS_STAGES: ClassVar[bool] = True

    def __init__(self, path: Path) -> None:
        self.database = sqlite3.connect(path)
        self.database.row_factory = sqlite3.Row
        self.database.execute("PRAGMA journal_mode = OFF")
        self.database.execute("PRAGMA synchronous = OFF")
        self.database.execute("PRAGMA cache_size = -262144")  # 256 MB while indexes are built
        self.indexes: dict[Kind, list[str]] = {}

    def dictionaries(self) -> dict[int, bytes]:
        found = self.database.execute("SELECT id, dictionary FROM stage_dictionaries")
        return dict(found.fetchall())

    def take_pool(self, kind: Kind) -> list[dict[str, Any]]:
        rows = [dict(row) for row in self.database.execute(f"SELECT * FROM {kind}")]
        for row in rows:
            del row["pk"]
        search = SEARCH_TABLES[kind]
        with self.database:
            self.database.execute(f"DELETE FROM {kind}")
            self.database.execute(f"INSERT INTO {search}({search}) VALUES ('delete-all')")
        found = self.database.execute(
            "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = ? "
            "AND sql IS NOT NULL",
            (kind,),
        ).fetchall()
        for name, _ in found:
            self.database.execute(f"DROP INDEX {name}")
        self.indexes[kind] = [sql for _, sql in found]
        return rows

    def write(self, kind: Kind, columns: Sequence[str], rows: Rows, documents: Documents) -> None:
        marks = ", ".join("?" for _ in columns)
        search = SEARCH_TABLES[kind]
        with self.database:
            self.database.executemany(
                f"INSERT INTO {kind} (pk, {', '.join(columns)}) VALUES (?, {marks})", rows
            )
            self.database.executemany(
                f"INSERT INTO {search}(rowid, refs, body) VALUES (?, ?, ?)", documents
            )

    def finish_kind(self, kind: Kind) -> None:
        with self.database:
            for sql in self.indexes.pop(kind):
                self.database.execute(sql)

    def findings(self) -> list[dict[str, Any]]:
        return [dict(row) for row in self.database.execute("SELECT * FROM findings")]

    def add_findings(self, columns: Sequence[str], rows: Rows) -> None:
        marks = ", ".join("?" for _ in columns)
        with self.database:
            self.database.executemany(
                f"INSERT INTO findings ({', '.join(columns)}) VALUES ({marks})", rows
            )

    def finish(self) -> None:
        self.database.execute("PRAGMA journal_mode = WAL")

    def oldest(self) -> Any:
        return self.database.execute("SELECT min(created_at) FROM requests").fetchone()[0]

    def close(self) -> None:
        self.database.close()


class PostgreSQLSink:
    # PostgreSQL compresses long text itself; the store keeps stages as text there.
    PACKS_STAGES: ClassVar[bool] = False

    def __init__(self, url: str) -> None:
        self.database = psycopg.connect(_libpq(url), row_factory=dict_row)
        self.indexes: dict[Kind, list[str]] = {}

    def dictionaries(self) -> dict[int, bytes]:
        return {}

    def take_pool(self, kind: Kind) -> list[dict[str, Any]]:
        search = SEARCH_TABLES[kind]
        with self.database.transaction():
            rows = self.database.execute(f"SELECT * FROM {kind}").fetchall()
            for row in rows:
                del row["pk"]
            self.database.execute(f"DELETE FROM {search}")
            self.database.execute(f"DELETE FROM {kind}")
            # Constraints' indexes (the keys, the unique ids) stay: they are not
            # dropped by name, and every insert checks them anyway.
            found = self.database.execute(
                "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = current_schema() "
                "AND tablename = ANY(%s) "
                "AND indexname NOT IN (SELECT conname FROM pg_constraint)",
                ([kind, search],),
            ).fetchall()
            for index in found:
                self.database.execute(f"DROP INDEX {index['indexname']}")
        self.indexes[kind] = [index["indexdef"] for index in found]
        return rows

    def write(self, kind: Kind, columns: Sequence[str], rows: Rows, documents: Documents) -> None:
        search = SEARCH_TABLES[kind]
        with self.database.transaction(), self.database.cursor() as cursor:
            with cursor.copy(f"COPY {kind} (pk, {', '.join(columns)}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            with cursor.copy(f"COPY {search} (pk, document) FROM STDIN") as copy:
                for pk, *texts in documents:
                    copy.write_row((pk, tsvector_literal(texts)))

    def finish_kind(self, kind: Kind) -> None:
        with self.database.transaction():
            for sql in self.indexes.pop(kind):
                self.database.execute(sql)
            # The rows came with their keys: new ones (a sync's) follow the last.
            self.database.execute(
                f"SELECT setval(pg_get_serial_sequence('{kind}', 'pk'), max(pk)) FROM {kind}"
            )

    def findings(self) -> list[dict[str, Any]]:
        return self.database.execute("SELECT * FROM findings").fetchall()

    def add_findings(self, columns: Sequence[str], rows: Rows) -> None:
        sql = f"COPY findings ({', '.join(columns)}) FROM STDIN"
        with (
            self.database.transaction(),
            self.database.cursor() as cursor,
            cursor.copy(sql) as copy,
        ):
            for row in rows:
                copy.write_row(row)

    def finish(self) -> None:
        # As autovacuum would leave a store in use: statistics for the planner,
        # and a visibility map, without which no index-only scan skips the table.
        self.database.commit()
        self.database.autocommit = True
        self.database.execute("VACUUM (ANALYZE)")

    def oldest(self) -> Any:
        row = self.database.execute("SELECT min(created_at) AS oldest FROM requests").fetchone()
        return None if row is None else row["oldest"]

    def close(self) -> None:
        self.database.close()
