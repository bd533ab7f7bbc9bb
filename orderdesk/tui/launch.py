"""``orderdesk`` with no command: the console on the configured store, deep-linked by flags."""

from __future__ import annotations

from orderdesk.config import Settings
from orderdesk.core.errors import InputError
from orderdesk.core.records import POSTBACK_STATUSES, REQUEST_STATUSES
from orderdesk.core.store import Store
from orderdesk.core.timerange import parse_duration, resolve_zone
from orderdesk.tui.app import OrderdeskApp, Source, StartScreen
from orderdesk.tui.list_filter import ListFilter, TimeWindow
from orderdesk.tui.terminal import drawing_on_terminal

__all__ = ["open_console", "start_filter"]


def start_filter(
    screen: StartScreen, *, since: str | None, statuses: tuple[str, ...]
) -> ListFilter:
    """The filter the flags ask for; raises InputError on a value that cannot be used."""
    allowed = REQUEST_STATUSES if screen == "requests" else POSTBACK_STATUSES
    for status in statuses:
        if status not in allowed:
            raise InputError(f"--status {status!r} is not one of: {', '.join(allowed)}")
    window = TimeWindow()
    if since is not None:
        parse_duration(since.removeprefix("-"))
        window = TimeWindow(preset=since.removeprefix("-"))
    return ListFilter(window=window, statuses=statuses)


def open_console(
    settings: Settings,
    *,
    source_url: str | None,
    screen: StartScreen,
    since: str | None,
    statuses: tuple[str, ...],
    order_reference: str | None,
    take_over: bool = True,
) -> None:
    """Open the TUI; with no source it only reads the store."""
    zone = resolve_zone(settings.tz)
    list_filter = start_filter(screen, since=since, statuses=statuses)
    source = None
    if source_url is not None:
        source = Source(source_url, settings.api_key_value(), interval=settings.interval)
    with Store.open(settings.db) as store:
        app = OrderdeskApp(
            store,
            source=source,
            zone=zone,
            screen=screen,
            list_filter=list_filter,
            timeline_rules=settings.timeline_rules(),
            order_reference=order_reference,
            take_over=take_over,
            freeze_startup=True,
        )
        with drawing_on_terminal():
            app.run()
