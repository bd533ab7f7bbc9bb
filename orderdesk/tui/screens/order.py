"""Everything known about one order reference: its records on one timeline, and what is wrong.

This is where "my order disappeared" and "the customer never got the
shipping notification" are answered: the rules' findings are called out
above the timeline, the records they concern are marked on it, ``n`` walks
from one finding's record to the next, and enter opens any record's drill-down.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, tzinfo
from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.content import Content
from textual.screen import Screen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option, OptionDoesNotExist

from orderdesk import strings
from orderdesk.core.store import Store
from orderdesk.core.timeline import MAX_RECORDS, Timeline, TimelineEntry, order_timeline
from orderdesk.core.timeline_rules import DEFAULT_RULES, Finding, Severity, TimelineRules
from orderdesk.findings import finding_sentence
from orderdesk.tui.keys import TranslatedKeys
from orderdesk.tui.list_filter import zone_label
from orderdesk.tui.record_stages import format_moment
from orderdesk.tui.safe_text import safe
from orderdesk.tui.screens.record import RecordScreen
from orderdesk.tui.widgets.key_footer import KeyFooter

__all__ = ["OrderScreen", "entry_line", "finding_line"]

_MARKS: dict[Severity, str] = {"problem": "⚠ ", "notice": "… "}


def finding_line(finding: Finding, zone: tzinfo) -> Content:
    """One finding, worded for support staff: its mark, when, and what is wrong."""
    sentence = finding_sentence(finding, lambda moment: format_moment(moment, zone))
    line = f"{format_moment(finding.at, zone)}  {sentence}"
    return Content(_MARKS[finding.severity]) + safe(line)


def entry_line(
    entry: TimelineEntry,
    zone: tzinfo,
    *,
    order_tags: dict[str, str] | None = None,
    flagged: Severity | None = None,
) -> Content:
    """One record on the timeline: time, kind, what, status and answer, and what went wrong.

    When the reference has several printer orders, ``order_tags`` gives each a
    short tag (``#1``) listed in the header, to tell them apart in 80 columns.
    A record a finding is about (``flagged``) carries that finding's mark.
    """
    kind = strings.TIMELINE_KIND[entry.kind].ljust(8)
    code = str(entry.http_status) if entry.http_status is not None else "-"
    tries = f" x{entry.attempts}" if entry.kind == "postbacks" and entry.attempts > 1 else ""
    columns = [
        format_moment(entry.at, zone),
        kind,
        f"{entry.subject:<17}",
        f"{entry.status:<9}",
        f"{code:>4}{tries:<3}",
    ]
    line = "  ".join(columns)
    if order_tags is not None:
        line += " " + order_tags.get(entry.order_id or "", "-")
    mark = "✗ " if entry.failed else _MARKS[flagged] if flagged is not None else "  "
    shown = safe(mark + line)
    if entry.detail:
        shown += Content("  ") + safe(entry.detail)
    if entry.failed:
        return shown.stylize("$text-error")
    return shown.stylize("$text-warning") if flagged == "problem" else shown


def _flags(timeline: Timeline) -> dict[str, Severity]:
    """For each record a finding is about, the gravest severity of its findings."""
    flags: dict[str, Severity] = {}
    for finding in timeline.findings:
        for ref in finding.records:
            key = f"{ref.kind}:{ref.id}"
            if flags.get(key) != "problem":
                flags[key] = finding.severity
    return flags


class OrderScreen(TranslatedKeys, Screen[None]):
    """One order reference's requests and postbacks, oldest first, with the findings called out."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", strings.KEY_BACK),
        # Priority, so the key shows in the footer over the list's own silent binding.
        Binding("enter", "open_record", strings.KEY_OPEN, priority=True),
        Binding("n", "next_finding", strings.KEY_NEXT_FINDING),
    ]

    def __init__(
        self,
        store: Store,
        reference: str,
        zone: tzinfo,
        *,
        now: Callable[[], datetime] | None = None,
        rules: TimelineRules = DEFAULT_RULES,
        name: str | None = None,
    ) -> None:
        """The order view of ``reference``; ``now`` and ``rules`` decide what is late."""
        super().__init__(name=name)
        self.store = store
        self.reference = reference
        self.zone = zone
        self.rules = rules
        self._now = now or (lambda: datetime.now(UTC))
        self.timeline: Timeline = order_timeline(store, reference, now=self._now(), rules=rules)
        #: The finding ``n`` last went to, or None before the first press.
        self.current_finding: int | None = None

    def compose(self) -> ComposeResult:
        """The order's header, its printer orders, what is wrong, and the timeline."""
        timeline = self.timeline
        moment = timeline.entries[0].at if timeline.entries else self._now()
        header = strings.ORDER_HEADER.format(
            reference=self.reference,
            customers=", ".join(timeline.customers) or "-",
            printers=", ".join(timeline.printers) or "-",
            zone=zone_label(self.zone, moment),
        )
        yield Static(safe(header), id="order-header")
        tags = {order_id: f"#{n}" for n, order_id in enumerate(timeline.order_ids, start=1)}
        several = len(tags) > 1
        if several:
            ids = strings.ORDER_IDS.format(ids=", ".join(f"{t} {i}" for i, t in tags.items()))
        elif timeline.order_ids:
            ids = strings.ORDER_IDS.format(ids=timeline.order_ids[0])
        else:
            ids = strings.ORDER_NO_IDS
        yield Static(safe(ids), id="order-ids")
        yield self._findings()
        flags = _flags(timeline)
        options = []
        for entry in timeline.entries[:MAX_RECORDS]:
            key = f"{entry.kind}:{entry.id}"
            shown_tags = tags if several else None
            line = entry_line(entry, self.zone, order_tags=shown_tags, flagged=flags.get(key))
            options.append(Option(line, id=key))
        timeline_list = OptionList(*options, id="timeline")
        timeline_list.border_title = Content(strings.TITLE_ORDER_TIMELINE)
        yield timeline_list
        yield KeyFooter()

    def _findings(self) -> VerticalScroll:
        timeline = self.timeline
        if not timeline.entries:
            lines = [Static(safe(strings.ORDER_EMPTY.format(reference=self.reference)))]
        elif not timeline.findings and not timeline.truncated:
            lines = [Static(Content("✓ " + strings.ORDER_ALL_WELL))]
        else:
            lines = [
                Static(finding_line(finding, self.zone), classes=f"finding -{finding.severity}")
                for finding in timeline.findings
            ]
            if timeline.truncated:
                lines.append(Static(safe(strings.ORDER_TRUNCATED.format(count=MAX_RECORDS))))
        box = VerticalScroll(*lines, id="order-findings", can_focus=False)
        problems = [f for f in timeline.findings if f.severity == "problem"]
        box.set_class(bool(timeline.entries) and not timeline.findings, "-all-well")
        # Only notices (a printer still in time, a retry under way) are not a warning.
        box.set_class(
            bool(timeline.findings) and not problems and not timeline.truncated, "-waiting"
        )
        return box

    def on_mount(self) -> None:
        """Put the cursor on the first thing that went wrong, or the newest record."""
        timeline_list = self.query_one("#timeline", OptionList)
        entries = self.timeline.entries
        if not entries:
            return
        failed = [position for position, entry in enumerate(entries) if entry.failed]
        timeline_list.highlighted = failed[0] if failed else len(entries) - 1
        timeline_list.focus()

    def action_next_finding(self) -> None:
        """Go to the next finding: mark it, and put the cursor on its record."""
        findings = self.timeline.findings
        if not findings:
            self.notify(strings.NEXT_FINDING_NONE, markup=False)
            return
        position = 0 if self.current_finding is None else (self.current_finding + 1) % len(findings)
        self.current_finding = position
        lines = list(self.query(".finding").results(Static))
        for index, line in enumerate(lines):
            line.set_class(index == position, "-current")
        if position < len(lines):
            self.query_one("#order-findings", VerticalScroll).scroll_to_widget(
                lines[position], animate=False
            )
        timeline_list = self.query_one("#timeline", OptionList)
        for ref in findings[position].records:
            try:
                timeline_list.highlighted = timeline_list.get_option_index(f"{ref.kind}:{ref.id}")
            except OptionDoesNotExist:
                continue  # beyond what the timeline lists
            break

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
