"""The filter language of the console's ``/`` prompt and the CLI's ``--query``.

A query mixes field terms, free text, negation, OR and groups::

    status:failed,retrying customer:acme code:5xx -status:succeeded "gift wrap" -door
    (status:failed OR code:5xx) -customer:acme attempts:>3 took:>30s
    -(event:delivered OR event:in_transit)

``field:value[,value...]`` keeps records whose field is any of the values;
``-field:value`` drops them. ``attempts`` and ``took`` compare a number:
``attempts:>3``, ``took:<=500ms`` (also ``>=``, ``<``, ``=``; a duration is
``500ms``, ``30s`` or ``2m``); what they mean is ``orderdesk.core.filter_values``.
Bare words and ``"quoted phrases"`` are searched in references, ids and bodies
(see ``orderdesk.core.search``); ``-word`` drops the records that match it.
Field names are read in any case, and any unambiguous start of one will do
(``stat:failed``). Values may be quoted (``customer:"Maple Threads"``).

Terms next to each other must all hold; ``AND`` between them says so again.
``OR`` between them wants either, and binds looser: ``a b OR c`` is ``(a b) OR
c``. Parentheses group, and ``-( ... )`` drops what the group keeps. The two
keywords are upper case and stand alone: a lower-case ``or`` is a word to
search, as is ``"OR"`` in quotes. A ``(`` opens a group where a term starts; a
``)`` closes one unless it closes a ``(`` inside its own word (``size(XL)``).

A parsed query is a :class:`Filter`: its terms and groups, all of which must
hold. :func:`narrow` puts the plain terms in a ``RecordQuery``'s flat fields,
as it always did, and only the groups, the ORs and a field repeated (two
``customer:`` terms must both hold) in its ``where`` condition, each group a
flat query of its own: see ``orderdesk.core.queries``.

The parser is hand-written and small: it never raises anything but
``FilterSyntaxError``, which says where the query is wrong and what to write.
What completes a term as it is typed is ``orderdesk.core.filter_completion``.
"""

from __future__ import annotations

import dataclasses
import difflib
import re
from collections.abc import Iterable
from dataclasses import dataclass, replace
from typing import Any

from orderdesk import strings
from orderdesk.core.errors import FilterSyntaxError
from orderdesk.core.filter_values import (
    ACTIONS,
    FIELDS,
    Field,
    checked_values,
    code_range,
    comparison_range,
    example,
)
from orderdesk.core.queries import Bounds, Condition, RecordQuery
from orderdesk.core.records import Kind

__all__ = [
    "ACTIONS",
    "FIELDS",
    "KEYWORDS",
    "Field",
    "Filter",
    "Group",
    "Term",
    "expand_field",
    "format_filter",
    "narrow",
    "parse",
]

#: The words that join terms rather than being searched.
KEYWORDS: tuple[str, ...] = ("OR", "AND")
_FIELD_NAME = re.compile(r"[A-Za-z]+(?=:)")
_KEYWORD = re.compile(r"(OR|AND)(?=[\s()]|$)")


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
class Group:
    """Terms and groups that must all hold, or with ``any_of`` (OR) any; ``negated``, not."""

    parts: tuple[Term | Group, ...]
    any_of: bool = False
    negated: bool = False
    at: int = dataclasses.field(default=0, compare=False)
    """Where the group starts in the query (0-based)."""


@dataclass(frozen=True)
class Filter:
    """A parsed query: its terms and groups, all of which must hold."""

    terms: tuple[Term | Group, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.terms)


# -- reading terms ---------------------------------------------------------------------


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


def _word_end(text: str, position: int, stops: str = "") -> int:
    """Where a word at ``position`` ends: at a space, a stop, or a ``)`` it did not open."""
    opened = 0
    while position < len(text):
        character = text[position]
        if character.isspace() or character in stops:
            break
        if character == "(":
            opened += 1
        elif character == ")":
            if not opened:
                break
            opened -= 1
        position += 1
    return position


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
            end = _word_end(text, position, ',"')
            value, position = text[position:end], end
        if not value.strip():
            message = strings.FILTER_NO_VALUE.format(
                field=name, at=position + 1, example=example(name)
            )
            raise FilterSyntaxError(message, position)
        values.append(value)
        if position < len(text) and text[position] == ",":
            position += 1
            continue
        if position < len(text) and not text[position].isspace() and text[position] != ")":
            message = strings.FILTER_UNEXPECTED.format(character=text[position], at=position + 1)
            raise FilterSyntaxError(message, position)
        return tuple(values), tuple(starts), position


def _term(text: str, position: int, kind: Kind) -> tuple[Term, int]:
    start = position
    after = text[position + 1 : position + 2]
    negated = text[position] == "-" and after != "" and not after.isspace() and after != ")"
    if negated:
        position += 1
    if text[position] == '"':
        phrase, end = _quoted(text, position)
        return Term(None, (phrase,), negated, phrase=True, at=start), end
    name = _FIELD_NAME.match(text, position)
    if name is None:
        end = _word_end(text, position)
        return Term(None, (text[position:end],), negated, at=start), end
    chosen = expand_field(name.group(), position)
    values, starts, end = _values(text, name.end() + 1, chosen)
    values = checked_values(chosen, values, starts, kind, start)
    return Term(chosen, values, negated, at=start, value_at=starts), end


