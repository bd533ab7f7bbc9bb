"""The filter language of the console's ``/`` prompt and the CLI's ``--query``.

A query mixes field terms, free text and negation::

    status:failed,retrying customer:acme code:5xx -status:succeeded "gift wrap" -door

``field:value[,value...]`` keeps records whose field is any of the values;
``-field:value`` drops them. Bare words and ``"quoted phrases"`` are searched
in references, ids and bodies (see ``orderdesk.core.search``); ``-word`` drops
the records that match it. Terms combine with AND. Field names are read in any
case, and any unambiguous start of one will do (``stat:failed``). Values may be
quoted (``customer:"Maple Threads"``).

The parser is hand-written and small: it never raises anything but
``FilterSyntaxError``, which says where the query is wrong and what to write.
What completes a term as it is typed is ``orderdesk.core.filter_completion``.
"""

from __future__ import annotations

import dataclasses
import difflib
import re
from dataclasses import dataclass, replace
from typing import Any, Literal

from orderdesk import strings
from orderdesk.core.errors import FilterSyntaxError, UnknownStatus
from orderdesk.core.queries import RecordQuery
from orderdesk.core.records import EVENTS, Kind
from orderdesk.core.statuses import check_statuses

__all__ = [
    "ACTIONS",
    "FIELDS",
    "Field",
    "Filter",
    "Term",
    "expand_field",
    "format_filter",
    "narrow",
    "parse",
]

Field = Literal["status", "customer", "printer", "event", "action", "code", "order", "id"]
FIELDS: tuple[Field, ...] = (
    "status",
    "customer",
    "printer",
    "event",
    "action",
    "code",
    "order",
    "id",
)
ACTIONS: tuple[str, ...] = ("submit", "cancel")
_FIELD_NAME = re.compile(r"[A-Za-z]+(?=:)")
_CODE = re.compile(r"(?:([1-9])xx|([1-9]\d\d)(?:-([1-9]\d\d))?)", re.IGNORECASE)


@dataclass(frozen=True)
class Term:
    """One term of a query: a field's values, or free text (``field`` None)."""

    field: Field | None
    values: tuple[str, ...]
    """A field's values, or the one word or phrase of free text."""
    negated: bool = False
    phrase: bool = False
    """Free text in quotes: its words must follow each other."""
    at: int = dataclasses.field(default=0, compare=False)
    """Where the term starts in the query (0-based)."""
    value_at: tuple[int, ...] = dataclasses.field(default=(), compare=False)
    """Where each value starts in the query (0-based)."""


@dataclass(frozen=True)
class Filter:
    """A parsed query: its terms, all of which must hold."""

    terms: tuple[Term, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.terms)


# -- parsing ---------------------------------------------------------------------------


def expand_field(name: str, at: int) -> Field:
    """The field a name (any case, or any unambiguous start) means; ``at`` is where it was typed."""
    lowered = name.lower()
    if lowered in FIELDS:
        return lowered
    starting = [f for f in FIELDS if f.startswith(lowered)]
    if len(starting) == 1:
        return starting[0]
    if starting:
        choices = " or ".join(starting)
        raise FilterSyntaxError(
            strings.FILTER_AMBIGUOUS_FIELD.format(name=name, at=at + 1, choices=choices), at
        )
    close = difflib.get_close_matches(lowered, FIELDS, n=1)
    if close:
        message = strings.FILTER_UNKNOWN_FIELD.format(name=name, at=at + 1, guess=close[0])
    else:
        message = strings.FILTER_UNKNOWN_FIELD_NO_GUESS.format(
            name=name, at=at + 1, fields=", ".join(FIELDS)
        )
    raise FilterSyntaxError(message, at)


def _quoted(text: str, at: int) -> tuple[str, int]:
    """The text between the quote at ``at`` and the next one, and where it ends."""
    end = text.find('"', at + 1)
    if end < 0:
        raise FilterSyntaxError(strings.FILTER_OPEN_QUOTE.format(at=at + 1), at)
    return text[at + 1 : end], end + 1


