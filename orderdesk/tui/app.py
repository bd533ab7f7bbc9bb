"""The App: it builds every screen and holds the keys between them; its sync is ConsoleSync."""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterable
from datetime import UTC, datetime, timedelta, tzinfo
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar, Literal

from textual import events, on
from textual.app import App, SystemCommand
from textual.binding import Binding, BindingType
from textual.command import CommandPalette, Provider
from textual.geometry import Size
from textual.screen import ModalScreen, Screen
from textual.worker import Worker, WorkerState

from orderdesk import strings
from orderdesk.core.empty_result import store_is_empty
from orderdesk.core.errors import OrderdeskError
from orderdesk.core.records import KINDS, Kind
from orderdesk.core.store import Store
from orderdesk.core.sync_service import Source, SourceOpener, SyncService
from orderdesk.core.timeline_rules import DEFAULT_RULES, TimelineRules
from orderdesk.problems_looked import LastLooked
from orderdesk.tui.acting_desk import ActingDesk
from orderdesk.tui.console_sync import SYNC_GROUP, ConsoleSync
from orderdesk.tui.keys import help_groups
from orderdesk.tui.list_filter import ListFilter, zone_label
from orderdesk.tui.messages import (
    ActingWanted,
    ActionWanted,
    ComparisonWanted,
    ExportWanted,
    FiltersWanted,
    OrderWanted,
    ProblemOrdersWanted,
    RecordWanted,
    ServiceWatched,
    SyncProgressed,
    TemplateChangesWanted,
    TimeRangeWanted,
    WorkerFailed,
)
from orderdesk.tui.palette import OrderedCommands, console_commands, in_our_words
from orderdesk.tui.problem_watch import ProblemWatch
from orderdesk.tui.safe_text import safe
from orderdesk.tui.screens.actions import ActionsScreen
from orderdesk.tui.screens.compare import CompareScreen
from orderdesk.tui.screens.filters import FiltersDialog
from orderdesk.tui.screens.first_run import FirstRunScreen
from orderdesk.tui.screens.help import HelpScreen
from orderdesk.tui.screens.order import OrderScreen
from orderdesk.tui.screens.problem_orders import ProblemOrdersScreen
from orderdesk.tui.screens.problems import ProblemsScreen
from orderdesk.tui.screens.record import RecordScreen
from orderdesk.tui.screens.records import RecordsScreen
from orderdesk.tui.screens.template_changes import TemplateChangesScreen
from orderdesk.tui.screens.time_range import TimeRangeDialog
from orderdesk.tui.screens.too_small import TooSmallScreen, too_small
from orderdesk.tui.shared_css import SharedParseStylesheet
from orderdesk.tui.widgets.status_line import ERROR_KEY
from orderdesk.views import default_views_path

if TYPE_CHECKING:
    # The HTTP client comes with it: a console that only reads never loads either.
    from orderdesk.tui.acting import ConsoleActing

__all__ = ["OrderdeskApp", "stylesheet_path"]

StartScreen = Literal["requests", "postbacks"]


def stylesheet_path() -> Path:
    """``orderdesk.tcss``: inside the installed package, or at the top of a source checkout."""
    package = Path(__file__).resolve().parents[1]
    installed = package / "orderdesk.tcss"
    return installed if installed.exists() else package.parent / "orderdesk.tcss"


def _utc_now() -> datetime:
    return datetime.now(UTC)