# -- reading groups --------------------------------------------------------------------


def _negated(part: Term | Group) -> Term | Group:
    """The part that keeps what ``part`` drops, as plain as it can be written."""
    if isinstance(part, Term) and _reads_back_negated(part):
        return replace(part, negated=not part.negated)
    if isinstance(part, Group):
        return replace(part, negated=not part.negated)
    return Group((part,), negated=True, at=part.at)


def _reads_back_negated(term: Term) -> bool:
    """Whether the term with its sign turned reads back as it is (``--x`` turned is not ``-x``)."""
    if not term.negated or term.field is not None or term.phrase:
        return True
    word = term.values[0]
    return _KEYWORD.match(word) is None and (word == "-" or not word.startswith("-"))


def _joined(parts: Iterable[Term | Group], any_of: bool, at: int) -> Term | Group:
    """The parts joined by AND (or OR), a group of the same join flattened into its parent."""
    flat: list[Term | Group] = []
    for part in parts:
        if isinstance(part, Group) and not part.negated and part.any_of == any_of:
            flat.extend(part.parts)
        else:
            flat.append(part)
    return flat[0] if len(flat) == 1 else Group(tuple(flat), any_of=any_of, at=at)


class _Reader:
    """Reads a query left to right: OR of ANDs of terms and groups."""

    def __init__(self, text: str, kind: Kind) -> None:
        self.text, self.kind, self.position = text, kind, 0

    def _skip_spaces(self) -> None:
        while self.position < len(self.text) and self.text[self.position].isspace():
            self.position += 1

    def _keyword(self) -> str | None:
        self._skip_spaces()
        found = _KEYWORD.match(self.text, self.position)
        return None if found is None else found.group()

    def either(self, depth: int) -> Term | Group | None:
        """Alternatives joined by OR, up to the end or the ``)`` of the group; None if none."""
        start = self.position
        alternatives = [self.all_of(depth)]
        while self._keyword() == "OR":
            at = self.position
            if alternatives[-1] is None:
                raise _misplaced(strings.FILTER_NOTHING_BEFORE, "OR", at)
            self.position += len("OR")
            alternatives.append(self.all_of(depth))
            if alternatives[-1] is None:
                raise _misplaced(strings.FILTER_NOTHING_AFTER, "OR", at)
        found = [part for part in alternatives if part is not None]
        return _joined(found, any_of=True, at=start) if found else None

    def all_of(self, depth: int) -> Term | Group | None:
        """Terms and groups joined by AND (written or not), up to an OR, a ``)`` or the end."""
        start = self.position
        parts: list[Term | Group] = []
        conjunction: int | None = None  # where an AND waits for its right side
        while True:
            keyword = self._keyword()
            if self.position >= len(self.text) or keyword == "OR":
                break
            if self.text[self.position] == ")":
                if not depth:
                    at = self.position
                    raise FilterSyntaxError(strings.FILTER_UNOPENED.format(at=at + 1), at)
                break
            if keyword == "AND":
                if not parts or conjunction is not None:
                    raise _misplaced(strings.FILTER_NOTHING_BEFORE, "AND", self.position)
                conjunction = self.position
                self.position += len("AND")
                continue
            parts.append(self.one(depth))
            conjunction = None
        if conjunction is not None:
            raise _misplaced(strings.FILTER_NOTHING_AFTER, "AND", conjunction)
        return _joined(parts, any_of=False, at=start) if parts else None

    def one(self, depth: int) -> Term | Group:
        """A term, a group, or a negated group."""
        text, start = self.text, self.position
        negated = text.startswith("-(", start)
        if not negated and text[start] != "(":
            term, self.position = _term(text, start, self.kind)
            return term
        opening = start + 1 if negated else start
        self.position = opening + 1
        inside = self.either(depth + 1)
        if self.position >= len(text):
            raise FilterSyntaxError(strings.FILTER_UNCLOSED.format(at=opening + 1), opening)
        if inside is None:
            raise FilterSyntaxError(strings.FILTER_EMPTY_GROUP.format(at=opening + 1), opening)
        self.position += 1  # the ")"
        return _negated(inside) if negated else inside


def _misplaced(template: str, keyword: str, at: int) -> FilterSyntaxError:
    return FilterSyntaxError(template.format(keyword=keyword, at=at + 1), at)


def parse(text: str, kind: Kind) -> Filter:
    """The filter a query means for records of ``kind``; raises FilterSyntaxError."""
    found = _Reader(text, kind).either(0)
    if found is None:
        return Filter()
    if isinstance(found, Group) and not found.any_of and not found.negated:
        return Filter(found.parts)
    return Filter((found,))


