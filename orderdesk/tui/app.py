"""The App: it builds every screen, holds the keys between them, and runs the sync worker."""

from __future__ import annotations

import gc
import threading
from collections.abc import Callable, Iterable
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass
from datetime import UTC, datetime, tzinfo
from pathlib import Path
from typing import Any, ClassVar, Literal

from sqlalchemy.exc import DBAPIError
from textual import events, on, work
from textual.app import App, SystemCommand
from textual.binding import Binding, BindingType
from textual.command import CommandPalette, Provider
from textual.geometry import Size
from textual.screen import ModalScreen, Screen
from textual.worker import Worker, WorkerState

from orderdesk import strings
from orderdesk.core.errors import OrderdeskError, SourceError
from orderdesk.core.lease import Lease, LeaseHeld, SyncStatus, lease_holder, read_status
from orderdesk.core.progress import SyncProgress
from orderdesk.core.queries import RecordQuery, list_summaries
from orderdesk.core.records import KINDS, Kind
from orderdesk.core.store import Store
from orderdesk.core.timeline_rules import DEFAULT_RULES, TimelineRules
from orderdesk.tui.keys import help_groups
from orderdesk.tui.list_filter import ListFilter, zone_label
from orderdesk.tui.messages import OrderWanted, RecordWanted, SyncProgressed, WorkerFailed
from orderdesk.tui.palette import OrderedCommands, console_commands, in_our_words
from orderdesk.tui.safe_text import safe
from orderdesk.tui.screens.first_run import FirstRunScreen
from orderdesk.tui.screens.help import HelpScreen
from orderdesk.tui.screens.order import OrderScreen
from orderdesk.tui.screens.record import RecordScreen
from orderdesk.tui.screens.records import RecordsScreen
from orderdesk.tui.screens.too_small import TooSmallScreen, too_small
from orderdesk.tui.widgets.status_line import ERROR_KEY, Freshness, SourceFailure, StatusLine
from orderdesk.views import default_views_path

__all__ = ["OrderdeskApp", "Source", "SourceOpener", "stylesheet_path"]

StartScreen = Literal["requests", "postbacks"]


def stylesheet_path() -> Path:
    """``orderdesk.tcss``: inside the installed package, or at the top of a source checkout."""
    package = Path(__file__).resolve().parents[1]
    installed = package / "orderdesk.tcss"
    return installed if installed.exists() else package.parent / "orderdesk.tcss"


@dataclass(frozen=True)
class Source:
    """The log API the background sync follows."""

    url: str
    api_key: str | None = None
    interval: float = 5.0


