"""The visible records of one kind, kept sorted by ``(updated_at, id)`` for keyset pages.

A page is two bisections and a slice, so a 1,000-record page costs the same
whether the ledger holds a hundred records or a million. Each record is kept as
its published JSON (``wire.Published``), so a page is served by joining bytes.
"""

from __future__ import annotations

import heapq
from bisect import bisect_left, bisect_right, insort
from collections.abc import Iterable
from itertools import count

from orderdesk.sim.wire import Published

#: A position in a list endpoint: (updated_at in micros, id). Python compares str by
#: code point, which is the order of their UTF-8 bytes, so this is the contract's
#: "ids compared as byte strings".
Key = tuple[int, str]


class Ledger:
    """Visible record versions of one kind, plus the versions waiting to become visible."""

    def __init__(self) -> None:
        self._keys: list[Key] = []
        self._current: dict[str, Published] = {}
        self._hidden: list[tuple[int, int, Published]] = []
        self._tiebreak = count()

    def __len__(self) -> int:
        return len(self._current)

    def get(self, record_id: str) -> Published | None:
        """The visible version of one record, if any."""
        return self._current.get(record_id)

    def publish(self, version: Published, *, replace: bool = False) -> None:
        """Make a version visible, unless a newer version is (``replace`` wins regardless)."""
        previous = self._current.get(version.id)
        key = (version.at, version.id)
        if previous is not None:
            old_key = (previous.at, previous.id)
            if old_key >= key and not replace:
                # A late version arriving after its successor: the successor stays.
                return
            index = bisect_left(self._keys, old_key)
            if index < len(self._keys) and self._keys[index] == old_key:
                del self._keys[index]
        self._current[version.id] = version
        if not self._keys or key > self._keys[-1]:
            self._keys.append(key)  # the common case: the newest change so far
        else:
            insort(self._keys, key)

    def load(self, versions: Iterable[Published]) -> None:
        """Publish many versions at once (a backfill): one sort instead of many inserts."""
        current = self._current
        for version in versions:
            previous = current.get(version.id)
            if previous is None or previous.at < version.at:
                current[version.id] = version
        self._keys = sorted((version.at, version.id) for version in current.values())

    def hide_until(self, visible_at: int, version: Published) -> None:
        """Keep a version out of sight until ``visible_at`` (micros; late visibility)."""
        heapq.heappush(self._hidden, (visible_at, next(self._tiebreak), version))

    def reveal(self, limit: int | None = None) -> int:
        """Publish hidden versions due by ``limit`` (micros; all of them when None)."""
        revealed = 0
        while self._hidden and (limit is None or self._hidden[0][0] <= limit):
            _, _, version = heapq.heappop(self._hidden)
            self.publish(version)
            revealed += 1
        return revealed

    @property
    def hidden(self) -> int:
        """How many versions are still waiting to become visible."""
        return len(self._hidden)

    def page(self, after: Key, limit: int, *, oldest: int = 0) -> tuple[list[Published], bool]:
        """The versions strictly after ``after``, ascending, and whether more follow.

        Versions updated before ``oldest`` (micros) are out of retention.
        """
        start = max(bisect_right(self._keys, after), bisect_left(self._keys, (oldest, "")))
        keys = self._keys[start : start + limit]
        has_more = start + limit < len(self._keys)
        return [self._current[record_id] for _, record_id in keys], has_more

    def visible_since(self, oldest: int) -> list[Published]:
        """Every visible version updated at or after ``oldest`` (micros), in list order."""
        start = bisect_left(self._keys, (oldest, ""))
        return [self._current[record_id] for _, record_id in self._keys[start:]]
