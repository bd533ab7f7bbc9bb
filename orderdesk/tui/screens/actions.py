"""The Actions screen: the action trail (log API 1.1), newest first, one action per two lines.

Who redelivered or resubmitted what, when, and how it went. Each row holds
two lines: when over its status, the actor over the kind, the target over
its order reference, and the answer's code. What a column shortens the line
under the table says whole, with the reason given, for the highlighted
action; enter opens the action's target record.

The box on top filters: ``status:failed``, ``actor:alice``, ``kind:resubmit``,
``order:REF`` and ``customer:NAME`` ask the store; any other word must be
found in what a row shows.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import datetime, tzinfo
from typing import ClassVar

from rich.text import Text
from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.content import Content
from textual.screen import Screen
from textual.widgets import DataTable, Input, Static

from orderdesk import strings
from orderdesk.action_words import action_result, result_code
from orderdesk.core.action_records import ActionRecord
from orderdesk.core.action_trail import (
    ActionFilter,
    count_actions,
    list_actions,
)
from orderdesk.core.errors import InputError
from orderdesk.core.store import Store
from orderdesk.tui.keys import TranslatedKeys
from orderdesk.tui.list_filter import ListFilter, TimeWindow
from orderdesk.tui.messages import RecordWanted, TimeRangeWanted
from orderdesk.tui.safe_text import safe_plain
from orderdesk.tui.screens.problems import moment, shortened
from orderdesk.tui.widgets.filter_bar import FilterBar
from orderdesk.tui.widgets.key_footer import KeyFooter

__all__ = ["ActionsScreen", "parse_action_filter"]

#: The newest actions read at once: a trail is made by people, a few a day.
SHOWN = 500
# Cell padding on both sides of the four columns, and the scrollbar.
_CHROME = 4 * 2 + 1
_FIELDS = {"status", "actor", "kind", "order", "customer"}


def parse_action_filter(text: str, base: ActionFilter) -> tuple[ActionFilter, list[str]]:
    """The typed filter: ``field:value`` terms asked of the store, and the words left."""
    where = base
    words: list[str] = []
    for term in text.split():
        field, colon, value = term.partition(":")
        field = field.casefold()
        if not colon or field not in _FIELDS or not value:
            words.append(term.casefold())
        elif field == "status":
            where = replace(where, status=value.casefold())  # type: ignore[arg-type]
        elif field == "kind":
            where = replace(where, kind=value.casefold())  # type: ignore[arg-type]
        elif field == "actor":
            where = replace(where, actor=value)
        elif field == "order":
            where = replace(where, order_reference_id=value)
        else:
            where = replace(where, customer=value)
    return where, words


def _target(action: ActionRecord) -> str:
    return safe_plain(f"{action.target.kind}/{action.target.id}")


def _shown_text(action: ActionRecord) -> str:
    """What a row shows, folded, for the filter's plain words."""
    parts = (
        action.actor,
        action.kind,
        action.status,
        action.target.id,
        action.order_reference_id or "",
        action.customer.name if action.customer else "",
        result_code(action),
        action.result.error if action.result and action.result.error else "",
    )
    return " ".join(parts).casefold()


