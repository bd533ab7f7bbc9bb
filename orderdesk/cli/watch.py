"""``orderdesk watch``: sync, and alert a command or a webhook when a problem group appears.

By default the watch syncs the store from the log API in a thread (as
``orderdesk sync --follow`` would, under the store's lease) and checks the
problem groups every ``--interval`` seconds. When another process already
syncs the store (its lease is held), the watch says so and only watches what
that process stores, taking over the sync if it stops; ``--no-sync`` only
watches, for a store that a service syncs. What alerts and when is
``core.watch_state``; where alerts go is ``cli.alert_delivery``. Each alert's
sentence is also written to stdout, a log of what was sent; progress and
errors go to stderr.
"""

from __future__ import annotations

import sys
import threading
from collections.abc import Callable, Sequence
from contextlib import ExitStack
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Protocol

import click
from sqlalchemy.exc import DBAPIError

from orderdesk import strings
from orderdesk.cli.language import option
from orderdesk.config import Settings, prepare_store
from orderdesk.core.errors import InputError

if TYPE_CHECKING:
    from orderdesk.cli.sync_report import SyncReporter
    from orderdesk.core.store import Store
    from orderdesk.core.watch_state import Alert, WatchState

__all__ = ["Sink", "Watch", "run_watch", "watch"]


class Sink(Protocol):
    """A place an alert goes: None when it took the alert, else what went wrong."""

    def deliver(self, payload: dict[str, Any]) -> str | None: ...


@dataclass
class Watch:
    """One store's problem groups, checked pass by pass, with alerts sent to the sinks."""

    store: Store
    state: WatchState
    sinks: Sequence[Sink]
    #: Progress and errors (stderr).
    say: Callable[[str], None]
    #: Each alert's sentence (stdout).
    out: Callable[[str], None]
    clock: Callable[[], datetime] = field(default=lambda: datetime.now(UTC))
    sent: int = 0

    def check(self, stop: threading.Event | None = None) -> list[Alert]:
        """One pass: send what is due, record it, and note the groups that went quiet.

        A ``stop`` set during the pass ends it after the alert being sent; the
        others are still due at the next start.
        """
        from orderdesk.cli.alert_delivery import alert_json
        from orderdesk.core.watch_state import Episode, due_alerts

        now = self.clock()
        found = due_alerts(self.store, self.state.episodes(), now=now, began=self.state.began)
        self.state.record(found.seen)
        sent = []
        for alert in found.alerts:
            if stop is not None and stop.is_set():
                break
            payload = alert_json(alert)
            self.out(payload["sentence"])
            problems = [sink.deliver(payload) for sink in self.sinks]
            for problem in problems:
                if problem is not None:
                    self.say(problem)
            if self.sinks and all(problem is not None for problem in problems):
                # Nothing took it: no record, so the next pass tries again.
                self.say(strings.WATCH_NOT_DELIVERED)
                continue
            # Its own transaction, after delivery: at least once (see core.watch_state).
            self.state.record([Episode(alert.key, now, alert.why)])
            sent.append(alert)
        self.sent += len(sent)
        return sent

    def open_episodes(self) -> int:
        """How many groups alerted and have not gone quiet since."""
        episodes = self.state.episodes().values()
        return sum(episode.alerted and episode.ended_at is None for episode in episodes)


def run_watch(watch: Watch, stop: threading.Event, interval: float) -> None:
    """Check, wait ``interval`` seconds, and again, until ``stop`` is set.

    A store that fails for a moment (a restarted database) is said and tried
    again on the next pass.
    """
    while not stop.is_set():
        try:
            watch.check(stop)
        except DBAPIError as error:
            watch.say(strings.WATCH_STORE_FAILED.format(error=error.orig))
        stop.wait(interval)


