"""Reading and writing a filter query's text: its terms, and the groups OR and parentheses make.

:func:`parse` reads a query into a :class:`Filter`, checking each term's values
for the kind as it goes (``orderdesk.core.filter_values``); :func:`format_filter`
writes one back in its canonical form, which :func:`parse` reads as the same
filter. The grammar, loosest first::

    query  := either
    either := all ("OR" all)*
    all    := one (["AND"] one)*
    one    := term | "(" either ")" | "-(" either ")"

A group of the same join as its parent is flattened into it and a group of one
part is that part, so a query without OR or negated groups is always a flat
list of terms. What the language means is told in ``orderdesk.core.filter_language``.
"""

from __future__ import annotations

import dataclasses
import difflib
import re
from collections.abc import Iterable
from dataclasses import dataclass, replace

from orderdesk import strings
from orderdesk.core.errors import FilterSyntaxError
from orderdesk.core.filter_values import FIELDS, Field, checked_values, example
from orderdesk.core.records import Kind

__all__ = ["KEYWORDS", "Filter", "Group", "Term", "expand_field", "format_filter", "parse"]

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