# -- formatting ------------------------------------------------------------------------


def _needs_quotes(value: str) -> bool:
    return not value or any(c.isspace() or c in ',"()' for c in value)


def _format_term(term: Term) -> str:
    sign = "-" if term.negated else ""
    if term.field is None:
        (value,) = term.values
        # A bare word has no space and does not start with a quote: it reads back as it is.
        return sign + (f'"{value}"' if term.phrase else value)
    values = ",".join(f'"{v}"' if _needs_quotes(v) else v for v in term.values)
    return f"{sign}{term.field}:{values}"


def _format(part: Term | Group, among_and: bool) -> str:
    if isinstance(part, Term):
        return _format_term(part)
    if part.any_of:
        written = " OR ".join(_format(inner, among_and=False) for inner in part.parts)
    else:
        written = " ".join(_format(inner, among_and=True) for inner in part.parts)
    # AND binds tighter than OR: only an OR among ANDs needs its parentheses.
    if not part.negated and not (part.any_of and among_and):
        return written
    last = written.rsplit(maxsplit=1)[-1]
    if _word_end(last + ")", 0) > len(last):
        written += " "  # the last word's own "(" would take the group's ")"
    return f"-({written})" if part.negated else f"({written})"


def format_filter(parsed: Filter) -> str:
    """The query text of a filter, in its shortest canonical form: parse() reads it back."""
    alone = len(parsed.terms) == 1
    return " ".join(_format(part, among_and=not alone) for part in parsed.terms)


# -- applying --------------------------------------------------------------------------


def _both(chosen: tuple[str, ...], more: tuple[str, ...]) -> tuple[str, ...] | None:
    """Values two filters both allow: any of ``chosen`` that ``more`` allows too.

    None when no value can be both: then no record matches.
    """
    if not chosen:
        return more
    if not more:
        return chosen
    return tuple(value for value in chosen if value in more) or None


#: The flat fields a query may already fill with any of a list of values, which a
#: term of the same field cannot be intersected with (a status's can: ``_both``).
_LISTED: dict[str, str] = {
    "customer": "customers",
    "printer": "printers",
    "order": "order_references",
    "code": "http_statuses",
    "attempts": "attempt_counts",
    "took": "durations_ms",
}


def narrow(query: RecordQuery, parsed: Filter) -> RecordQuery:
    """The query narrowed by every term and group of the filter (parsed for the query's kind)."""
    flat: list[Term] = []
    apart: list[Term | Group] = []
    # The first term of a field narrows the flat fields; a second must hold too, apart.
    taken = {name for name, attribute in _LISTED.items() if getattr(query, attribute)}
    for part in parsed.terms:
        if isinstance(part, Group) or (part.field in taken and not part.negated):
            apart.append(part)
        else:
            flat.append(part)
            if part.field is not None and not part.negated:
                taken.add(part.field)
    narrowed = _narrow_terms(query, flat)
    if not apart:
        return narrowed
    found = tuple(_condition_part(part, query.kind) for part in apart)
    parts = found if narrowed.where is None else (narrowed.where, *found)
    where = parts[0] if len(parts) == 1 and isinstance(parts[0], Condition) else Condition(parts)
    return replace(narrowed, where=where)


def _condition_part(part: Term | Group, kind: Kind) -> RecordQuery | Condition:
    """A term or group as a part of a ``where``: a flat query where it can be one."""
    if isinstance(part, Group) and (part.any_of or part.negated):
        leaves = part.parts if part.any_of else (Group(part.parts),)
        inner = tuple(_condition_part(leaf, kind) for leaf in leaves)
        return Condition(inner, any_of=part.any_of, negated=part.negated)
    terms = part.parts if isinstance(part, Group) else (part,)
    return narrow(RecordQuery(kind), Filter(terms))


def _narrow_terms(query: RecordQuery, terms: Iterable[Term]) -> RecordQuery:
    """The query narrowed by plain terms, into its flat fields."""
    keep: dict[str, list[str]] = {}
    drop: dict[str, list[str]] = {}
    for term in terms:
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

    def compared(name: Field, values: tuple[str, ...]) -> tuple[Bounds, ...]:
        return tuple(comparison_range(name, value) for value in values)

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
        http_statuses=query.http_statuses + tuple(map(code_range, kept("code"))),
        not_http_statuses=query.not_http_statuses + tuple(map(code_range, dropped("code"))),
        attempt_counts=query.attempt_counts + compared("attempts", kept("attempts")),
        not_attempt_counts=query.not_attempt_counts + compared("attempts", dropped("attempts")),
        durations_ms=query.durations_ms + compared("took", kept("took")),
        not_durations_ms=query.not_durations_ms + compared("took", dropped("took")),
        search=query.search + kept("word") + kept("phrase"),
        not_search=query.not_search + dropped("word") + dropped("phrase"),
        matches_nothing=nothing,
    )
