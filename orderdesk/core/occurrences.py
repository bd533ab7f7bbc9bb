"""Where a word occurs in a text shown line by line: the hits of a search inside a stage."""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Sequence
from itertools import accumulate
from typing import NamedTuple

__all__ = ["MAX_HITS", "Hit", "find_occurrences"]

#: A one-letter search in a megabyte body would find hundreds of thousands of
#: hits; past this many, the first ones are shown and the count says "or more".
MAX_HITS = 10_000


class Hit(NamedTuple):
    """One occurrence: its line, and its first and past-the-end columns in that line."""

    line: int
    start: int
    end: int


def find_occurrences(lines: Sequence[str], needle: str, limit: int = MAX_HITS) -> list[Hit]:
    """Every case-insensitive occurrence of ``needle`` in ``lines``, in reading order.

    Occurrences do not overlap and never span lines; an empty needle finds nothing.
    """
    if not needle or "\n" in needle:
        return []
    # One pass of one regular expression over the joined text is several times
    # faster than a search per line on a body of twenty thousand lines.
    text = "\n".join(lines)
    starts = [0, *accumulate(len(line) + 1 for line in lines)]
    hits: list[Hit] = []
    for match in re.finditer(re.escape(needle), text, re.IGNORECASE):
        line = bisect_right(starts, match.start()) - 1
        hits.append(Hit(line, match.start() - starts[line], match.end() - starts[line]))
        if len(hits) >= limit:
            break
    return hits
