"""``orderdesk`` with no command: the console on the configured store, deep-linked by flags."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from orderdesk.config import Settings
from orderdesk.core.statuses import check_statuses
from orderdesk.core.store_opening import StoreOpening
from orderdesk.core.sync_service import Source
from orderdesk.core.timerange import parse_duration, resolve_zone
from orderdesk.problems_looked import LastLooked, default_looked_path
from orderdesk.tui.app import OrderdeskApp, StartScreen
from orderdesk.tui.list_filter import ListFilter, TimeWindow
from orderdesk.tui.saved_views import view_filter
from orderdesk.tui.terminal import drawing_on_terminal
from orderdesk.views import default_views_path, find_view

__all__ = ["open_console", "start_filter", "start_view"]


def start_filter(
    screen: StartScreen,
    *,
    since: str | None,
    statuses: tuple[str, ...],
    base: ListFilter | None = None,
) -> ListFilter:
    """The filter the flags ask for, over ``base``; raises InputError on an unusable value."""
    check_statuses(screen, statuses)
    base = base or ListFilter()
    window = base.window
    if since is not None:
        parse_duration(since.removeprefix("-"))
        window = TimeWindow(preset=since.removeprefix("-"))
    return replace(base, window=window, statuses=statuses or base.statuses)


def start_view(
    name: str, views_path: Path, *, since: str | None, statuses: tuple[str, ...]
) -> tuple[StartScreen, ListFilter]:
    """The screen and filter of a saved view; ``--since`` and ``--status`` still narrow it."""
    view = find_view(views_path, name)
    chosen = view_filter(view)
    return view.screen, start_filter(view.screen, since=since, statuses=statuses, base=chosen)


def open_console(
    settings: Settings,
    *,
    opening: StoreOpening,
    source_url: str | None,
    screen: StartScreen,
    since: str | None,
    statuses: tuple[str, ...],
    order_reference: str | None,
    take_over: bool = True,
    view: str | None = None,
    views_path: Path | None = None,
) -> None:
    """Open the TUI on the store ``opening`` opens; with no source it only reads the store."""
    zone = resolve_zone(settings.tz)
    views_path = views_path or default_views_path()
    if view is not None:
        screen, list_filter = start_view(view, views_path, since=since, statuses=statuses)
    else:
        list_filter = start_filter(screen, since=since, statuses=statuses)
    source = None
    if source_url is not None:
        source = Source(source_url, settings.api_key_value(), interval=settings.interval)
    with opening.store() as store:
        acting = None
        if source is not None:
            from orderdesk.tui.acting import ConsoleActing

            acting = ConsoleActing(
                store,
                source,
                actor=settings.actor_name(),
                cap=settings.max_actions,
                read_only=settings.read_only,
            )
        app = OrderdeskApp(
            store,
            source=source,
            zone=zone,
            screen=screen,
            list_filter=list_filter,
            timeline_rules=settings.timeline_rules(),
            retention=settings.retention,
            order_reference=order_reference,
            take_over=take_over,
            freeze_startup=True,
            views_path=views_path,
            bell=settings.bell,
            looked=LastLooked.kept(default_looked_path(), store.shown_url),
            acting=acting,
        )
        with drawing_on_terminal():
            app.run()
