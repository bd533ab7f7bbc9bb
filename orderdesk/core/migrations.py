"""The store's schema version: created in an empty database, upgraded from each older one.

Opening a store reads its version: a current store is only read, an empty
database gets the schema, an older store is upgraded, and a database that is
not a store, or a store from a newer orderdesk, is refused.

An upgrade runs inside the transaction that records the new version, so a
failed one leaves the store as it was. To change the schema: change the tables
in ``schema.py``, bump ``SCHEMA_VERSION``, and add ``MIGRATIONS[old]``, a
function that brings a store at version ``old`` to ``old + 1``. An upgrade
names the tables as they were at its version, not through ``schema.py``, so
that later changes to the schema do not change what it does.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Connection,
    DateTime,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    bindparam,
    column,
    insert,
    inspect,
    select,
    table,
    update,
)
from sqlalchemy.exc import DBAPIError

from orderdesk import strings
from orderdesk.core.action_schema import ACTION_JOURNAL, ACTIONS
from orderdesk.core.errors import SchemaVersionError, StoreError
from orderdesk.core.findings_backfill import BACKFILL_KEY
from orderdesk.core.records import TemplateProcessing
from orderdesk.core.rows import source_digest, template_without_source
from orderdesk.core.schema import (
    FINDINGS,
    META,
    SYNC_STATUS,
    TABLES,
    TEMPLATE_SOURCES,
    WATERMARKS,
    StoreString,
    StoreText,
)
from orderdesk.core.search import create_search_tables
from orderdesk.core.stage_dictionaries import STAGE_DICTIONARIES

__all__ = ["MIGRATIONS", "SCHEMA_VERSION", "Migration", "prepare"]

#: The schema this orderdesk writes.
SCHEMA_VERSION = 8

Migration = Callable[[Connection], None]

_BATCH = 1_000
# PostgreSQL's SQLSTATE for "permission denied".
_INSUFFICIENT_PRIVILEGE = "42501"

_V2_SOURCES = Table(
    "template_sources",
    MetaData(),
    Column("id", Integer, primary_key=True),
    Column("sha256", LargeBinary, nullable=False, unique=True),
    Column("source", Text, nullable=False),
)


def _keep_template_sources_once(connection: Connection) -> None:
    """v1 to v2: each distinct template source moves to ``template_sources``, kept once."""
    _V2_SOURCES.create(connection)
    ids: dict[bytes, int] = {}
    for name in ("requests", "postbacks"):
        connection.exec_driver_sql(
            f"ALTER TABLE {name} ADD COLUMN template_source_id INTEGER "
            "REFERENCES template_sources (id)"
        )
        records = table(name, column("pk"), column("template"), column("template_source_id"))
        rewrite = (
            update(records)
            .where(records.c.pk == bindparam("old_pk"))
            .values(template=bindparam("new_template"), template_source_id=bindparam("source_id"))
        )
        last = 0
        while True:
            batch = connection.execute(
                select(records.c.pk, records.c.template)
                .where(records.c.pk > last, records.c.template.is_not(None))
                .order_by(records.c.pk)
                .limit(_BATCH)
            ).all()
            if not batch:
                break
            changes = []
            for pk, stage in batch:
                template = TemplateProcessing.model_validate_json(stage)
                digest = source_digest(template.source)
                if digest not in ids:
                    ids[digest] = connection.execute(
                        insert(_V2_SOURCES)
                        .values(sha256=digest, source=template.source)
                        .returning(_V2_SOURCES.c.id)
                    ).scalar_one()
                changes.append(
                    {
                        "old_pk": pk,
                        "new_template": template_without_source(template),
                        "source_id": ids[digest],
                    }
                )
            connection.execute(rewrite, changes)
            last = batch[-1][0]


_V3_SYNC_STATUS = Table(
    "sync_status",
    MetaData(),
    Column("name", String, primary_key=True),
    Column("holder", String),
    Column("acquired_at", DateTime),
    Column("heartbeat_at", DateTime),
    Column("expires_at", DateTime),
    Column("last_success_at", DateTime),
    Column("last_error", String),
    Column("next_retry_at", DateTime),
    Column("watermark_at", DateTime),
    Column("holders", String, nullable=False),
)


def _add_sync_status(connection: Connection) -> None:
    """v2 to v3: the ``sync_status`` table, where the syncing process holds its lease."""
    _V3_SYNC_STATUS.create(connection)


def _status_in_party_indexes(connection: Connection) -> None:
    """v3 to v4: the customer and printer indexes end in ``status``.

    "This customer's failures" walked the customer's rows and read each one
    from the table to check its status: 1,400 reads for a page, 8 ms on a
    million records. With the status in the index, only the page is read.
    """
    for name in ("requests", "postbacks"):
        for party in ("customer", "printer"):
            connection.exec_driver_sql(f"DROP INDEX ix_{name}_{party}")
            connection.exec_driver_sql(
                f"CREATE INDEX ix_{name}_{party} ON {name} ({party}_id, created_at, id, status)"
            )


def _failure_in_status(connection: Connection) -> None:
    """v4 to v5: the status row says since when the source fails, and how, in a few words."""
    moment = DateTime().compile(dialect=connection.dialect)
    connection.exec_driver_sql(f"ALTER TABLE sync_status ADD COLUMN failing_since {moment}")
    connection.exec_driver_sql("ALTER TABLE sync_status ADD COLUMN last_error_brief VARCHAR")


_V6 = MetaData()
_V6_FINDINGS = Table(
    "findings",
    _V6,
    Column("pk", Integer, primary_key=True),
    Column("order_reference_id", StoreString, nullable=False),
    Column("rule", String, nullable=False),
    Column("severity", String, nullable=False),
    Column("records", StoreText, nullable=False),
    Column("record_kind", String),
    Column("record_id", StoreString),
    Column("customer_id", StoreString, nullable=False),
    Column("customer_name", StoreString, nullable=False),
    Column("printer_id", StoreString),
    Column("printer_name", StoreString),
    Column("order_id", StoreString),
    Column("subject", StoreString),
    Column("detail", StoreText),
    Column("cause", StoreString),
    Column("at", BigInteger, nullable=False),
    Column("since", BigInteger),
    Column("threshold_us", BigInteger),
    Column("waited_from", BigInteger),
    Column("waited_us", BigInteger),
    Column("due_at", BigInteger, nullable=False),
    Column("until_at", BigInteger, nullable=False),
    Column("before_rule", String),
    Index("ix_findings_reference", "order_reference_id"),
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
    Index("ix_findings_rule", "rule", "at", "order_reference_id", "record_id"),
)


def _add_findings(connection: Connection) -> None:
    """v5 to v6: the ``findings`` table, to be filled by a backfill that can resume.

    Computing every order's findings reads every record, too long for the
    one transaction an upgrade runs in. The upgrade only marks the backfill
    as due (``findings_backfill.backfill``, which the sync runs a batch per
    transaction before its first page, resuming where it stopped).
    """
    # A store made current and then marked older (as tests do) may have the table already.
    _V6_FINDINGS.create(connection, checkfirst=True)
    pending = select(META.c.key).where(META.c.key == BACKFILL_KEY)
    if connection.execute(pending).first() is None:
        connection.execute(insert(META), {"key": BACKFILL_KEY, "value": ""})


_V7 = MetaData()
_V7_ACTIONS = Table(
    "actions",
    _V7,
    Column("pk", Integer, primary_key=True),
    Column("id", StoreString, nullable=False, unique=True),
    Column("kind", String, nullable=False),
    Column("target_kind", String, nullable=False),
    Column("target_id", StoreString, nullable=False),
    Column("order_reference_id", StoreString),
    Column("customer_id", StoreString),
    Column("customer_name", StoreString),
    Column("printer_id", StoreString),
    Column("printer_name", StoreString),
    Column("actor", StoreString, nullable=False),
    Column("status", String, nullable=False),
    Column("idempotency_key", StoreString, nullable=False),
    Column("created_at", DateTime, nullable=False),
    Column("updated_at", DateTime, nullable=False),
    Column("body", StoreText, nullable=False),
    Index("ix_actions_created", "created_at", "id"),
    Index("ix_actions_reference", "order_reference_id", "created_at"),
    Index("ix_actions_target", "target_id"),
    Index("ix_actions_key", "idempotency_key"),
)
_V7_JOURNAL = Table(
    "action_journal",
    _V7,
    Column("pk", Integer, primary_key=True),
    Column("idempotency_key", StoreString, nullable=False, unique=True),
    Column("batch", String, nullable=False),
    Column("kind", String, nullable=False),
    Column("target_id", StoreString, nullable=False),
    Column("order_reference_id", StoreString),
    Column("actor", StoreString, nullable=False),
    Column("reason", StoreText, nullable=False),
    Column("mode", String),
    Column("force", Boolean, nullable=False),
    Column("planned_at", DateTime, nullable=False),
    Column("state", String, nullable=False),
    Column("answered_at", DateTime),
    Column("action_id", StoreString),
    Column("error", StoreText),
    Index("ix_action_journal_state", "state", "actor", "planned_at"),
    Index("ix_action_journal_batch", "batch", "pk"),
)


def _add_actions(connection: Connection) -> None:
    """v6 to v7: log API 1.1's trail, journal and resubmit links; the time index ends in the code.

    The new request columns are empty for records synced before: a version 1
    service never sent them, and a 1.1 service's resubmits are new records,
    which the sync brings with their links.
    """
    _V7.create_all(connection, checkfirst=True)
    names = {column["name"] for column in inspect(connection).get_columns("requests")}
    text_type = StoreString().compile(dialect=connection.dialect)
    for name in ("resubmit_of", "action_id"):
        if name not in names:
            connection.exec_driver_sql(f"ALTER TABLE requests ADD COLUMN {name} {text_type}")
    # ``code:5xx`` newest first read a table row per record walked; ending the
    # time index in the code filters in the index (366 ms to 12-29 ms a page,
    # 300k requests with 0.13 % of them 5xx).
    for kind in ("requests", "postbacks"):
        connection.exec_driver_sql(f"DROP INDEX ix_{kind}_created")
        connection.exec_driver_sql(
            f"CREATE INDEX ix_{kind}_created ON {kind} (created_at, id, http_status)"
        )


_V8 = MetaData()
Table(
    "stage_dictionaries",
    _V8,
    Column("id", Integer, primary_key=True),
    Column("kind", String, nullable=False),
    Column("made_at", DateTime, nullable=False),
    Column("dictionary", LargeBinary, nullable=False),
)


def _add_stage_dictionaries(connection: Connection) -> None:
    """v7 to v8: the dictionaries stages are packed with (``stage_codec``).

    Stages stored before stay as they were, readable as ever; the next page
    of each kind makes its dictionary, and stages from then on are packed
    with it. ``orderdesk prune`` does not repack old ones.
    """
    _V8.create_all(connection, checkfirst=True)


#: ``MIGRATIONS[v]`` upgrades a store from schema ``v`` to ``v + 1``.
MIGRATIONS: dict[int, Migration] = {
    1: _keep_template_sources_once,
    2: _add_sync_status,
    3: _status_in_party_indexes,
    4: _failure_in_status,
    5: _add_findings,
    6: _add_actions,
    7: _add_stage_dictionaries,
}


def prepare(
    asking: Callable[[], AbstractContextManager[Connection]],
    writing: Callable[[], AbstractContextManager[Connection]],
    where: str,
) -> None:
    """Create the schema in an empty database, or upgrade an older one, or refuse.

    ``asking`` is the store's connection for a question, ``writing`` its write
    transaction, under its write lock.
    """
    # A current store is only read, so that a role that may only read can view it;
    # the write transaction reads the version again before it changes anything.
    with asking() as connection:
        version = _stored_version(connection, where)
    if version == SCHEMA_VERSION:
        return
    try:
        with writing() as connection:
            # Again under the write lock: another process may have just done it.
            version = _stored_version(connection, where)
            if version is None:
                _create(connection)
            else:
                _upgrade(connection, where, version)
    except DBAPIError as error:
        if getattr(error.orig, "sqlstate", None) != _INSUFFICIENT_PRIVILEGE:
            raise
        needs = (
            strings.STORE_NEEDS_CREATE
            if version is None
            else strings.STORE_NEEDS_UPGRADE.format(version=version)
        )
        raise StoreError(strings.STORE_READ_ONLY.format(where=where, needs=needs)) from None


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
    if version > SCHEMA_VERSION:
        raise SchemaVersionError(
            strings.STORE_TOO_NEW.format(where=where, version=version, known=SCHEMA_VERSION)
        )
    return version


def _create(connection: Connection) -> None:
    schema_tables = [
        TEMPLATE_SOURCES,
        *TABLES.values(),
        WATERMARKS,
        META,
        SYNC_STATUS,
        FINDINGS,
        ACTIONS,
        ACTION_JOURNAL,
        STAGE_DICTIONARIES,
    ]
    META.metadata.create_all(connection, tables=schema_tables)
    create_search_tables(connection)
    connection.execute(insert(META), {"key": "schema_version", "value": str(SCHEMA_VERSION)})


def _upgrade(connection: Connection, where: str, version: int) -> None:
    known = SCHEMA_VERSION
    if version == known:
        return
    for step in range(version, known):
        upgrade = MIGRATIONS.get(step)
        if upgrade is None:
            raise StoreError(
                strings.STORE_NO_UPGRADE.format(where=where, version=version, step=step)
            )
        upgrade(connection)
    connection.execute(update(META).where(META.c.key == "schema_version").values(value=str(known)))
