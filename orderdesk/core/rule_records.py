"""Records read back for the findings: only what the timeline rules look at.

A page's findings need the other records of its orders, and those the
writer no longer keeps are read back from the store (``stored_findings``).
Read whole, a record costs about 50 µs: every stage unpacked, parsed and
validated, bodies and all (``python -m benchmarks.record_reads``). The rules
look at far less, and this reads only that, in about 25 µs:

- of a request, its columns, its error, and when its original and final
  messages were sent: the ``at`` each stage's text starts with, so a stage is
  unpacked only as far as that;
- of a postback, its columns, its attempts and response (the last answer:
  its code or error), and its original message only for an ``error`` event,
  whose body carries the printer's message.

The rest reads as empty: a message's method, URL, headers and body, the
template, the tracking. A postback's original message, but for an error's, is
one stand-in that every such copy shares, dated the year 1: no rule reads it,
and each message of its own was two more objects for the collector to walk in
every record a writer keeps. The records made here serve the rules, and
nothing shows them.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime
from typing import Any, TypeVar

from pydantic import BaseModel, TypeAdapter
from sqlalchemy import Connection, case, null, select, type_coerce
from sqlalchemy.types import NullType

from orderdesk import strings
from orderdesk.core.errors import StoreError
from orderdesk.core.records import (
    HttpMessage,
    HttpResponse,
    Kind,
    LogRecord,
    Party,
    PostbackRecord,
    RecordError,
    RequestRecord,
    parse_timestamp,
)
from orderdesk.core.rows import SAME_AS_LAST_ATTEMPT
from orderdesk.core.schema import TABLES, StageText
from orderdesk.core.stage_codec import StageBook, book_of, unpack, unpack_start

__all__ = ["rule_copy", "rule_records"]

#: Enough of a stage's text for its ``at``: ``{"at":"2026-12-06T10:44:26.583378Z"``.
_START = 64
#: A stage's text as the contract's model writes it: its moment first.
_AT = re.compile(r'\{"at":"([^"]+)"')
_ANSWERS = TypeAdapter(list[HttpResponse])
#: A message stage the rules know only the moment of.
_BARE = HttpMessage.model_construct(at=datetime(1, 1, 1, tzinfo=UTC), method="", url="")
_Model = TypeVar("_Model", bound=BaseModel)
#: Each kind of model's fields, as the one fields-set all its kept copies share (see ``_made``).
_ALL_FIELDS: dict[type[BaseModel], set[str]] = {
    model: set(model.model_fields)
    for model in (RequestRecord, PostbackRecord, HttpMessage, HttpResponse)
}
#: The columns both kinds are read with, each as the rules know the field.
_SHARED = (
    "id",
    "created_at",
    "updated_at",
    "order_reference_id",
    "order_id",
    "customer_id",
    "customer_name",
    "printer_id",
    "printer_name",
    "status",
)


# Bound once: a writer makes a copy of every record it saves (``rule_copy``).
_new = object.__new__
_set = object.__setattr__


def _made(model: type[_Model], values: dict[str, Any]) -> _Model:
    """A ``model`` holding ``values`` (every one of its fields) as they are, unvalidated.

    As pydantic's ``model_construct`` makes one, but for the fields-set: a model
    keeps its own set of the fields it was given, and those sets were a third of
    the objects the cycle collector walked in a writer's kept copies. Every
    copy made here is given all its fields, so they share one set; nothing
    changes it in place (the models are frozen, and a model's copy gets a set
    of its own).
    """
    made = _new(model)
    _set(made, "__dict__", values)
    _set(made, "__pydantic_fields_set__", _ALL_FIELDS[model])
    _set(made, "__pydantic_extra__", None)
    _set(made, "__pydantic_private__", None)
    return made


def _no_dictionaries(dictionary_id: int) -> bytes:
    raise StoreError(strings.STAGE_NO_DICTIONARY.format(id=dictionary_id))


def _whole(value: str | bytes, book: StageBook | None) -> str:
    if isinstance(value, str):
        return value
    return book.unpack(value) if book is not None else unpack(value, _no_dictionaries)


def _sent_at(value: str | bytes, book: StageBook | None) -> datetime:
    """The ``at`` of a stored message stage."""
    if isinstance(value, str):
        start = value[:_START]
    elif book is not None:
        start = book.unpack_start(value, _START)
    else:
        start = unpack_start(value, _no_dictionaries, _START)
    found = _AT.match(start)
    # Text written some other way is read whole, as any reader would.
    moment = found[1] if found is not None else json.loads(_whole(value, book))["at"]
    return parse_timestamp(moment)


def _message(value: str | bytes, book: StageBook | None) -> HttpMessage:
    return _bare(_sent_at(value, book))


def _columns(kind: Kind) -> list[Any]:
    table = TABLES[kind]
    c = table.c
    shared = [c[name] for name in _SHARED]
    if kind == "requests":
        # As stored, not unpacked: only their start is read (``_sent_at``).
        raw = [type_coerce(c[name], NullType()).label(name) for name in ("original", "final")]
        return [*shared, c.action, c.error_stage, c.error_code, c.error_message, *raw]
    original = type_coerce(case((c.event == "error", c.original), else_=null()), StageText())
    return [*shared, c.event, c.attempts, c.response, original.label("original")]


def rule_copy(record: LogRecord, parties: dict[tuple[str, str], Party]) -> LogRecord:
    """``record`` as :func:`rule_records` would read it back: what the rules look at, no more.

    A writer keeps these between pages (``stored_findings.ReferenceIndex``):
    without their bodies, many more orders fit in the same memory. Each party
    is kept once, in ``parties``, by its id and name: the collector walks every
    object kept, and those of a record's two parties were nearly half of them.
    (Keyed by the party itself, hashing a frozen model was 3 of a copy's 7 µs.)
    """
    customer = record.customer
    customer = parties.setdefault((customer.id, customer.name), customer)
    printer = record.printer
    if printer is not None:
        printer = parties.setdefault((printer.id, printer.name), printer)
    if isinstance(record, RequestRecord):
        final = record.final
        values = dict(record.__dict__)
        values.update(
            customer=customer,
            printer=printer,
            original=_bare(record.original.at),
            template=None,
            final=None if final is None else _bare(final.at),
            response=None,
        )
        return _made(RequestRecord, values)
    original = record.original if record.event == "error" else _BARE
    answers, response = record.attempts, record.response
    attempts = [_made(HttpResponse, dict(answer.__dict__)) for answer in answers]
    if answers and response == answers[-1]:
        # One object, as a record read back has it (``SAME_AS_LAST_ATTEMPT``).
        response = attempts[-1]
    values = dict(record.__dict__)
    values.update(
        customer=customer,
        printer=printer,
        original=original,
        template=None,
        final=None,
        tracking=None,
        attempts=attempts,
        response=response,
    )
    return _made(PostbackRecord, values)


def _bare(at: datetime) -> HttpMessage:
    values = _BARE.__dict__.copy()
    values["at"] = at
    return _made(HttpMessage, values)


def rule_records(connection: Connection, kind: Kind, pks: Sequence[int]) -> Iterator[LogRecord]:
    """The records of ``kind`` with these keys, as the rules read them."""
    book = book_of(connection.dialect)
    parties: dict[tuple[str, str], Party] = {}

    def party(party_id: str | None, name: str | None) -> Party | None:
        if party_id is None or name is None:
            return None
        found = parties.get((party_id, name))
        if found is None:
            found = parties[(party_id, name)] = Party.model_construct(id=party_id, name=name)
        return found

    table = TABLES[kind]
    query = select(*_columns(kind)).where(table.c.pk.in_(pks))
    for row in connection.execute(query).mappings():
        shared = {
            "id": row["id"],
            "created_at": row["created_at"],
            "updated_at": row["updated_at"],
            "order_reference_id": row["order_reference_id"],
            "order_id": row["order_id"],
            "customer": party(row["customer_id"], row["customer_name"]),
            "printer": party(row["printer_id"], row["printer_name"]),
            "status": row["status"],
        }
        record: LogRecord
        if kind == "requests":
            error = None
            if row["error_stage"] is not None:
                error = RecordError.model_construct(
                    stage=row["error_stage"], code=row["error_code"], message=row["error_message"]
                )
            record = RequestRecord.model_construct(
                **shared,
                action=row["action"],
                error=error,
                original=_message(row["original"], book),
                final=None if row["final"] is None else _message(row["final"], book),
            )
        else:
            attempts = _ANSWERS.validate_json(row["attempts"])
            response = None
            if row["response"] == SAME_AS_LAST_ATTEMPT:
                response = attempts[-1]
            elif row["response"] is not None:
                response = HttpResponse.model_validate_json(row["response"])
            original = row["original"]
            record = PostbackRecord.model_construct(
                **shared,
                event=row["event"],
                attempts=attempts,
                response=response,
                original=(
                    HttpMessage.model_validate_json(original) if original is not None else _BARE
                ),
            )
        yield record
