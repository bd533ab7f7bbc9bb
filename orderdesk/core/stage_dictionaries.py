"""The store's stage dictionaries: kept in a table, made once per kind, found by id.

``stage_codec`` says why stages are packed with a dictionary. Here is where
the dictionaries live: one row each, written in a transaction of its own
before any stage uses it, and never changed or deleted (a stage packed with
it could not be read without it). A dictionary committed whose page then
failed costs 32 KB and nothing else.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager
from datetime import UTC, datetime

from sqlalchemy import Column, Connection, Engine, Integer, LargeBinary, String, Table, select

from orderdesk.core.schema import META, UtcDateTime
from orderdesk.core.stage_codec import TRAIN_FROM, StageBook, attach_book, train

__all__ = ["STAGE_DICTIONARIES", "open_book", "train_if_due"]

STAGE_DICTIONARIES = Table(
    "stage_dictionaries",
    META.metadata,
    Column("id", Integer, primary_key=True),
    #: The kind whose stages it was made from, and which it packs.
    Column("kind", String, nullable=False),
    Column("made_at", UtcDateTime, nullable=False),
    Column("dictionary", LargeBinary, nullable=False),
)


def open_book(engine: Engine) -> StageBook:
    """The store's book, with every dictionary it holds; each kind packs with its newest."""

    def load(dictionary_id: int) -> bytes | None:
        # A dictionary another process made after this one read them all.
        with engine.connect() as connection:
            return connection.execute(
                select(STAGE_DICTIONARIES.c.dictionary).where(
                    STAGE_DICTIONARIES.c.id == dictionary_id
                )
            ).scalar()

    book = StageBook(load)
    with engine.connect() as connection:
        rows = connection.execute(
            select(
                STAGE_DICTIONARIES.c.id,
                STAGE_DICTIONARIES.c.kind,
                STAGE_DICTIONARIES.c.dictionary,
            ).order_by(STAGE_DICTIONARIES.c.id)
        ).all()
    for dictionary_id, kind, dictionary in rows:
        book.add(dictionary_id, kind, dictionary)
    attach_book(engine.dialect, book)
    return book


def train_if_due(
    book: StageBook,
    kind: str,
    stages: Callable[[], Sequence[str]],
    writing: Callable[[], AbstractContextManager[Connection]],
) -> None:
    """Make ``kind``'s dictionary from ``stages()`` if it has none and they are enough.

    Another process may have made one since this one opened the store: its
    newest is taken then, so that the kinds' stages are not spread over many.
    """
    if book.packs(kind):
        return
    sample = stages()
    if len(sample) < TRAIN_FROM:
        return
    with writing() as connection:
        found = connection.execute(
            select(STAGE_DICTIONARIES.c.id, STAGE_DICTIONARIES.c.dictionary)
            .where(STAGE_DICTIONARIES.c.kind == kind)
            .order_by(STAGE_DICTIONARIES.c.id.desc())
            .limit(1)
        ).first()
        if found is not None:
            dictionary_id, dictionary = found
        else:
            dictionary = train(sample)
            made = connection.execute(
                STAGE_DICTIONARIES.insert().values(
                    kind=kind, made_at=datetime.now(UTC), dictionary=dictionary
                )
            )
            key = made.inserted_primary_key
            assert key is not None
            dictionary_id = key[0]
    # Only once committed: a dictionary rolled back never was.
    book.add(dictionary_id, kind, dictionary)
