"""A record to a row and back: the one place the contract's models meet the store's columns."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel

from orderdesk.core.records import (
    HttpResponse,
    Kind,
    LogRecord,
    PostbackRecord,
    RequestRecord,
)

__all__ = ["STAGE_COLUMNS", "error_summary", "record_from_row", "row_from_record"]

#: The columns holding JSON text; lists never read them.
STAGE_COLUMNS = ("original", "template", "final", "response", "attempts")

_SUMMARY_LIMIT = 200


def _dump(stage: BaseModel | None) -> str | None:
    return None if stage is None else stage.model_dump_json()


def _last_answer(record: LogRecord) -> HttpResponse | None:
    if record.response is not None:
        return record.response
    if isinstance(record, PostbackRecord) and record.attempts:
        return record.attempts[-1]
    return None


def error_summary(record: LogRecord) -> str | None:
    """One line saying what went wrong, for the list's error column; None when nothing did."""
    summary: str | None = None
    answer = _last_answer(record)
    if isinstance(record, RequestRecord) and record.error is not None:
        summary = f"{record.error.stage}: {record.error.code}: {record.error.message}"
    elif record.template is not None and record.template.error:
        summary = f"template: {record.template.error}"
    elif answer is not None and answer.error:
        summary = f"delivery: {answer.error}"
    elif answer is not None and answer.status_code is not None and answer.status_code >= 400:
        summary = f"HTTP {answer.status_code}"
    if summary is None:
        return None
    line = " ".join(summary.split())
    return line if len(line) <= _SUMMARY_LIMIT else line[: _SUMMARY_LIMIT - 1] + "…"


def row_from_record(record: LogRecord) -> dict[str, Any]:
    """The column values of a record, ready for an INSERT or UPDATE."""
    answer = _last_answer(record)
    row: dict[str, Any] = {
        "id": record.id,
        "created_at": record.created_at,
        "updated_at": record.updated_at,
        "order_reference_id": record.order_reference_id,
        "order_id": record.order_id,
        "customer_id": record.customer.id,
        "customer_name": record.customer.name,
        "printer_id": None if record.printer is None else record.printer.id,
        "printer_name": None if record.printer is None else record.printer.name,
        "status": record.status,
        "original": _dump(record.original),
        "template": _dump(record.template),
        "final": _dump(record.final),
        "response": _dump(record.response),
        "http_status": None if answer is None else answer.status_code,
        "duration_ms": None if answer is None else answer.duration_ms,
        "error_summary": error_summary(record),
    }
    if isinstance(record, RequestRecord):
        row["action"] = record.action
        row["attempt_count"] = 0 if record.response is None else 1
        row["error_stage"] = None if record.error is None else record.error.stage
        row["error_code"] = None if record.error is None else record.error.code
        row["error_message"] = None if record.error is None else record.error.message
    else:
        row["event"] = record.event
        row["attempt_count"] = len(record.attempts)
        row["tracking_code"] = None if record.tracking is None else record.tracking.code
        row["tracking_url"] = None if record.tracking is None else record.tracking.url
        row["attempts"] = "[" + ",".join(a.model_dump_json() for a in record.attempts) + "]"
    return row


def _load(text: str | None) -> Any:
    return None if text is None else json.loads(text)


def record_from_row(kind: Kind, row: Mapping[str, Any]) -> LogRecord:
    """The contract's model of a stored row (one with every column selected)."""
    fields: dict[str, Any] = {
        "id": row["id"],
        "created_at": row["created_at"],
        "updated_at": row["updated_at"],
        "order_reference_id": row["order_reference_id"],
        "order_id": row["order_id"],
        "customer": {"id": row["customer_id"], "name": row["customer_name"]},
        "printer": None
        if row["printer_id"] is None
        else {"id": row["printer_id"], "name": row["printer_name"]},
        "status": row["status"],
        "original": _load(row["original"]),
        "template": _load(row["template"]),
        "final": _load(row["final"]),
        "response": _load(row["response"]),
    }
    if kind == "requests":
        fields["action"] = row["action"]
        if row["error_stage"] is not None:
            fields["error"] = {
                "stage": row["error_stage"],
                "code": row["error_code"],
                "message": row["error_message"],
            }
        return RequestRecord.model_validate(fields)
    fields["event"] = row["event"]
    fields["attempts"] = _load(row["attempts"])
    if row["tracking_code"] is not None:
        fields["tracking"] = {"code": row["tracking_code"], "url": row["tracking_url"]}
    return PostbackRecord.model_validate(fields)
