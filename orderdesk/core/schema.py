"""The store's tables and indexes, in one place for every database.

A record is one row: the contract's scalar fields as columns, each stage as the
JSON text the contract gives it (so a record round-trips exactly), and a few
denormalized columns the list screens show without reading a stage. A template's
source is the same for every record its version rendered, so it is kept once in
``template_sources`` and the template stage's JSON leaves it out. On SQLite a
stage is stored packed (``stage_codec``), which only the page writer and
:class:`StageText` see. Datetimes are naive UTC in the database (SQLite then
sorts them correctly as text) and aware UTC in Python.

The same tables serve SQLite and PostgreSQL. Where the two differ, a column's
type adapts: strings from the source go through :class:`StoreString` (NUL kept,
byte order on PostgreSQL as on SQLite), and stages are compressed on SQLite
only, since PostgreSQL compresses long text by itself.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import (
    BigInteger,
    DateTime,
    Dialect,
    Index,
    String,
    Table,
    Text,
    TypeDecorator,
    func,
)
from sqlalchemy.types import TypeEngine
from sqlmodel import Field, SQLModel

from orderdesk import strings
from orderdesk.core.backends import backend_for
from orderdesk.core.errors import StoreError
from orderdesk.core.records import Kind, to_utc
from orderdesk.core.stage_codec import book_of, pack_alone, unpack

__all__ = [
    "FINDINGS",
    "META",
    "SYNC_STATUS",
    "TABLES",
    "TEMPLATE_SOURCES",
    "WATERMARKS",
    "EpochMicros",
    "FindingRow",
    "MetaRow",
    "PostbackRow",
    "RequestRow",
    "StageText",
    "StoreString",
    "StoreText",
    "SyncStatusRow",
    "TemplateSourceRow",
    "UtcDateTime",
    "WatermarkRow",
]


class UtcDateTime(TypeDecorator[datetime]):
    """Aware UTC in Python, naive UTC in the database."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        return None if value is None else to_utc(value).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        return None if value is None else to_utc(value)


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICROSECOND = timedelta(microseconds=1)


class EpochMicros(TypeDecorator[datetime]):
    """Aware UTC in Python, whole microseconds since 1970 in the database.

    For the findings, which the sync rewrites with every page: an integer is
    bound and compared as it is on every engine, where a datetime costs a
    conversion and a formatting per value, and a bucket of time is a division.
    """

    impl = BigInteger
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> int | None:
        return None if value is None else (value - _EPOCH) // _MICROSECOND

    def process_result_value(self, value: int | None, dialect: Dialect) -> datetime | None:
        return None if value is None else _EPOCH + value * _MICROSECOND


# PostgreSQL's text cannot hold NUL, which the source may put in any string it
# sends (an id, a reference, an error message). On PostgreSQL a NUL is stored as
# this private-use character and "0", and the character itself doubled: strings
# without either (all of them, in practice) are stored unchanged, so equality,
# lower() and the indexes work on them as on SQLite.
_ESCAPE = "\ue000"
_ESCAPED = re.compile(_ESCAPE + "(.)", re.DOTALL)


def _escape_nul(value: str) -> str:
    if "\x00" not in value and _ESCAPE not in value:
        return value
    return value.replace(_ESCAPE, _ESCAPE * 2).replace("\x00", _ESCAPE + "0")


def _unescape_nul(value: str) -> str:
    if _ESCAPE not in value:
        return value
    return _ESCAPED.sub(lambda match: "\x00" if match[1] == "0" else match[1], value)


class StoreText(TypeDecorator[str]):
    """A string from the source, kept exactly (NUL included) on every database."""

    impl: type[TypeEngine[Any]] = Text
    cache_ok = True

    def process_bind_param(self, value: str | None, dialect: Dialect) -> str | None:
        if value is None or backend_for(dialect).TEXT_HOLDS_NUL:
            return value
        return _escape_nul(value)

    # Where text holds NUL there is nothing to do, so no function is called per value:
    # a page writes a few hundred thousand strings, and the calls were a tenth of a save.
    def bind_processor(self, dialect: Dialect) -> Any:
        if backend_for(dialect).TEXT_HOLDS_NUL:
            return self.impl_instance.bind_processor(dialect)
        return super().bind_processor(dialect)

    def result_processor(self, dialect: Dialect, coltype: Any) -> Any:
        if backend_for(dialect).TEXT_HOLDS_NUL:
            return self.impl_instance.result_processor(dialect, coltype)
        return super().result_processor(dialect, coltype)

    def process_result_value(self, value: str | None, dialect: Dialect) -> str | None:
        if value is None or backend_for(dialect).TEXT_HOLDS_NUL:
            return value
        return _unescape_nul(value)


class StoreString(StoreText):
    """A short string from the source (an id, a name), compared byte by byte everywhere."""

    impl = String
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        # Keyset pages order by id, and must agree on every engine.
        collation = backend_for(dialect).CODE_POINT_COLLATION
        return dialect.type_descriptor(String(collation=collation))


