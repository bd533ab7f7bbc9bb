"""One problem group's orders: the group said whole on top, then each open finding of it."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, tzinfo
from typing import ClassVar

from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.content import Content
from textual.screen import Screen
from textual.widgets import DataTable, Static

from orderdesk import i18n, strings
from orderdesk.core.bulk_plan import ACTING_RULES
from orderdesk.core.finding_spans import FindingSpan
from orderdesk.core.problem_alerts import group_key
from orderdesk.core.problems import FindingCursor, FindingQuery, ProblemGroup, open_findings
from orderdesk.core.store import Store
from orderdesk.findings import finding_sentence
from orderdesk.tui.keys import TranslatedKeys
from orderdesk.tui.messages import ActingWanted, OrderWanted
from orderdesk.tui.safe_text import safe, safe_plain
from orderdesk.tui.screens.problems import moment, rule_label, shortened
from orderdesk.tui.widgets.key_footer import KeyFooter

__all__ = ["ProblemOrdersScreen"]

#: The most findings listed: a group this big is a fault to fix, not orders to read one by one.
_MOST = 1000
_PAGE = 200


def group_spans(
    store: Store,
    group: ProblemGroup,
    *,
    now: datetime,
    since: datetime | None,
    until: datetime | None,
) -> tuple[list[FindingSpan], bool]:
    """The open findings of ``group``, newest first, and whether there were more than listed."""
    query = FindingQuery(
        rules=(group.rule,),
        since=since,
        until=until or now,
        customers=(group.customer.id,),
        printers=(group.printer.id,) if group.printer is not None else (),
        severities=(group.severity,),
    )
    wanted = group_key(group)
    found: list[FindingSpan] = []
    after: FindingCursor | None = None
    while len(found) <= _MOST:
        page = open_findings(store, query, now=now, after=after, limit=_PAGE)
        for span in page:
            printer = span.printer.id if span.printer is not None else None
            # The query narrows by ids; the group is also its cause, and "no printer".
            if (span.cause, printer) == (wanted.cause, wanted.printer_id):
                found.append(span)
        if len(page) < _PAGE:
            return found, False
        after = FindingCursor.after(page[-1], now)
    return found[:_MOST], True


class ProblemOrdersScreen(TranslatedKeys, Screen[None]):
    """The findings of one problem group, newest first; enter opens an order's timeline."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", strings.KEY_BACK),
        Binding("enter", "open_finding_order", strings.KEY_ORDER, priority=True),
        Binding("R", "act_on_many", strings.KEY_ACT_ON_MANY),
    ]

    def __init__(
        self,
        store: Store,
        group: ProblemGroup,
        *,
        since: datetime | None,
        until: datetime | None,
        zone: tzinfo,
        now: Callable[[], datetime],
    ) -> None:
        super().__init__()
        self.group = group
        self.zone = zone
        self._now = now
        self._since, self._until = since, until
        self.spans, self.more = group_spans(store, group, now=now(), since=since, until=until)
        self._width = 0
        self._sentences: list[str] = []

    def compose(self) -> ComposeResult:
        """The group whole, then its orders."""
        group = self.group
        printer = group.printer
        names = " · ".join(
            [
                safe_plain(group.customer.name or group.customer.id),
                safe_plain(printer.name or printer.id) if printer else strings.PROBLEM_NO_PRINTER,
            ]
        )
        cause = safe_plain(group.cause) if group.cause else strings.PROBLEM_NO_CAUSE
        count = strings.PROBLEM_ORDERS_MORE if self.more else strings.PROBLEM_ORDERS_COUNT
        yield Static(
            Content.assemble(
                (strings.TITLE_PROBLEM_ORDERS, "bold"),
                ": ",
                Content.styled(rule_label(group.rule), "bold $text-error"),
                " · ",
                names,
                " · ",
                (count.format(count=len({s.reference for s in self.spans})), "$text-muted"),
                "\n",
                cause,
            ),
            id="problem-header",
        )
        if self.spans:
            yield DataTable(id="problem-orders", cursor_type="row")
            # The column cuts a long finding short; the highlighted one is said whole here.
            yield Static(id="problem-order-detail")
        else:
            yield Static(strings.PROBLEM_ORDERS_NONE, id="problems-message")
        yield KeyFooter()

    def on_mount(self) -> None:
        """Fill the table for the terminal's width."""
        self.sub_title = strings.TITLE_PROBLEM_ORDERS
        self._fill(self.app.size.width)

    def on_resize(self, event: events.Resize) -> None:
        """Sentences are cut again for the new width."""
        self._fill(event.size.width)

    def _fill(self, width: int) -> None:
        if not self.spans or width == self._width:
            return
        self._width = width
        table = self.query_one("#problem-orders", DataTable)
        row = table.cursor_row
        table.clear(columns=True)
        heads = strings.PROBLEM_ORDER_HEADS
        now = self._now()
        times = [moment(span.finding.at, self.zone, now) for span in self.spans]
        references = [safe_plain(span.reference) for span in self.spans]
        time_width = max([len(heads["time"]), *map(len, times)])
        reference_width = max([len(heads["reference"]), *map(len, references)])
        finding_width = max(len(heads["finding"]), width - time_width - reference_width - 7)
        table.add_column(heads["time"], width=time_width)
        table.add_column(heads["reference"], width=reference_width)
        table.add_column(heads["finding"], width=finding_width)

        def when(at: datetime) -> str:
            return i18n.format_moment(at.astimezone(self.zone), "day_minutes")

        self._sentences = [safe_plain(finding_sentence(span.at(now), when)) for span in self.spans]
        for at, reference, sentence in zip(times, references, self._sentences, strict=True):
            table.add_row(Content(at), safe(reference), Content(shortened(sentence, finding_width)))
        table.move_cursor(row=min(max(row, 0), len(self.spans) - 1))
        self._describe(table.cursor_row)
        table.focus()

    @on(DataTable.RowHighlighted, "#problem-orders")
    def _highlighted(self, event: DataTable.RowHighlighted) -> None:
        self._describe(event.cursor_row)

    def _describe(self, row: int) -> None:
        """The highlighted order's reference and its finding, whole."""
        if not 0 <= row < len(self._sentences):
            return
        self.query_one("#problem-order-detail", Static).update(
            Content.assemble(
                (safe_plain(self.spans[row].reference), "bold"), ": ", self._sentences[row]
            )
        )

    def action_open_finding_order(self) -> None:
        """Open the highlighted order's timeline."""
        if not self.spans:
            return
        row = self.query_one("#problem-orders", DataTable).cursor_row
        if 0 <= row < len(self.spans):
            self.post_message(OrderWanted(self.spans[row].reference))

    def action_act_on_many(self) -> None:
        """Redeliver or resubmit the group's records, when an action remedies its problem."""
        group = self.group
        if group.rule not in ACTING_RULES:
            self.notify(strings.BULK_NO_REMEDY.format(rule=rule_label(group.rule)), timeout=5)
            return
        self.post_message(ActingWanted(group=group, since=self._since, until=self._until))

    def action_back(self) -> None:
        """Back to the problems."""
        self.dismiss()
