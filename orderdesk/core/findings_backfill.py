"""The writer's thresholds for the stored findings, and recomputing every order when they change.

The sync stores findings by the ``TimelineRules`` of its own settings, and
records them in ``meta``; a writer with other thresholds recomputes every
reference (:func:`adopt_rules`, :func:`backfill`), as does an upgrade that
adds the findings to an existing store. A reader that set other thresholds
still sees the writer's findings: one store, one set of findings, whoever looks.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from sqlalchemy import Connection, delete, select

from orderdesk.core.meta_values import read_meta, write_meta
from orderdesk.core.schema import META, TABLES
from orderdesk.core.stop import Stop
from orderdesk.core.stored_findings import refresh_findings
from orderdesk.core.timeline_rules import TimelineRules

__all__ = [
    "BACKFILL_KEY",
    "RULES_KEY",
    "adopt_rules",
    "backfill",
    "backfill_pending",
    "rules_text",
    "stored_rules",
]

#: ``meta`` keys: the thresholds the findings were computed with, and while a
#: backfill is under way, the last reference it finished.
RULES_KEY = "findings_rules"
BACKFILL_KEY = "findings_backfill_after"
_BACKFILL_BATCH = 200


def rules_text(rules: TimelineRules) -> str:
    """The thresholds as ``meta`` keeps them: seconds, by name."""
    return json.dumps(
        {
            "receipt_within": rules.receipt_within.total_seconds(),
            "delivery_within": rules.delivery_within.total_seconds(),
            "retrying_after": rules.retrying_after.total_seconds(),
            "duplicate_within": rules.duplicate_within.total_seconds(),
        },
        sort_keys=True,
    )


def stored_rules(connection: Connection, fallback: TimelineRules) -> TimelineRules:
    """The thresholds the store's findings were computed with (``fallback`` if none yet).

    One store, one set of findings: whoever recomputes some (a prune) uses these.
    """
    text = read_meta(connection, RULES_KEY)
    if text is None:
        return fallback
    seconds = json.loads(text)
    return TimelineRules(**{name: timedelta(seconds=value) for name, value in seconds.items()})


def adopt_rules(connection: Connection, rules: TimelineRules) -> bool:
    """Make ``rules`` the store's thresholds; True if the findings must be recomputed.

    A store whose findings were computed with other thresholds (or none) gets
    a backfill from the first reference; :func:`backfill` then does it.
    """
    wanted = rules_text(rules)
    if read_meta(connection, RULES_KEY) == wanted:
        return False
    write_meta(connection, RULES_KEY, wanted)
    write_meta(connection, BACKFILL_KEY, "")
    return True


def backfill_pending(connection: Connection) -> bool:
    """Whether some references' findings are still to be computed."""
    return read_meta(connection, BACKFILL_KEY) is not None


def _next_references(connection: Connection, after: str, limit: int) -> list[str]:
    found: set[str] = set()
    for table in TABLES.values():
        reference = table.c.order_reference_id
        query = (
            select(reference)
            .where(reference > after)
            .group_by(reference)
            .order_by(reference)
            .limit(limit)
        )
        found.update(connection.execute(query).scalars())
    return sorted(found)[:limit]


def backfill(
    writing: Callable[[], Any],
    rules: TimelineRules,
    *,
    batch: int = _BACKFILL_BATCH,
    stop: Stop | None = None,
    on_batch: Callable[[int], None] | None = None,
) -> bool:
    """Compute the findings of every reference still pending, a batch per transaction.

    Each batch records the last reference it finished in ``meta`` in its own
    transaction, so a backfill stopped anywhere (``stop``, a crash) resumes
    after that reference. ``writing`` is the store's write transaction;
    ``on_batch`` hears how many references each batch did. True once done.
    """
    while stop is None or not stop.is_set():
        with writing() as connection:
            after = read_meta(connection, BACKFILL_KEY)
            if after is None:
                return True
            references = _next_references(connection, after, batch)
            if not references:
                connection.execute(delete(META).where(META.c.key == BACKFILL_KEY))
                return True
            refresh_findings(connection, references, rules)
            write_meta(connection, BACKFILL_KEY, references[-1])
        if on_batch is not None:
            on_batch(len(references))
    return False