class StageText(TypeDecorator[str]):
    """A stage's JSON text in Python; in the database, text or packed bytes (``stage_codec``).

    The page writer packs a record's stages with its kind's dictionary, so a
    value bound here as bytes is stored as it is; text is packed without one.
    A packed value starts with a byte naming its codec, so a column holds
    plain text (short stages, and stages written before packing) beside packed
    ones.
    """

    impl = Text
    cache_ok = True

    def process_bind_param(self, value: str | bytes | None, dialect: Dialect) -> str | bytes | None:
        if value is None or isinstance(value, bytes):
            return value
        # PostgreSQL compresses long text itself (TOAST), and its text holds no bytes.
        if not backend_for(dialect).COMPRESS_STAGES:
            return value
        return pack_alone(value)

    def process_result_value(self, value: str | bytes | None, dialect: Dialect) -> str | None:
        if not isinstance(value, bytes):
            return value
        book = book_of(dialect)
        if book is None:
            return unpack(value, _no_dictionaries)
        return book.unpack(value)


def _no_dictionaries(dictionary_id: int) -> bytes:
    raise StoreError(strings.STAGE_NO_DICTIONARY.format(id=dictionary_id))


def _moment(**kwargs: Any) -> Any:
    return Field(sa_type=UtcDateTime, **kwargs)


def _micros(**kwargs: Any) -> Any:
    return Field(sa_type=EpochMicros, **kwargs)


def _string(**kwargs: Any) -> Any:
    return Field(sa_type=StoreString, **kwargs)


def _json(*, nullable: bool = True) -> Any:
    # Text rather than a JSON type: the stage is kept as the exact text the
    # contract's model serialises to, and read back without a JSON round trip.
    return Field(default=None, sa_type=StageText, nullable=nullable)


class _RecordColumns(SQLModel):
    """The columns both kinds share."""

    # An integer surrogate key: FTS rowids point at it, and it keeps the
    # table's b-tree compact; the contract's id is unique beside it.
    pk: int | None = Field(default=None, primary_key=True)
    id: str = _string(unique=True)
    created_at: datetime = _moment()
    updated_at: datetime = _moment()
    order_reference_id: str | None = _string(default=None)
    order_id: str | None = _string(default=None)
    customer_id: str = _string()
    customer_name: str = _string()
    printer_id: str | None = _string(default=None)
    printer_name: str | None = _string(default=None)
    status: str
    original: str = _json(nullable=False)
    template: str | None = _json()
    template_source_id: int | None = Field(default=None, foreign_key="template_sources.id")
    final: str | None = _json()
    response: str | None = _json()
    # Denormalized for the lists: the last HTTP answer, its duration, how many
    # answers there were, and one line saying what went wrong.
    http_status: int | None = None
    duration_ms: int | None = None
    attempt_count: int = 0
    error_summary: str | None = _string(default=None)


def _list_indexes(kind: Kind, choice: str) -> tuple[Index, ...]:
    # Each filter the screens offer gets an index ending in (created_at, id),
    # so "filter X, newest first" walks the index backwards with no sort.
    return (
        # Ending in the last answer's code, ``code:5xx`` is filtered in the index:
        # without it, a rare code read a table row for each of thousands of records.
        Index(f"ix_{kind}_created", "created_at", "id", "http_status"),
        Index(f"ix_{kind}_reference", "order_reference_id", "created_at", "id"),
        Index(f"ix_{kind}_status", "status", "created_at", "id"),
        Index(f"ix_{kind}_{choice}", choice, "created_at", "id"),
        # Ending in status, a party's failures are filtered in the index.
        Index(f"ix_{kind}_customer", "customer_id", "created_at", "id", "status"),
        Index(f"ix_{kind}_printer", "printer_id", "created_at", "id", "status"),
    )


class TemplateSourceRow(SQLModel, table=True):
    """One template source, kept once however many records its template rendered."""

    __tablename__ = "template_sources"

    # Rows point at the small integer, not at the 32-byte digest, to stay small.
    id: int | None = Field(default=None, primary_key=True)
    sha256: bytes = Field(unique=True)
    source: str = Field(sa_type=StoreText)


class RequestRow(_RecordColumns, table=True):
    """A request record as stored."""

    __tablename__ = "requests"
    __table_args__ = _list_indexes("requests", "action")

    action: str
    error_stage: str | None = None
    error_code: str | None = _string(default=None)
    error_message: str | None = _string(default=None)
    #: Log API 1.1: the request this one sends again, and the action that made it.
    resubmit_of: str | None = _string(default=None)
    action_id: str | None = _string(default=None)


class PostbackRow(_RecordColumns, table=True):
    """A postback record as stored."""

    __tablename__ = "postbacks"
    __table_args__ = _list_indexes("postbacks", "event")

    event: str
    tracking_code: str | None = _string(default=None)
    tracking_url: str | None = _string(default=None)
    attempts: str = _json(nullable=False)


class WatermarkRow(SQLModel, table=True):
    """How far sync has read a kind: the pair ``(updated_at, id)`` its next page starts after."""

    __tablename__ = "watermark"

    kind: str = Field(primary_key=True)
    updated_at: datetime = _moment()
    after_id: str = _string(default="")


