"""Many rows in one statement, each value bound once by its column: how a page reaches the driver.

SQLAlchemy's Core ``insert`` with many rows compiles the statement and binds
every row through its generic machinery, which was two fifths of the time a
page took to save. The store's columns convert their values themselves (naive
UTC moments, NUL escaped, long stages compressed: ``orderdesk.core.schema``),
so here each column's bind processor is looked up once per statement, applied
row by row, and the driver is handed plain tuples with the statement's text.
The values stored are exactly those SQLAlchemy would have stored.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from sqlalchemy import Connection, Dialect, Table

__all__ = ["BulkStatement", "bulk_insert", "bulk_update"]

_Processor = Callable[[Any], Any] | None


@dataclass(frozen=True)
class BulkStatement:
    """A statement's text for the driver, and the columns its parameters are, in order."""

    sql: str
    columns: tuple[str, ...]
    processors: tuple[_Processor, ...]

    def bind(self, rows: Iterable[Mapping[str, Any]]) -> list[tuple[Any, ...]]:
        """Each row's values in the statement's order, as the database stores them."""
        columns = self.columns
        processors = tuple(enumerate(self.processors))
        # Only the columns that convert anything are touched after the tuple is made.
        converting = [(index, process) for index, process in processors if process is not None]
        bound = []
        for row in rows:
            values = [row[name] for name in columns]
            for index, process in converting:
                value = values[index]
                if value is not None:
                    values[index] = process(value)
            bound.append(tuple(values))
        return bound

    def run(self, connection: Connection, rows: Sequence[Mapping[str, Any]]) -> None:
        """Execute the statement once per row, in one call to the driver."""
        if rows:
            connection.exec_driver_sql(self.sql, self.bind(rows))


def _placeholder(dialect: Dialect) -> str:
    """The driver's positional parameter marker."""
    if dialect.paramstyle == "qmark":
        return "?"
    if dialect.paramstyle in ("format", "pyformat"):
        return "%s"
    raise NotImplementedError(f"no positional parameters in paramstyle {dialect.paramstyle}")


def _processors(dialect: Dialect, table: Table, columns: Sequence[str]) -> tuple[_Processor, ...]:
    # A None value is stored as NULL by every column of the store: bind() skips it.
    return tuple(
        table.c[name].type.dialect_impl(dialect).bind_processor(dialect) for name in columns
    )


# A handful of statements per store (each kind's insert and update, the findings):
# the cache holds them all, whichever dialect asked.
@lru_cache(maxsize=64)
def bulk_insert(dialect: Dialect, table: Table, columns: tuple[str, ...]) -> BulkStatement:
    """``INSERT INTO table (columns) VALUES (...)``, for rows holding those columns."""
    quote = dialect.identifier_preparer.quote
    marker = _placeholder(dialect)
    sql = (
        f"INSERT INTO {quote(table.name)} ({', '.join(quote(name) for name in columns)}) "
        f"VALUES ({', '.join(marker for _ in columns)})"
    )
    return BulkStatement(sql, columns, _processors(dialect, table, columns))


@lru_cache(maxsize=64)
def bulk_update(
    dialect: Dialect, table: Table, columns: tuple[str, ...], key: str
) -> BulkStatement:
    """``UPDATE table SET columns WHERE key = ...``, for rows holding the columns and the key."""
    quote = dialect.identifier_preparer.quote
    marker = _placeholder(dialect)
    assignments = ", ".join(f"{quote(name)} = {marker}" for name in columns)
    sql = f"UPDATE {quote(table.name)} SET {assignments} WHERE {quote(key)} = {marker}"
    every = (*columns, key)
    return BulkStatement(sql, every, _processors(dialect, table, every))
