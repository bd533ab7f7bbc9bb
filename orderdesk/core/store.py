"""The local store: opening it, its schema version and upgrades, and saving pages of records.

One process syncs into a store while others read it: readers never block the
writer, and writers go one at a time, each seeing what the previous one
committed. How each engine does it is its backend's (``orderdesk.core.backends``).
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any, Self

from sqlalchemy import (
    Connection,
    Engine,
    bindparam,
    create_engine,
    insert,
    inspect,
    select,
    update,
)
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, NoSuchModuleError

from orderdesk import strings
from orderdesk.core import migrations
from orderdesk.core.backends import WRITES, Backend, backend_for
from orderdesk.core.errors import SchemaVersionError, StoreError
from orderdesk.core.records import (
    RECORD_TYPES,
    Kind,
    LogRecord,
    Watermark,
    to_utc,
)
from orderdesk.core.redact import redact_record
from orderdesk.core.rows import row_from_record, source_digest
from orderdesk.core.schema import META, SYNC_STATUS, TABLES, TEMPLATE_SOURCES, WATERMARKS
from orderdesk.core.search import (
    Document,
    create_search_tables,
    index_documents,
    record_document,
    unindex_documents,
)

__all__ = ["SaveResult", "Store"]

_ID_CHUNK = 500
# PostgreSQL's SQLSTATE for "permission denied".
_INSUFFICIENT_PRIVILEGE = "42501"


@dataclass(frozen=True)
class SaveResult:
    """What saving a page did: records new to the store, newer versions, and the rest."""

    new: int
    updated: int
    unchanged: int

    @property
    def stored(self) -> int:
        """Records written (new or updated)."""
        return self.new + self.updated


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

    def __init__(self, engine: Engine, url: str) -> None:
        self.engine = engine
        self.url = url
        self.backend = backend_for(engine)
        # Template sources are never deleted, so an id once committed stays
        # right: a page looks up only the sources this store has not yet seen.
        self._source_ids: dict[bytes, int] = {}

    @classmethod
    def open(cls, target: str | os.PathLike[str]) -> Store:
        """Open (creating or upgrading) the store at a path or a SQLAlchemy URL."""
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
        store = cls(engine, url)
        try:
            store._prepare(where)
        except DBAPIError as error:
            engine.dispose()
            raise StoreError(
                strings.STORE_CANNOT_OPEN.format(where=where, error=error.orig)
            ) from None
        except BaseException:
            engine.dispose()
            raise
        return store

    def _prepare(self, where: str) -> None:
        """Create the schema in an empty database, or upgrade an older one, or refuse."""
        # A current store is only read, so that a role that may only read can view it.
        with self.engine.connect() as connection:
            version = self._stored_version(connection, where)
        if version == migrations.SCHEMA_VERSION:
            return
        try:
            with self._writing() as connection:
                # Again under the write lock: another process may have just done it.
                version = self._stored_version(connection, where)
                if version is None:
                    self._create(connection)
                else:
                    self._upgrade(connection, where, version)
        except DBAPIError as error:
            if getattr(error.orig, "sqlstate", None) != _INSUFFICIENT_PRIVILEGE:
                raise
            needs = (
                strings.STORE_NEEDS_CREATE
                if version is None
                else strings.STORE_NEEDS_UPGRADE.format(version=version)
            )
            raise StoreError(strings.STORE_READ_ONLY.format(where=where, needs=needs)) from None

    @staticmethod
    def _stored_version(connection: Connection, where: str) -> int | None:
        """The store's schema version; None in an empty database; refuses anything else."""
        tables = set(inspect(connection).get_table_names())
        if META.name not in tables:
            if tables:
                raise StoreError(
                    strings.STORE_FOREIGN.format(where=where, tables=", ".join(sorted(tables)[:5]))
                )
            return None
        stored = connection.execute(
            select(META.c.value).where(META.c.key == "schema_version")
        ).scalar_one_or_none()
        if stored is None or not stored.isdigit():
            raise StoreError(strings.STORE_NO_VERSION.format(where=where))
        version = int(stored)
        if version > migrations.SCHEMA_VERSION:
            raise SchemaVersionError(
                strings.STORE_TOO_NEW.format(
                    where=where, version=version, known=migrations.SCHEMA_VERSION
                )
            )
        return version

    def _create(self, connection: Connection) -> None:
        schema_tables = [TEMPLATE_SOURCES, *TABLES.values(), WATERMARKS, META, SYNC_STATUS]
        META.metadata.create_all(connection, tables=schema_tables)
        create_search_tables(connection)
        connection.execute(
            insert(META), {"key": "schema_version", "value": str(migrations.SCHEMA_VERSION)}
        )

    def _upgrade(self, connection: Connection, where: str, version: int) -> None:
        known = migrations.SCHEMA_VERSION
        if version == known:
            return
        for step in range(version, known):
            upgrade = migrations.MIGRATIONS.get(step)
            if upgrade is None:
                raise StoreError(
                    strings.STORE_NO_UPGRADE.format(where=where, version=version, step=step)
                )
            upgrade(connection)
        connection.execute(
            update(META).where(META.c.key == "schema_version").values(value=str(known))
        )

    @contextmanager
    def _writing(self) -> Iterator[Connection]:
        """A connection in a write transaction, committed when the block ends without error."""
        with self.engine.connect() as connection:
            connection.execution_options(**{WRITES: True, **self.backend.write_options()})
            with connection.begin():
                yield connection

    def save_page(
        self, kind: Kind, records: Sequence[LogRecord], watermark: Watermark | None
    ) -> SaveResult:
        """Upsert a page of records (newer wins) and advance the kind's watermark, atomically."""
        record_type = RECORD_TYPES[kind]
        newest: dict[str, LogRecord] = {}
        for record in records:
            if not isinstance(record, record_type):
                raise TypeError(f"a {type(record).__name__} cannot be saved as {kind}")
            seen = newest.get(record.id)
            if seen is None or record.updated_at > seen.updated_at:
                newest[record.id] = record
        with self._writing() as connection:
            stored = self._stored_versions(connection, kind, list(newest))
            changed = [
                record
                for record in newest.values()
                if record.id not in stored or record.updated_at > stored[record.id][1]
            ]
            digests = {
                source: source_digest(source)
                for source in {r.template.source for r in changed if r.template is not None}
            }
            source_ids = self._template_source_ids(
                connection, {digest: source for source, digest in digests.items()}
            )
            inserts: list[dict[str, Any]] = []
            updates: list[dict[str, Any]] = []
            inserted: list[Document] = []
            updated: list[Document] = []
            for record in changed:
                source_id = None
                if record.template is not None:
                    source_id = source_ids[digests[record.template.source]]
                redacted = redact_record(record)
                row = row_from_record(redacted, source_id)
                if record.id in stored:
                    updates.append({**row, "pk": stored[record.id][0]})
                    updated.append(record_document(redacted))
                else:
                    inserts.append(row)
                    inserted.append(record_document(redacted))
            self._insert(connection, kind, inserts, inserted)
            self._update(connection, kind, updates, updated)
            if watermark is not None:
                self._advance(connection, kind, watermark)
        # Only now: a page rolled back may have inserted sources that are gone again.
        self._source_ids.update(source_ids)
        return SaveResult(
            new=len(inserts),
            updated=len(updates),
            unchanged=len(records) - len(inserts) - len(updates),
        )

    def _template_source_ids(
        self, connection: Connection, sources: dict[bytes, str]
    ) -> dict[bytes, int]:
        """The id of each source (by digest), inserting those not yet in the store."""
        ids = {digest: self._source_ids[digest] for digest in sources if digest in self._source_ids}
        unknown = [digest for digest in sources if digest not in ids]
        if unknown:
            # Another process sharing the store may have inserted some of them.
            connection.execute(
                self.backend.insert_new(TEMPLATE_SOURCES),
                [{"sha256": digest, "source": sources[digest]} for digest in unknown],
            )
            query = select(TEMPLATE_SOURCES.c.sha256, TEMPLATE_SOURCES.c.id).where(
                TEMPLATE_SOURCES.c.sha256.in_(unknown)
            )
            ids.update((digest, source_id) for digest, source_id in connection.execute(query))
        return ids

    def _stored_versions(
        self, connection: Connection, kind: Kind, ids: list[str]
    ) -> dict[str, tuple[int, Any]]:
        table = TABLES[kind]
        versions: dict[str, tuple[int, Any]] = {}
        for start in range(0, len(ids), _ID_CHUNK):
            chunk = ids[start : start + _ID_CHUNK]
            query = select(table.c.id, table.c.pk, table.c.updated_at).where(table.c.id.in_(chunk))
            for record_id, pk, updated_at in connection.execute(query):
                versions[record_id] = (pk, updated_at)
        return versions

    def _insert(
        self,
        connection: Connection,
        kind: Kind,
        rows: list[dict[str, Any]],
        documents: list[Document],
    ) -> None:
        if not rows:
            return
        pks = self.backend.insert_rows(connection, TABLES[kind], rows)
        keys = [{"pk": pk} for pk in pks]
        index_documents(connection, kind, keys, documents)

    def _update(
        self,
        connection: Connection,
        kind: Kind,
        rows: list[dict[str, Any]],
        documents: list[Document],
    ) -> None:
        if not rows:
            return
        table = TABLES[kind]
        # A contentless index forgets what it indexed: unindex with the old text.
        old = connection.execute(
            select(table).where(table.c.pk.in_([row["pk"] for row in rows]))
        ).mappings()
        unindex_documents(connection, kind, list(old))
        statement = update(table).where(table.c.pk == bindparam("old_pk"))
        connection.execute(
            statement,
            [{**{k: v for k, v in row.items() if k != "pk"}, "old_pk": row["pk"]} for row in rows],
        )
        index_documents(connection, kind, rows, documents)

    def _advance(self, connection: Connection, kind: Kind, watermark: Watermark) -> None:
        given = Watermark(to_utc(watermark.updated_at), watermark.id)
        current = self._read_watermark(connection, kind)
        if current is None:
            connection.execute(
                insert(WATERMARKS),
                {"kind": kind, "updated_at": given.updated_at, "after_id": given.id},
            )
        elif given > current:
            connection.execute(
                update(WATERMARKS)
                .where(WATERMARKS.c.kind == kind)
                .values(updated_at=given.updated_at, after_id=given.id)
            )

    @staticmethod
    def _read_watermark(connection: Connection, kind: Kind) -> Watermark | None:
        row = connection.execute(
            select(WATERMARKS.c.updated_at, WATERMARKS.c.after_id).where(WATERMARKS.c.kind == kind)
        ).first()
        return None if row is None else Watermark(row.updated_at, row.after_id)

    def watermark(self, kind: Kind) -> Watermark | None:
        """Where sync's next read of this kind starts after; None before the first page."""
        with self.engine.connect() as connection:
            return self._read_watermark(connection, kind)

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
