"""The drill-down: one record's four stages, side by side, in a grid, or as tabs.

The stages are mounted once and only their arrangement changes with the
terminal's size, so focus, scroll positions and wrap survive a resize; that
is why the narrow layout is a tab bar over the same panes rather than a
TabbedContent, which would have to own (and rebuild) them.
"""

from __future__ import annotations

import re
import tempfile
from collections.abc import Callable
from dataclasses import replace
from datetime import tzinfo
from io import StringIO
from pathlib import Path
from typing import ClassVar, Concatenate, Literal, ParamSpec

from textual import events, on
from textual.app import ComposeResult
from textual.binding import ActiveBinding, Binding, BindingType
from textual.containers import Container
from textual.content import Content
from textual.reactive import reactive
from textual.screen import Screen
from textual.widgets import Input, Static, Tab, Tabs

from orderdesk import strings
from orderdesk.core.curl import curl_command
from orderdesk.core.diagnosis import record_diagnosis
from orderdesk.core.queries import get_record
from orderdesk.core.records import Kind, LogRecord, RequestRecord
from orderdesk.core.store import Store
from orderdesk.tui.comparison import base_to_compare
from orderdesk.tui.keys import TranslatedKeys
from orderdesk.tui.list_filter import zone_label
from orderdesk.tui.messages import (
    ActionWanted,
    ComparisonWanted,
    OrderWanted,
    TemplateChangesWanted,
)
from orderdesk.tui.record_stages import (
    STAGES,
    StageName,
    failing_stage,
    format_moment,
    record_stages,
)
from orderdesk.tui.safe_text import safe
from orderdesk.tui.widgets.key_footer import KeyFooter
from orderdesk.tui.widgets.stage_pane import StagePane
from orderdesk.tui.widgets.stage_search import StageSearch

__all__ = ["Layout", "RecordScreen", "layout_for", "record_header"]

Layout = Literal["wide", "grid", "tabs"]

#: Four readable panes side by side need about 40 columns each; a 2x2 grid
#: needs room for two panes across and two bodies of a few lines down.
WIDE_COLUMNS = 160
GRID_COLUMNS = 100
GRID_ROWS = 30


def layout_for(width: int, height: int) -> Layout:
    """How the four stages fit a terminal of this size."""
    if width >= WIDE_COLUMNS:
        return "wide"
    if width >= GRID_COLUMNS and height >= GRID_ROWS:
        return "grid"
    return "tabs"


def record_header(record: LogRecord, zone: tzinfo) -> Content:
    """One line about the record: kind, id, order, who sent it to whom, status, times."""
    if isinstance(record, RequestRecord):
        kind: Kind = "requests"
        source, target = record.customer.name, record.printer.name if record.printer else "-"
    else:
        kind = "postbacks"
        source, target = record.printer.name, record.customer.name
    answer = record_diagnosis(record).last_answer
    code: int | str | None = None
    if answer is not None:
        code = answer.status_code if answer.status_code is not None else answer.error
    status = record.status + (f" {code}" if code is not None else "")
    ok = record.status in ("succeeded", "delivered")
    created = format_moment(record.created_at, zone)
    updated = format_moment(record.updated_at, zone)  # its time alone when on the same day
    sentence = strings.RECORD_HEADER.format(
        kind=strings.RECORD_KIND[kind],
        id=record.id,
        reference=record.order_reference_id or "-",
        source=source,
        target=target,
        status=("✓ " if ok else "✗ ") + status,
        created=created,
        updated=updated[11:] if updated[:10] == created[:10] else updated,
        zone=zone_label(zone, record.created_at),
    )
    return safe(sentence)


_Args = ParamSpec("_Args")


def _on_the_record(
    action: Callable[Concatenate[RecordScreen, LogRecord, _Args], None],
) -> Callable[Concatenate[RecordScreen, _Args], None]:
    """A key that works on the record shown: over a record gone from the store, it does nothing.

    Its key stays in the footer even then: every drill-down offers the same keys.
    """

    def on_the_record(screen: RecordScreen, /, *args: _Args.args, **kwargs: _Args.kwargs) -> None:
        if screen.record is not None:
            action(screen, screen.record, *args, **kwargs)

    on_the_record.__doc__ = action.__doc__
    return on_the_record


def _file_name(record_id: str, stage: StageName) -> str:
    # The id came from the source: keep it from naming a path elsewhere.
    return f"orderdesk-{re.sub(r'[^A-Za-z0-9_.-]', '_', record_id)[:80]}-{stage}.txt"


