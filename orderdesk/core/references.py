"""The order references that begin with what was typed, and those nearest a mistyped one.

A support engineer types a reference heard on the phone; before it is
complete, the references it could still become are the best hint that it is
being typed right, and once it is wrong, the stored references closest to it
are. Both kinds are asked, since a reference may be known only from its
postbacks.
"""

from __future__ import annotations

import difflib
import os.path

from sqlalchemy import select

from orderdesk.core.records import KINDS
from orderdesk.core.schema import TABLES
from orderdesk.core.store import Store

__all__ = ["nearest_references", "reference_exists", "references_starting"]

#: How many stored references are weighed against a mistyped one.
_CANDIDATES = 64
#: Below this similarity (difflib's ratio) a reference is not offered as meant.
_LIKE_ENOUGH = 0.6


def references_starting(store: Store, prefix: str, *, limit: int = 8) -> list[str]:
    """Up to ``limit`` distinct order references beginning with ``prefix``, in order."""
    if not prefix:
        return []
    found: set[str] = set()
    with store.engine.connect() as connection:
        for kind in KINDS:
            column = TABLES[kind].c.order_reference_id
            statement = (
                select(column)
                .where(store.backend.begins_with(column, prefix))
                .distinct()
                .order_by(column)
                .limit(limit)
            )
            found.update(connection.execute(statement).scalars())
    return sorted(found)[:limit]


def reference_exists(store: Store, reference: str) -> bool:
    """Whether any record of either kind has exactly this order reference."""
    # A reference sorts before every longer one it begins, so it comes first if stored.
    return references_starting(store, reference, limit=1) == [reference]


def nearest_references(store: Store, typed: str, *, limit: int = 3) -> list[str]:
    """Up to ``limit`` stored references most like ``typed``, the closest first.

    Candidates are read through the reference index, so the cost does not grow
    with the store: the references sharing the longest prefix with what was
    typed (as typed and in capitals), and those one edit away where it stops
    matching any. They are then ranked by similarity to what was typed.
    """
    text = typed.strip()
    candidates: set[str] = set()
    for variant in dict.fromkeys((text, text.upper())):
        candidates |= _around(store, variant)
    wanted = text.upper()
    scored = []
    for candidate in candidates:
        folded = candidate.upper()
        likeness = difflib.SequenceMatcher(None, wanted, folded).ratio()
        if likeness >= _LIKE_ENOUGH:
            # Equally alike, the one that agrees longer from the start is likelier meant.
            agrees = len(os.path.commonprefix([wanted, folded]))
            scored.append((-likeness, -agrees, candidate))
    return [candidate for *_, candidate in sorted(scored)[:limit]]


def _around(store: Store, text: str) -> set[str]:
    """References sharing the longest prefix with ``text``, and one edit from it where it parts."""
    for end in range(len(text), 0, -1):
        sharing = references_starting(store, text[:end], limit=_CANDIDATES)
        if sharing:
            break
    else:
        return set()
    found = set(sharing)
    if end == len(text):
        return found
    # The first character no reference has there is likely the mistake: drop it, replace
    # it, or put before it a character that stored references have at that place.
    head, rest = text[:end], text[end:]
    following = {reference[end] for reference in sharing if len(reference) > end}
    repairs = {head + rest[1:]}
    repairs |= {head + character + rest for character in following}
    repairs |= {head + character + rest[1:] for character in following}
    for repair in repairs:
        found.update(references_starting(store, repair, limit=4))
    return found
