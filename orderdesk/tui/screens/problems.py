"""The Problems screen: what is going wrong now, and for whom, one row per problem group.

Each group holds two lines: its state over its trend, its orders, the problem
over its cause, the customer over the printer, when it was last and first
seen. What a column shortens (a long name, the cause) the line under the
table says whole, for the highlighted group.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime, timedelta, tzinfo
from typing import ClassVar

from rich.text import Text
from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.content import Content
from textual.screen import Screen
from textual.widgets import DataTable, Static

from orderdesk import i18n, strings
from orderdesk.core.bulk_plan import ACTING_RULES
from orderdesk.core.problems import ProblemGroup, ProblemState, backfill_pending, problem_groups
from orderdesk.core.records import Party
from orderdesk.core.store import Store
from orderdesk.problems_looked import LastLooked
from orderdesk.tui.keys import TranslatedKeys
from orderdesk.tui.list_filter import ListFilter, TimeWindow
from orderdesk.tui.messages import ActingWanted, ProblemOrdersWanted, TimeRangeWanted
from orderdesk.tui.safe_text import safe_plain
from orderdesk.tui.widgets.filter_bar import FilterBar
from orderdesk.tui.widgets.key_footer import KeyFooter
from orderdesk.tui.widgets.status_line import Freshness, StatusLine

__all__ = ["ProblemsScreen", "moment", "rule_label", "shortened", "sparkline"]

# A bucket with nothing is the baseline; any count at all stands above it.
_BARS = "▁▂▃▄▅▆▇█"
#: Bars of the trend: as many as fit beside the rest at 80 columns, more when wide.
_NARROW_BARS, _WIDE_BARS = 12, 24
_STATE_STYLES: dict[ProblemState, str] = {
    "new": "bold $text-warning",
    "ongoing": "",
    "quiet": "$text-muted",
}
# Cell padding on both sides of the five columns, and the scrollbar.
_CHROME = 5 * 2 + 1


def rule_label(rule: str) -> str:
    """A finding rule as people call it."""
    return strings.PROBLEM_RULES.get(rule, rule)


def sparkline(counts: Sequence[int]) -> str:
    """One bar per bucket, its height the bucket's share of the busiest one."""
    top = max(counts, default=0)
    steps = len(_BARS) - 1
    return "".join(_BARS[0 if n == 0 else max(1, round(n / top * steps))] for n in counts)


def shortened(text: str, width: int) -> str:
    """``text`` within ``width`` cells, an ellipsis saying where it was cut."""
    return text if len(text) <= width else text[: max(0, width - 1)] + "…"


def moment(at: datetime, zone: tzinfo, now: datetime) -> str:
    """A time as the lists write it: with its day unless it is within the last hours."""
    style = "clock_minutes" if now - at < timedelta(hours=12) else "day_minutes"
    return i18n.format_moment(at.astimezone(zone), style)


def _party(party: Party | None) -> str:
    return safe_plain(party.name or party.id) if party is not None else strings.PROBLEM_NO_PRINTER


