"""Everything known about one order reference: its records on one timeline, and what is missing.

This is where "my order disappeared" and "the customer never got the
shipping notification" are answered: the gaps are called out above the
timeline, and enter on any line opens that record's drill-down.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, tzinfo
from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.content import Content
from textual.screen import Screen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from orderdesk import strings
from orderdesk.core.store import Store
from orderdesk.core.timeline import Gap, Timeline, TimelineEntry, order_timeline
from orderdesk.core.timerange import describe_duration
from orderdesk.tui.list_filter import zone_label
from orderdesk.tui.record_stages import format_moment
from orderdesk.tui.safe_text import safe
from orderdesk.tui.screens.record import RecordScreen
from orderdesk.tui.widgets.key_footer import KeyFooter

__all__ = ["OrderScreen", "entry_line", "gap_line"]

#: The timeline lists at most this many records; the core reads no more either.
_MAX_SHOWN = 2_000


def gap_line(gap: Gap, zone: tzinfo) -> Content:
    """One missing thing, worded for support staff."""
    time = format_moment(gap.at, zone)
    if gap.kind == "request_failed":
        sentence = strings.GAP_REQUEST_FAILED.format(
            time=time, subject=gap.subject, detail=gap.detail or "-"
        )
    elif gap.kind == "not_received":
        waited = describe_duration(gap.waited) if gap.waited is not None else "-"
        sentence = strings.GAP_NOT_RECEIVED.format(
            time=time, order_id=gap.order_id or "-", waited=waited
        )
    elif gap.kind == "awaiting_receipt":
        waited = describe_duration(gap.waited) if gap.waited is not None else "-"
        sentence = strings.GAP_AWAITING_RECEIPT.format(
            time=time, order_id=gap.order_id or "-", waited=waited
        )
        return Content("… ") + safe(sentence)
    elif gap.kind == "undelivered":
        sentence = strings.GAP_UNDELIVERED.format(
            time=time, subject=gap.subject, detail=gap.detail or "-"
        )
    else:
        sentence = strings.GAP_NO_REQUEST.format(time=time)
    return Content("⚠ ") + safe(sentence)


def entry_line(entry: TimelineEntry, zone: tzinfo, *, with_order_id: bool = True) -> Content:
    """One record on the timeline: time, kind, what, status and answer, and what went wrong.

    The printer's order id is shown only when the reference has several,
    to tell them apart; otherwise it is in the header and would crowd 80 columns.
    """
    kind = "request " if entry.kind == "requests" else "postback"
    code = str(entry.http_status) if entry.http_status is not None else "-"
    tries = f" x{entry.attempts}" if entry.kind == "postbacks" and entry.attempts > 1 else ""
    columns = [
        format_moment(entry.at, zone),
        kind,
        f"{entry.subject:<17}",
        f"{entry.status:<9}",
        f"{code:>4}{tries:<4}",
    ]
    if with_order_id:
        columns.append(entry.order_id or "-")
    line = ("✗ " if entry.failed else "  ") + "  ".join(columns)
    shown = safe(line)
    if entry.detail:
        shown += Content("  ") + safe(entry.detail)
    return shown.stylize("$text-error") if entry.failed else shown


class OrderScreen(Screen[None]):
    """One order reference's requests and postbacks, oldest first, with the gaps called out."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", "Back"),
        # Priority, so the key shows in the footer over the list's own silent binding.
        Binding("enter", "open_record", "Open", priority=True),
    ]

    def __init__(
        self,
        store: Store,
        reference: str,
        zone: tzinfo,
        *,
        now: Callable[[], datetime] | None = None,
        name: str | None = None,
    ) -> None:
        """The order view of ``reference``; ``now`` (the clock by default) says what is late."""
        super().__init__(name=name)
        self.store = store
        self.reference = reference
        self.zone = zone
        self._now = now or (lambda: datetime.now(UTC))
        self.timeline: Timeline = order_timeline(store, reference, now=self._now())

    def compose(self) -> ComposeResult:
        """The order's header, its printer orders, what is missing, and the timeline."""
        timeline = self.timeline
        moment = timeline.entries[0].at if timeline.entries else self._now()
        header = strings.ORDER_HEADER.format(
            reference=self.reference,
            customers=", ".join(timeline.customers) or "-",
            printers=", ".join(timeline.printers) or "-",
            zone=zone_label(self.zone, moment),
        )
        yield Static(safe(header), id="order-header")
        ids = (
            strings.ORDER_IDS.format(ids=", ".join(timeline.order_ids))
            if timeline.order_ids
            else strings.ORDER_NO_IDS
        )
        yield Static(safe(ids), id="order-ids")
        yield self._gaps()
        options = [
            Option(
                entry_line(entry, self.zone, with_order_id=len(timeline.order_ids) > 1),
                id=f"{entry.kind}:{entry.id}",
            )
            for entry in timeline.entries[:_MAX_SHOWN]
        ]
        timeline_list = OptionList(*options, id="timeline")
        timeline_list.border_title = Content(strings.TITLE_ORDER_TIMELINE)
        yield timeline_list
        yield KeyFooter()

    def _gaps(self) -> Static:
        timeline = self.timeline
        if not timeline.entries:
            return Static(
                safe(strings.ORDER_EMPTY.format(reference=self.reference)), id="order-gaps"
            )
        lines = [gap_line(gap, self.zone) for gap in timeline.gaps]
        if timeline.truncated:
            lines.append(safe(strings.ORDER_TRUNCATED.format(count=_MAX_SHOWN)))
        gaps = Static(
            Content("\n").join(lines) if lines else Content("✓ " + strings.ORDER_ALL_WELL),
            id="order-gaps",
        )
        # Only waiting for a printer that still has time is not a warning.
        waiting = all(gap.kind == "awaiting_receipt" for gap in timeline.gaps)
        gaps.set_class(not lines, "-all-well")
        gaps.set_class(bool(lines) and waiting and not timeline.truncated, "-waiting")
        return gaps

    def on_mount(self) -> None:
        """Put the cursor on the first thing that went wrong, or the newest record."""
        timeline_list = self.query_one("#timeline", OptionList)
        entries = self.timeline.entries
        if not entries:
            return
        failed = [position for position, entry in enumerate(entries) if entry.failed]
        timeline_list.highlighted = failed[0] if failed else len(entries) - 1
        timeline_list.focus()

    @on(OptionList.OptionSelected, "#timeline")
    def _entry_chosen(self, event: OptionList.OptionSelected) -> None:
        self._open(event.option.id)

    def action_open_record(self) -> None:
        """Open the highlighted record's drill-down."""
        timeline_list = self.query_one("#timeline", OptionList)
        option = timeline_list.highlighted_option
        if option is not None:
            self._open(option.id)

    def _open(self, option_id: str | None) -> None:
        if option_id is None:
            return
        kind, record_id = option_id.split(":", 1)
        self.app.push_screen(RecordScreen(self.store, kind, record_id, self.zone))  # type: ignore[arg-type]

    def action_back(self) -> None:
        """Back to where the order was opened from."""
        self.dismiss()
