"""Full-text search over references, ids and bodies, the same on every engine that has it.

Each kind has an index, kept by the store's backend (SQLite's FTS5, PostgreSQL's
tsvector; see ``orderdesk.core.backends``), of each record row's document: its
references and ids, and its bodies.

What a search matches: text is cut as SQLite's ``unicode61`` tokenizer cuts it,
at anything that is not a letter or a digit, with case and diacritics folded.
Every word the user types is searched as a quoted phrase of its tokens, and all
words must match. So ``ORD-1234`` matches the tokens ``ord`` ``1234`` next to
each other (the reference ``ORD-1234`` and the text ``ord 1234``), ``1234`` alone
matches any reference with that part, ``req_01JD`` matches an id, and a body
word matches as a word. Substrings inside a token do not match (``123`` does not
find ``ORD-1234``), except as a prefix when the word ends in ``*``: ``ORD-12*``.
User text is never search syntax: quotes, operators and brackets are just text.

SQLite's index cannot look up what it indexed, so to update a row we hand it the
old text again, rebuilt from the old row's stage columns by the same function
that built it (:func:`document`).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any

from sqlalchemy import Connection, TextClause, bindparam, text

from orderdesk.core.backends import backend_for
from orderdesk.core.records import Kind, LogRecord
from orderdesk.core.rows import SAME_AS_LAST_ATTEMPT

__all__ = [
    "SEARCH_TABLES",
    "Document",
    "count_matches",
    "create_search_tables",
    "document",
    "excluding",
    "index_documents",
    "phrases_expression",
    "record_document",
    "search_clause",
    "supports_search",
    "unindex_documents",
]

SEARCH_TABLES: dict[Kind, str] = {"requests": "requests_search", "postbacks": "postbacks_search"}


def supports_search(connection: Connection) -> bool:
    """Whether this database has a full-text index (SQLite's FTS5 or PostgreSQL's)."""
    return backend_for(connection).HAS_FULL_TEXT_SEARCH


def create_search_tables(connection: Connection) -> None:
    """Create each kind's full-text index, where the database has one."""
    backend = backend_for(connection)
    if not backend.HAS_FULL_TEXT_SEARCH:
        return
    for kind, table in SEARCH_TABLES.items():
        backend.create_search_index(connection, kind, table)


def _bodies(row: Mapping[str, Any]) -> Iterable[str | None]:
    for column, key in (("original", "body"), ("template", "output"), ("final", "body")):
        if row.get(column) is not None:
            yield json.loads(row[column]).get(key)
    if row.get("attempts") is not None:
        for attempt in json.loads(row["attempts"]):
            yield attempt.get("body")
    # A postback's response kept as its last attempt is among the bodies above.
    if row.get("response") not in (None, SAME_AS_LAST_ATTEMPT):
        yield json.loads(row["response"]).get("body")
    yield row.get("error_message")


def document(row: Mapping[str, Any]) -> tuple[str, str]:
    """The text a row is indexed under: (references and ids, bodies)."""
    refs = (row.get(key) for key in ("order_reference_id", "order_id", "id", "tracking_code"))
    # A postback's response is its last attempt: index each distinct body once.
    bodies = dict.fromkeys(body for body in _bodies(row) if body)
    return " ".join(ref for ref in refs if ref), "\n".join(bodies)


def record_document(record: LogRecord) -> tuple[str, str]:
    """:func:`document` of the record's row, read from the record: no stage is parsed back.

    A sync indexes every record it saves; parsing its stages' JSON again only
    to find the bodies was a tenth of the time a page took.
    """
    tracking = getattr(record, "tracking", None)
    refs = (
        record.order_reference_id,
        record.order_id,
        record.id,
        None if tracking is None else tracking.code,
    )
    found = [
        record.original.body,
        None if record.template is None else record.template.output,
        None if record.final is None else record.final.body,
        *(attempt.body for attempt in getattr(record, "attempts", ())),
        None if record.response is None else record.response.body,
    ]
    error = getattr(record, "error", None)
    found.append(None if error is None else error.message)
    bodies = dict.fromkeys(body for body in found if body)
    return " ".join(ref for ref in refs if ref), "\n".join(bodies)


