"""The visible records of one kind, kept sorted by ``(updated_at, id)`` for keyset pages.

A page is two bisections and a slice, so a 1,000-record page costs the same
whether the ledger holds a hundred records or a million.
"""

from __future__ import annotations

import heapq
from bisect import bisect_left, bisect_right, insort
from datetime import UTC, datetime, timedelta
from itertools import count

from orderdesk.core.records import LogRecord

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICROSECOND = timedelta(microseconds=1)

Key = tuple[int, str]


def micros(moment: datetime) -> int:
    """Microseconds since the epoch: a cheap, exact sort key for a timestamp."""
    return (moment - _EPOCH) // _MICROSECOND


def record_key(record: LogRecord) -> Key:
    """Where a record version sits in its list endpoint."""
    # Python compares str by code point, which is the order of their UTF-8
    # bytes, so this is the contract's "ids compared as byte strings".
    return (micros(record.updated_at), record.id)


class Ledger:
    """Visible record versions of one kind, plus the versions waiting to become visible."""

    def __init__(self) -> None:
        self._keys: list[Key] = []
        self._current: dict[str, LogRecord] = {}
        self._hidden: list[tuple[int, int, LogRecord]] = []
        self._tiebreak = count()

    def __len__(self) -> int:
        return len(self._current)

    def get(self, record_id: str) -> LogRecord | None:
        """The visible version of one record, if any."""
        return self._current.get(record_id)

    def records(self) -> list[LogRecord]:
        """Every visible record, in list-endpoint order."""
        return [self._current[record_id] for _, record_id in self._keys]

    def publish(self, record: LogRecord, *, replace: bool = False) -> None:
        """Make a version visible, unless a newer version is (``replace`` wins regardless)."""
        previous = self._current.get(record.id)
        key = record_key(record)
        if previous is not None:
            old_key = record_key(previous)
            if old_key >= key and not replace:
                # A late version arriving after its successor: the successor stays.
                return
            index = bisect_left(self._keys, old_key)
            if index < len(self._keys) and self._keys[index] == old_key:
                del self._keys[index]
        self._current[record.id] = record
        if not self._keys or key > self._keys[-1]:
            self._keys.append(key)  # the common case: the newest change so far
        else:
            insort(self._keys, key)

    def load(self, records: list[LogRecord]) -> None:
        """Publish many versions at once (a backfill): one sort instead of many inserts."""
        for record in records:
            previous = self._current.get(record.id)
            if previous is None or record_key(previous) < record_key(record):
                self._current[record.id] = record
        self._keys = sorted(record_key(record) for record in self._current.values())

    def hide_until(self, visible_at: datetime, record: LogRecord) -> None:
        """Keep a version out of sight until ``visible_at`` (late visibility)."""
        heapq.heappush(self._hidden, (micros(visible_at), next(self._tiebreak), record))

    def reveal(self, now: datetime | None = None) -> int:
        """Publish hidden versions whose time has come (all of them when ``now`` is None)."""
        limit = None if now is None else micros(now)
        revealed = 0
        while self._hidden and (limit is None or self._hidden[0][0] <= limit):
            _, _, record = heapq.heappop(self._hidden)
            self.publish(record)
            revealed += 1
        return revealed

    @property
    def hidden(self) -> int:
        """How many versions are still waiting to become visible."""
        return len(self._hidden)

    def page(
        self, after: Key, limit: int, *, oldest: datetime | None = None
    ) -> tuple[list[LogRecord], bool]:
        """The versions strictly after ``after``, ascending, and whether more follow."""
        start = bisect_right(self._keys, after)
        if oldest is not None:
            start = max(start, bisect_left(self._keys, (micros(oldest), "")))
        keys = self._keys[start : start + limit]
        has_more = start + limit < len(self._keys)
        return [self._current[record_id] for _, record_id in keys], has_more

    def visible_since(self, oldest: datetime) -> list[LogRecord]:
        """Every visible record updated at or after ``oldest``, in list-endpoint order."""
        start = bisect_left(self._keys, (micros(oldest), ""))
        return [self._current[record_id] for _, record_id in self._keys[start:]]
