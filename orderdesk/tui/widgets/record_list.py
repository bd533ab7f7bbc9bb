"""The virtual list of a Requests or Postbacks screen: only the visible rows, read in pages.

The widget draws line by line from a ``RowWindow`` and never holds the whole
range, so a store of a million records opens as fast as an empty one. The
cursor is a position in the list, anchored to its record: when new records
arrive above it, the position and the scroll move by as many rows, so the
row under the cursor stays where it was on screen.
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass, replace
from datetime import tzinfo
from functools import partial
from typing import ClassVar

from rich.segment import Segment
from rich.style import Style
from textual import events, on
from textual.binding import Binding, BindingType
from textual.geometry import Region, Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip
from textual.worker import Worker, WorkerState

from orderdesk import strings
from orderdesk.core.empty_result import AroundEmpty, look_around
from orderdesk.core.queries import RecordQuery, RecordSummary, count, list_summaries
from orderdesk.core.records import Kind
from orderdesk.core.store import Store
from orderdesk.tui.messages import OrderWanted, RecordHighlighted, RecordWanted, WorkerFailed
from orderdesk.tui.row_window import RowWindow
from orderdesk.tui.threads import in_thread
from orderdesk.tui.widgets import columns

__all__ = ["RecordList"]

_STATUS_CLASSES = {
    "failed": "record-list--failed",
    "retrying": "record-list--retrying",
    "pending": "record-list--pending",
}


class RecordList(ScrollView, can_focus=True):
    """Records of one kind, newest first, drawn from the store a page at a time."""

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "record-list--header",
        "record-list--cursor",
        "record-list--failed",
        "record-list--retrying",
        "record-list--pending",
        "record-list--empty",
    }
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("down,j", "move(1)", strings.KEY_DOWN, show=False),
        Binding("up,k", "move(-1)", strings.KEY_UP, show=False),
        Binding("pagedown,space", "page(1)", strings.KEY_PAGE_DOWN, show=False),
        Binding("pageup", "page(-1)", strings.KEY_PAGE_UP, show=False),
        Binding("g,home", "first", strings.KEY_FIRST, show=False),
        Binding("G,end", "last", strings.KEY_LAST, show=False),
        Binding("enter", "open", strings.KEY_OPEN),
        Binding("o", "order", strings.KEY_ORDER, show=False),
        Binding("m", "mark", strings.KEY_MARK, show=False),
    ]

    @dataclass
    class MarksChanged(Message):
        """A record was marked or unmarked."""

        record_id: str
        marked: bool

    def __init__(
        self,
        store: Store,
        query: RecordQuery,
        zone: tzinfo,
        *,
        page_size: int = 100,
        marks: set[str] | None = None,
        id: str | None = None,
    ) -> None:
        super().__init__(id=id)
        self._store = store
        #: Ids of the marked records: the screen's own set, shared so both see each change.
        self.marks = marks if marks is not None else set()
        self._page_size = page_size
        self.zone = zone
        self.cursor = 0
        #: Keep the newest row in view as records arrive; on until the user moves.
        self.follow = True
        #: Reads made since the widget was created: pages, rows and counts.
        self.pages_read = 0
        self.rows_read = 0
        self.counts_made = 0
        self._generation = 0
        self._window = self._new_window(query)
        self._highlighted_id: str | None = None
        #: What surrounds the query when its count came back empty.
        self.emptiness: AroundEmpty | None = None
        #: The sentence shown in place of rows when nothing matches, set by the screen.
        self.empty_text = ""

    @property
    def kind(self) -> Kind:
        """Requests or postbacks."""
        return self._window.query.kind

    @property
    def record_query(self) -> RecordQuery:
        """What the list shows (not ``query``: that is Textual's DOM query)."""
        return self._window.query

    @property
    def total(self) -> int | None:
        """How many records match, once counted."""
        return self._window.total

    @property
    def known_length(self) -> int:
        """The length the scrollbar uses: exact once counted, a lower bound before."""
        return self._window.length

    @property
    def highlighted(self) -> RecordSummary | None:
        """The record under the cursor."""
        self._window.ensure(self.cursor, self.cursor + 1)
        return self._window.row(self.cursor)

    # -- what is shown ---------------------------------------------------------------

    def show(self, query: RecordQuery) -> None:
        """Show another query's records, from the newest."""
        self._window = self._new_window(query)
        self.cursor = 0
        self.scroll_to(y=0, animate=False)
        self._window.ensure(0, self._page)
        self._start_count()
        self._after_move()

    def reload(self, query: RecordQuery) -> None:
        """The store changed (or the clock moved): read again, keeping the cursor's record."""
        anchor = None if self.follow else self._window.row(self.cursor)
        window = self._new_window(query)
        index = None
        if anchor is not None:
            index = window.anchor(anchor, partial(self._position_of, query, anchor))
        self._window = window
        if index is None:
            self.show(query)
            return
        shift = index - self.cursor
        self.cursor = index
        self._update_virtual_size()
        self.scroll_to(y=self.scroll_offset.y + shift, animate=False)
        self._start_count()
        self.refresh()

    def _position_of(self, query: RecordQuery, anchor: RecordSummary) -> int:
        # Rows created at or after the anchor's moment, less the anchor itself.
        # Rows sharing its exact microsecond would be miscounted by one or two;
        # the store's timestamps make that vanishingly rare.
        since = anchor.created_at if query.since is None else max(query.since, anchor.created_at)
        self.counts_made += 1
        return count(self._store, replace(query, since=since)) - 1

    def _new_window(self, query: RecordQuery) -> RowWindow:
        self._generation += 1
        return RowWindow(
            partial(list_summaries, self._store),
            query,
            page_size=self._page_size,
            on_fetch=self._fetched,
        )

    def _fetched(self, rows: int) -> None:
        self.pages_read += 1
        self.rows_read += rows

    def _start_count(self) -> None:
        # Known to be empty still goes to the worker: it finds out why.
        if self._window.total:
            self._update_virtual_size()
            return
        query, generation = self._window.query, self._generation
        in_thread(
            self,
            partial(self._count_in_thread, query, generation),
            group="count",
            name="count records",
        )

    @on(Worker.StateChanged)
    def _worker_changed(self, event: Worker.StateChanged) -> None:
        # The count's failure would stop here, unseen: pass it on to be shown.
        if event.state is WorkerState.ERROR:
            self.post_message(WorkerFailed(event.worker))

    def _count_in_thread(self, query: RecordQuery, generation: int) -> None:
        # A count over a million rows takes a while: off the event loop.
        self.counts_made += 1
        total = count(self._store, query)
        # Why it is empty decides the hint: a few one-row reads, off the event loop too.
        empty = look_around(self._store, query) if total == 0 else None
        self.app.call_from_thread(self._counted, generation, total, empty)

    def _counted(self, generation: int, total: int, empty: AroundEmpty | None = None) -> None:
        if generation != self._generation:
            return
        self.emptiness = empty
        self._window.total = total
        self._update_virtual_size()
        self.post_message(RecordHighlighted(self._window.row(self.cursor)))

    def _update_virtual_size(self) -> None:
        size = Size(self.scrollable_content_region.width, self._window.length + 1)
        if size != self.virtual_size:
            self.virtual_size = size
            self.refresh()

    # -- keys ------------------------------------------------------------------------

    @property
    def _page(self) -> int:
        return max(1, self.scrollable_content_region.height - 1)

    def action_move(self, rows: int) -> None:
        """Move the cursor by some rows."""
        self.follow = False
        self.move_to(self.cursor + rows)

    def action_page(self, pages: int) -> None:
        """Move the cursor and the view by a screenful."""
        self.follow = False
        self.scroll_to(y=self.scroll_offset.y + pages * self._page, animate=False)
        self.move_to(self.cursor + pages * self._page)

    def action_first(self) -> None:
        """Go to the newest record."""
        self.move_to(0)

    def action_last(self) -> None:
        """Go to the oldest record, reading the oldest page directly."""
        self.follow = False
        if self._window.total is None:
            self.counts_made += 1
            self._window.total = count(self._store, self._window.query)
        self._window.load_tail()
        self._update_virtual_size()
        self.move_to(self._window.length - 1)

    def action_open(self) -> None:
        """Open the drill-down of the record under the cursor."""
        summary = self.highlighted
        if summary is not None:
            self.post_message(RecordWanted(summary.kind, summary.id))

    def action_order(self) -> None:
        """Open the order of the record under the cursor."""
        summary = self.highlighted
        self.post_message(OrderWanted(summary.order_reference_id if summary else None))

    def action_mark(self) -> None:
        """Mark the record under the cursor, or unmark it."""
        summary = self.highlighted
        if summary is None:
            return
        marked = summary.id not in self.marks
        if marked:
            self.marks.add(summary.id)
        else:
            self.marks.discard(summary.id)
        self.refresh()
        self.post_message(self.MarksChanged(summary.id, marked))

    def move_to(self, index: int) -> None:
        """Put the cursor on a position, scrolling it into view."""
        self.cursor = max(0, min(index, self._window.length - 1))
        self._window.ensure(self.cursor, self.cursor + 1)
        self._update_virtual_size()
        self.cursor = max(0, min(self.cursor, self._window.length - 1))
        top, page = int(self.scroll_offset.y), self._page
        if self.cursor < top:
            self.scroll_to(y=self.cursor, animate=False)
        elif self.cursor >= top + page:
            self.scroll_to(y=self.cursor - page + 1, animate=False)
        self._after_move()

    def _after_move(self) -> None:
        self.refresh()
        summary = self._window.row(self.cursor)
        self.post_message(RecordHighlighted(summary))

    def on_click(self, event: events.Click) -> None:
        """A click selects a row; a double click opens it."""
        if event.y < 1:
            return
        self.follow = False
        self.move_to(int(self.scroll_offset.y) + event.y - 1)
        if event.chain >= 2:
            self.action_open()

    # -- drawing ---------------------------------------------------------------------

    def on_resize(self) -> None:
        """Columns depend on the width, the scrollbar on the height; the cursor stays in view."""
        self._update_virtual_size()
        # The line under the list grows and shrinks with the highlighted row's error.
        top, page = int(self.scroll_offset.y), self._page
        if self.cursor >= top + page:
            self.scroll_to(y=self.cursor - page + 1, animate=False)

    def render_lines(self, crop: Region) -> list[Strip]:
        """Make sure the visible rows are read before they are drawn."""
        top = int(self.scroll_offset.y)
        shift = self._window.ensure(top, top + self._page)
        if shift:
            # The window learnt exact positions: move with it on the next frame.
            self.cursor += shift
            self.call_later(self.scroll_to, y=top + shift, animate=False)
        self.call_later(self._update_virtual_size)
        return super().render_lines(crop)

    def render_line(self, y: int) -> Strip:
        """The header on the first line, then one record per line."""
        width = self.scrollable_content_region.width
        # The mark takes one cell before the columns, with no gap: at 80 columns
        # the postbacks' columns leave exactly that one cell spare.
        rest = max(0, width - 1)
        layout = columns.layout(self.kind, rest)
        base = self.rich_style
        if y == 0:
            style = base + self.get_component_rich_style("record-list--header")
            return Strip([Segment(" " + columns.header(layout, rest), style)], width)
        index = int(self.scroll_offset.y) + y - 1
        summary = self._window.row(index)
        if summary is None:
            return self._empty_line(y - 2, width, base)
        style = base + self._row_style(summary, index)
        mark = strings.MARK if summary.id in self.marks else " "
        text = columns.line(columns.cells(summary, self.zone), layout, rest)
        return Strip([Segment(mark + text, style)], width)

    def _empty_line(self, index: int, width: int, base: Style) -> Strip:
        """A line of the empty list's sentence, under a blank line, once the count says empty."""
        if self._window.total != 0 or not self.empty_text:
            return Strip.blank(width, base)
        lines = textwrap.wrap(self.empty_text, max(10, width - 2))
        if not 0 <= index < len(lines):
            return Strip.blank(width, base)
        style = base + self.get_component_rich_style("record-list--empty")
        return Strip([Segment(" " + lines[index], style)], width)

    def _row_style(self, summary: RecordSummary, index: int) -> Style:
        style = Style()
        status_class = _STATUS_CLASSES.get(summary.status)
        if status_class is not None:
            style += self.get_component_rich_style(status_class)
        if index == self.cursor:
            style += self.get_component_rich_style("record-list--cursor")
        return style
