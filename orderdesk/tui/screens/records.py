"""The Requests and Postbacks screens: a filtered list, what filters it, and how fresh it is."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import datetime, tzinfo
from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Input, Static

from orderdesk import strings
from orderdesk.core.errors import FilterSyntaxError
from orderdesk.core.filter_language import parse
from orderdesk.core.parties import known_parties
from orderdesk.core.queries import RecordQuery
from orderdesk.core.records import Kind
from orderdesk.core.store import Store
from orderdesk.export import Exported
from orderdesk.tui.empty_list import empty_text
from orderdesk.tui.keys import TranslatedKeys
from orderdesk.tui.list_filter import ListFilter, TimeWindow
from orderdesk.tui.messages import (
    ActingWanted,
    ExportWanted,
    FiltersWanted,
    RecordHighlighted,
    TimeRangeWanted,
)
from orderdesk.tui.safe_text import safe, safe_plain
from orderdesk.tui.widgets import columns
from orderdesk.tui.widgets.filter_bar import FilterBar
from orderdesk.tui.widgets.key_footer import KeyFooter
from orderdesk.tui.widgets.query_prompt import QueryPrompt
from orderdesk.tui.widgets.record_list import RecordList
from orderdesk.tui.widgets.status_line import Freshness, StatusLine
from orderdesk.tui.widgets.volume import VolumeBar

__all__ = ["RecordsScreen"]


def _pointed(text: str, position: int) -> Content:
    """The query with the word where it goes wrong in reverse video."""
    end = position
    while end < len(text) and not text[end].isspace():
        end += 1
    wrong = safe_plain(text[position:end]) or " "  # a value missing at the very end
    return Content.assemble(
        safe(text[:position]), Content.styled(wrong, "reverse"), safe(text[end:])
    )


def _title(kind: Kind) -> str:
    return strings.TITLE_REQUESTS if kind == "requests" else strings.TITLE_POSTBACKS


class RecordsScreen(TranslatedKeys, Screen[None]):
    """Records of one kind, newest first, over a time window, with the freshness line."""

    # The footer shows what finds a record; the ? screen lists every key.
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("slash", "search", strings.KEY_SEARCH),
        Binding("f", "filters", strings.KEY_FILTERS),
        Binding("t", "time_range", strings.KEY_TIME),
        Binding("e", "errors_only", strings.KEY_ERRORS),
        Binding("x", "clear_filters", strings.KEY_CLEAR, show=False),
        Binding("exclamation_mark", "toggle_query", strings.KEY_QUERY_TOGGLE, show=False),
        Binding("F", "follow", strings.KEY_FOLLOW, show=False),
        Binding("M", "marked_only", strings.KEY_MARKED_ONLY, show=False),
        Binding("X", "export", strings.KEY_EXPORT, show=False),
        # The footer at 80 columns is full: the ? screen and the palette offer it.
        Binding("R", "act_on_many", strings.KEY_ACT_ON_MANY, show=False),
        Binding(
            "left_square_bracket,right_square_bracket", "volume", strings.KEY_VOLUME, show=False
        ),
    ]

    def __init__(
        self,
        store: Store,
        kind: Kind,
        *,
        zone: tzinfo,
        now: Callable[[], datetime],
        freshness: Freshness,
        list_filter: ListFilter | None = None,
    ) -> None:
        super().__init__(id=kind)
        self.kind = kind
        self.list_filter = list_filter or ListFilter()
        self.zone = zone
        self._store = store
        self._now = now
        self._freshness = freshness
        #: Ids of the records marked on this screen, kept for the session across filters.
        self.marks: set[str] = set()
        self.marked_only = False
        self._parties: tuple[list[str], list[str]] | None = None

    @property
    def record_list(self) -> RecordList:
        """The list widget."""
        return self.query_one(RecordList)

    def compose(self) -> ComposeResult:
        """Filters on top, the list, the search box when asked for, freshness, keys."""
        yield FilterBar(id="filter-bar")
        yield VolumeBar(self._store, self.zone, self._now, id="volume")
        yield RecordList(self._store, self._query(), self.zone, marks=self.marks, id="record-list")
        yield Static(id="record-detail")
        yield Static(id="search-error")
        yield QueryPrompt(self.kind, self._party_names, id="search")
        yield StatusLine(self._freshness, self._now, self.zone, id="status-line")
        yield KeyFooter()

    def on_mount(self) -> None:
        """Count the list in the background and draw the bar."""
        self.sub_title = _title(self.kind)
        self.record_list.show(self._query())
        self.record_list.focus()
        self.call_after_refresh(self._count_volume)

    def _query(self) -> RecordQuery:
        query = self.list_filter.query(self.kind, now=self._now(), zone=self.zone)
        if self.marked_only:
            query = query.only(sorted(self.marks))
        return query

    # -- filters ---------------------------------------------------------------------

    def apply_filter(self, list_filter: ListFilter) -> None:
        """Show the list with another filter."""
        self.list_filter = list_filter
        if self.is_mounted:
            self.record_list.show(self._query())
            self._count_volume()

    def action_search(self) -> None:
        """Type a filter query: words to find, and field terms such as status:failed."""
        self._parties = None  # customers and printers may have arrived since
        search = self.query_one("#search", QueryPrompt)
        search.value = self.list_filter.search or ""
        search.cursor_position = len(search.value)
        search.history.rewind()
        search.add_class("shown")
        search.focus()

    def _party_names(self) -> tuple[list[str], list[str]]:
        """The customers' and printers' names the store knows, read once per prompt."""
        if self._parties is None:
            customers, printers = (
                [name for _, name in known_parties(self._store, self.kind, role)]
                for role in ("customer", "printer")
            )
            self._parties = (customers, printers)
        return self._parties

    @on(Input.Submitted, "#search")
    def _searched(self, event: Input.Submitted) -> None:
        text = event.value.strip()
        error = self.query_one("#search-error", Static)
        try:
            parse(text, self.kind)
        except FilterSyntaxError as mistake:
            # The list keeps its results; the prompt stays open at the mistake.
            error.update(
                Content.assemble(safe(str(mistake)), "\n", _pointed(text, mistake.position))
            )
            error.add_class("shown")
            blanks = len(event.value) - len(event.value.lstrip())  # parse() saw it stripped
            event.input.cursor_position = mistake.position + blanks
            return
        self._close_prompt()
        if text:
            self.query_one("#search", QueryPrompt).history.add(text)
        self.apply_filter(replace(self.list_filter, search=text or None, query_off=False))

    @on(Input.Changed, "#search")
    def _edited(self) -> None:
        self.query_one("#search-error", Static).remove_class("shown")

    def action_close_prompt(self) -> None:
        """Close the search box without searching."""
        self._close_prompt()

    def _close_prompt(self) -> None:
        self.query_one("#search", Input).remove_class("shown")
        self.query_one("#search-error", Static).remove_class("shown")
        self.record_list.focus()

    def key_escape(self) -> bool | None:
        """Escape closes the search box without searching."""
        search = self.query_one("#search", Input)
        if search.has_class("shown"):
            self._close_prompt()
            return True
        return None

    def action_toggle_query(self) -> None:
        """Turn the typed query off, keeping it, or back on."""
        if not self.list_filter.search:
            self.notify(strings.QUERY_NONE, timeout=2)
            return
        off = not self.list_filter.query_off
        self.apply_filter(replace(self.list_filter, query_off=off))
        self.notify(strings.QUERY_OFF if off else strings.QUERY_ON, timeout=2)

    def action_filters(self) -> None:
        """Choose statuses, customer and printer."""
        self.post_message(FiltersWanted(self.kind, self.list_filter, self._filtered))

    def _filtered(self, chosen: ListFilter | None) -> None:
        if chosen is not None:
            self.apply_filter(chosen)

    def action_time_range(self) -> None:
        """Choose the time window."""
        self.post_message(TimeRangeWanted(self.list_filter.window, self._windowed))

    def _windowed(self, window: TimeWindow | None) -> None:
        if window is not None:
            self.apply_filter(self.list_filter.with_window(window))

    def action_errors_only(self) -> None:
        """Show only failed (and retrying) records, or everything again."""
        errors_only = not self.list_filter.errors_only
        self.apply_filter(replace(self.list_filter, errors_only=errors_only))
        self.notify(strings.ERRORS_ON if errors_only else strings.ERRORS_OFF, timeout=2)

    def action_clear_filters(self) -> None:
        """Drop every filter but the time window."""
        self.apply_filter(self.list_filter.cleared())
        self.notify(strings.FILTERS_CLEARED, timeout=2)

    def action_follow(self) -> None:
        """Keep the newest record under the cursor as records arrive."""
        self.record_list.follow = True
        self.record_list.action_first()

    # -- marks -----------------------------------------------------------------------

    def action_marked_only(self) -> None:
        """Show only the marked records, or every record again."""
        if not self.marked_only and not self.marks:
            self.notify(strings.NOTHING_MARKED, timeout=3)
            return
        self.marked_only = not self.marked_only
        self.record_list.show(self._query())
        self._count_volume()
        if self.marked_only:
            self.notify(strings.MARKED_ONLY_ON.format(count=len(self.marks)), timeout=2)
        else:
            self.notify(strings.MARKED_ONLY_OFF, timeout=2)

    @on(RecordList.MarksChanged)
    def _marks_changed(self) -> None:
        if self.marked_only:
            # An unmarked record leaves the marked-only list at once.
            self.record_list.reload(self._query())
        self._draw_bar()

    def _mark_chips(self) -> list[str]:
        if self.marked_only:
            return [strings.CHIP_MARKED_ONLY.format(count=len(self.marks))]
        return [strings.CHIP_MARKED.format(count=len(self.marks))] if self.marks else []

    # -- export ----------------------------------------------------------------------

    def action_export(self) -> None:
        """Write the list, or the marked records, to a JSON lines or CSV file."""
        self.post_message(ExportWanted(self._query(), frozenset(self.marks), self._exported))

    def _exported(self, exported: Exported | None) -> None:
        if exported is None:
            return
        if exported.cancelled:
            message = strings.EXPORT_CANCELLED.format(path=exported.path)
        elif self.app.is_web:
            # In a browser, the file written on the server goes on to the user's computer.
            self.app.deliver_binary(exported.path, save_filename=exported.path.name)
            message = strings.EXPORT_DOWNLOADED.format(count=exported.written, path=exported.path)
        else:
            message = strings.EXPORT_DONE.format(count=exported.written, path=exported.path)
        self.notify(message, timeout=8, markup=False)

    # -- acting ----------------------------------------------------------------------

    def action_act_on_many(self) -> None:
        """Redeliver or resubmit every record the list matches, or the marked ones."""
        query = self.list_filter.query(self.kind, now=self._now(), zone=self.zone)
        self.post_message(ActingWanted(query, frozenset(self.marks)))

    # -- volume ----------------------------------------------------------------------

    def action_volume(self) -> None:
        """Give the keys to the volume bar, on its newest bucket."""
        bar = self.query_one(VolumeBar)
        bar.focus()
        bar.action_select(0)

    def _count_volume(self) -> None:
        self.query_one(VolumeBar).count(self._query())

    @on(VolumeBar.Narrowed)
    def _narrowed(self, message: VolumeBar.Narrowed) -> None:
        # Written as the time-range dialog reads them, whatever the language: they are syntax.
        start = message.start.astimezone(self.zone).strftime("%Y-%m-%d %H:%M")
        end = message.end.astimezone(self.zone).strftime("%Y-%m-%d %H:%M")
        window = TimeWindow(preset=None, start=start, end=end)
        self.apply_filter(self.list_filter.with_window(window))
        self.record_list.focus()
        self.notify(strings.VOLUME_NARROWED.format(start=start, end=end), timeout=3, markup=False)

    # -- freshness -------------------------------------------------------------------

    def records_arrived(self) -> None:
        """The store changed: read again, the cursor's record staying where it is."""
        if self.is_mounted:
            self.record_list.reload(self._query())
            self._count_volume()

    def freshness_changed(self) -> None:
        """The sync moved on: an empty list's sentence may say something else now."""
        shown = self.query(RecordList)
        if shown and shown.first().total == 0:
            self._say_why_empty()

    def _say_why_empty(self) -> None:
        records = self.record_list
        if records.emptiness is None:
            return
        text = empty_text(records.emptiness, self.list_filter, self._freshness)
        if text != records.empty_text:
            records.empty_text = text
            records.refresh()

    def set_zone(self, zone: tzinfo) -> None:
        """Show times in another zone."""
        self.zone = zone
        if self.is_mounted:
            self.record_list.zone = zone
            self.query_one(VolumeBar).zone = zone
            self.query_one(StatusLine).zone = zone
            self.record_list.show(self._query())

    def on_screen_suspend(self) -> None:
        """Under a drill-down, the ages need no redraw: each would repaint the screen on top."""
        for line in self.query(StatusLine):
            line.pause()

    def on_screen_resume(self) -> None:
        """Back on top: the ages are redrawn at once."""
        for line in self.query(StatusLine):
            if line.is_mounted:
                line.resume()

    @on(RecordHighlighted)
    def _highlighted(self, message: RecordHighlighted) -> None:
        # What the columns cut (names, the error), whole, from the row already read.
        line = self.query_one("#record-detail", Static)
        summary = message.summary
        detail = columns.detail(summary) if summary is not None else Content("")
        if detail != line.content:  # rows of one customer and printer say the same: no redraw
            line.update(detail)
        line.set_class(summary is None, "-empty")
        records = self.record_list
        if records.cursor == 0:
            # The newest row is under the user's eyes: they have seen what arrived.
            self._freshness.unseen = 0
        self._freshness.following = records.follow
        self.query_one(StatusLine).redraw()
        self._draw_bar()

    def _draw_bar(self) -> None:
        records = self.record_list
        if records.total is None:
            rows = strings.ROWS_AT_LEAST.format(count=records.known_length)
        elif records.total == 0:
            rows = strings.ROWS_EXACT.format(count=0)
            self._say_why_empty()
        else:
            rows = strings.ROWS_EXACT.format(count=records.total)
        self.query_one(FilterBar).show(
            title=_title(self.kind),
            list_filter=self.list_filter,
            zone=self.zone,
            now=self._now(),
            rows=rows,
            extra_chips=self._mark_chips(),
        )
