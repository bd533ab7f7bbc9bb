"""The filter language of the console's ``/`` prompt and the CLI's ``--query``.

A query mixes field terms, free text, negation, OR and groups::

    status:failed,retrying customer:acme code:5xx -status:succeeded "gift wrap" -door
    (status:failed OR code:5xx) -customer:acme attempts:>3 took:>30s
    -(event:delivered OR event:in_transit)

``field:value[,value...]`` keeps records whose field is any of the values;
``-field:value`` drops them. ``attempts`` and ``took`` compare a number:
``attempts:>3``, ``took:<=500ms`` (also ``>=``, ``<``, ``=``; a duration is
``500ms``, ``30s`` or ``2m``); what they mean is ``orderdesk.core.filter_values``.
``finding:not_received`` keeps the records whose order reference has a finding
of that rule open at the query's ``now`` (``RecordQuery.now``, set by the
caller with the time bounds, as findings fall due as time passes).
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

Reading and writing the text is ``orderdesk.core.filter_syntax``: a small
hand-written parser that never raises anything but ``FilterSyntaxError``, which
says where the query is wrong and what to write. What completes a term as it is
typed is ``orderdesk.core.filter_completion``. This module is their public face.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from typing import Any

from orderdesk.core.filter_syntax import (
    KEYWORDS,
    Filter,
    Group,
    Term,
    expand_field,
    format_filter,
    parse,
)
from orderdesk.core.filter_values import (
    ACTIONS,
    FIELDS,
    Field,
    code_range,
    comparison_range,
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
    "finding": "findings",
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
        findings=query.findings + kept("finding"),
        not_findings=query.not_findings + dropped("finding"),
        search=query.search + kept("word") + kept("phrase"),
        not_search=query.not_search + dropped("word") + dropped("phrase"),
        matches_nothing=nothing,
    )
