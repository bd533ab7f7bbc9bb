"""Every screen, dialog and layout at its size, in English and French: nothing needed is cut.

Each check compares the screen against the text itself: a footer key's label
from its binding, a list's column heads, a stage pane's title, a header's
sentence. The text must be found whole in the region of the screen that
shows it (a header may wrap at spaces; a key's label may not).
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from itertools import groupby
from typing import Any

import pytest
from textual.app import App
from textual.binding import Binding
from textual.command import CommandList, CommandPalette
from textual.content import Content
from textual.widget import Widget
from textual.widgets import Button, DataTable, Footer, Input, Static, Tab, Tabs
from textual.widgets._toggle_button import ToggleButton

from orderdesk.core.action_trail import save_actions
from orderdesk.core.actions_client import Capability
from orderdesk.core.queries import RecordQuery, list_records
from orderdesk.core.records import LogRecord
from orderdesk.core.store import Store
from orderdesk.core.sync_service import Source
from orderdesk.i18n import speaking
from orderdesk.tui.acting import ConsoleActing
from orderdesk.tui.action_preview import current_template, preview_action
from orderdesk.tui.app import OrderdeskApp, StartScreen
from orderdesk.tui.comparison import remember_base
from orderdesk.tui.one_action import ActionOutcome
from orderdesk.tui.screens.act import ActDialog
from orderdesk.tui.screens.record import RecordScreen
from orderdesk.tui.screens.resume_offer import ResumeOffer
from orderdesk.tui.widgets import columns
from orderdesk.tui.widgets.record_list import RecordList
from orderdesk.tui.widgets.stage_pane import StagePane
from tests.action_factory import action
from tests.tui.simulated_day import template_failure, undelivered_shipping
from tests.tui.tui_console import console, settled

Opener = Callable[[Store], App[Any]]
Step = Callable[[OrderdeskApp, Store], None]


def _record(app: OrderdeskApp, store: Store) -> None:
    app.push_screen(RecordScreen(store, "requests", template_failure(store).id, app.zone))


def _compared(app: OrderdeskApp, store: Store) -> None:
    """A failing request's drill-down, with a good request of its customer as the base."""
    failing = template_failure(store)
    done = list_records(store, RecordQuery("requests", statuses=("succeeded",)), limit=500)
    good = next(r for r in done if r.customer.name == failing.customer.name)
    remember_base(app, "requests", good.id)
    _record(app, store)


def _may_act(app: OrderdeskApp, store: Store) -> None:
    """A console whose source said its key may act (nothing is sent: the plan only reads)."""
    _acting(app, store)


def _order(app: OrderdeskApp, store: Store) -> None:
    reference = undelivered_shipping(store).order_reference_id
    assert reference is not None
    app.open_order(reference)


def _trail(app: OrderdeskApp, store: Store) -> None:
    """Actions on records of references of their own, so no other screen here shows them."""
    trail = [
        action("act_cut_1", minutes=n, target_id=f"pb_cut_{n}", reference=f"CUT-{n}")
        for n in range(3)
    ]
    with store.writing() as connection:
        save_actions(connection, trail, None)


def _acting(app: OrderdeskApp, store: Store) -> ConsoleActing:
    """The console as one whose source said its key may act (nothing is sent in these checks)."""
    acting = ConsoleActing(
        store, Source("http://127.0.0.1:9", None), actor="alice@support", cap=500
    )
    acting.capability = Capability("1.1", may_act=True)
    app.acting = app.acting_desk.acting = acting
    app.refresh_bindings()
    return acting


def _first(store: Store, kind: str, status: str) -> LogRecord:
    return list_records(store, RecordQuery(kind, statuses=(status,)), limit=1)[0]  # type: ignore[arg-type]


def _acting_postback(app: OrderdeskApp, store: Store) -> None:
    _acting(app, store)
    postback = undelivered_shipping(store)
    app.push_screen(RecordScreen(store, "postbacks", postback.id, app.zone))


def _acting_request(app: OrderdeskApp, store: Store) -> None:
    _acting(app, store)
    app.push_screen(RecordScreen(store, "requests", template_failure(store).id, app.zone))


def _act(kind: str, status: str, *, reprocess: bool = False, outcome: bool = False) -> Step:
    def step(app: OrderdeskApp, store: Store) -> None:
        record = _first(store, kind, status)
        template = current_template(store, record) if kind == "requests" else None  # type: ignore[arg-type]
        dialog = ActDialog(_acting(app, store), preview_action(record), template=template)

        def ready() -> None:
            if reprocess:
                dialog.query_one("#reprocess", ToggleButton).value = True
            if outcome:
                line = "failed: HTTP 503, the printer's endpoint answered 503 Service Unavailable"
                dialog._finished(
                    ActionOutcome("failed", line + "; the new request is req_X", "req_X")
                )

        app.push_screen(dialog, callback=None)
        app.call_after_refresh(ready)

    return step


