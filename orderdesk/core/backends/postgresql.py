"""PostgreSQL, made to behave as a SQLite store does, and its tsvector search.

A write transaction first takes a lock that only writers ask for, so writers
go one at a time as on SQLite, and a reader sees one snapshot for as long as it
keeps its connection (as a SQLite reader does while it reads), except that a
question of one statement (a page, a count, a record: ``Store.asking``) runs
outside any transaction, its statement its snapshot, so that no BEGIN and no
ROLLBACK cost a round trip across a network. The sync lease is
a session-level advisory lock, which the server lets go of when its holder dies.

Each kind's full-text index is a table of ``(pk, document)``, the document a
tsvector with a GIN index. Its tokens are cut in Python exactly as SQLite's
unicode61 cuts them (``orderdesk.core.search_terms``), and a query is the same
phrases as a tsquery, so that both databases give the same answers to the same
search. A row's document is replaced when the row is, so no old text is needed.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, ClassVar

from sqlalchemy import Connection, Engine, Insert, Table, event, text
from sqlalchemy.exc import DBAPIError

from orderdesk import strings
from orderdesk.core.backends.base import WRITES, Backend, Entry, Space
from orderdesk.core.backends.bulk import bulk_insert
from orderdesk.core.search_terms import phrase_query, tsvector_literal

__all__ = ["PostgreSQLBackend"]

# PostgreSQL's SQLSTATE for "disk full".
_DISK_FULL = "53100"
_INSUFFICIENT_PRIVILEGE = "42501"

# The key of the transaction-level advisory lock that serializes writers, as
# SQLite's write lock does ("orderdesk" in ASCII, in 63 bits).
_WRITE_LOCK_KEY = 0x6F72646572646573


def _on_begin(connection: Connection) -> None:
    # Writers read what they are about to change (stored versions, template
    # sources): one at a time, each seeing what the previous one committed.
    if connection.get_execution_options().get(WRITES, False):
        connection.exec_driver_sql(f"SELECT pg_advisory_xact_lock({_WRITE_LOCK_KEY})")


class PostgreSQLBackend(Backend):
    """A store in a PostgreSQL database, shared by a team."""

    name: ClassVar[str] = "postgresql"
    HAS_FULL_TEXT_SEARCH: ClassVar[bool] = True
    HAS_SESSION_LOCKS: ClassVar[bool] = True
    TEXT_HOLDS_NUL: ClassVar[bool] = False
    # SQLite compares text by its bytes; PostgreSQL by the database's locale
    # unless told otherwise. Keyset pages order by id, and must agree.
    CODE_POINT_COLLATION: ClassVar[str | None] = "C"
    # Counting a common word's matches read most of the index (220 ms at a
    # million requests) to choose a plan that PostgreSQL's planner chooses alone.
    PLANS_SEARCH: ClassVar[bool] = True

    def engine_options(self) -> dict[str, Any]:
        # Readers keep one snapshot per connection, as on SQLite; writers
        # read committed data once they hold the write lock. No column is an
        # hstore: looking its type up cost each new connection a round trip.
        return {"isolation_level": "REPEATABLE READ", "use_native_hstore": False}

    def configure(self, engine: Engine) -> None:
        event.listen(engine, "begin", _on_begin)

    def write_options(self) -> dict[str, Any]:
        return {"isolation_level": "READ COMMITTED"}

    def question_options(self) -> dict[str, Any]:
        # One statement is one snapshot without a transaction around it: the
        # BEGIN before it and the ROLLBACK after it were two more round trips,
        # 40 ms of a page's 60 through a tunnel of 20 ms.
        return {"isolation_level": "AUTOCOMMIT"}

    def insert_new(self, table: Table) -> Insert:
        # Imported here: a SQLite user's every command would pay for it.
        from sqlalchemy.dialects import postgresql

        return postgresql.insert(table).on_conflict_do_nothing()

    def insert_rows(
        self, connection: Connection, table: Table, rows: Sequence[dict[str, Any]]
    ) -> list[int]:
        # The keys come from the table's sequence, all in one round trip; then the
        # rows go in one executemany (pipelined by psycopg) with no RETURNING to read.
        if not rows:
            return []
        keys = connection.exec_driver_sql(
            "SELECT nextval(pg_get_serial_sequence(%s, 'pk')) FROM generate_series(1, %s)",
            (table.name, len(rows)),
        )
        pks = [int(pk) for pk in keys.scalars()]
        keyed = [{**row, "pk": pk} for row, pk in zip(rows, pks, strict=True)]
        bulk_insert(connection.dialect, table, tuple(keyed[0])).run(connection, keyed)
        return pks

    # begins_with: LIKE, the default, is exact in any collation, where a range
    # would follow the locale's order. time_bucket: the default's epoch is PostgreSQL's.

    def create_search_index(self, connection: Connection, kind: str, table: str) -> None:
        connection.exec_driver_sql(
            f"CREATE TABLE IF NOT EXISTS {table} ("
            "pk INTEGER PRIMARY KEY, document TSVECTOR NOT NULL)"
        )
        connection.exec_driver_sql(
            f"CREATE INDEX IF NOT EXISTS ix_{kind}_search ON {table} USING gin (document)"
        )

    def index(self, connection: Connection, table: str, entries: Sequence[Entry]) -> None:
        sql = (
            f"INSERT INTO {table} (pk, document) VALUES (:pk, CAST(:document AS tsvector)) "
            "ON CONFLICT (pk) DO UPDATE SET document = excluded.document"
        )
        vectors = [{"pk": pk, "document": tsvector_literal(texts)} for pk, *texts in entries]
        connection.execute(text(sql), vectors)

    def unindex(self, connection: Connection, table: str, entries: Sequence[Entry]) -> None:
        # A row's document is replaced when the row is: its pk is enough.
        sql = f"DELETE FROM {table} WHERE pk = :pk"
        connection.execute(text(sql), [{"pk": pk} for pk, *_ in entries])

    def phrases(self, terms: Sequence[tuple[str, bool]], *, any_of: bool) -> str | None:
        parts = [phrase_query([term]) for term in terms]
        found = [part for part in parts if part is not None]
        return (" | " if any_of else " & ").join(found) or None

    def excluding(self, wanted: str, unwanted: str) -> str:
        return f"({wanted}) & !({unwanted})"

    def match(self, table: str) -> tuple[str, str]:
        return "pk", "document @@ CAST(:match AS tsquery)"

    def is_full(self, error: DBAPIError) -> bool:
        return getattr(error.orig, "sqlstate", None) == _DISK_FULL

    def is_denied(self, error: DBAPIError) -> bool:
        return getattr(error.orig, "sqlstate", None) == _INSUFFICIENT_PRIVILEGE

    def space(self, engine: Engine) -> Space:
        with engine.connect() as connection:
            size = connection.exec_driver_sql(
                "SELECT pg_database_size(current_database())"
            ).scalar_one()
        return Space(size=int(size), gives_back=False, note=strings.SPACE_POSTGRESQL_REUSES)

    def give_back(self, engine: Engine, pages: int) -> bool:
        # A plain VACUUM marks the deleted rows' space free for new rows (and cuts
        # the empty end of each table) without locking out readers or the sync;
        # autovacuum would do it too, later. VACUUM cannot run in a transaction.
        with engine.connect() as connection:
            connection.execution_options(isolation_level="AUTOCOMMIT").exec_driver_sql(
                "VACUUM (ANALYZE)"
            )
        return False

    def compact(self, engine: Engine) -> None:
        # Rewrites every table: all the free space goes back, but each table is
        # locked, for readers too, while it is rewritten.
        with engine.connect() as connection:
            connection.execution_options(isolation_level="AUTOCOMMIT").exec_driver_sql(
                "VACUUM FULL"
            )

    def take_session_lock(self, engine: Engine, key: int) -> Connection | None:
        connection = engine.connect()
        try:
            connection = connection.execution_options(isolation_level="AUTOCOMMIT")
            got = connection.execute(
                text("SELECT pg_try_advisory_lock(:key)"), {"key": key}
            ).scalar_one()
        except BaseException:
            connection.close()
            raise
        if not got:
            connection.close()
            return None
        return connection

    def session_lock_held(self, connection: Connection, key: int) -> bool:
        # pg_locks splits a bigint key: its high half in classid, its low half in objid.
        held = connection.execute(
            text(
                "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted "
                "AND classid = :high AND objid = :low AND objsubid = 1 "
                "AND database = "
                "(SELECT oid FROM pg_database WHERE datname = current_database())"
            ),
            {"high": key >> 32, "low": key & 0xFFFFFFFF},
        ).scalar_one()
        return bool(held)

    def release_session_lock(self, connection: Connection, key: int) -> None:
        connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": key})
