"""How often Python's cycle collector runs in an ``orderdesk`` process.

At its defaults, a young collection every 700 new objects and each older
generation every 10 of the one below, a sync spent about a quarter of its CPU
time in the collector with the findings kept, and a seventh without. Synced
in process from a day of simulated traffic (74,167 records), it stored 2,335
records a second with the findings and 3,354 without at Python's thresholds,
3,063 and 3,943 at the ones below (``python -m benchmarks.sync_throughput
--history 1d --history-rate 20/min``, with ``--python-collector`` and
without). Each page parses a thousand records into many small objects that
live until the page is stored, and the writer keeps the records of recent
pages' orders for the findings (``stored_findings.ReferenceIndex``): the default
thresholds kept promoting all of them and walking them again.

Nothing orderdesk does depends on when a cycle is collected: reference
counting still frees everything else at once. A young collection every 50,000
objects is a pause of a few milliseconds, well inside one frame of the
console, which also sets aside (``gc.freeze``) what it made at startup.
"""

from __future__ import annotations

import gc

__all__ = ["OLDER_EVERY", "YOUNG_EVERY", "collect_less_often"]

#: New objects between two young collections (Python's default: 700).
YOUNG_EVERY = 50_000
#: Collections of a generation between two of the next one up (Python's default: 10).
OLDER_EVERY = 20


def collect_less_often() -> None:
    """Set this process's collector thresholds to orderdesk's (see the module's docstring)."""
    gc.set_threshold(YOUNG_EVERY, OLDER_EVERY, OLDER_EVERY)