class ActionsScreen(TranslatedKeys, Screen[None]):
    """The stored actions over a time window, newest first, filtered by what is typed."""

    DEFAULT_CSS = """
    #actions-filter { height: 1; border: none; padding: 0 1; }
    #actions-table { height: 1fr; scrollbar-size-vertical: 1; }
    #actions-message { height: auto; padding: 1 2; color: $text-warning; }
    #actions-message.-empty { display: none; }
    #action-detail { height: auto; max-height: 4; padding: 0 1; background: $boost; }
    #action-detail.-empty { display: none; }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        # Priority, so the key shows in the footer over the table's own silent binding.
        Binding("enter", "open_target", strings.KEY_OPEN_TARGET, priority=True),
        Binding("slash", "focus_filter", strings.KEY_ACTION_FILTER),
        Binding("t", "time_range", strings.KEY_TIME),
        Binding("escape", "leave", strings.KEY_BACK_TO_LIST, show=False),
    ]

    def __init__(
        self,
        store: Store,
        *,
        zone: tzinfo,
        now: Callable[[], datetime],
        window: TimeWindow | None = None,
    ) -> None:
        super().__init__(id="actions")
        self.store = store
        self.zone = zone
        self.window = window or TimeWindow(preset="all")
        #: The actions shown, newest first.
        self.actions: list[ActionRecord] = []
        #: Whether more actions matched than are shown.
        self.cut = False
        self.filter_text = ""
        self._now = now
        self._width = 0

    def compose(self) -> ComposeResult:
        """The window on top, the filter box, the actions, the highlighted one whole, keys."""
        yield FilterBar(id="filter-bar")
        yield Input(placeholder=strings.ACTIONS_FILTER_PLACEHOLDER, id="actions-filter")
        yield Static(id="actions-message")
        yield DataTable(id="actions-table", cursor_type="row", header_height=2)
        yield Static(id="action-detail")
        yield KeyFooter()

    def on_mount(self) -> None:
        """Read the actions for the terminal's width."""
        self.sub_title = strings.TITLE_ACTIONS
        self._width = self.app.size.width
        self.reload()
        # The list takes the keys; / goes to the filter box.
        self.query_one("#actions-table", DataTable).focus()

    def on_screen_resume(self) -> None:
        """Back in front: the sync may have brought actions meanwhile."""
        self.reload()

    def on_resize(self, event: events.Resize) -> None:
        """Columns share another width."""
        if event.size.width != self._width:
            self._width = event.size.width
            self.reload()

    # -- reading ---------------------------------------------------------------------

    def reload(self) -> None:
        """Read the actions again, the cursor staying where it was."""
        if not self.is_mounted:
            return
        now = self._now()
        try:
            span = self.window.resolve(now=now, zone=self.zone)
        except InputError as refused:
            self.notify(safe_plain(str(refused)), severity="warning", markup=False)
            return
        base = ActionFilter(since=span.since, until=span.until)
        where, words = parse_action_filter(self.filter_text, base)
        listed = list_actions(self.store, where, limit=SHOWN)
        self.actions = [
            action
            for action in listed.actions
            if all(word in _shown_text(action) for word in words)
        ]
        self.cut = listed.cut
        self._fill(now)

    def _fill(self, now: datetime) -> None:
        table = self.query_one("#actions-table", DataTable)
        row = table.cursor_row
        table.clear(columns=True)
        self._add_columns(table, now)
        for action in self.actions:
            table.add_row(*self._cells(action, now), height=2)
        if self.actions:
            table.move_cursor(row=min(max(row, 0), len(self.actions) - 1))
        self._say()
        self._describe(table.cursor_row)
        self._draw_bar(now)

    def _say(self) -> None:
        """Why there is no action: none stored, none in the window, or none that matches."""
        message = self.query_one("#actions-message", Static)
        text = ""
        if not self.actions:
            stored = count_actions(self.store)
            if not stored:
                text = strings.ACTIONS_SCREEN_NONE
            elif self.filter_text.strip():
                text = strings.ACTIONS_SCREEN_NONE_MATCH
            else:
                text = strings.ACTIONS_SCREEN_NONE_IN_RANGE.format(window=self.window.label())
        message.update(Content(text))
        message.set_class(not text, "-empty")
        self.query_one("#actions-table").display = bool(self.actions)

    # -- the columns -----------------------------------------------------------------

    def _add_columns(self, table: DataTable[Content], now: datetime) -> None:
        heads = strings.ACTION_HEADS
        actions = self.actions
        first = max(
            len(heads["when"]),
            len(heads["status"]),
            *(len(moment(a.created_at, self.zone, now)) for a in actions),
            *(len(a.status) for a in actions),
        )
        code = max(len(heads["code"]), 3)
        room = self._width - _CHROME - first - code
        who_least = max(len(heads["actor"]), len(heads["kind"]), len("redeliver"))
        what_least = max(len(heads["target"]), len(heads["order reference"]), 12)
        actors = [len(safe_plain(a.actor)) for a in actions]
        # The actor takes what it needs up to a third; the target and its order the rest.
        who = max(who_least, min(max(actors, default=0), room - what_least, room // 3))
        what = max(what_least, room - who)
        self._widths = (first, who, what, code)
        for key, width in zip(("first", "who", "what", "code"), self._widths, strict=True):
            table.add_column(self._head(key), key=key, width=width)

    def _head(self, key: str) -> Text:
        heads = strings.ACTION_HEADS
        pairs = {
            "first": ("when", "status"),
            "who": ("actor", "kind"),
            "what": ("target", "order reference"),
            "code": ("code", None),
        }
        top, under = pairs[key]
        # Text, not a string, which the table would read as markup.
        return Text(heads[top] + ("\n" + heads[under] if under else ""))

    def _cells(self, action: ActionRecord, now: datetime) -> tuple[Content, ...]:
        _, who, what, code = self._widths
        failed = action.status == "failed"
        status_style = "$text-error" if failed else "$text-success" if action.done else ""
        reference = safe_plain(action.order_reference_id or "-")
        return (
            Content.assemble(
                moment(action.created_at, self.zone, now),
                "\n",
                Content.styled(action.status, status_style),
            ),
            Content(shortened(safe_plain(action.actor), who) + "\n" + action.kind),
            Content(shortened(_target(action), what) + "\n" + shortened(reference, what)),
            Content(result_code(action).rjust(code)),
        )

    # -- the highlighted action ------------------------------------------------------

    @on(DataTable.RowHighlighted, "#actions-table")
    def _highlighted(self, event: DataTable.RowHighlighted) -> None:
        self._describe(event.cursor_row)

    def _describe(self, row: int) -> None:
        detail = self.query_one("#action-detail", Static)
        if not 0 <= row < len(self.actions):
            detail.update("")
            detail.add_class("-empty")
            return
        action = self.actions[row]
        said = strings.ACTION_DETAIL.format(
            kind=action.kind,
            target=_target(action),
            actor=safe_plain(action.actor),
            reference=safe_plain(action.order_reference_id or "-"),
            result=safe_plain(action_result(action)),
            reason=safe_plain(action.reason),
        )
        detail.update(Content(said))
        detail.remove_class("-empty")

    def _draw_bar(self, now: datetime) -> None:
        count = strings.ACTIONS_SCREEN_COUNT.format(count=len(self.actions))
        if self.cut:
            count = strings.ACTIONS_SCREEN_CUT.format(count=len(self.actions))
        typed = self.filter_text.strip()
        self.query_one(FilterBar).show(
            title=strings.TITLE_ACTIONS,
            list_filter=ListFilter(window=self.window),
            zone=self.zone,
            now=now,
            rows=count,
            extra_chips=[typed] if typed else [],
        )

    # -- keys ------------------------------------------------------------------------

    @on(Input.Submitted, "#actions-filter")
    def _filter_typed(self, event: Input.Submitted) -> None:
        self.filter_text = event.value
        self.reload()
        self.query_one("#actions-table", DataTable).focus()

    def action_focus_filter(self) -> None:
        """Type a filter."""
        self.query_one("#actions-filter", Input).focus()

    async def action_open_target(self) -> None:
        """Open the highlighted action's target record (in the filter box: apply the filter)."""
        box = self.query_one("#actions-filter", Input)
        if self.focused is box:
            await box.action_submit()
            return
        row = self.query_one("#actions-table", DataTable).cursor_row
        if self.actions and 0 <= row < len(self.actions):
            target = self.actions[row].target
            self.post_message(RecordWanted(target.kind, target.id))

    def action_time_range(self) -> None:
        """Choose the time window."""
        self.post_message(TimeRangeWanted(self.window, self.set_window))

    def set_window(self, window: TimeWindow | None) -> None:
        """Show the actions of another time window (None: keep this one)."""
        if window is not None:
            self.window = window
            self.reload()

    def set_zone(self, zone: tzinfo) -> None:
        """Show times in another zone."""
        self.zone = zone
        self.reload()

    async def action_leave(self) -> None:
        """Leave the filter box for the list; from the list, back to the records."""
        if isinstance(self.focused, Input):
            self.query_one("#actions-table", DataTable).focus()
        else:
            await self.app.run_action("leave_actions")