def _resume(app: OrderdeskApp, store: Store) -> None:
    app.push_screen(ResumeOffer(3, "alice@support"))


@dataclass(frozen=True)
class Case:
    """A screen as the user reaches it in the console: a step, keys, the terminal's size."""

    step: Step | None = None
    keys: tuple[str, ...] = ()
    size: tuple[int, int] = (80, 24)
    screen: StartScreen = "requests"
    #: The screen that must be in front, where the keys could leave another there.
    front: str | None = None


CASES: dict[str, Case] = {
    "requests": Case(),
    "postbacks": Case(screen="postbacks"),
    "record in tabs": Case(_record),
    "record in a grid": Case(_record, size=(100, 30)),
    "record side by side": Case(_record, size=(160, 40)),
    "order": Case(_order),
    "template changes": Case(_record, ("d",), front="TemplateChangesScreen"),
    "comparison": Case(_compared, ("c",), front="CompareScreen"),
    "volume bar": Case(keys=("left_square_bracket",)),
    "help": Case(keys=("question_mark",)),
    "help over a record": Case(_record, ("question_mark",)),
    "palette": Case(keys=("ctrl+p",)),
    "time range": Case(keys=("t",)),
    "filter prompt": Case(keys=("slash",)),
    "filters": Case(keys=("f",)),
    "export": Case(keys=("X",)),
    "problems": Case(keys=("4",), front="ProblemsScreen"),
    "time range over problems": Case(keys=("4", "t"), front="TimeRangeDialog"),
    "problem orders": Case(keys=("4", "enter"), front="ProblemOrdersScreen"),
    "actions": Case(_trail, ("5",), front="ActionsScreen"),
    "bulk resubmit": Case(_may_act, ("R",), front="BulkActionDialog"),
    "bulk redeliver": Case(_may_act, ("R",), screen="postbacks", front="BulkActionDialog"),
    "postback that may be redelivered": Case(_acting_postback, front="RecordScreen"),
    "request that may be resubmitted": Case(_acting_request, front="RecordScreen"),
    "help over a record that may act": Case(_acting_postback, ("question_mark",)),
    "redeliver": Case(_act("postbacks", "failed"), front="ActDialog"),
    "redeliver forced": Case(_act("postbacks", "delivered"), front="ActDialog"),
    "resubmit forced": Case(_act("requests", "succeeded"), front="ActDialog"),
    "resubmit reprocess": Case(_act("requests", "failed", reprocess=True), front="ActDialog"),
    "act result": Case(_act("requests", "failed", outcome=True), front="ActDialog"),
    "act wide": Case(_act("requests", "succeeded", reprocess=True), size=(200, 50)),
    "resume offer": Case(_resume, front="ResumeOffer"),
}


@pytest.fixture(params=["en", "fr"])
def lang(request: pytest.FixtureRequest) -> Iterator[str]:
    """Each check runs in English, then in French."""
    with speaking(request.param):
        yield request.param


def _lines(app: App[Any]) -> list[str]:
    return [strip.text for strip in app.screen._compositor.render_strips()]


def _within(lines: list[str], widget: Widget) -> str:
    """The text on screen inside ``widget``'s region, its lines joined by spaces."""
    region = widget.region
    rows = lines[region.y : region.bottom]
    return " ".join(row[region.x : region.right] for row in rows)