def _values(text: str, at: int, name: Field) -> tuple[tuple[str, ...], tuple[int, ...], int]:
    values: list[str] = []
    starts: list[int] = []
    position = at
    while True:
        starts.append(position)
        if position < len(text) and text[position] == '"':
            value, position = _quoted(text, position)
        else:
            end = position
            while end < len(text) and not text[end].isspace() and text[end] not in ',"':
                end += 1
            value, position = text[position:end], end
        if not value.strip():
            message = strings.FILTER_NO_VALUE.format(
                field=name, at=position + 1, example=_example(name)
            )
            raise FilterSyntaxError(message, position)
        values.append(value)
        if position < len(text) and text[position] == ",":
            position += 1
            continue
        if position < len(text) and not text[position].isspace():
            message = strings.FILTER_UNEXPECTED.format(character=text[position], at=position + 1)
            raise FilterSyntaxError(message, position)
        return tuple(values), tuple(starts), position


def _example(name: Field) -> str:
    examples = {
        "status": "status:failed,retrying",
        "customer": 'customer:"Maple Threads"',
        "printer": "printer:oslo",
        "event": "event:shipped",
        "action": "action:cancel",
        "code": "code:5xx or code:500-503",
        "order": "order:SHOP-1001",
        "id": "id:req_01JD",
    }
    return examples[name]


def _term(text: str, position: int) -> tuple[Term, int]:
    start = position
    negated = text[position] == "-" and position + 1 < len(text)
    negated = negated and not text[position + 1].isspace()
    if negated:
        position += 1
    if text[position] == '"':
        phrase, end = _quoted(text, position)
        return Term(None, (phrase,), negated, phrase=True, at=start), end
    name = _FIELD_NAME.match(text, position)
    if name is None:
        end = position
        while end < len(text) and not text[end].isspace():
            end += 1
        return Term(None, (text[position:end],), negated, at=start), end
    chosen = expand_field(name.group(), position)
    values, starts, end = _values(text, name.end() + 1, chosen)
    return Term(chosen, values, negated, at=start, value_at=starts), end


def _starts(term: Term) -> tuple[int, ...]:
    """Where each value starts; the term's start for a term built by hand."""
    return term.value_at or (term.at,) * len(term.values)


def _not_one_of(term: Term, index: int, allowed: tuple[str, ...]) -> FilterSyntaxError:
    """The mistake of the term's value at ``index``: none of ``allowed``, maybe close to one."""
    typed, at = term.values[index], _starts(term)[index]
    close = difflib.get_close_matches(typed.lower(), allowed, n=1)
    said = {"field": term.field, "value": typed, "at": at + 1, "allowed": ", ".join(allowed)}
    message = (
        strings.FILTER_BAD_VALUE.format(guess=close[0], **said)
        if close
        else strings.FILTER_BAD_VALUE_NO_GUESS.format(**said)
    )
    return FilterSyntaxError(message, at)


def _check(term: Term, kind: Kind) -> Term:
    """The term with its values in their stored form; raises if it cannot apply to ``kind``."""
    name = term.field
    if name == "event" and kind != "postbacks":
        raise FilterSyntaxError(strings.FILTER_EVENT_ON_REQUESTS.format(at=term.at + 1), term.at)
    if name == "action" and kind != "requests":
        raise FilterSyntaxError(strings.FILTER_ACTION_ON_POSTBACKS.format(at=term.at + 1), term.at)
    values = tuple(value.lower() for value in term.values)
    if name == "status":
        try:
            check_statuses(kind, values)
        except UnknownStatus as unknown:
            raise _not_one_of(term, values.index(unknown.status), unknown.allowed) from None
        return replace(term, values=values)
    allowed = {"event": EVENTS, "action": ACTIONS}.get(name or "")
    if allowed is not None:
        for index, value in enumerate(values):
            if value not in allowed:
                raise _not_one_of(term, index, allowed)
        return replace(term, values=values)
    if name == "code":
        for value, at in zip(term.values, _starts(term), strict=True):
            match = _CODE.fullmatch(value)
            if not match or (match.group(3) and int(match.group(3)) < int(match.group(2))):
                raise FilterSyntaxError(strings.FILTER_BAD_CODE.format(value=value, at=at + 1), at)
        return replace(term, values=tuple(value.lower() for value in term.values))
    return term


