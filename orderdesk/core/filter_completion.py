"""Completion in the filter language: the whole queries that finish the term being typed.

The ``/`` prompt offers the first as a suggestion and steps through all of
them with tab. A field's start completes to the field, a value's start to the
statuses, events and actions the kind has, the usual HTTP codes, the
findings' rules, and the customers and printers the store knows. A term is completed the same inside
parentheses (``(sta`` → ``(status:``) and after ``OR``; the keywords themselves
are never completed into a field (``OR`` is not the start of ``order:``).
"""

from __future__ import annotations

from collections.abc import Sequence

from orderdesk.core.errors import FilterSyntaxError
from orderdesk.core.filter_language import ACTIONS, FIELDS, KEYWORDS, Field, expand_field
from orderdesk.core.records import EVENTS, Kind
from orderdesk.core.statuses import STATUSES
from orderdesk.core.timeline_rules import RULE_NAMES

__all__ = ["completions"]


def _last_term_start(text: str) -> int:
    """Where the term being typed at the end of ``text`` starts (quotes keep spaces in).

    The groups a term opens with, ``(`` and ``-(``, are not part of it.
    """
    start, quoted = 0, False
    for position, character in enumerate(text):
        if character == '"':
            quoted = not quoted
        elif character.isspace() and not quoted:
            start = position + 1
    while True:
        if text.startswith("(", start):
            start += 1
        elif text.startswith("-(", start):
            start += 2
        else:
            return start


def _value_candidates(
    name: Field, kind: Kind, customers: Sequence[str], printers: Sequence[str]
) -> list[str]:
    fixed: dict[str, Sequence[str]] = {
        "status": STATUSES[kind],
        "event": EVENTS,
        "action": ACTIONS,
        "code": ("2xx", "4xx", "5xx", "500", "503", "422", "429"),
        "attempts": (">1", ">3", "0"),
        "took": (">1s", ">10s", ">30s", "<100ms"),
        "customer": customers,
        "printer": printers,
        "finding": RULE_NAMES,
    }
    return list(fixed.get(name, ()))


def completions(
    text: str,
    kind: Kind,
    *,
    customers: Sequence[str] = (),
    printers: Sequence[str] = (),
) -> list[str]:
    """Whole queries that complete the term at the end of ``text``, best first.

    Each starts with ``text`` exactly, so it can be offered as it is typed.
    ``customers`` and ``printers`` are the names (or ids) the store knows.
    """
    start = _last_term_start(text)
    term = text[start:]
    body = term[1:] if term.startswith("-") else term
    if ":" not in body:
        if not body.isalpha() or body in KEYWORDS:
            return []
        fields = [f for f in FIELDS if f.startswith(body.lower()) and f != body.lower()]
        fields = [f for f in fields if _applies(f, kind)]
        return [text + f[len(body) :] + ":" for f in fields]
    name, _, values = body.partition(":")
    try:
        chosen = expand_field(name, 0)
    except FilterSyntaxError:
        return []
    partial = values.rpartition(",")[2]
    quoted = partial.startswith('"')
    typed = partial[1:] if quoted else partial
    found = []
    for candidate in _value_candidates(chosen, kind, customers, printers):
        if not candidate.lower().startswith(typed.lower()) or len(candidate) == len(typed):
            continue
        if quoted:
            found.append(text + candidate[len(typed) :] + '"')
        elif not any(c.isspace() or c in ',"' for c in candidate):
            found.append(text + candidate[len(typed) :])
        else:
            # A name with spaces needs quotes; its first word finds it too.
            word = candidate.split()[0]
            if len(word) > len(typed):
                found.append(text + word[len(typed) :])
    return list(dict.fromkeys(found))


def _applies(name: Field, kind: Kind) -> bool:
    return not (
        (name == "event" and kind != "postbacks") or (name == "action" and kind != "requests")
    )
