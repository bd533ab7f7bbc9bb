"""How often Python's cycle collector runs in an ``orderdesk`` process.

At its defaults, a young collection every 700 new objects and each older
generation every 10 of the one below, a sync spent about a quarter of its CPU
time in the collector with the findings kept, and a seventh without. Synced
in process from a day of simulated traffic (74,167 records), it stored 2,335
records a second with the findings and 3,354 without at Python's thresholds,
3,063 and 3,943 at a young collection every 50,000 objects (``python -m
benchmarks.sync_throughput --history 1d --history-rate 20/min``, with
``--python-collector`` and without). Each page parses a thousand records into
many small objects that live until the page is stored, and the writer keeps
the records of recent pages' orders for the findings
(``stored_findings.ReferenceIndex``): the default thresholds kept promoting
all of them and walking them again.

Every 100,000 objects rather than 50,000: a page being saved with its
findings, and the next one fetched meanwhile, held more than 50,000 objects
at once, so every other page or so had a young collection walking its thousand
records (about 65,000 objects, 34 ms each as a median). In the same
backfill, timed by the collector's own callbacks, that was 38 collections
and 1.4 s, the longest a 206 ms older one; at 100,000, 8 collections and
0.5 s, none longer than 81 ms. Without the findings: 2 young collections
at 50,000, 1 at 100,000. The console's keys were no slower for it
(``benchmarks.tui_latency``, one run each way on a store of 200,000 records).

Nothing orderdesk does depends on when a cycle is collected: reference
counting still frees everything else at once. The console, which also syncs
in its process, sets aside (``gc.freeze``) what it made at startup.
"""

from __future__ import annotations

import gc

__all__ = ["OLDER_EVERY", "YOUNG_EVERY", "collect_less_often"]

#: New objects between two young collections (Python's default: 700).
YOUNG_EVERY = 100_000
#: Collections of a generation between two of the next one up (Python's default: 10).
OLDER_EVERY = 20


def collect_less_often() -> None:
    """Set this process's collector thresholds to orderdesk's (see the module's docstring)."""
    gc.set_threshold(YOUNG_EVERY, OLDER_EVERY, OLDER_EVERY)
