"""A store exactly as orderdesk schema v1 wrote it: its DDL and its rows, frozen here.

Upgrade tests open such a store with the current code. The rows are built here,
not by the current row code, which moves on with later versions.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from orderdesk.core.records import LogRecord, PostbackRecord, RequestRecord
from orderdesk.core.redact import redact_record
from orderdesk.core.rows import error_summary
from orderdesk.core.search import document

_SHARED_COLUMNS = """
    pk INTEGER NOT NULL,
    id VARCHAR NOT NULL,
    created_at DATETIME NOT NULL,
    updated_at DATETIME NOT NULL,
    order_reference_id VARCHAR,
    order_id VARCHAR,
    customer_id VARCHAR NOT NULL,
    customer_name VARCHAR NOT NULL,
    printer_id VARCHAR,
    printer_name VARCHAR,
    status VARCHAR NOT NULL,
    original TEXT NOT NULL,
    template TEXT,
    final TEXT,
    response TEXT,
    http_status INTEGER,
    duration_ms INTEGER,
    attempt_count INTEGER NOT NULL,
    error_summary VARCHAR,
"""

_INDEXES = [
    "CREATE INDEX ix_{kind}_created ON {kind} (created_at, id)",
    "CREATE INDEX ix_{kind}_reference ON {kind} (order_reference_id, created_at, id)",
    "CREATE INDEX ix_{kind}_status ON {kind} (status, created_at, id)",
    "CREATE INDEX ix_{kind}_{choice} ON {kind} ({choice}, created_at, id)",
    "CREATE INDEX ix_{kind}_customer ON {kind} (customer_id, created_at, id)",
    "CREATE INDEX ix_{kind}_printer ON {kind} (printer_id, created_at, id)",
    "CREATE INDEX ix_{kind}_customer_name ON {kind} (lower(customer_name), customer_id)",
    "CREATE INDEX ix_{kind}_printer_name ON {kind} (lower(printer_name), printer_id)",
]

V1_SCHEMA = [
    f"""CREATE TABLE requests ({_SHARED_COLUMNS}
    action VARCHAR NOT NULL,
    error_stage VARCHAR,
    error_code VARCHAR,
    error_message VARCHAR,
    PRIMARY KEY (pk),
    UNIQUE (id))""",
    f"""CREATE TABLE postbacks ({_SHARED_COLUMNS}
    event VARCHAR NOT NULL,
    tracking_code VARCHAR,
    tracking_url VARCHAR,
    attempts TEXT NOT NULL,
    PRIMARY KEY (pk),
    UNIQUE (id))""",
    *(sql.format(kind="requests", choice="action") for sql in _INDEXES),
    *(sql.format(kind="postbacks", choice="event") for sql in _INDEXES),
    """CREATE TABLE watermark (
    kind VARCHAR NOT NULL,
    updated_at DATETIME NOT NULL,
    after_id VARCHAR NOT NULL,
    PRIMARY KEY (kind))""",
    """CREATE TABLE meta ("key" VARCHAR NOT NULL, value VARCHAR NOT NULL, PRIMARY KEY ("key"))""",
    *(
        f"CREATE VIRTUAL TABLE {kind}_search USING fts5(refs, body, content='', "
        "tokenize='unicode61 remove_diacritics 2')"
        for kind in ("requests", "postbacks")
    ),
    "INSERT INTO meta VALUES ('schema_version', '1')",
]


def _moment(value: datetime) -> str:
    # How SQLAlchemy's DateTime kept v1's naive UTC datetimes in SQLite.
    return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")


def v1_row(record: LogRecord) -> dict[str, Any]:
    """The row v1 stored for a record: every stage whole, the template with its source."""
    record = redact_record(record)
    answer = record.response
    if answer is None and isinstance(record, PostbackRecord) and record.attempts:
        answer = record.attempts[-1]

    def dump(stage: Any) -> str | None:
        return None if stage is None else stage.model_dump_json()

    row: dict[str, Any] = {
        "id": record.id,
        "created_at": _moment(record.created_at),
        "updated_at": _moment(record.updated_at),
        "order_reference_id": record.order_reference_id,
        "order_id": record.order_id,
        "customer_id": record.customer.id,
        "customer_name": record.customer.name,
        "printer_id": None if record.printer is None else record.printer.id,
        "printer_name": None if record.printer is None else record.printer.name,
        "status": record.status,
        "original": dump(record.original),
        "template": dump(record.template),
        "final": dump(record.final),
        "response": dump(record.response),
        "http_status": None if answer is None else answer.status_code,
        "duration_ms": None if answer is None else answer.duration_ms,
        "error_summary": error_summary(record),
    }
    if isinstance(record, RequestRecord):
        error = record.error
        row["action"] = record.action
        row["attempt_count"] = 0 if record.response is None else 1
        row["error_stage"] = None if error is None else error.stage
        row["error_code"] = None if error is None else error.code
        row["error_message"] = None if error is None else error.message
    else:
        row["event"] = record.event
        row["attempt_count"] = len(record.attempts)
        row["tracking_code"] = None if record.tracking is None else record.tracking.code
        row["tracking_url"] = None if record.tracking is None else record.tracking.url
        row["attempts"] = "[" + ",".join(a.model_dump_json() for a in record.attempts) + "]"
    return row


def write_v1_store(path: Path, records: Sequence[LogRecord]) -> None:
    """Create a v1 store at ``path`` holding these records, indexed for search as v1 did."""
    connection = sqlite3.connect(path)
    with connection:
        for statement in V1_SCHEMA:
            connection.execute(statement)
        for record in records:
            kind = "requests" if isinstance(record, RequestRecord) else "postbacks"
            row = v1_row(record)
            names = ", ".join(row)
            marks = ", ".join("?" * len(row))
            cursor = connection.execute(
                f"INSERT INTO {kind} ({names}) VALUES ({marks})", tuple(row.values())
            )
            connection.execute(
                f"INSERT INTO {kind}_search (rowid, refs, body) VALUES (?, ?, ?)",
                (cursor.lastrowid, *document(row)),
            )
        connection.execute(
            "INSERT INTO watermark VALUES ('requests', '2026-11-23 10:15:04.123456', 'req_000003')"
        )
    connection.close()
