"""Saved views in the console: a view becomes a list filter, and a list becomes a view."""

from __future__ import annotations

from orderdesk.tui.list_filter import ListFilter, TimeWindow
from orderdesk.views import SavedView, ViewScreen

__all__ = ["view_filter", "view_of"]


def view_filter(view: SavedView) -> ListFilter:
    """The list filter a saved view asks for."""
    if view.start is not None or view.end is not None:
        window = TimeWindow(preset=None, start=view.start, end=view.end)
    else:
        window = TimeWindow(preset=view.since or "all")
    return ListFilter(
        window=window,
        statuses=view.statuses,
        errors_only=view.errors_only,
        search=view.search,
        customer=view.customer,
        printer=view.printer,
    )


def view_of(screen: ViewScreen, list_filter: ListFilter) -> SavedView:
    """The view that reopens this list as it is now (an order reference is not kept)."""
    window = list_filter.window
    return SavedView(
        screen=screen,
        since=window.preset,
        start=window.start if window.preset is None else None,
        end=window.end if window.preset is None else None,
        statuses=list_filter.statuses,
        errors_only=list_filter.errors_only,
        customer=list_filter.customer,
        printer=list_filter.printer,
        search=list_filter.search,
    )
