"""How two records of the same kind differ, field by field: a failing request beside a good one.

Each record becomes sections of flat fields (its facts, then each stage's
body) and only the fields whose values differ are kept, in the order the
records show them. A field one record has and the other lacks differs too.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from orderdesk.core.diagnosis import record_diagnosis
from orderdesk.core.flat_fields import Fields, FieldValue, flatten_body
from orderdesk.core.records import HttpMessage, HttpResponse, LogRecord, PostbackRecord
from orderdesk.core.template_diff import field_text

__all__ = ["MISSING", "FieldDifference", "Section", "diff_fields", "record_differences"]

Section = Literal["record", "original", "final", "response"]


class _Missing:
    """The value of a field that one of the two records does not have."""

    def __repr__(self) -> str:
        return "MISSING"


MISSING = _Missing()


@dataclass(frozen=True)
class FieldDifference:
    """One field whose value differs between the base record and the other one."""

    section: Section
    path: str
    base: FieldValue | _Missing
    other: FieldValue | _Missing


def diff_fields(section: Section, base: Fields, other: Fields) -> list[FieldDifference]:
    """The fields that differ, the base's order first, then the other's new fields."""
    differences = []
    for path in [*base, *(path for path in other if path not in base)]:
        before = base.get(path, MISSING)
        after = other.get(path, MISSING)
        same_text = (
            not isinstance(before, _Missing)
            and not isinstance(after, _Missing)
            and field_text(before) == field_text(after)
        )
        if not same_text:
            differences.append(FieldDifference(section, path, before, after))
    return differences


def _facts(record: LogRecord) -> Fields:
    facts: Fields = {
        "status": record.status,
        "customer": record.customer.name,
        "printer": record.printer.name if record.printer else None,
    }
    if isinstance(record, PostbackRecord):
        facts["event"] = record.event
        facts["attempts"] = len(record.attempts)
    else:
        facts["action"] = record.action
        facts["error"] = f"{record.error.code}: {record.error.message}" if record.error else None
    if record.template is not None:
        facts["template"] = f"{record.template.name} v{record.template.version}"
    answer = record_diagnosis(record).last_answer
    if answer is not None:
        facts["response.status_code"] = answer.status_code
        facts["response.error"] = answer.error
    if record.final is not None:
        facts["final.method"] = record.final.method
        facts["final.url"] = record.final.url
    return facts


def _body_fields(message: HttpMessage | HttpResponse | None) -> Fields:
    if message is None or not message.body:
        return {}
    fields = flatten_body(message.body, message.content_type)
    # A body that is neither JSON nor XML is compared whole.
    return fields if fields is not None else {"(body)": message.body}


def _answer_fields(record: LogRecord) -> Fields:
    return _body_fields(record_diagnosis(record).last_answer)


def record_differences(base: LogRecord, other: LogRecord) -> list[FieldDifference]:
    """Every field that differs between two records: facts, Original, Final, Response."""
    return [
        *diff_fields("record", _facts(base), _facts(other)),
        *diff_fields("original", _body_fields(base.original), _body_fields(other.original)),
        *diff_fields("final", _body_fields(base.final), _body_fields(other.final)),
        *diff_fields("response", _answer_fields(base), _answer_fields(other)),
    ]