class RecordScreen(TranslatedKeys, Screen[None]):
    """A record's Original, Template, Final and Response, the failing stage marked."""

    # The footer shows the keys of a first look; the ? screen lists every key.
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", strings.KEY_BACK),
        Binding("tab", "next_stage", strings.KEY_NEXT_STAGE, priority=True),
        Binding(
            "shift+tab", "previous_stage", strings.KEY_PREVIOUS_STAGE, show=False, priority=True
        ),
        Binding("z", "maximize_stage", strings.KEY_MAXIMISE, show=False),
        Binding("w", "toggle_wrap", strings.KEY_WRAP, show=False),
        Binding("y", "copy_stage", strings.KEY_COPY),
        Binding("s", "save_stage", strings.KEY_SAVE, show=False),
        Binding("o", "open_order", strings.KEY_ORDER, show=False),
        Binding("d", "template_changes", strings.KEY_CHANGES),
        Binding("slash", "search_stage", strings.KEY_FIND, show=False),
        Binding("c", "compare", strings.KEY_COMPARE, show=False),
        Binding("C", "copy_curl", strings.KEY_COPY_CURL, show=False),
        Binding("n", "next_hit", strings.KEY_NEXT_HIT, show=False),
        Binding("N", "previous_hit", strings.KEY_PREVIOUS_HIT, show=False),
        # One key, r, in three bindings: the footer names the action only when the
        # source lets this console act; otherwise r says why (check_action picks one).
        Binding("r", "redeliver", strings.KEY_REDELIVER),
        Binding("r", "resubmit", strings.KEY_RESUBMIT),
        Binding("r", "why_no_action", strings.KEY_WHY_NO_ACTION, show=False),
    ]

    layout_mode: reactive[Layout] = reactive("tabs", init=False)
    """How the stages are arranged: side by side, 2x2, or one at a time under tabs."""
    current: reactive[StageName] = reactive("original", init=False)
    """The stage the keyboard is in: copied by y, saved by s, maximised by z."""
    wrap: reactive[bool] = reactive(True, init=False)
    """Whether long body lines wrap."""

    def __init__(
        self, store: Store, kind: Kind, record_id: str, zone: tzinfo, *, name: str | None = None
    ) -> None:
        """The drill-down of one record of the store, times shown in ``zone``."""
        super().__init__(name=name)
        self.store = store
        self.kind = kind
        self.record_id = record_id
        self.zone = zone
        self.record = get_record(store, kind, record_id)
        #: A newer version is being drawn (see ``records_arrived``).
        self._reloading = False
        # Start on the failing stage, where the answer usually is.
        first = failing_stage(self.record) if self.record is not None else None
        self.set_reactive(RecordScreen.current, first or "original")

    def compose(self) -> ComposeResult:
        """The header line, the tab bar (narrow terminals only), the four stages, the keys."""
        record = self.record
        if record is None:
            yield Static(safe(strings.RECORD_MISSING.format(id=self.record_id)))
            yield KeyFooter()
            return
        # Classes set before the children mount cost one styling pass; set
        # after, each one restyles the whole screen.
        self.set_reactive(RecordScreen.layout_mode, layout_for(*self.app.size))
        self._apply_layout()
        failing = failing_stage(record)
        header = Static(record_header(record, self.zone), id="record-header")
        header.set_class(failing is not None, "-failed")
        yield header
        stages = record_stages(record)
        yield Tabs(
            *[
                Tab(
                    ("✗ " if stage.failed else "") + strings.STAGE_TABS[stage.name],
                    id=f"tab-{stage.name}",
                )
                for stage in stages
            ],
            active=f"tab-{self.current}",
            id="stage-tabs",
        )
        with Container(id="stages"):
            for stage in stages:
                pane = StagePane(stage, self.zone)
                pane.set_class(stage.name == self.current, "-current")
                yield pane
        yield StageSearch()
        yield KeyFooter()

    def on_mount(self) -> None:
        """Put the keyboard in the first stage shown."""
        self._show_current()

    def records_arrived(self) -> None:
        """The sync stored records: show this record's newest version if it changed.

        A redelivery's new attempt (or a record that was not synced yet when
        the screen opened) comes this way.
        """
        fresh = get_record(self.store, self.kind, self.record_id)
        if fresh is None or (
            self.record is not None and fresh.updated_at == self.record.updated_at
        ):
            return
        self.record = fresh
        if not self._reloading:
            # One rebuild at a time; a version that comes during it is drawn after it.
            self._reloading = True
            self.call_later(self._show_again)

    @property
    def redrawing(self) -> bool:
        """Whether a newer version of the record is still being drawn."""
        return self._reloading

    async def _show_again(self) -> None:
        if not self.app.is_running:
            # The console is closing: its screens are being taken down, and widgets
            # mounted now would lose their children before they are ready.
            self._reloading = False
            return
        drawn = self.record
        try:
            await self.recompose()
        finally:
            self._reloading = False
        if self.record is not drawn:
            self._reloading = True
            self.call_later(self._show_again)
        elif self.query(StagePane):
            self._show_current()

    def on_resize(self, event: events.Resize) -> None:
        """Re-arrange the stages when the terminal changes size."""
        self.layout_mode = layout_for(event.size.width, event.size.height)

    def watch_layout_mode(self) -> None:
        """Switch the arrangement: the panes stay mounted, only classes change."""
        self._apply_layout()

    def _apply_layout(self) -> None:
        for mode in ("wide", "grid", "tabs"):
            self.set_class(self.layout_mode == mode, f"-{mode}")

    def watch_current(self) -> None:
        """Show the current stage (under tabs) and mark it."""
        self._show_current()

    @_on_the_record
    def _show_current(self, record: LogRecord) -> None:
        for pane in self.query(StagePane):
            pane.set_class(pane.stage.name == self.current, "-current")
        pane = self.pane(self.current)
        focused = self.focused
        if focused is None or pane not in (focused, *focused.ancestors):
            pane.focus_body()
        if self.maximized is not None and self.maximized is not pane:
            self.maximize(pane, container=False)

    def pane(self, stage: StageName) -> StagePane:
        """The pane of one stage."""
        return self.query_one(f"#stage-{stage}", StagePane)

    def _choose(self, stage: StageName) -> None:
        # The tab bar is the one place the current stage changes, even when it
        # is hidden: keys, clicks on tabs and clicks in panes all go through
        # it, so its activation messages can never arrive out of step.
        tabs = self.query_one("#stage-tabs", Tabs)
        if tabs.active != f"tab-{stage}":
            tabs.active = f"tab-{stage}"

    @on(Tabs.TabActivated, "#stage-tabs")
    def _tab_chosen(self, event: Tabs.TabActivated) -> None:
        if event.tab.id is not None:
            self.current = event.tab.id.removeprefix("tab-")  # type: ignore[assignment]

    def on_descendant_focus(self, event: events.DescendantFocus) -> None:
        """A click put focus in a pane: that pane becomes the current stage."""
        for node in (event.widget, *event.widget.ancestors):
            if isinstance(node, StagePane):
                self._choose(node.stage.name)
                return

    @_on_the_record
    def _step(self, record: LogRecord, offset: int) -> None:
        position = STAGES.index(self.current)
        self._choose(STAGES[(position + offset) % len(STAGES)])

    def action_next_stage(self) -> None:
        """Move to the next stage, round to the first."""
        self._step(1)

    def action_previous_stage(self) -> None:
        """Move to the previous stage, round to the last."""
        self._step(-1)

    @_on_the_record
    def action_maximize_stage(self, record: LogRecord) -> None:
        """Give the current stage the whole screen, or give it back."""
        if self.maximized is not None:
            self.minimize()
        else:
            self.maximize(self.pane(self.current), container=False)

    def action_toggle_wrap(self) -> None:
        """Wrap long lines, or scroll them sideways."""
        self.wrap = not self.wrap

    def watch_wrap(self, wrap: bool) -> None:
        """Apply wrapping to every stage."""
        for pane in self.query(StagePane):
            pane.set_wrap(wrap)

    @_on_the_record
    def action_copy_stage(self, record: LogRecord) -> None:
        """Copy the current stage, as shown, to the clipboard."""
        text = self.pane(self.current).as_text()
        self.app.copy_to_clipboard(text)
        size = strings.SIZE_BYTES.format(size=len(text.encode("utf-8", "surrogatepass")))
        message = strings.STAGE_COPIED.format(stage=self.current, id=self.record_id, size=size)
        self.notify(safe(message).plain, markup=False)

    @_on_the_record
    def action_copy_curl(self, record: LogRecord) -> None:
        """Copy the Final request as a curl command, its secrets still redacted."""
        if record.final is None:
            self.notify(strings.CURL_NOT_SENT, severity="warning", markup=False)
            return
        command = curl_command(record.final)
        self.app.copy_to_clipboard(command)
        size = strings.SIZE_BYTES.format(size=len(command.encode("utf-8", "surrogatepass")))
        message = strings.CURL_COPIED.format(id=self.record_id, size=size)
        self.notify(safe(message).plain, markup=False)

    @_on_the_record
    def action_save_stage(self, record: LogRecord) -> None:
        """Save the current stage to a file in the current folder (or the temporary one).

        In a browser (``orderdesk serve``), the browser downloads it instead.
        """
        text = self.pane(self.current).as_text()
        name = _file_name(self.record_id, self.current)
        if self.app.is_web:
            # In a browser the user's own computer is where the file belongs, not the server's.
            self.app.deliver_text(StringIO(text), save_filename=name)
            message = strings.STAGE_DOWNLOADED.format(stage=self.current, id=self.record_id)
            self.notify(safe(message).plain, markup=False)
            return
        error: OSError | None = None
        for folder in (Path.cwd(), Path(tempfile.gettempdir())):
            path = folder / name
            try:
                path.write_text(text, encoding="utf-8", errors="surrogateescape")
            except OSError as failure:
                error = failure
                continue
            message = strings.STAGE_SAVED.format(stage=self.current, id=self.record_id, path=path)
            self.notify(safe(message).plain, markup=False)
            return
        message = strings.STAGE_NOT_SAVED.format(stage=self.current, error=error)
        self.notify(safe(message).plain, markup=False, severity="error")

    @_on_the_record
    def action_open_order(self, record: LogRecord) -> None:
        """Open everything known about this record's order reference."""
        reference = record.order_reference_id
        if reference is None:
            self.notify(strings.NO_REFERENCE, severity="warning")
            return
        self.post_message(OrderWanted(reference))

    @_on_the_record
    def action_template_changes(self, record: LogRecord) -> None:
        """Show what the template changed: each Final field beside its Original field."""
        self.post_message(TemplateChangesWanted(record))

    @_on_the_record
    def action_compare(self, record: LogRecord) -> None:
        """Remember this record as the base, or compare it with the base remembered."""
        base = base_to_compare(self.app, self.store, self.kind, self.record_id)
        if isinstance(base, str):
            self.notify(safe(base).plain, markup=False)
        else:
            self.post_message(ComparisonWanted(base, record))

    # -- acting on the record (log API 1.1) ------------------------------------------

    def _may_act(self) -> bool:
        acting = getattr(self.app, "acting", None)
        return acting is not None and bool(acting.may_act)

    @property
    def active_bindings(self) -> dict[str, ActiveBinding]:
        """The keys on offer; when r acts, y gives it its place in the footer (80 columns)."""
        active = super().active_bindings
        copy = active.get("y")
        if copy is not None and copy.binding.show and self._may_act():
            node, binding, enabled, tip = copy
            active = {
                **active,
                "y": ActiveBinding(node, replace(binding, show=False), enabled, tip),
            }
        return active

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Offer r as redeliver (postbacks) or resubmit (requests) only when acting is possible."""
        if action in ("redeliver", "resubmit"):
            ours = "redeliver" if self.kind == "postbacks" else "resubmit"
            return action == ours and self._may_act()
        if action == "why_no_action":
            return not self._may_act()
        return True

    @_on_the_record
    def action_redeliver(self, record: LogRecord) -> None:
        """Send this postback's Final to the customer's system again (the App opens the dialog)."""
        self.post_message(ActionWanted(self.kind, self.record_id))

    @_on_the_record
    def action_resubmit(self, record: LogRecord) -> None:
        """Send this request to the printer again, final or reprocessed (the App asks which)."""
        self.post_message(ActionWanted(self.kind, self.record_id))

    def action_why_no_action(self) -> None:
        """Say in one line why this console cannot act."""
        desk = getattr(self.app, "acting_desk", None)
        why = desk.why_not if desk is not None else strings.ACTING_NO_SOURCE
        self.notify(safe(why).plain, markup=False, severity="warning")

    # -- search in a stage -----------------------------------------------------------

    @_on_the_record
    def action_search_stage(self, record: LogRecord) -> None:
        """Type words to find in the current stage."""
        pane = self.pane(self.current)
        self.query_one(StageSearch).open(self.current, pane.searched or "")

    @on(Input.Submitted, "#stage-search")
    def _search_typed(self, event: Input.Submitted) -> None:
        search = self.query_one(StageSearch)
        search.close()
        pane = self.pane(self.current)
        needle = event.value.strip()
        if needle:
            pane.search(needle)
        else:
            pane.clear_search()
        pane.focus_body()

    @_on_the_record
    def _step_hit(self, record: LogRecord, offset: int) -> None:
        pane = self.pane(self.current)
        if pane.searched is None:
            self.notify(strings.SEARCH_NONE_ACTIVE, timeout=2)
            return
        pane.step_hit(offset)

    def action_next_hit(self) -> None:
        """Move to the next hit of the stage's search, round to the first."""
        self._step_hit(1)

    def action_previous_hit(self) -> None:
        """Move to the previous hit of the stage's search, round to the last."""
        self._step_hit(-1)

    def action_back(self) -> None:
        """Close the search, then forget its hits, then leave a maximised stage, then the screen."""
        pane = self.pane(self.current) if self.record is not None else None
        if pane is not None and self.query_one(StageSearch).is_open:
            self.query_one(StageSearch).close()
            pane.focus_body()
        elif pane is not None and pane.searched is not None:
            pane.clear_search()
        elif self.maximized is not None:
            self.minimize()
        else:
            self.dismiss()