Document = tuple[str, str]


def _write(
    connection: Connection,
    kind: Kind,
    rows: Sequence[Mapping[str, Any]],
    op: str,
    documents: Sequence[Document] | None = None,
) -> None:
    backend = backend_for(connection)
    if not rows or not backend.HAS_FULL_TEXT_SEARCH:
        return
    if documents is None:
        documents = [document(row) for row in rows]
    entries = [(row["pk"], *given) for row, given in zip(rows, documents, strict=True)]
    write = backend.unindex if op == "delete" else backend.index
    write(connection, SEARCH_TABLES[kind], entries)


def index_documents(
    connection: Connection,
    kind: Kind,
    rows: Sequence[Mapping[str, Any]],
    documents: Sequence[Document] | None = None,
) -> None:
    """Index rows (each with ``pk``, and its stage columns unless ``documents`` are given)."""
    _write(connection, kind, rows, "insert", documents)


def unindex_documents(
    connection: Connection, kind: Kind, rows: Sequence[Mapping[Any, Any]]
) -> None:
    """Remove rows from the index, given exactly the values they were indexed with."""
    _write(connection, kind, rows, "delete")


def _terms(texts: Iterable[str]) -> Iterator[tuple[str, bool]]:
    """Each text that has something to search, and whether it ends in ``*``."""
    for word in texts:
        prefix = word.endswith("*")
        word = word.rstrip("*")
        if any(character.isalnum() for character in word):
            yield word, prefix


def phrases_expression(
    connection: Connection, phrases: Iterable[str], *, any_of: bool = False
) -> str | None:
    """An expression matching all (or any) of the texts, each a phrase of its tokens.

    A word is a phrase of one or more tokens (``ORD-12``), and so is a text with
    spaces (``gift wrap``): its tokens must follow each other. None if no text
    has anything to search.
    """
    return backend_for(connection).phrases(list(_terms(phrases)), any_of=any_of)


def excluding(connection: Connection, wanted: str, unwanted: str) -> str:
    """An expression matching ``wanted`` but not ``unwanted``."""
    return backend_for(connection).excluding(wanted, unwanted)


def _match(connection: Connection, kind: Kind) -> tuple[str, str]:
    """The index's key column naming a row's ``pk``, and its condition for ``:match``."""
    return backend_for(connection).match(SEARCH_TABLES[kind])


def count_matches(connection: Connection, kind: Kind, expression: str, *, up_to: int) -> int:
    """How many rows the expression matches, counting no further than ``up_to``."""
    key, condition = _match(connection, kind)
    table = SEARCH_TABLES[kind]
    sql = f"SELECT count(*) FROM (SELECT {key} FROM {table} WHERE {condition} LIMIT :up_to) AS m"
    found = connection.execute(text(sql), {"match": expression, "up_to": up_to})
    return int(found.scalar_one())


def search_clause(
    connection: Connection,
    kind: Kind,
    expression: str,
    *,
    common: bool = False,
    negated: bool = False,
) -> TextClause:
    """A clause on a record table: the rows the FTS expression matches.

    For a rare expression, the matching rows are collected and sorted. For a
    common one (``common=True``), collecting could mean most of the store, so
    the list walks its own index newest first and asks the index about each
    row, stopping as soon as the page is full. ``negated`` keeps the rows it
    does not match instead. One statement may hold several such clauses (a
    filter's ``gift OR wrap``): each binds its expression under a name of its own.
    """
    key, condition = _match(connection, kind)
    table = SEARCH_TABLES[kind]
    if negated:
        sql = f"{kind}.pk NOT IN (SELECT {key} FROM {table} WHERE {condition})"
    elif common:
        sql = f"EXISTS (SELECT 1 FROM {table} WHERE {condition} AND {key} = {kind}.pk)"
    else:
        sql = f"{kind}.pk IN (SELECT {key} FROM {table} WHERE {condition})"
    return text(sql).bindparams(bindparam("match", expression, unique=True))
