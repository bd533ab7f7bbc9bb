"""Everything known about one order reference: its records on one timeline, and what is wrong.

This is where "my order disappeared" and "the customer never got the
shipping notification" are answered: the rules' findings are called out
above the timeline, the records they concern are marked on it, ``n`` walks
from one finding's record to the next, enter opens any record's drill-down,
and ``y`` copies what happened, worded for the customer, to hand on.

Opened with ``3``, it is also the order finder: a box on top takes the
reference, and the timeline follows what is typed, key by key, so the answer
is on screen as the last character goes in; while the text is not yet a
reference, the references it could become are offered instead.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, tzinfo
from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import Input, Label, OptionList, Static
from textual.widgets.option_list import Option, OptionDoesNotExist

from orderdesk import strings
from orderdesk.action_words import action_story
from orderdesk.core.action_records import ActionRecord
from orderdesk.core.errors import InputError
from orderdesk.core.references import references_starting
from orderdesk.core.store import Store
from orderdesk.core.timeline import (
    MAX_RECORDS,
    Timeline,
    TimelineEntry,
    build_timeline,
    order_timeline,
)
from orderdesk.core.timeline_rules import DEFAULT_RULES, Finding, Severity, TimelineRules
from orderdesk.customer_summary import order_summary
from orderdesk.findings import finding_sentence
from orderdesk.tui.keys import TranslatedKeys
from orderdesk.tui.list_filter import zone_label
from orderdesk.tui.messages import RecordWanted
from orderdesk.tui.record_stages import format_moment
from orderdesk.tui.safe_text import safe, safe_plain
from orderdesk.tui.widgets.key_footer import KeyFooter

__all__ = ["OrderScreen", "action_line", "entry_line", "finding_line"]

_MARKS: dict[Severity, str] = {"problem": "⚠ ", "notice": "… "}
#: How much of the copied summary the notification repeats.
_SHOWN_SUMMARY = 240


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


def action_line(action: ActionRecord, zone: tzinfo) -> Content:
    """One action on the timeline: its time, then who redelivered or resubmitted, and the result."""
    kind = strings.TIMELINE_ACTION.ljust(8)
    failed = action.status == "failed"
    line = f"{format_moment(action.created_at, zone)}  {kind}  {action_story(action)}"
    shown = safe(("✗ " if failed else "↻ ") + line)
    return shown.stylize("$text-error") if failed else shown.stylize("italic")


def _rows(timeline: Timeline) -> list[TimelineEntry | ActionRecord]:
    """The records and the actions on one timeline, oldest first (a record before its action)."""
    rows: list[TimelineEntry | ActionRecord] = [*timeline.entries[:MAX_RECORDS], *timeline.actions]
    rows.sort(key=lambda row: row.at if isinstance(row, TimelineEntry) else row.created_at)
    return rows


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
        # y copies, as on the drill-down: here, what to tell the customer.
        Binding("y", "copy_summary", strings.KEY_COPY_SUMMARY),
        # In the finder's box, down goes to the timeline; the lists take it themselves.
        Binding("down", "leave_box", strings.KEY_TO_TIMELINE, show=False),
    ]

    def __init__(
        self,
        store: Store,
        reference: str,
        zone: tzinfo,
        *,
        now: Callable[[], datetime] | None = None,
        rules: TimelineRules = DEFAULT_RULES,
        finder: bool = False,
        name: str | None = None,
    ) -> None:
        """The order view of ``reference``; ``now`` and ``rules`` decide what is late.

        With ``finder``, a box on top takes another reference, ``reference`` selected in it.
        """
        super().__init__(name=name)
        self.store = store
        self.zone = zone
        self.rules = rules
        self.finder = finder
        self._now = now or (lambda: datetime.now(UTC))
        self.reference = ""
        self.timeline: Timeline = build_timeline("", [], [], now=self._now(), rules=rules)
        #: The references offered while the typed text is not yet one (the finder only).
        self.candidates: list[str] = []
        #: The finding ``n`` last went to, or None before the first press.
        self.current_finding: int | None = None
        #: What the timeline lists, in its order: the records and the actions taken on them.
        self.rows: list[TimelineEntry | ActionRecord] = []
        self._look_up(reference)

    def _look_up(self, reference: str) -> bool:
        """Read ``reference``'s timeline, or what it could become; whether anything changed."""
        reference = reference.strip()
        if reference == self.reference and (self.timeline.entries or reference):
            return False
        self.reference = reference
        now = self._now()
        if reference:
            self.timeline = order_timeline(self.store, reference, now=now, rules=self.rules)
        else:
            self.timeline = build_timeline("", [], [], now=now, rules=self.rules)
        self.current_finding = None
        found = bool(self.timeline.entries)
        self.candidates = (
            [] if found or not self.finder else references_starting(self.store, reference)
        )
        return True

    def compose(self) -> ComposeResult:
        """The finder's box, then the order's header, printer orders, findings and timeline."""
        if self.finder:
            with Horizontal(id="order-finder"):
                yield Label(strings.ORDER_FINDER_LABEL, markup=False)
                yield Input(
                    self.reference,
                    placeholder=strings.ORDER_FINDER_PLACEHOLDER,
                    id="order-reference",
                )
        with Vertical(id="order-body"):
            yield from self._body()
        yield KeyFooter()

    def _body(self) -> list[Widget]:
        if self.finder and not self.timeline.entries:
            return self._finder_body()
        timeline = self.timeline
        moment = timeline.entries[0].at if timeline.entries else self._now()
        header = strings.ORDER_HEADER.format(
            reference=self.reference,
            customers=", ".join(timeline.customers) or "-",
            printers=", ".join(timeline.printers) or "-",
            zone=zone_label(self.zone, moment),
        )
        tags = {order_id: f"#{n}" for n, order_id in enumerate(timeline.order_ids, start=1)}
        several = len(tags) > 1
        if several:
            ids = strings.ORDER_IDS.format(ids=", ".join(f"{t} {i}" for i, t in tags.items()))
        elif timeline.order_ids:
            ids = strings.ORDER_IDS.format(ids=timeline.order_ids[0])
        else:
            ids = strings.ORDER_NO_IDS
        flags = _flags(timeline)
        options = []
        self.rows = _rows(timeline)
        for row in self.rows:
            if isinstance(row, ActionRecord):
                options.append(Option(action_line(row, self.zone), id=f"actions:{row.id}"))
                continue
            key = f"{row.kind}:{row.id}"
            shown_tags = tags if several else None
            line = entry_line(row, self.zone, order_tags=shown_tags, flagged=flags.get(key))
            options.append(Option(line, id=key))
        timeline_list = OptionList(*options, id="timeline")
        timeline_list.border_title = Content(strings.TITLE_ORDER_TIMELINE)
        return [
            Static(safe(header), id="order-header"),
            Static(safe(ids), id="order-ids"),
            self._findings(),
            timeline_list,
        ]

    def _finder_body(self) -> list[Widget]:
        """While the text is not a reference: what to type, or the references it could become."""
        if not self.reference:
            return [Static(strings.ORDER_FINDER_HINT, id="order-header", markup=False)]
        if not self.candidates:
            empty = strings.ORDER_FINDER_NONE.format(reference=self.reference)
            return [Static(safe(empty), id="order-header")]
        heading = strings.ORDER_FINDER_CANDIDATES.format(reference=self.reference)
        options = [Option(safe(candidate), id=candidate) for candidate in self.candidates]
        return [Static(safe(heading), id="order-header"), OptionList(*options, id="candidates")]

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
        """In the finder, the box takes the keys; else the cursor goes to what went wrong."""
        if self.finder:
            self.query_one("#order-reference", Input).focus()
        self._place_cursor(focus=not self.finder)

    def _place_cursor(self, *, focus: bool) -> None:
        """Put the cursor on the first thing that went wrong, or the newest record."""
        if not self.timeline.entries:
            return
        rows = self.rows
        timeline_list = self.query_one("#timeline", OptionList)
        failed = [
            position
            for position, row in enumerate(rows)
            if isinstance(row, TimelineEntry) and row.failed
        ]
        timeline_list.highlighted = failed[0] if failed else len(rows) - 1
        if focus:
            timeline_list.focus()

    @on(Input.Changed, "#order-reference")
    async def _reference_typed(self, event: Input.Changed) -> None:
        await self._show(event.value)

    async def _show(self, reference: str) -> None:
        """Show ``reference``'s timeline (or what it could become) below the finder's box."""
        if not self._look_up(reference):
            return
        body = self.query_one("#order-body", Vertical)
        async with self.batch():
            await body.remove_children()
            await body.mount_all(self._body())
        self._place_cursor(focus=False)

    async def _go_to(self, reference: str) -> None:
        """Take ``reference`` into the box, show it, and move to its timeline."""
        box = self.query_one("#order-reference", Input)
        with box.prevent(Input.Changed):
            box.value = reference
        await self._show(reference)
        self._place_cursor(focus=True)

    async def action_leave_box(self) -> None:
        """From the finder's box to the timeline, or the first reference offered."""
        if self.timeline.entries:
            self._place_cursor(focus=True)
        elif self.candidates:
            self.query_one("#candidates", OptionList).focus()

    async def _enter_in_box(self) -> None:
        if self.timeline.entries:
            self._place_cursor(focus=True)
        elif self.candidates:
            await self._go_to(self.candidates[0])
        elif self.reference:
            self.notify(strings.ORDER_FINDER_NONE.format(reference=self.reference), markup=False)

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

    def action_copy_summary(self) -> None:
        """Copy what happened to the order, worded for its customer, and say what was copied."""
        if not self.timeline.entries:
            self.notify(strings.SUMMARY_NO_ORDER, severity="warning", markup=False)
            return
        try:
            summary = order_summary(
                self.store, self.reference, self.zone, now=self._now(), rules=self.rules
            )
        except InputError as refused:
            self.notify(safe_plain(str(refused)), severity="warning", markup=False)
            return
        self.app.copy_to_clipboard(summary)
        # The start is enough to recognise it; a long story would cover the screen.
        shown = summary if len(summary) <= _SHOWN_SUMMARY else summary[:_SHOWN_SUMMARY] + "…"
        self.notify(strings.SUMMARY_COPIED.format(summary=shown), markup=False, timeout=10)

    @on(OptionList.OptionSelected, "#timeline")
    def _entry_chosen(self, event: OptionList.OptionSelected) -> None:
        self._open(event.option_index)

    @on(OptionList.OptionSelected, "#candidates")
    async def _candidate_chosen(self, event: OptionList.OptionSelected) -> None:
        if event.option.id is not None:
            await self._go_to(event.option.id)

    async def action_open_record(self) -> None:
        """Open the highlighted record's drill-down (in the finder's box: go to the timeline)."""
        focused = self.focused
        if isinstance(focused, Input):
            await self._enter_in_box()
            return
        if focused is not None and focused.id == "candidates":
            assert isinstance(focused, OptionList)
            option = focused.highlighted_option
            if option is not None and option.id is not None:
                await self._go_to(option.id)
            return
        if not self.timeline.entries:
            return
        position = self.query_one("#timeline", OptionList).highlighted
        if position is not None:
            self._open(position)

    def action_find(self) -> None:
        """Back to the finder's box, to type another reference."""
        if self.finder:
            self.query_one("#order-reference", Input).focus()

    def _open(self, position: int) -> None:
        """Ask for the drill-down of the record at ``position`` (of an action: its target's)."""
        row = self.rows[position]
        if isinstance(row, ActionRecord):
            self.post_message(RecordWanted(row.target.kind, row.target.id))
        else:
            self.post_message(RecordWanted(row.kind, row.id))

    def action_back(self) -> None:
        """Back to where the order was opened from."""
        self.dismiss()