@dataclass
class _SyncThread:
    """The sync, followed in a thread until the watch stops; its failure stops the watch."""

    settings: Settings
    url: str
    stop: threading.Event
    reporter: SyncReporter
    error: BaseException | None = None
    thread: threading.Thread | None = None

    def start(self) -> None:
        self.thread = threading.Thread(target=self._run, name="orderdesk-sync", daemon=True)
        self.thread.start()

    def _run(self) -> None:
        from orderdesk.core.sync_service import Source, SyncService

        settings = self.settings
        source = Source(self.url, settings.api_key_value(), interval=settings.interval)
        service = SyncService(
            settings.db, source, rules=settings.timeline_rules(), retention=settings.retention
        )
        try:
            service.follow(
                self.stop,
                self.reporter.progressed,
                waiting=self._held,
                on_following=self.reporter.following,
            )
        except BaseException as error:  # Handed to the main thread, which says or raises it.
            self.error = error
            self.stop.set()

    def _held(self, holder: str) -> None:
        self.reporter.say(strings.WATCH_SYNC_HELD.format(holder=holder))

    def join(self) -> None:
        if self.thread is not None:
            self.thread.join()


@click.command(help=strings.CLI_WATCH)
@option("--exec", "command", metavar="CMD", help=strings.OPT_WATCH_EXEC)
@option(
    "--exec-timeout",
    type=click.FloatRange(min=0.1),
    default=30.0,
    show_default=True,
    help=strings.OPT_WATCH_EXEC_TIMEOUT,
)
@option("--webhook", metavar="URL", envvar="ORDERDESK_WEBHOOK", help=strings.OPT_WATCH_WEBHOOK)
@option("--sync/--no-sync", default=True, help=strings.OPT_WATCH_SYNC)
@option("--interval", type=click.FloatRange(min=0.1), help=strings.OPT_WATCH_INTERVAL)
@option("--api-key", metavar="KEY", help=strings.OPT_API_KEY)
@option("--api-url", metavar="URL", help=strings.OPT_API_URL)
@option("--db", metavar="PATH|URL", help=strings.OPT_DB)
def watch(
    command: str | None,
    exec_timeout: float,
    webhook: str | None,
    sync: bool,
    interval: float | None,
    api_key: str | None,
    api_url: str | None,
    db: str | None,
) -> None:
    """Alert a command or a webhook when a problem group appears, worsens or comes back."""
    from orderdesk.cli.alert_delivery import CommandSink, WebhookSink
    from orderdesk.cli.long_running import require_source, stop_on_signals
    from orderdesk.cli.sync_report import SyncReporter
    from orderdesk.core.store import Store
    from orderdesk.core.watch_state import WatchState

    settings = Settings.load(db=db, api_url=api_url, api_key=api_key, interval=interval)
    if sync and not settings.api_url:
        raise InputError(strings.WATCH_NO_SOURCE)
    url = require_source(settings) if sync else None
    reporter = SyncReporter(out=sys.stderr, interactive=False)
    with stop_on_signals() as stop, ExitStack() as closing:
        # Every flag is checked before the store is touched.
        sinks: list[CommandSink | WebhookSink] = []
        if command is not None:
            sinks.append(CommandSink(command, timeout=exec_timeout))
        if webhook is not None:
            hook = WebhookSink(webhook, wait=stop.event.wait, say=reporter.say)
            closing.callback(hook.close)
            sinks.append(hook)
        prepare_store(settings.db)
        store = closing.enter_context(Store.open(settings.db))
        state = WatchState.open(store, now=datetime.now(UTC))
        where = [sink.shown for sink in sinks] or [strings.WATCH_TO_STDOUT]
        reporter.say(
            strings.WATCH_STARTED.format(
                db=store.shown_url, interval=settings.interval, to=", ".join(where)
            )
        )
        syncing = None
        if url is not None:
            syncing = _SyncThread(settings, url, stop.event, reporter)
            syncing.start()
        watcher = Watch(store, state, sinks, say=reporter.say, out=_alert_line)
        try:
            run_watch(watcher, stop.event, settings.interval)
        finally:
            stop.event.set()
            if syncing is not None:
                syncing.join()
        if syncing is not None and syncing.error is not None and stop.signal is None:
            raise syncing.error
        reporter.say(strings.WATCH_STOPPED.format(sent=watcher.sent, open=watcher.open_episodes()))
    if stop.signal is not None:
        raise click.exceptions.Exit(128 + stop.signal)


def _alert_line(line: str) -> None:
    click.echo(line)
    sys.stdout.flush()