#: Opens the source when the sync starts, and closes it when the sync ends.
SourceOpener = Callable[[], AbstractContextManager[Source]]


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
        order_reference: str | None = None,
        take_over: bool = True,
        service_poll: float = 2.0,
        freeze_startup: bool = False,
        views_path: Path | None = None,
    ) -> None:
        super().__init__()
        # Only for an app that is the whole process: frozen objects are never
        # collected, which in a test session running many apps would leak.
        self._freeze_startup = freeze_startup
        self.store = store
        self.source = source
        if open_source is None and source is not None:
            given = source
            open_source = lambda: nullcontext(given)  # noqa: E731
        self._open_source = open_source
        self.now = now
        self.zone = zone if zone is not None else datetime.now().astimezone().tzinfo or UTC
        self._chosen_zone = self.zone
        self._start = screen
        self._start_filter = list_filter
        self._start_order = order_reference
        #: The order timeline's thresholds, from the settings.
        self.timeline_rules = timeline_rules
        self.freshness = Freshness(has_source=open_source is not None)
        self._stop_sync = threading.Event()
        self._sync_ended = threading.Event()
        self._sync_ended.set()
        #: Whether this console may sync when no other process does.
        self._take_over = take_over
        self._service_poll = service_poll
        self._seen_service = False
        self._seen_watermark: datetime | None = None
        self._last_report: SyncProgress | None = None
        self._failing_shown = False
        self._lists: dict[Kind, RecordsScreen] = {}
        #: Where saved views are read and written (the user's config folder by default).
        self.views_path = views_path if views_path is not None else default_views_path()

    # -- screens ---------------------------------------------------------------------

    def on_mount(self) -> None:
        """Install both list screens, open the asked-for one, and start the sync."""
        for kind in KINDS:
            self.add_mode(kind, self._list_screen_maker(kind))
        self.switch_mode(self._start)
        holder = self._watch_service()
        self.set_interval(self._service_poll, self._watch_service)
        if holder is not None:
            pass  # another process syncs this store: watch it, sync nothing
        elif self._open_source is not None:
            self._start_sync()
        elif self._store_is_empty():
            self.push_screen(FirstRunScreen(self.store.url))
        if self._start_order is not None:
            self.open_order(self._start_order)
        self._fit_terminal()
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

    def _store_is_empty(self) -> bool:
        return not any(
            list_summaries(self.store, RecordQuery(kind=kind), limit=1) for kind in KINDS
        )

    def action_show(self, kind: Kind) -> None:
        """Show the Requests or Postbacks list itself, never a screen left open over it.

        Each list is a mode; orders and records opened from it are pushed on
        its stack. ``1`` and ``2`` mean the list, so what lies over it goes.
        """
        if self.current_mode != kind:
            self.switch_mode(kind)
        while len(self.screen_stack) > 1:
            self.pop_screen()
        self._fit_terminal()

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
        return not (action in ("show", "order") and isinstance(self.screen, ModalScreen))

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

    def action_toggle_utc(self) -> None:
        """Switch times between UTC and the chosen zone."""
        self.set_zone(self._chosen_zone if self.zone is UTC else UTC)

    def set_zone(self, zone: tzinfo) -> None:
        """Show and read every time in ``zone``."""
        self.zone = zone
        for screen in self._lists.values():
            screen.set_zone(zone)
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

    def _watch_service(self) -> str | None:
        """Read who syncs the store and how it went (one row); reload when its watermark moves."""
        if not self._sync_ended.is_set():
            return None  # this console syncs: its own progress says more
        try:
            holder = lease_holder(self.store)
            status = read_status(self.store)
        except DBAPIError as error:
            whole = str(error.orig)
            brief = strings.BRIEF_STORE_UNREADABLE
            self.freshness.stopped = SourceFailure(brief, whole, self.now(), stopped=True)
            self._redraw_status()
            return None
        self._show_service(holder, status)
        may_take_over = self._take_over and self.freshness.stopped is None
        if holder is None and self._seen_service and may_take_over and self._open_source:
            self.freshness.took_over = True
            self._start_sync()
        self._seen_service = self._seen_service or holder is not None
        return holder

    def _show_service(self, holder: str | None, status: SyncStatus | None) -> None:
        seen = holder is not None or self._seen_service
        self.freshness.service = status if seen else None
        self.freshness.service_holder = holder
        if status is not None and status.last_success_at is not None:
            # An earlier sync's, until this console's own catches up.
            self._synced(status.last_success_at)
        moved = status is not None and status.watermark_at != self._seen_watermark
        if moved and status is not None:
            if self._seen_watermark is not None:
                for screen in self._lists.values():
                    screen.records_arrived()
            self._seen_watermark = status.watermark_at
        self._redraw_status()

    def _synced(self, moment: datetime) -> None:
        synced_at = self.freshness.synced_at
        if synced_at is None or moment > synced_at:
            self.freshness.synced_at = moment

    def _redraw_status(self) -> None:
        for line in self.screen.query(StatusLine):
            line.redraw()
        for screen in self._lists.values():
            screen.freshness_changed()
        failing = self.freshness.failure is not None
        if failing != self._failing_shown:
            # The key to the whole error is offered only while there is one.
            self._failing_shown = failing
            self.refresh_bindings()

    def action_source_error(self) -> None:
        """Show the source's whole error, since when it fails, and the next try."""
        from orderdesk.tui.screens.source_error import SourceErrorDialog

        failure = self.freshness.failure
        if failure is not None and not isinstance(self.screen, SourceErrorDialog):
            self.push_screen(SourceErrorDialog(failure, self.zone))

    def _start_sync(self) -> None:
        assert self._open_source is not None
        self._sync_ended.clear()
        self.freshness.service = None
        # Records stored before the first pass: a sync ran, whether or not it caught up.
        self.freshness.had_records = not self._store_is_empty()
        self._follow_source(self._open_source)

    def _sync_declined(self) -> None:
        """Another process took the lease first: watch it instead."""
        self.freshness.took_over = False
        self._watch_service()

    @work(thread=True, exclusive=True, group="sync", name="sync", exit_on_error=False)
    def _follow_source(self, open_source: SourceOpener) -> None:
        # Its own Store: a separate SQLite connection, writing while the screens read.
        # The lease comes first, so a console that is only watching opens no source.
        # Imported here: a console with no source never loads the HTTP client.
        from orderdesk.core.client import LogApiClient
        from orderdesk.core.sync import follow

        try:
            with Store.open(self.store.url) as store:
                try:
                    lease = Lease.acquire(store)
                except LeaseHeld:
                    self._sync_ended.set()
                    self.call_from_thread(self._sync_declined)
                    return

                def report(progress: SyncProgress) -> None:
                    self._report_from_thread(progress)
                    lease.report(progress)

                # Opening the source may take a while (the demo generates its service).
                with (
                    lease,
                    open_source() as source,
                    LogApiClient(source.url, source.api_key) as client,
                ):
                    follow(
                        client,
                        store,
                        interval=source.interval,
                        stop=self._stop_sync,
                        on_progress=report,
                    )
        finally:
            self._sync_ended.set()

    def _report_from_thread(self, progress: SyncProgress) -> None:
        last = self._last_report
        # Each pass starts counting from zero after the last one caught up.
        if last is None or last.caught_up:
            new, stored = progress.new, progress.stored
        else:
            new, stored = progress.new - last.new, progress.stored - last.stored
        self._last_report = progress
        self.post_message(SyncProgressed(progress, new, stored))

    @on(SyncProgressed)
    def _sync_progressed(self, message: SyncProgressed) -> None:
        progress = self.freshness.progress = message.progress
        if progress.caught_up and progress.last_success_at is not None:
            # Only a pass that caught up is a sync that ended: a stopped one is not.
            self._synced(progress.last_success_at)
        self.freshness.unseen += message.new
        if message.stored:
            for screen in self._lists.values():
                screen.records_arrived()
        self._redraw_status()

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
        if worker.group == "sync":
            self.freshness.stopped = self._stopped_by(error)
            self._redraw_status()
        self.notify(
            strings.WORKER_FAILED.format(name=worker.name, error=text),
            severity="error",
            timeout=10,
            markup=False,
        )

    def _stopped_by(self, error: BaseException | None) -> SourceFailure:
        """The failure that ended the sync, in a few words and whole."""
        if isinstance(error, SourceError) and error.brief:
            brief = error.brief
        elif isinstance(error, OrderdeskError):
            brief = strings.BRIEF_SOURCE_ERROR
        else:
            brief = type(error).__name__
        whole = str(error) if isinstance(error, OrderdeskError) else repr(error)
        progress = self.freshness.progress
        since = progress.failing_since if progress is not None else None
        return SourceFailure(brief, whole, since or self.now(), stopped=True)

    def on_unmount(self) -> None:
        """Stop the sync between pages, and give its lease back before the app ends."""
        self._stop_sync.set()
        # A page in flight ends within the client's timeout; past this, a SQLite
        # lease left behind lapses by itself.
        self._sync_ended.wait(timeout=5)
