"""What tests ask of a store to check it: the database's plan for a page, and what it holds.

Neither the console nor the CLI reads these. A plan shows whether a list page
walks an index or reads the table; the stored ``updated_at`` and status of
every record is what a sync is compared with, against a source or the simulator.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import event, select

from orderdesk.core.queries import Cursor, RecordQuery, summaries_statement
from orderdesk.core.records import Kind
from orderdesk.core.schema import TABLES
from orderdesk.core.store import Store

__all__ = ["query_plan", "truth"]


def truth(store: Store, kind: Kind) -> dict[str, tuple[datetime, str]]:
    """Every stored record's ``updated_at`` and status by id, to compare with a source."""
    table = TABLES[kind]
    with store.engine.connect() as connection:
        rows = connection.execute(select(table.c.id, table.c.updated_at, table.c.status))
        return {record_id: (updated_at, status) for record_id, updated_at, status in rows}


class _Captured(Exception):
    """Stops a statement on its way to the database, carrying the SQL it would have run."""

    def __init__(self, sql: str, parameters: Any) -> None:
        super().__init__(sql)
        self.sql = sql
        self.parameters = parameters


def query_plan(
    store: Store, query: RecordQuery, *, after: Cursor | None = None, newest_first: bool = True
) -> list[str]:
    """The database's plan for a page of summaries, one line per step: to check indexes are used."""

    def capture(_conn: Any, _cursor: Any, sql: str, parameters: Any, *_: Any) -> None:
        if sql.lstrip().upper().startswith("SELECT"):  # not the BEGIN before it
            raise _Captured(sql, parameters)

    with store.engine.connect() as connection:
        statement = summaries_statement(connection, query, after=after, newest_first=newest_first)
        event.listen(connection, "before_cursor_execute", capture)
        try:
            connection.execute(statement)
        except _Captured as captured:
            sql, parameters = captured.sql, captured.parameters
        finally:
            event.remove(connection, "before_cursor_execute", capture)
        explain = store.backend.EXPLAIN
        rows = connection.exec_driver_sql(explain + sql, parameters)
        return [row[-1] for row in rows]
