"""What a field's values mean in the filter language: checked, in stored form, and as ranges.

A term's values arrive as typed. Statuses, events, actions, codes and the
rules of ``finding`` (``timeline_rules.RULE_NAMES``) are checked against what a
record of the kind can have and folded to lower case;
``attempts`` and ``took`` take a comparison each (``>3``, ``<=500ms``, ``2``)
that becomes an inclusive range of whole numbers, as a code's ``5xx`` does, so
the store compares integers on either engine.
"""

from __future__ import annotations

import difflib
import math
import re
from collections.abc import Sequence
from fractions import Fraction
from typing import Literal

from orderdesk import strings
from orderdesk.core.errors import FilterSyntaxError, UnknownStatus
from orderdesk.core.queries import Bounds
from orderdesk.core.records import EVENTS, Kind
from orderdesk.core.statuses import check_statuses
from orderdesk.core.timeline_rules import RULE_NAMES

__all__ = [
    "ACTIONS",
    "COMPARED",
    "FIELDS",
    "Field",
    "checked_values",
    "code_range",
    "comparison_range",
    "example",
]

Field = Literal[
    "status",
    "customer",
    "printer",
    "event",
    "action",
    "code",
    "order",
    "id",
    "attempts",
    "took",
    "finding",
]
FIELDS: tuple[Field, ...] = (
    "status",
    "customer",
    "printer",
    "event",
    "action",
    "code",
    "order",
    "id",
    "attempts",
    "took",
    "finding",
)
#: The fields whose values are comparisons with a number.
COMPARED: tuple[Field, ...] = ("attempts", "took")
ACTIONS: tuple[str, ...] = ("submit", "cancel")
_CODE = re.compile(r"(?:([1-9])xx|([1-9]\d\d)(?:-([1-9]\d\d))?)", re.IGNORECASE)
_COMPARISON = re.compile(r"(>=|<=|>|<|=)?(\d+(?:\.\d+)?)([a-z]*)", re.IGNORECASE)
#: A duration's units, in milliseconds: what ``took`` reads.
_MILLISECONDS = {"ms": 1, "s": 1_000, "m": 60_000}


def example(name: Field) -> str:
    """A term of the field written well, for the messages that say what to write."""
    examples = {
        "status": "status:failed,retrying",
        "customer": 'customer:"Maple Threads"',
        "printer": "printer:oslo",
        "event": "event:shipped",
        "action": "action:cancel",
        "code": "code:5xx or code:500-503",
        "order": "order:SHOP-1001",
        "id": "id:req_01JD",
        "attempts": "attempts:>3",
        "took": "took:>30s",
        "finding": "finding:not_received",
    }
    return examples[name]


def _not_one_of(name: Field, typed: str, at: int, allowed: tuple[str, ...]) -> FilterSyntaxError:
    """The mistake of a value that is none of ``allowed``, maybe close to one."""
    close = difflib.get_close_matches(typed.lower(), allowed, n=1)
    said = {"field": name, "value": typed, "at": at + 1, "allowed": ", ".join(allowed)}
    message = (
        strings.FILTER_BAD_VALUE.format(guess=close[0], **said)
        if close
        else strings.FILTER_BAD_VALUE_NO_GUESS.format(**said)
    )
    return FilterSyntaxError(message, at)


def checked_values(
    name: Field, values: tuple[str, ...], starts: Sequence[int], kind: Kind, at: int
) -> tuple[str, ...]:
    """The values of a term in their stored form; raises if they cannot apply to ``kind``.

    ``starts`` says where each value was typed, ``at`` where the term was.
    """
    if name == "event" and kind != "postbacks":
        raise FilterSyntaxError(strings.FILTER_EVENT_ON_REQUESTS.format(at=at + 1), at)
    if name == "action" and kind != "requests":
        raise FilterSyntaxError(strings.FILTER_ACTION_ON_POSTBACKS.format(at=at + 1), at)
    lowered = tuple(value.lower() for value in values)
    if name == "status":
        try:
            check_statuses(kind, lowered)
        except UnknownStatus as unknown:
            index = lowered.index(unknown.status)
            raise _not_one_of(name, values[index], starts[index], unknown.allowed) from None
        return lowered
    allowed = {"event": EVENTS, "action": ACTIONS, "finding": RULE_NAMES}.get(name)
    if allowed is not None:
        for value, typed, start in zip(lowered, values, starts, strict=True):
            if value not in allowed:
                raise _not_one_of(name, typed, start, allowed)
        return lowered
    if name == "code":
        for value, start in zip(values, starts, strict=True):
            match = _CODE.fullmatch(value)
            if not match or (match.group(3) and int(match.group(3)) < int(match.group(2))):
                message = strings.FILTER_BAD_CODE.format(value=value, at=start + 1)
                raise FilterSyntaxError(message, start)
        return lowered
    if name in COMPARED:
        for value, start in zip(values, starts, strict=True):
            if _amount(name, value) is None:
                wrong = strings.FILTER_BAD_COUNT if name == "attempts" else strings.FILTER_BAD_TOOK
                raise FilterSyntaxError(wrong.format(value=value, at=start + 1), start)
        return lowered
    return values


def code_range(value: str) -> tuple[int, int]:
    """The HTTP statuses a checked code value means: ``5xx`` is (500, 599)."""
    match = _CODE.fullmatch(value)
    assert match is not None  # checked by checked_values()
    hundreds, low, high = match.groups()
    if hundreds is not None:
        return int(hundreds) * 100, int(hundreds) * 100 + 99
    return (int(low), int(high)) if high is not None else (int(low), int(low))


def _amount(name: Field, value: str) -> tuple[str, Fraction] | None:
    """A comparison's operator and its number (a duration in ms); None if it is not one."""
    match = _COMPARISON.fullmatch(value)
    if match is None:
        return None
    operator, number, unit = match.group(1) or "=", Fraction(match.group(2)), match.group(3)
    if name == "attempts":
        return (operator, number) if not unit and number.denominator == 1 else None
    scale = _MILLISECONDS.get(unit.lower())
    return None if scale is None else (operator, number * scale)


def comparison_range(name: Field, value: str) -> Bounds:
    """The whole numbers a checked comparison keeps: ``>3`` is (4, None).

    Counts and milliseconds are whole, so every comparison is a range; one no
    whole number meets (``=1.5ms``) is the empty range (1, 0).
    """
    found = _amount(name, value)
    assert found is not None  # checked by checked_values()
    operator, amount = found
    below, above = math.floor(amount), math.ceil(amount)
    if operator == ">":
        return below + 1, None
    if operator == ">=":
        return above, None
    if operator == "<":
        return None, above - 1
    if operator == "<=":
        return None, below
    return (below, below) if below == above else (1, 0)
