"""Full-text search over references, ids and bodies, with SQLite FTS5.

Each kind has a contentless FTS5 table (``content=''``) whose rowid is the
record row's ``pk``: the index holds tokens only, so a body is stored once, in
its stage column. A contentless table cannot look up what it indexed, so to
update a row we hand it the old text again, rebuilt from the old row's stage
columns by the same function that built it (:func:`document`).

What a search matches: the default ``unicode61`` tokenizer splits text at
anything that is not a letter or a digit and folds case and diacritics. Every
word the user types is searched as a quoted phrase of its tokens, and all words
must match. So ``ORD-1234`` matches the tokens ``ord`` ``1234`` next to each
other (the reference ``ORD-1234`` and the text ``ord 1234``), ``1234`` alone
matches any reference with that part, ``req_01JD`` matches an id, and a body
word matches as a word. Substrings inside a token do not match (``123`` does not
find ``ORD-1234``), except as a prefix when the word ends in ``*``: ``ORD-12*``.
User text is never FTS syntax: quotes, operators and brackets are just text.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from sqlalchemy import Connection, TextClause, text

from orderdesk.core.records import Kind

__all__ = [
    "SEARCH_TABLES",
    "count_matches",
    "create_search_tables",
    "document",
    "index_documents",
    "match_expression",
    "search_clause",
    "supports_search",
    "unindex_documents",
]

SEARCH_TABLES: dict[Kind, str] = {"requests": "requests_search", "postbacks": "postbacks_search"}

_COLUMNS = "refs, body"


def supports_search(connection: Connection) -> bool:
    """Whether this database has the full-text index (SQLite only, for now)."""
    return connection.dialect.name == "sqlite"


def create_search_tables(connection: Connection) -> None:
    """Create each kind's FTS5 table, where the database has FTS5."""
    if not supports_search(connection):
        return
    for table in SEARCH_TABLES.values():
        connection.exec_driver_sql(
            f"CREATE VIRTUAL TABLE IF NOT EXISTS {table} USING fts5("
            f"{_COLUMNS}, content='', tokenize='unicode61 remove_diacritics 2')"
        )


def _bodies(row: Mapping[str, Any]) -> Iterable[str | None]:
    for column, key in (("original", "body"), ("template", "output"), ("final", "body")):
        if row.get(column) is not None:
            yield json.loads(row[column]).get(key)
    if row.get("attempts") is not None:
        for attempt in json.loads(row["attempts"]):
            yield attempt.get("body")
    if row.get("response") is not None:
        yield json.loads(row["response"]).get("body")
    yield row.get("error_message")


def document(row: Mapping[str, Any]) -> tuple[str, str]:
    """The text a row is indexed under: (references and ids, bodies)."""
    refs = (row.get(key) for key in ("order_reference_id", "order_id", "id", "tracking_code"))
    # A postback's response is its last attempt: index each distinct body once.
    bodies = dict.fromkeys(body for body in _bodies(row) if body)
    return " ".join(ref for ref in refs if ref), "\n".join(bodies)


def _write(connection: Connection, kind: Kind, rows: Sequence[Mapping[str, Any]], op: str) -> None:
    if not rows or not supports_search(connection):
        return
    table = SEARCH_TABLES[kind]
    parameters = [(row["pk"], *document(row)) for row in rows]
    if op == "delete":
        sql = f"INSERT INTO {table}({table}, rowid, {_COLUMNS}) VALUES('delete', ?, ?, ?)"
    else:
        sql = f"INSERT INTO {table}(rowid, {_COLUMNS}) VALUES(?, ?, ?)"
    connection.exec_driver_sql(sql, parameters)


def index_documents(connection: Connection, kind: Kind, rows: Sequence[Mapping[str, Any]]) -> None:
    """Index rows (each with ``pk`` and its stage columns)."""
    _write(connection, kind, rows, "insert")


def unindex_documents(
    connection: Connection, kind: Kind, rows: Sequence[Mapping[str, Any]]
) -> None:
    """Remove rows from the index, given exactly the values they were indexed with."""
    _write(connection, kind, rows, "delete")


def match_expression(user_text: str) -> str | None:
    """An FTS5 expression for what the user typed; None if it has nothing searchable."""
    phrases = []
    for word in user_text.split():
        prefix = word.endswith("*")
        word = word.rstrip("*")
        if not any(character.isalnum() for character in word):
            continue
        quoted = '"' + word.replace('"', '""') + '"'
        phrases.append(quoted + " *" if prefix else quoted)
    return " AND ".join(phrases) or None


def count_matches(connection: Connection, kind: Kind, expression: str, *, up_to: int) -> int:
    """How many rows the expression matches, counting no further than ``up_to``."""
    table = SEARCH_TABLES[kind]
    sql = f"SELECT count(*) FROM (SELECT rowid FROM {table} WHERE {table} MATCH ? LIMIT ?)"
    return int(connection.exec_driver_sql(sql, (expression, up_to)).scalar_one())


def search_clause(kind: Kind, expression: str, *, common: bool = False) -> TextClause:
    """A clause on a record table: the rows the FTS expression matches.

    For a rare expression, the matching rows are collected and sorted. For a
    common one (``common=True``), collecting could mean most of the store, so
    the list walks its own index newest first and asks the index about each
    row, stopping as soon as the page is full.
    """
    table = SEARCH_TABLES[kind]
    if common:
        sql = f"EXISTS (SELECT 1 FROM {table} WHERE {table} MATCH :match AND rowid = {kind}.pk)"
    else:
        sql = f"{kind}.pk IN (SELECT rowid FROM {table} WHERE {table} MATCH :match)"
    return text(sql).bindparams(match=expression)