class ProblemsScreen(TranslatedKeys, Screen[None]):
    """The open problem groups over a time window, gravest and biggest first."""

    BINDINGS: ClassVar[list[BindingType]] = [
        # Priority, so the key shows in the footer over the table's own silent binding.
        Binding("enter", "open_group", strings.KEY_ORDERS, priority=True),
        Binding("t", "time_range", strings.KEY_TIME),
        Binding("R", "act_on_many", strings.KEY_ACT_ON_MANY),
        Binding("escape", "app.leave_problems", strings.KEY_BACK_TO_LIST, show=False),
    ]

    def __init__(
        self,
        store: Store,
        *,
        zone: tzinfo,
        now: Callable[[], datetime],
        freshness: Freshness,
        looked: LastLooked,
        window: TimeWindow | None = None,
    ) -> None:
        super().__init__(id="problems")
        self.store = store
        self.zone = zone
        self.window = window or TimeWindow(preset="24h")
        self.groups: list[ProblemGroup] = []
        self._now = now
        self._freshness = freshness
        self._looked = looked
        #: The last look before this visit: what is new is new since then.
        self._since_look: datetime | None = looked.at
        self._width = 0
        #: Not read since the screen was last left (Textual may resume a screen twice).
        self._stale = True

    def compose(self) -> ComposeResult:
        """The window on top, the groups, the highlighted one whole, freshness, keys."""
        yield FilterBar(id="filter-bar")
        yield Static(id="problems-message")
        yield DataTable(id="problem-groups", cursor_type="row", header_height=2)
        yield Static(id="problem-detail")
        yield StatusLine(self._freshness, self._now, self.zone, id="status-line")
        yield KeyFooter()

    def on_mount(self) -> None:
        """Size the columns for the terminal; the groups are read as the screen comes in front."""
        self.sub_title = strings.TITLE_PROBLEMS
        self._width = self.app.size.width

    def on_resize(self, event: events.Resize) -> None:
        """Columns share another width."""
        if event.size.width != self._width:
            self._width = event.size.width
            self.reload()

    # -- reading ---------------------------------------------------------------------

    def reload(self) -> None:
        """Read the groups again, the cursor staying on its group."""
        if not self.is_mounted:
            return
        now = self._now()
        span = self.window.resolve(now=now, zone=self.zone)
        bars = _NARROW_BARS if self._width < 120 else _WIDE_BARS
        self.groups = problem_groups(
            self.store, now=now, since=span.since, until=span.until, buckets=bars
        )
        self._fill(now, pending=backfill_pending(self.store))

    def _fill(self, now: datetime, *, pending: bool) -> None:
        table = self.query_one("#problem-groups", DataTable)
        row = table.cursor_row
        table.clear(columns=True)
        self._add_columns(table, now)
        for group in self.groups:
            table.add_row(*self._cells(group, now), height=2)
        if self.groups:
            table.move_cursor(row=min(max(row, 0), len(self.groups) - 1))
        self._say(now, pending=pending)
        self._describe(table.cursor_row)
        self._draw_bar(now)
        table.focus()

    def _say(self, now: datetime, *, pending: bool) -> None:
        """Why there is no group, or that there may be more than shown."""
        message = self.query_one("#problems-message", Static)
        if pending:
            text = strings.PROBLEMS_PENDING
        elif not self.groups:
            text = strings.PROBLEMS_NONE_IN_RANGE.format(window=self.window.label())
        else:
            text = ""
        message.update(Content(text))
        message.set_class(not text, "-empty")
        self.query_one("#problem-groups").display = bool(self.groups)

    # -- the columns -----------------------------------------------------------------

    def _add_columns(self, table: DataTable[Content], now: datetime) -> None:
        heads = strings.PROBLEM_HEADS
        states = strings.PROBLEM_STATES
        groups = self.groups
        bars = max((len(g.buckets) for g in groups), default=_NARROW_BARS)
        state = max(bars, *(len(heads[h]) for h in ("state", "trend")), *map(len, states.values()))
        counts = [i18n.format_number(g.orders) for g in groups]
        orders = max([len(heads["orders"]), *map(len, counts)])
        seen = max(
            len(heads["last seen"]),
            len(heads["first seen"]),
            *(len(moment(g.first_seen, self.zone, now)) for g in groups),
            *(len(moment(g.last_seen, self.zone, now)) for g in groups),
        )
        names = [len(_party(p)) for g in groups for p in (g.customer, g.printer)]
        labels = [len(rule_label(g.rule)) for g in groups]
        room = self._width - _CHROME - state - orders - seen
        party_least = max(len(heads["customer"]), len(heads["printer"]), 12)
        problem_least = max(len(heads["problem"]), len(heads["cause"]), *labels, 12)
        # Names take what they need up to a share; the problem and its cause the rest.
        party = max(party_least, min(max(names, default=0), room - problem_least, room * 9 // 20))
        problem = max(problem_least, room - party)
        self._widths = (state, orders, problem, party, seen)
        for key, width in zip(
            ("state", "orders", "problem", "party", "seen"), self._widths, strict=True
        ):
            table.add_column(self._head(key), key=key, width=width)

    def _head(self, key: str) -> Text:
        heads = strings.PROBLEM_HEADS
        pairs = {
            "state": ("state", "trend"),
            "orders": ("orders", None),
            "problem": ("problem", "cause"),
            "party": ("customer", "printer"),
            "seen": ("last seen", "first seen"),
        }
        first, second = pairs[key]
        # Text, not a string, which the table would read as markup.
        return Text(heads[first] + ("\n" + heads[second] if second else ""))

    def _cells(self, group: ProblemGroup, now: datetime) -> tuple[Content, ...]:
        _, _, problem_width, party_width, _ = self._widths
        state = group.state(now=now, last_looked=self._since_look)
        severity = "$text-error" if group.severity == "problem" else "$text-muted"
        cause = safe_plain(group.cause) if group.cause else strings.PROBLEM_NO_CAUSE
        return (
            Content.assemble(
                Content.styled(strings.PROBLEM_STATES[state], _STATE_STYLES[state]),
                "\n",
                Content.styled(sparkline(group.buckets), "$text-warning"),
            ),
            Content(i18n.format_number(group.orders).rjust(self._widths[1])),
            Content.assemble(
                Content.styled(shortened(rule_label(group.rule), problem_width), severity),
                "\n",
                shortened(cause, problem_width),
            ),
            Content(
                shortened(_party(group.customer), party_width)
                + "\n"
                + shortened(_party(group.printer), party_width)
            ),
            Content(
                moment(group.last_seen, self.zone, now)
                + "\n"
                + moment(group.first_seen, self.zone, now)
            ),
        )

    # -- the highlighted group -------------------------------------------------------

    @on(DataTable.RowHighlighted, "#problem-groups")
    def _highlighted(self, event: DataTable.RowHighlighted) -> None:
        self._describe(event.cursor_row)

    def _describe(self, row: int) -> None:
        detail = self.query_one("#problem-detail", Static)
        if not 0 <= row < len(self.groups):
            detail.update("")
            detail.add_class("-empty")
            return
        group, now = self.groups[row], self._now()
        said = strings.PROBLEM_DETAIL.format(
            customer=_party(group.customer),
            printer=_party(group.printer),
            orders=group.orders,
            findings=group.findings,
            first=moment(group.first_seen, self.zone, now),
            last=moment(group.last_seen, self.zone, now),
        )
        cause = safe_plain(group.cause) if group.cause else strings.PROBLEM_NO_CAUSE
        detail.update(
            Content.assemble(
                Content.styled(rule_label(group.rule), "bold"), ": ", cause, "\n", said
            )
        )
        detail.remove_class("-empty")

    def _draw_bar(self, now: datetime) -> None:
        self.query_one(FilterBar).show(
            title=strings.TITLE_PROBLEMS,
            list_filter=ListFilter(window=self.window),
            zone=self.zone,
            now=now,
            rows=strings.PROBLEM_GROUPS_COUNT.format(count=len(self.groups)),
        )

    # -- keys ------------------------------------------------------------------------

    def action_open_group(self) -> None:
        """List the highlighted group's orders."""
        row = self.query_one("#problem-groups", DataTable).cursor_row
        if self.groups and 0 <= row < len(self.groups):
            span = self.window.resolve(now=self._now(), zone=self.zone)
            self.post_message(ProblemOrdersWanted(self.groups[row], span.since, span.until))

    def action_act_on_many(self) -> None:
        """Redeliver or resubmit the highlighted group's records, when an action remedies it."""
        row = self.query_one("#problem-groups", DataTable).cursor_row
        if not self.groups or not 0 <= row < len(self.groups):
            return
        group = self.groups[row]
        if group.rule not in ACTING_RULES:
            self.notify(strings.BULK_NO_REMEDY.format(rule=rule_label(group.rule)), timeout=5)
            return
        span = self.window.resolve(now=self._now(), zone=self.zone)
        self.post_message(ActingWanted(group=group, since=span.since, until=span.until))

    def action_time_range(self) -> None:
        """Choose the time window."""
        self.post_message(TimeRangeWanted(self.window, self.set_window))

    def set_window(self, window: TimeWindow | None) -> None:
        """Show the groups of another time window (None: keep this one)."""
        if window is not None:
            self.window = window
            self.reload()

    def set_zone(self, zone: tzinfo) -> None:
        """Show times in another zone."""
        self.zone = zone
        if self.is_mounted:
            self.query_one(StatusLine).zone = zone
            self.reload()

    # -- looking ---------------------------------------------------------------------

    def on_screen_resume(self) -> None:
        """Back in front: read again, new meaning new since the last look."""
        for line in self.query(StatusLine):
            if line.is_mounted:
                line.resume()
        if self._stale:
            self._stale = False
            self._since_look = self._looked.at
            self.reload()

    def on_unmount(self) -> None:
        """The console closes: if the problems were in front, the user saw them."""
        if not self._stale:
            self._looked.saw(self._now())

    def on_screen_suspend(self) -> None:
        """Left: the user has seen what was here."""
        self._looked.saw(self._now())
        self._stale = True
        for line in self.query(StatusLine):
            line.pause()
