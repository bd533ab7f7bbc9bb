"""The local store: opening it at a path or a URL, and the transactions it reads and writes in.

Opening prepares the schema (``migrations``: created, upgraded or refused), and
pages of records are saved by ``pages``. One process syncs into a store while
others read it: readers never block the writer, and writers go one at a time,
each seeing what the previous one committed. How each engine does it is its
backend's (``orderdesk.core.backends``).
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from types import TracebackType
from typing import Self

from sqlalchemy import Connection, Engine, create_engine
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, NoSuchModuleError

from orderdesk import strings
from orderdesk.core import migrations
from orderdesk.core.backends import WRITES, Backend, backend_for
from orderdesk.core.errors import StoreError, StoreFull
from orderdesk.core.pages import PageWriter, SaveResult, read_watermark
from orderdesk.core.records import Kind, LogRecord, Watermark
from orderdesk.core.stage_dictionaries import open_book
from orderdesk.core.timeline_rules import DEFAULT_RULES, TimelineRules

__all__ = ["Store"]


def _url_of(target: str | os.PathLike[str]) -> str:
    text = os.fspath(target)
    if "://" in text:
        return text
    return "sqlite:///" + str(Path(text).expanduser().absolute())


def _shown(url: URL) -> str:
    """A database URL fit to print: its password hidden."""
    return url.render_as_string(hide_password=True)


class Store:
    """orderdesk's local store of request and postback records, and of sync's watermarks."""

    engine: Engine
    url: str
    #: What this store's engine does its own way.
    backend: Backend

    def __init__(
        self,
        engine: Engine,
        url: str,
        rules: TimelineRules = DEFAULT_RULES,
        *,
        findings: bool = True,
    ) -> None:
        self.engine = engine
        self.url = url
        self.backend = backend_for(engine)
        self._pages = PageWriter(self.backend, self.writing, rules, findings=findings)

    @classmethod
    def open(
        cls,
        target: str | os.PathLike[str],
        *,
        rules: TimelineRules = DEFAULT_RULES,
        findings: bool = True,
    ) -> Store:
        """Open (creating or upgrading) the store at a path or a SQLAlchemy URL.

        ``rules`` are the thresholds the pages this store saves store their
        findings by: the writer's (``stored_findings``). ``findings=False``
        saves pages without them, which leaves the store's findings behind its
        records: it is there to measure what keeping them costs.
        """
        url = _url_of(target)
        try:
            parsed = make_url(url)
        except ArgumentError as error:
            raise StoreError(strings.STORE_NOT_A_URL.format(url=url, error=error)) from None
        backend = backend_for(parsed)
        where = backend.describe(parsed)
        folder = backend.folder(parsed)
        if folder is not None:
            try:
                folder.mkdir(parents=True, exist_ok=True)
            except OSError as error:
                raise StoreError(
                    strings.STORE_NO_FOLDER.format(folder=folder, error=error.strerror)
                ) from None
        try:
            engine = create_engine(url, **backend.engine_options())
        except (ArgumentError, NoSuchModuleError, ImportError) as error:
            raise StoreError(strings.STORE_BAD_URL.format(url=url, error=error)) from None
        backend.configure(engine)
        store = cls(engine, url, rules, findings=findings)
        try:
            migrations.prepare(store.asking, store.writing, where)
        except DBAPIError as error:
            engine.dispose()
            if backend.is_full(error):
                raise StoreFull(strings.STORE_OPEN_FULL.format(where=where)) from None
            raise StoreError(
                strings.STORE_CANNOT_OPEN.format(where=where, error=error.orig)
            ) from None
        except BaseException:
            engine.dispose()
            raise
        if backend.COMPRESS_STAGES:
            # Only now does the table of dictionaries exist, in a store of any age.
            store._pages.book = open_book(engine)
        return store

    @contextmanager
    def writing(self) -> Iterator[Connection]:
        """A connection in a write transaction, committed when the block ends without error."""
        with self.engine.connect() as connection:
            connection.execution_options(**{WRITES: True, **self.backend.write_options()})
            with connection.begin():
                yield connection

    @contextmanager
    def asking(self) -> Iterator[Connection]:
        """A connection for one question (a page, a count, a record), outside any transaction.

        Each statement reads its own snapshot, as a SQLite read does: a question
        of several statements whose answers must agree uses ``engine.connect()``.
        """
        with self.engine.connect() as connection:
            connection.execution_options(**self.backend.question_options())
            yield connection

    def save_page(
        self, kind: Kind, records: Sequence[LogRecord], watermark: Watermark | None
    ) -> SaveResult:
        """Upsert a page of records (newer wins) and advance the kind's watermark, atomically."""
        return self._pages.save(kind, records, watermark)

    @property
    def rules(self) -> TimelineRules:
        """The thresholds the findings of saved pages are stored by."""
        return self._pages.rules

    def watermark(self, kind: Kind) -> Watermark | None:
        """Where sync's next read of this kind starts after; None before the first page."""
        with self.engine.connect() as connection:
            return read_watermark(connection, kind)

    def close(self) -> None:
        """Close every connection to the database."""
        self.engine.dispose()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    @property
    def shown_url(self) -> str:
        """Where the store is, fit to print: a database password is hidden."""
        return _shown(make_url(self.url))

    def __repr__(self) -> str:
        return f"Store({self.shown_url!r})"