def parse(text: str, kind: Kind) -> Filter:
    """The filter a query means for records of ``kind``; raises FilterSyntaxError."""
    terms: list[Term] = []
    position = 0
    while True:
        while position < len(text) and text[position].isspace():
            position += 1
        if position >= len(text):
            return Filter(tuple(terms))
        term, position = _term(text, position)
        terms.append(_check(term, kind))


# -- formatting ------------------------------------------------------------------------


def format_filter(parsed: Filter) -> str:
    """The query text of a filter, in its shortest canonical form: parse() reads it back."""
    parts = []
    for term in parsed.terms:
        sign = "-" if term.negated else ""
        if term.field is None:
            (value,) = term.values
            # A bare word has no space and does not start with a quote: it reads back as it is.
            parts.append(sign + (f'"{value}"' if term.phrase else value))
        else:
            values = ",".join(
                f'"{v}"' if not v or any(c.isspace() or c in ',"' for c in v) else v
                for v in term.values
            )
            parts.append(f"{sign}{term.field}:{values}")
    return " ".join(parts)


# -- applying --------------------------------------------------------------------------


def _code_range(value: str) -> tuple[int, int]:
    match = _CODE.fullmatch(value)
    assert match is not None  # checked by parse()
    hundreds, low, high = match.groups()
    if hundreds is not None:
        return int(hundreds) * 100, int(hundreds) * 100 + 99
    return (int(low), int(high)) if high is not None else (int(low), int(low))


def _both(chosen: tuple[str, ...], more: tuple[str, ...]) -> tuple[str, ...] | None:
    """Values two filters both allow: any of ``chosen`` that ``more`` allows too.

    None when no value can be both: then no record matches.
    """
    if not chosen:
        return more
    if not more:
        return chosen
    return tuple(value for value in chosen if value in more) or None


def narrow(query: RecordQuery, parsed: Filter) -> RecordQuery:
    """The query narrowed by every term of the filter (parsed for the query's kind)."""
    keep: dict[str, list[str]] = {}
    drop: dict[str, list[str]] = {}
    for term in parsed.terms:
        if term.field is None:
            if any(c.isalnum() for c in term.values[0]):
                name = "phrase" if term.phrase else "word"
                (drop if term.negated else keep).setdefault(name, []).extend(term.values)
            elif not term.negated:
                keep.setdefault("word", []).extend(term.values)
            continue
        (drop if term.negated else keep).setdefault(term.field, []).extend(term.values)

    def kept(name: str) -> tuple[str, ...]:
        return tuple(dict.fromkeys(keep.get(name, ())))

    def dropped(name: str) -> tuple[str, ...]:
        return tuple(dict.fromkeys(drop.get(name, ())))

    # Terms of these fields hold together: a record must have a value each allows.
    both: dict[str, Any] = {}
    nothing = query.matches_nothing
    for name, field in (
        ("statuses", "status"),
        ("events", "event"),
        ("actions", "action"),
        ("ids", "id"),
    ):
        chosen = getattr(query, name)
        allowed = _both(chosen, kept(field))
        nothing = nothing or allowed is None
        both[name] = chosen if allowed is None else allowed
    return replace(
        query,
        **both,
        not_statuses=query.not_statuses + dropped("status"),
        not_events=query.not_events + dropped("event"),
        not_actions=query.not_actions + dropped("action"),
        customers=query.customers + kept("customer"),
        not_customers=query.not_customers + dropped("customer"),
        printers=query.printers + kept("printer"),
        not_printers=query.not_printers + dropped("printer"),
        order_references=query.order_references + kept("order"),
        not_order_references=query.not_order_references + dropped("order"),
        not_ids=query.not_ids + dropped("id"),
        http_statuses=query.http_statuses + tuple(map(_code_range, kept("code"))),
        not_http_statuses=query.not_http_statuses + tuple(map(_code_range, dropped("code"))),
        search=query.search + kept("word") + kept("phrase"),
        not_search=query.not_search + dropped("word") + dropped("phrase"),
        matches_nothing=nothing,
    )