class MetaRow(SQLModel, table=True):
    """Facts about the store itself, such as ``schema_version``."""

    __tablename__ = "meta"

    key: str = Field(primary_key=True)
    value: str


class SyncStatusRow(SQLModel, table=True):
    """The one process that syncs this store (its lease) and how its last pass went."""

    __tablename__ = "sync_status"

    #: Always ``"sync"``: one row per store, so a viewer reads it in one seek.
    name: str = Field(primary_key=True)
    #: ``host:pid`` of the process holding the lease, or None when it was released.
    holder: str | None = None
    acquired_at: datetime | None = _moment(default=None)
    #: On SQLite the holder renews these; a lease past ``expires_at`` may be taken over.
    heartbeat_at: datetime | None = _moment(default=None)
    expires_at: datetime | None = _moment(default=None)
    last_success_at: datetime | None = _moment(default=None)
    last_error: str | None = None
    #: That error in a few words, and since when the source fails (not only the last try).
    last_error_brief: str | None = None
    failing_since: datetime | None = _moment(default=None)
    next_retry_at: datetime | None = _moment(default=None)
    #: The newest watermark of any kind: viewers reload their list when it moves.
    watermark_at: datetime | None = _moment(default=None)
    #: Every holder so far, one ``host:pid`` a line: proof of who ever synced.
    holders: str = ""


class FindingRow(SQLModel, table=True):
    """One finding of an order reference's rules, over the span of time it holds.

    The sync replaces a reference's rows whenever one of its records changes
    (``stored_findings``). A finding that depends on time passing has one row
    per span in which it reads the same: a retrying postback is a notice, then
    a problem, until it counts as undelivered. ``due_at <= now < until_at``
    picks the findings in effect at ``now``; the spans' open ends are far-off
    moments, not NULL, so the condition stays a plain range an index serves. A
    missing receipt is one row: before it falls due it reads as its notice, an
    awaited receipt (``before_rule``), so an accepted order costs one row, not two.
    """

    __tablename__ = "findings"
    __table_args__ = (
        Index("ix_findings_reference", "order_reference_id"),
        # The problems' groups: the range and the moment seek, the rest is read from the index.
        Index(
            "ix_findings_open",
            "severity",
            "at",
            "due_at",
            "until_at",
            "rule",
            "customer_id",
            "printer_id",
            "cause",
            "order_reference_id",
            "customer_name",
            "printer_name",
        ),
        # Orders by finding, newest first, a keyset page at a time.
        Index("ix_findings_rule", "rule", "at", "order_reference_id", "record_id"),
    )

    pk: int | None = Field(default=None, primary_key=True)
    order_reference_id: str = _string()
    rule: str
    severity: str
    #: Every record concerned, as a JSON list of ``[kind, id]``; the first one also in columns.
    records: str = Field(sa_type=StoreText)
    record_kind: str | None = None
    record_id: str | None = _string(default=None)
    customer_id: str = _string()
    customer_name: str = _string()
    printer_id: str | None = _string(default=None)
    printer_name: str | None = _string(default=None)
    order_id: str | None = _string(default=None)
    subject: str | None = _string(default=None)
    detail: str | None = Field(default=None, sa_type=StoreText)
    #: The detail with ids, names and numbers taken out (``causes``): one fault, one cause.
    cause: str | None = _string(default=None)
    # Moments as microseconds since 1970 (``EpochMicros``), unlike the records' tables.
    at: datetime = _micros()
    since: datetime | None = _micros(default=None)
    #: Microseconds, so that a threshold reads back exactly.
    threshold_us: int | None = Field(default=None, sa_type=BigInteger)
    #: How long it has been awaited: since ``waited_from`` at the moment of looking, or fixed.
    waited_from: datetime | None = _micros(default=None)
    waited_us: int | None = Field(default=None, sa_type=BigInteger)
    due_at: datetime = _micros()
    until_at: datetime = _micros()
    #: The notice the finding reads as before ``due_at`` (an awaited receipt), if any.
    before_rule: str | None = None


def _table(row: type[SQLModel]) -> Table:
    table = row.__table__  # type: ignore[attr-defined]
    assert isinstance(table, Table)
    return table


TABLES: dict[Kind, Table] = {"requests": _table(RequestRow), "postbacks": _table(PostbackRow)}
TEMPLATE_SOURCES = _table(TemplateSourceRow)
WATERMARKS = _table(WatermarkRow)
META = _table(MetaRow)
SYNC_STATUS = _table(SyncStatusRow)
FINDINGS = _table(FindingRow)

# Names are matched case-insensitively: these find a name's few ids by seeking
# (lower(name), id), and the list then walks (customer_id, created_at, id).
for _kind, _t in TABLES.items():
    Index(f"ix_{_kind}_customer_name", func.lower(_t.c.customer_name), _t.c.customer_id)
    Index(f"ix_{_kind}_printer_name", func.lower(_t.c.printer_name), _t.c.printer_id)