class OrderdeskApp(App[None]):
    """orderdesk's terminal UI over one store, kept fresh from a source when there is one."""

    CSS_PATH = stylesheet_path()
    TITLE = "orderdesk"
    BINDINGS: ClassVar[list[BindingType]] = [
        # At 80 columns a footer has room for a screen's own keys, ? and q: the
        # rest are on the ? screen.
        Binding("1", "show('requests')", strings.KEY_REQUESTS, show=False),
        Binding("2", "show('postbacks')", strings.KEY_POSTBACKS, show=False),
        Binding("3", "order", strings.KEY_ORDER, show=False),
        Binding("4", "problems", strings.KEY_PROBLEMS, show=False),
        Binding("5", "actions", strings.KEY_ACTIONS, show=False),
        Binding("u", "toggle_utc", strings.KEY_UTC, show=False),
        Binding("question_mark", "help", strings.KEY_HELP),
        Binding("q", "quit", strings.KEY_QUIT),
        # The status line says "(E)" beside the error: a footer at 80 columns has no room left.
        Binding(ERROR_KEY, "source_error", strings.KEY_SYNC_ERROR, show=False),
    ]
    COMMANDS: ClassVar[set[type[Provider] | Callable[[], type[Provider]]]] = {OrderedCommands}

    def __init__(
        self,
        store: Store,
        *,
        source: Source | None = None,
        open_source: SourceOpener | None = None,
        zone: tzinfo | None = None,
        now: Callable[[], datetime] = _utc_now,
        screen: StartScreen = "requests",
        list_filter: ListFilter | None = None,
        timeline_rules: TimelineRules = DEFAULT_RULES,
        retention: timedelta | None = None,
        order_reference: str | None = None,
        take_over: bool = True,
        service_poll: float = 2.0,
        freeze_startup: bool = False,
        views_path: Path | None = None,
        bell: bool = False,
        watch_problems: bool = True,
        problem_poll: float = 15.0,
        looked: LastLooked | None = None,
        acting: ConsoleActing | None = None,
    ) -> None:
        super().__init__()
        # Textual made a stylesheet that parses everything again at each switch of lists.
        self.stylesheet = SharedParseStylesheet(variables=self.get_css_variables())
        # Only for an app that is the whole process: frozen objects are never
        # collected, which in a test session running many apps would leak.
        self._freeze_startup = freeze_startup
        self.store = store
        self.source = source
        #: Whether and how this console may act (redeliver, resubmit); None: it never does.
        self.acting = acting
        #: Asks the source whether this console may act, and opens the dialogs that do.
        self.acting_desk = ActingDesk(self, acting)
        self.now = now
        self.zone = zone if zone is not None else datetime.now().astimezone().tzinfo or UTC
        self._chosen_zone = self.zone
        self._start = screen
        self._start_filter = list_filter
        self._start_order = order_reference
        #: The order timeline's thresholds, from the settings.
        self.timeline_rules = timeline_rules
        opened = open_source if open_source is not None else source
        self.syncing = ConsoleSync(
            self,
            store,
            SyncService(store.url, opened, rules=timeline_rules, retention=retention)
            if opened is not None
            else None,
            lists=lambda: self._lists.values(),
            now=now,
            take_over=take_over,
            poll=service_poll,
            arrived=self._records_arrived,
        )
        self.freshness = self.syncing.freshness
        self._lists: dict[Kind, RecordsScreen] = {}
        #: When the user last had the Problems screen open; what is new is new since.
        self.problems_looked = looked if looked is not None else LastLooked()
        self._watch_problems = watch_problems
        self._problem_poll = problem_poll
        #: Counts the open problems for the status line, and alerts on new ones (if watching).
        self.problem_watch = ProblemWatch(
            self, store, self.freshness, now=now, bell=bell, redraw=self._problems_counted
        )
        self._last_list: Kind = screen
        self._problems: ProblemsScreen | None = None
        self._actions: ActionsScreen | None = None
        #: Where saved views are read and written (the user's config folder by default).
        self.views_path = views_path if views_path is not None else default_views_path()

    # -- screens ---------------------------------------------------------------------

    def on_mount(self) -> None:
        """Install both list screens, open the asked-for one, and start the sync."""
        for kind in KINDS:
            self.add_mode(kind, self._list_screen_maker(kind))
        self.add_mode("problems", self._problems_screen)
        self.add_mode("actions", self._actions_screen)
        self.switch_mode(self._start)
        if not self.syncing.start() and store_is_empty(self.store):
            self.push_screen(FirstRunScreen(self.store.url))
        if self._start_order is not None:
            self.open_order(self._start_order)
        self._fit_terminal()
        self.acting_desk.start()
        if self._watch_problems:
            self.problem_watch.check()
            self.set_interval(self._problem_poll, self.problem_watch.check)
        if self._freeze_startup:
            # Everything made so far (modules, styles, screens) lives as long as
            # the app. Without this, each full collection walks all of it again:
            # a 100 ms pause, measured, landing on whichever key triggers it.
            self.call_after_refresh(gc.freeze)

    def _list_screen_maker(self, kind: Kind) -> Callable[[], Screen[None]]:
        def make() -> Screen[None]:
            if kind in self._lists:  # made early, by a saved view opened before its screen
                return self._lists[kind]
            chosen = self._start_filter if kind == self._start else None
            screen = self._lists[kind] = RecordsScreen(
                self.store,
                kind,
                zone=self.zone,
                now=self.now,
                freshness=self.freshness,
                list_filter=chosen,
            )
            return screen

        return make

    def list_screen(self, kind: Kind) -> RecordsScreen:
        """The Requests or Postbacks screen, made if it was never shown."""
        if kind not in self._lists:
            self._list_screen_maker(kind)()
        return self._lists[kind]

    def action_show(self, kind: Kind) -> None:
        """Show the Requests or Postbacks list itself, never a screen left open over it.

        Each list is a mode; orders and records opened from it are pushed on
        its stack. ``1`` and ``2`` mean the list, so what lies over it goes.
        """
        self._last_list = kind
        self._to_mode(kind)

    def _to_mode(self, mode: str) -> None:
        if self.current_mode != mode:
            self.switch_mode(mode)
        while len(self.screen_stack) > 1:
            self.pop_screen()
        self._fit_terminal()

    def _problems_screen(self) -> ProblemsScreen:
        self._problems = ProblemsScreen(
            self.store,
            zone=self.zone,
            now=self.now,
            freshness=self.freshness,
            looked=self.problems_looked,
        )
        return self._problems

    def action_problems(self) -> None:
        """Show the open problems, whatever lies over them."""
        self._to_mode("problems")

    def action_leave_problems(self) -> None:
        """From the problems back to the list the user came from."""
        self.action_show(self._last_list)

    def _actions_screen(self) -> ActionsScreen:
        self._actions = ActionsScreen(self.store, zone=self.zone, now=self.now)
        return self._actions

    def action_actions(self) -> None:
        """Show the action trail, whatever lies over it."""
        self._to_mode("actions")

    def action_leave_actions(self) -> None:
        """From the action trail back to the list the user came from."""
        self.action_show(self._last_list)

    @property
    def closing(self) -> bool:
        """True from the moment the console starts to end.

        The sync and the watch report from their own threads, so a report can
        arrive while the screens are being taken down (their widgets already
        gone) or after the last one has gone; there is nothing left to redraw.
        """
        return not self.is_running or not self.screen_stack

    def _problems_counted(self) -> None:
        """The watch counted again: the status line says so, the Problems screen reads again."""
        if self.closing:
            return
        self.syncing.redraw()
        if isinstance(self.screen, ProblemsScreen):
            self.screen.reload()

    def on_resize(self, event: events.Resize) -> None:
        """Below the smallest size, say so instead of drawing a broken layout."""
        self._fit_terminal(event.size)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """While the terminal is too small, only quitting works (nothing could be drawn).

        Over a dialog, 1, 2 and 3 do nothing: the dialog (an export under way,
        say) is answered or cancelled first, never dropped. The whole error's
        key exists only while the source fails.
        """
        if isinstance(self.screen, TooSmallScreen):
            return action == "quit"
        if action == "source_error":
            return self.freshness.failure is not None
        modal = isinstance(self.screen, ModalScreen)
        return not (action in ("show", "order", "problems", "actions") and modal)

    def _fit_terminal(self, size: Size | None = None) -> None:
        # A resize reaches self.size a moment after its event: the event's size is the new one.
        small = too_small(*(size or self.size))
        front = isinstance(self.screen, TooSmallScreen)
        if small and not front:
            self.push_screen(TooSmallScreen())
        elif front and not small:
            self.pop_screen()

    def action_order(self) -> None:
        """Find an order by its reference, starting from the highlighted record's.

        Support usually hears a reference before anything else, so ``3`` opens
        the order view with a box for one; the offered reference is selected,
        so typing replaces it, and the timeline follows what is typed (``o``
        opens the highlighted record's order without asking).
        """
        screen = self.screen
        if isinstance(screen, OrderScreen) and screen.finder:
            screen.action_find()
            return
        summary = screen.record_list.highlighted if isinstance(screen, RecordsScreen) else None
        offered = summary.order_reference_id if summary is not None else None
        self.push_screen(self._order_screen(offered or "", finder=True))

    def open_order(self, reference: str) -> None:
        """Show everything known about one order reference."""
        self.push_screen(self._order_screen(reference))

    def _order_screen(self, reference: str, *, finder: bool = False) -> OrderScreen:
        """The order view, on the App's clock and with the thresholds of the settings."""
        return OrderScreen(
            self.store, reference, self.zone, now=self.now, rules=self.timeline_rules, finder=finder
        )

    @on(OrderWanted)
    def _order_wanted(self, message: OrderWanted) -> None:
        reference = message.order_reference
        if not reference:
            self.action_order()
            return
        stack = self.screen_stack
        below = stack[-2] if len(stack) > 1 else None
        if isinstance(below, OrderScreen) and below.reference == reference:
            # A drill-down opened from this order's view goes back to it, not to a second one.
            self.pop_screen()
        else:
            self.open_order(reference)

    @on(RecordWanted)
    def _record_wanted(self, message: RecordWanted) -> None:
        self.push_screen(RecordScreen(self.store, message.kind, message.record_id, self.zone))

    @on(ActionWanted)
    def _action_wanted(self, message: ActionWanted) -> None:
        self.acting_desk.act(message)

    @on(ProblemOrdersWanted)
    def _problem_orders_wanted(self, message: ProblemOrdersWanted) -> None:
        self.push_screen(
            ProblemOrdersScreen(
                self.store,
                message.group,
                since=message.since,
                until=message.until,
                zone=self.zone,
                now=self.now,
            )
        )

    @on(TemplateChangesWanted)
    def _template_changes_wanted(self, message: TemplateChangesWanted) -> None:
        self.push_screen(TemplateChangesScreen(message.record))

    @on(ComparisonWanted)
    def _comparison_wanted(self, message: ComparisonWanted) -> None:
        self.push_screen(CompareScreen(message.base, message.record))

    @on(FiltersWanted)
    def _filters_wanted(self, message: FiltersWanted) -> None:
        self.push_screen(FiltersDialog(message.kind, message.list_filter), message.answer)

    @on(TimeRangeWanted)
    def _time_range_wanted(self, message: TimeRangeWanted) -> None:
        dialog = TimeRangeDialog(message.window, self.zone, zone_label(self.zone, self.now()))
        self.push_screen(dialog, message.answer)

    @on(ExportWanted)
    def _export_wanted(self, message: ExportWanted) -> None:
        # Imported here: the export's file machinery is needed only once someone exports.
        from orderdesk.tui.screens.export import ExportDialog

        dialog = ExportDialog(
            self.store, message.query, message.marks, zone=self.zone, now=self.now()
        )
        self.push_screen(dialog, message.answer)

    @on(ActingWanted)
    def _acting_wanted(self, message: ActingWanted) -> None:
        acting = self.acting
        if acting is None or not acting.may_act:
            why = strings.ACTING_NO_SOURCE if acting is None else acting.why_not
            self.notify(why or "", severity="warning", timeout=6, markup=False)
            return
        # Imported here: a console that only reads never loads the sending machinery.
        from orderdesk.tui.screens.bulk_action import BulkActionDialog

        dialog = BulkActionDialog(
            self.store,
            acting,
            query=message.query,
            marks=message.marks,
            group=message.group,
            since=message.since,
            until=message.until,
            now=self.now,
        )
        self.push_screen(dialog)

    def action_toggle_utc(self) -> None:
        """Switch times between UTC and the chosen zone."""
        self.set_zone(self._chosen_zone if self.zone is UTC else UTC)

    def set_zone(self, zone: tzinfo) -> None:
        """Show and read every time in ``zone``."""
        self.zone = zone
        for screen in self._lists.values():
            screen.set_zone(zone)
        if self._problems is not None:
            self._problems.set_zone(zone)
        if self._actions is not None:
            self._actions.set_zone(zone)
        self.notify(strings.ZONE_NOW.format(zone=zone_label(zone, self.now())), timeout=2)

    def action_help(self) -> None:
        """Show what each key of the screen in front does, or close that help again."""
        if isinstance(self.screen, HelpScreen):
            self.screen.dismiss()
        else:
            self.push_screen(HelpScreen(help_groups(self, self.screen.active_bindings)))

    def get_system_commands(self, screen: Screen[object]) -> Iterable[SystemCommand]:
        """The console's commands for ``screen``, then Textual's in the language in use."""
        yield from console_commands(self, screen)
        yield from in_our_words(self, super().get_system_commands(screen))

    def action_command_palette(self) -> None:
        """Textual's command palette, its prompt in the language in use."""
        # is_open is typed for App[object]; any App is what it means.
        if self.use_command_palette and not CommandPalette.is_open(self):  # type: ignore[arg-type]
            self.push_screen(
                CommandPalette(id="--command-palette", placeholder=strings.PALETTE_PLACEHOLDER)
            )

    def action_help_quit(self) -> None:
        """Ctrl+C does not quit: say which key does, in the language in use (as Textual does)."""
        for key, active in self.active_bindings.items():
            if active.binding.action in ("quit", "app.quit"):
                self.notify(strings.QUIT_HINT.format(key=key), title=strings.QUIT_HINT_TITLE)
                return

    # -- freshness -------------------------------------------------------------------

    def action_source_error(self) -> None:
        """Show the source's whole error, since when it fails, and the next try."""
        from orderdesk.tui.screens.source_error import SourceErrorDialog

        failure = self.freshness.failure
        if failure is not None and not isinstance(self.screen, SourceErrorDialog):
            self.push_screen(SourceErrorDialog(failure, self.zone))

    def _records_arrived(self) -> None:
        """Records arrived: an open record shows its newest version (an action's new attempt)."""
        for screen in self.screen_stack:
            if isinstance(screen, RecordScreen):
                screen.records_arrived()

    @on(ServiceWatched)
    def _service_watched(self, message: ServiceWatched) -> None:
        if not self.closing:
            self.syncing.watched(message)

    @on(SyncProgressed)
    def _sync_progressed(self, message: SyncProgressed) -> None:
        if self.closing:
            return
        self.syncing.progressed(message)
        self.acting_desk.sync_progressed(message)
        if self._watch_problems and (message.stored or message.progress.caught_up):
            # The count beside "synced 0 s ago" is counted from the store it describes.
            self.problem_watch.check()
        trail = message.progress.actions
        if (
            trail is not None
            and trail.new + trail.updated
            and isinstance(self.screen, ActionsScreen)
        ):
            self.screen.reload()  # the trail in front shows what the pass brought

    @on(Worker.StateChanged)
    def _worker_changed(self, event: Worker.StateChanged) -> None:
        """Every worker's failure is shown, never swallowed."""
        if event.state is WorkerState.ERROR:
            self._worker_failed(event.worker)

    @on(WorkerFailed)
    def _widget_worker_failed(self, message: WorkerFailed) -> None:
        self._worker_failed(message.worker)

    def _worker_failed(self, worker: Worker[Any]) -> None:
        error = worker.error
        text = safe(str(error) if isinstance(error, OrderdeskError) else repr(error)).plain
        if worker.group == SYNC_GROUP:
            self.syncing.failed(error)
        self.notify(
            strings.WORKER_FAILED.format(name=worker.name, error=text),
            severity="error",
            timeout=10,
            markup=False,
        )

    def on_unmount(self) -> None:
        """Stop the sync between pages, and give its lease back before the app ends."""
        self.syncing.stop()