def _words(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def _footer_labels(app: App[Any]) -> list[str]:
    """Each key the footer offers as its bindings say it: keys, then what they do."""
    firsts: dict[str, Binding] = {}
    for _, binding, _, _ in app.screen.active_bindings.values():
        if binding.show:
            firsts.setdefault(binding.action, binding)
    labels = []
    for group, grouped in groupby(firsts.values(), key=lambda binding: binding.group):
        bindings = list(grouped)
        keys = " ".join(app.get_key_display(binding) for binding in bindings)
        if group is not None and len(bindings) > 1:
            labels.append(f"{keys} {group.description}")
        else:
            labels += [f"{app.get_key_display(b)} {b.description}" for b in bindings]
    return labels


def _whole_text(widget: Widget) -> str:
    """What a text widget says, all of it."""
    if isinstance(widget, ToggleButton | Button):
        label = widget.label
        return label if isinstance(label, str) else label.plain
    if isinstance(widget, Static):
        return widget.visual.plain if isinstance(widget.visual, Content) else str(widget.visual)
    rendered = widget.render()
    return rendered.plain if isinstance(rendered, Content) else str(rendered)


def _in_view(widget: Widget) -> bool:
    """Whether all of ``widget`` is in view (a scrolled-off line is not cut: it scrolls)."""
    region = widget.region
    ancestors = [node for node in widget.ancestors if isinstance(node, Widget)]
    return bool(region.height) and all(node.region.contains_region(region) for node in ancestors)


def _cuts(app: App[Any]) -> tuple[dict[str, list[str]], int]:
    """What is cut on screen, by kind of check, and how many texts were looked for."""
    lines = _lines(app)
    screen = app.screen
    cut: dict[str, list[str]] = defaultdict(list)
    looked: list[str] = []

    def missing(kind: str, texts: list[str], shown: str) -> None:
        looked.extend(texts)
        cut[kind] += [text for text in texts if text not in shown]

    for footer in screen.query(Footer):
        # A label is followed by a space, or ends the line: never by more of its word.
        labels = [f"{label} " for label in _footer_labels(app)]
        missing("footer", labels, _within(lines, footer) + " ")
    for record_list in screen.query(RecordList):
        width = record_list.scrollable_content_region.width - 1
        heads = [column.header for column, _ in columns.layout(record_list.kind, width)]
        missing("column head", heads, lines[record_list.region.y])
    for table in screen.query(DataTable):
        if table.show_header and table.region.height:
            # A head may hold a line per line of its rows (the Problems screen's do).
            stacked = [column.label.plain.split("\n") for column in table.columns.values()]
            for line in range(max(map(len, stacked), default=0)):
                labels = [head[line] for head in stacked if line < len(head) and head[line]]
                missing("column head", labels, lines[table.content_region.y + line])
    for tabs in screen.query(Tabs):
        if tabs.region.height:
            missing("tab", [tab.label.plain for tab in tabs.query(Tab)], _within(lines, tabs))
    for pane in screen.query(StagePane):
        if pane.display and pane.region.height and pane.border_title:
            title = Content.from_markup(pane.border_title).plain
            missing("pane title", [title], lines[pane.region.y])
    headers = screen.query(
        "#filter-bar, #volume, #status-line, #record-header, #changes-header, #order-header,"
        " .dialog .title, .dialog Label, .dialog ToggleButton, .dialog Button,"
        " .help-title, .help-purpose, .help-keys, .help-text, .too-small,"
        " #problem-detail, #problem-header, #problems-message, #action-detail, #actions-message"
        " #problem-detail, #problem-header, #problems-message,"
        " #act-facts, #act-url, #act-risk, #act-line, #act-final-label, #act-reprocess-label"
    )
    for widget in headers:
        if _in_view(widget) and (text := _words(_whole_text(widget))):
            missing("header", [text], _words(_within(lines, widget)))
    for prompt in screen.query(Input):
        if prompt.region.height and not prompt.value and prompt.placeholder:
            missing("prompt", [prompt.placeholder], _within(lines, prompt))
    if isinstance(screen, CommandPalette):
        commands = screen.query_one(CommandList)
        first = range(min(5, commands.option_count))
        # A command's title is its prompt's first line; its help follows, dimmed.
        titles = [str(commands.get_option_at_index(at).prompt).split("\n")[0] for at in first]
        missing("palette", titles, _within(lines, commands))
    return {kind: found for kind, found in cut.items() if found}, len(looked)


def _cases() -> Iterator[Any]:
    for name in CASES:
        yield pytest.param(name, id=name.replace(" ", "-"))


@pytest.mark.parametrize("name", _cases())
async def test_nothing_is_cut(sqlite_store: Store, lang: str, name: str) -> None:
    case = CASES[name]
    app = console(sqlite_store, screen=case.screen)
    async with app.run_test(size=case.size) as pilot:
        await settled(pilot)
        if case.step is not None:
            case.step(app, sqlite_store)
            await settled(pilot)
        for key in case.keys:
            await pilot.press(key)
            await settled(pilot)
        cut, looked = _cuts(app)
        text = "\n".join(_lines(app))
        front = type(app.screen).__name__
    assert case.front in (None, front), f"{front} in front, not {case.front}"
    assert looked >= 3, f"too little to check:\n{text}"
    assert not cut, f"cut at {case.size} in {lang}: {cut}\n{text}"
