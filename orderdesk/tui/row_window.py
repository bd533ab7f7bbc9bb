"""The rows of a list around the viewport, fetched from the store in keyset pages.

A list over a million records cannot be loaded, and a keyset cannot jump to
an offset (``OFFSET 900000`` walks 900,000 rows). So the window holds a few
consecutive pages, grows by one page as the viewport moves past its edge,
and forgets the pages farthest away. A far jump (the scrollbar dragged to
the middle) maps the position to a moment, interpolating between the newest
and the oldest row's ``created_at``, and reads the page that starts there:
the rows shown are then about, not exactly, at that position, which a
scrollbar cannot tell apart. When the window later reaches either end of
the list, its positions are corrected to the exact ones.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Protocol

from orderdesk.core.queries import Cursor, RecordQuery, RecordSummary

__all__ = ["PageFetcher", "RowWindow"]


class PageFetcher(Protocol):
    """Reads one keyset page of summaries (``list_summaries`` bound to a store)."""

    def __call__(
        self,
        query: RecordQuery,
        *,
        after: Cursor | None = None,
        limit: int = 100,
        newest_first: bool = True,
    ) -> list[RecordSummary]: ...


class RowWindow:
    """Consecutive rows ``[start, start + len(rows))`` of a query's list, newest first."""

    def __init__(
        self,
        fetch: PageFetcher,
        query: RecordQuery,
        *,
        page_size: int = 100,
        keep_pages: int = 6,
        on_fetch: Callable[[int], None] | None = None,
    ) -> None:
        self._fetch = fetch
        self.query = query
        self.page_size = page_size
        self._keep = keep_pages * page_size
        self._on_fetch = on_fetch
        self.rows: list[RecordSummary] = []
        self.start = 0
        self.at_head = False
        self.at_tail = False
        #: How many rows match; None until counted (or until the tail is reached).
        self.total: int | None = None
        self._bounds: tuple[datetime, datetime] | None = None
        #: Pages read since this window was made, and the rows they held.
        self.pages_read = 0
        self.rows_read = 0

    # -- reading ---------------------------------------------------------------------

    def row(self, index: int) -> RecordSummary | None:
        """The row at ``index`` if the window holds it (never fetches)."""
        offset = index - self.start
        return self.rows[offset] if 0 <= offset < len(self.rows) else None

    @property
    def length(self) -> int:
        """The list's length as far as known: exact once counted, a lower bound before."""
        if self.total is not None:
            return self.total
        end = self.start + len(self.rows)
        return end if self.at_tail else end + self.page_size

    # -- moving ----------------------------------------------------------------------

    def ensure(self, first: int, last: int) -> int:
        """Hold rows ``[first, last)`` as far as they exist; returns how far positions moved.

        Positions move when a window placed by interpolation reaches an end of
        the list and learns the exact ones; the caller shifts its scroll by it.
        """
        first = max(0, first)
        if not self.rows:
            if first < 2 * self.page_size or self.total is None:
                self._load_head()
            else:
                self._jump(first)
        end = self.start + len(self.rows)
        far = 3 * self.page_size
        if (first >= end + far and not self.at_tail) or (last <= self.start - far):
            self._jump(first)
        shift = 0
        while last + shift > self.start + len(self.rows) and not self.at_tail:
            shift += self._extend_older()
        while first + shift < self.start and not self.at_head:
            shift += self._extend_newer()
        self._trim(first + shift, last + shift)
        return shift

    def load_tail(self) -> None:
        """Read the oldest page directly (the end key), instead of walking to it."""
        page = self._read(None, newest_first=False)
        page.reverse()
        total = self.total if self.total is not None else len(page)
        self.rows, self.start = page, max(0, total - len(page))
        self.at_tail, self.at_head = True, self.start == 0

    def anchor(self, summary: RecordSummary, index_if_deep: Callable[[], int]) -> int | None:
        """Reload around a record that was on screen; returns its new position, None if gone.

        ``index_if_deep`` counts its position, asked only when more than a page
        of rows is now newer than it (otherwise the page read gives it free).
        """
        newer = self._read(summary.cursor, newest_first=False)
        newer.reverse()
        after = newer[-1].cursor if newer else None
        older = self._read(after, newest_first=True)
        if not older or older[0].id != summary.id:
            return None
        index = len(newer) if len(newer) < self.page_size else index_if_deep()
        self.rows = newer + older
        self.start = index - len(newer)
        self.at_head = self.start == 0
        self.at_tail = len(older) < self.page_size
        return index

    def _load_head(self) -> None:
        page = self._read(None, newest_first=True)
        self.rows, self.start, self.at_head = page, 0, True
        self.at_tail = len(page) < self.page_size
        if self.at_tail:
            self.total = len(page)

    def _jump(self, target: int) -> None:
        length = self.length
        if target >= length - self.page_size:
            self.load_tail()
            return
        if target < self.page_size:
            self._load_head()
            return
        newest, oldest = self._time_bounds()
        moment = newest - (newest - oldest) * (target / max(1, length - 1))
        # Cursor(moment, "") continues with rows created strictly before the moment.
        page = self._read(Cursor(moment, ""), newest_first=True)
        if not page:
            self.load_tail()
            return
        self.rows, self.start = page, target
        self.at_head, self.at_tail = False, len(page) < self.page_size

    def _extend_older(self) -> int:
        after = self.rows[-1].cursor if self.rows else None
        page = self._read(after, newest_first=True)
        self.rows.extend(page)
        if len(page) < self.page_size:
            self.at_tail = True
            end = self.start + len(self.rows)
            if self.total is None:
                self.total = end
            elif end != self.total and not self.at_head:
                shift = self.total - end
                self.start += shift
                return shift
        return 0

    def _extend_newer(self) -> int:
        page = self._read(self.rows[0].cursor, newest_first=False)
        page.reverse()
        self.rows[:0] = page
        self.start -= len(page)
        if len(page) < self.page_size:
            self.at_head = True
            shift = -self.start
            self.start = 0
            return shift
        return 0

    def _trim(self, first: int, last: int) -> None:
        excess = len(self.rows) - self._keep
        if excess <= 0:
            return
        # Forget the side farther from what is on screen.
        above = first - self.start
        below = self.start + len(self.rows) - last
        if above >= below:
            cut = min(excess, max(0, above))
            del self.rows[:cut]
            self.start += cut
            self.at_head = self.at_head and cut == 0
        else:
            cut = min(excess, max(0, below))
            if cut:
                del self.rows[-cut:]
                self.at_tail = False

    def _time_bounds(self) -> tuple[datetime, datetime]:
        if self._bounds is None:
            newest = self._fetch(self.query, limit=1, newest_first=True)
            oldest = self._fetch(self.query, limit=1, newest_first=False)
            self._count(newest)
            self._count(oldest)
            if not newest or not oldest:
                raise LookupError("the list is empty")
            self._bounds = (newest[0].created_at, oldest[0].created_at)
        return self._bounds

    def _read(self, after: Cursor | None, *, newest_first: bool) -> list[RecordSummary]:
        page = self._fetch(self.query, after=after, limit=self.page_size, newest_first=newest_first)
        self._count(page)
        return page

    def _count(self, page: list[RecordSummary]) -> None:
        self.pages_read += 1
        self.rows_read += len(page)
        if self._on_fetch is not None:
            self._on_fetch(len(page))
