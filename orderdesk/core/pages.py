"""Saving pages of records: the newer version of each wins, and the watermark moves with them.

A page is one write transaction: its records (redacted, each template source
kept once), their entries in the full-text index, the findings of every order
reference the page touched (``stored_findings``) and the kind's watermark are
stored together or not at all, so that a sync stopped anywhere resumes where
the store says it stopped.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, bindparam, insert, select, update

from orderdesk.core.backends import Backend
from orderdesk.core.backends.bulk import bulk_update
from orderdesk.core.records import RECORD_TYPES, Kind, LogRecord, Watermark, to_utc
from orderdesk.core.redact import redact_record
from orderdesk.core.rows import STAGE_COLUMNS, row_from_record, source_digest
from orderdesk.core.schema import TABLES, TEMPLATE_SOURCES, WATERMARKS
from orderdesk.core.search import (
    Document,
    index_documents,
    record_document,
    unindex_documents,
)
from orderdesk.core.stage_codec import TRAIN_FROM, StageBook
from orderdesk.core.stage_dictionaries import train_if_due
from orderdesk.core.store_generation import next_generation
from orderdesk.core.stored_findings import ReferenceIndex, refresh_findings
from orderdesk.core.timeline_rules import DEFAULT_RULES, TimelineRules

__all__ = ["PageWriter", "SaveResult", "read_watermark"]

_ID_CHUNK = 500

# Built once: an IN of a list made anew coerced each of its values, every page.
_STORED_VERSIONS = {
    kind: select(table.c.id, table.c.pk, table.c.updated_at, table.c.order_reference_id).where(
        table.c.id.in_(bindparam("ids", expanding=True))
    )
    for kind, table in TABLES.items()
}


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


def _stages(records: Iterable[LogRecord]) -> list[str]:
    """The stages of some of these records as they would be stored: a dictionary's sample."""
    stages: list[str] = []
    for record in records:
        row = row_from_record(redact_record(record), None)
        stages.extend(row[column] for column in STAGE_COLUMNS if row.get(column))
        if len(stages) >= 4 * TRAIN_FROM:
            break
    return stages


class PageWriter:
    """Saves pages of records into one store."""

    def __init__(
        self,
        backend: Backend,
        writing: Callable[[], AbstractContextManager[Connection]],
        rules: TimelineRules = DEFAULT_RULES,
        *,
        findings: bool = True,
    ) -> None:
        self._backend = backend
        self._writing = writing
        #: The thresholds the findings are stored by: the writer's (see ``stored_findings``).
        self.rules = rules
        #: Whether pages keep their findings; off only to measure what keeping them costs.
        self.findings = findings
        # The records of the orders of this writer's recent pages, which the next
        # pages' findings need: kept while this writer alone changes records.
        self._recent = ReferenceIndex()
        # Template sources are never deleted, so an id once committed stays
        # right: a page looks up only the sources this store has not yet seen.
        self._source_ids: dict[bytes, int] = {}
        #: The store's stage dictionaries, on an engine where orderdesk packs stages.
        self.book: StageBook | None = None

    def save(
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
        book = self.book
        if book is not None:
            train_if_due(book, kind, lambda: _stages(newest.values()), self._writing)
        packs = book is not None and book.packs(kind)
        with self._writing() as connection:
            generation = next_generation(connection)
            self._recent.begin(generation)
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
            # A record that moved to another reference leaves its old one to recompute too.
            left = {stored[r.id][2] for r in changed if r.id in stored}
            touched = set(left)
            saved: dict[tuple[Kind, str], LogRecord] = {}
            added: set[tuple[Kind, str]] = set()
            for record in changed:
                source_id = None
                if record.template is not None:
                    source_id = source_ids[digests[record.template.source]]
                redacted = redact_record(record)
                saved[(kind, record.id)] = redacted
                touched.add(record.order_reference_id)
                row = row_from_record(redacted, source_id)
                if packs:
                    assert book is not None
                    for column in STAGE_COLUMNS:
                        value = row.get(column)
                        if value is not None:
                            row[column] = book.pack(kind, value)
                if record.id in stored:
                    updates.append({**row, "pk": stored[record.id][0]})
                    updated.append(record_document(redacted))
                else:
                    inserts.append(row)
                    inserted.append(record_document(redacted))
                    added.add((kind, record.id))
            self._insert(connection, kind, inserts, inserted)
            self._update(connection, kind, updates, updated)
            if self.findings:
                references = {reference for reference in touched if reference is not None}
                refresh_findings(
                    connection,
                    references,
                    self.rules,
                    saved,
                    self._recent,
                    inserted=added,
                    left={reference for reference in left if reference is not None},
                )
            if watermark is not None:
                self._advance(connection, kind, watermark)
        # Only now: a page rolled back may have inserted sources that are gone again.
        self._source_ids.update(source_ids)
        self._recent.commit(generation)
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
                self._backend.insert_new(TEMPLATE_SOURCES),
                [{"sha256": digest, "source": sources[digest]} for digest in unknown],
            )
            query = select(TEMPLATE_SOURCES.c.sha256, TEMPLATE_SOURCES.c.id).where(
                TEMPLATE_SOURCES.c.sha256.in_(unknown)
            )
            ids.update((digest, source_id) for digest, source_id in connection.execute(query))
        return ids

    def _stored_versions(
        self, connection: Connection, kind: Kind, ids: list[str]
    ) -> dict[str, tuple[int, Any, str | None]]:
        """Each stored record's key, version and order reference, by id."""
        versions: dict[str, tuple[int, Any, str | None]] = {}
        query = _STORED_VERSIONS[kind]
        for start in range(0, len(ids), _ID_CHUNK):
            chunk = ids[start : start + _ID_CHUNK]
            for record_id, pk, updated_at, reference in connection.execute(query, {"ids": chunk}):
                versions[record_id] = (pk, updated_at, reference)
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
        pks = self._backend.insert_rows(connection, TABLES[kind], rows)
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
        columns = tuple(name for name in rows[0] if name != "pk")
        bulk_update(connection.dialect, table, columns, "pk").run(connection, rows)
        index_documents(connection, kind, rows, documents)

    def _advance(self, connection: Connection, kind: Kind, watermark: Watermark) -> None:
        given = Watermark(to_utc(watermark.updated_at), watermark.id)
        current = read_watermark(connection, kind)
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


def read_watermark(connection: Connection, kind: Kind) -> Watermark | None:
    """Where sync's next read of this kind starts after; None before the first page."""
    row = connection.execute(
        select(WATERMARKS.c.updated_at, WATERMARKS.c.after_id).where(WATERMARKS.c.kind == kind)
    ).first()
    return None if row is None else Watermark(row.updated_at, row.after_id)
