"""A record to a row and back: the one place the contract's models meet the store's columns.

The template stage is stored without its source, which ``template_sources``
keeps once per distinct text; a whole row is read with the source joined back
(:func:`whole_rows`).
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from pydantic import BaseModel
from sqlalchemy import RowMapping, Select, select

from orderdesk.core.diagnosis import Diagnosis, record_diagnosis
from orderdesk.core.records import (
    Kind,
    LogRecord,
    PostbackRecord,
    RequestRecord,
    TemplateProcessing,
)
from orderdesk.core.schema import TABLES, TEMPLATE_SOURCES

__all__ = [
    "SAME_AS_LAST_ATTEMPT",
    "STAGE_COLUMNS",
    "error_summary",
    "record_from_row",
    "row_from_record",
    "source_digest",
    "template_without_source",
    "whole_rows",
]

#: The columns holding JSON text; lists never read them.
STAGE_COLUMNS = ("original", "template", "final", "response", "attempts")
#: A postback's ``response`` as stored when it is its last attempt, as it nearly
#: always is: kept once, in ``attempts``. A stage's JSON always starts with ``{``.
SAME_AS_LAST_ATTEMPT = "="

_SUMMARY_LIMIT = 200


def _dump(stage: BaseModel | None) -> str | None:
    # The serializer itself: model_dump_json's handling of its many options cost a
    # third of each call, and a record has four or five stages to dump.
    return None if stage is None else stage.__pydantic_serializer__.to_json(stage).decode()


def source_digest(source: str) -> bytes:
    """The key a template source is kept under: the SHA-256 of its UTF-8 text."""
    return hashlib.sha256(source.encode("utf-8", "surrogatepass")).digest()


def template_without_source(template: TemplateProcessing) -> str:
    """The template stage's JSON as stored: everything but the source."""
    return template.model_dump_json(exclude={"source"})


def error_summary(record: LogRecord) -> str | None:
    """One line saying what went wrong, for the list's error column; None when nothing did."""
    return _summary(record_diagnosis(record))


def _summary(diagnosis: Diagnosis) -> str | None:
    summary: str | None = None
    answer, error = diagnosis.last_answer, diagnosis.error
    if error is not None:
        summary = f"{error.stage}: {error.code}: {error.message}"
    elif diagnosis.template_error is not None:
        summary = f"template: {diagnosis.template_error}"
    elif answer is not None and answer.error:
        summary = f"delivery: {answer.error}"
    elif answer is not None and answer.status_code is not None and answer.status_code >= 400:
        summary = f"HTTP {answer.status_code}"
    if summary is None:
        return None
    line = " ".join(summary.split())
    return line if len(line) <= _SUMMARY_LIMIT else line[: _SUMMARY_LIMIT - 1] + "…"


def row_from_record(record: LogRecord, template_source_id: int | None) -> dict[str, Any]:
    """The column values of a record, ready for an INSERT or UPDATE.

    ``template_source_id`` is the id of the record's template source in
    ``template_sources`` (None when the record has no template).
    """
    diagnosis = record_diagnosis(record)
    answer = diagnosis.last_answer
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
        "template": None if record.template is None else template_without_source(record.template),
        "template_source_id": template_source_id,
        "final": _dump(record.final),
        "response": _dump(record.response),
        "http_status": None if answer is None else answer.status_code,
        "duration_ms": None if answer is None else answer.duration_ms,
        "error_summary": _summary(diagnosis),
        "attempt_count": diagnosis.attempts,
    }
    if isinstance(record, RequestRecord):
        row["action"] = record.action
        row["error_stage"] = None if record.error is None else record.error.stage
        row["error_code"] = None if record.error is None else record.error.code
        row["error_message"] = None if record.error is None else record.error.message
        row["resubmit_of"] = record.resubmit_of
        row["action_id"] = record.action_id
    else:
        row["event"] = record.event
        row["tracking_code"] = None if record.tracking is None else record.tracking.code
        row["tracking_url"] = None if record.tracking is None else record.tracking.url
        row["attempts"] = "[" + ",".join(_dump(a) or "" for a in record.attempts) + "]"
        if record.attempts and record.response == record.attempts[-1]:
            row["response"] = SAME_AS_LAST_ATTEMPT
    return row


def _load(text: str | None) -> Any:
    return None if text is None else json.loads(text)


def _template(row: RowMapping) -> dict[str, Any] | None:
    if row["template"] is None:
        return None
    return {**json.loads(row["template"]), "source": row["template_source"]}


def whole_rows(kind: Kind) -> Select[Any]:
    """A query for whole rows of a kind, each with its template's source as ``template_source``."""
    table = TABLES[kind]
    return select(table, TEMPLATE_SOURCES.c.source.label("template_source")).outerjoin(
        TEMPLATE_SOURCES, TEMPLATE_SOURCES.c.id == table.c.template_source_id
    )


def record_from_row(kind: Kind, row: RowMapping) -> LogRecord:
    """The contract's model of a stored row, as :func:`whole_rows` selects it."""
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
        "template": _template(row),
        "final": _load(row["final"]),
        "response": None if row["response"] == SAME_AS_LAST_ATTEMPT else _load(row["response"]),
    }
    if kind == "requests":
        fields["action"] = row["action"]
        fields["resubmit_of"] = row["resubmit_of"]
        fields["action_id"] = row["action_id"]
        if row["error_stage"] is not None:
            fields["error"] = {
                "stage": row["error_stage"],
                "code": row["error_code"],
                "message": row["error_message"],
            }
        return RequestRecord.model_validate(fields)
    fields["event"] = row["event"]
    fields["attempts"] = _load(row["attempts"])
    if row["response"] == SAME_AS_LAST_ATTEMPT:
        fields["response"] = fields["attempts"][-1]
    if row["tracking_code"] is not None:
        fields["tracking"] = {"code": row["tracking_code"], "url": row["tracking_url"]}
    return PostbackRecord.model_validate(fields)
