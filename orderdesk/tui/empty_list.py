"""What an empty list says in the console: a hint is given only where it would help.

The facts come from ``orderdesk.core.empty_result``, as for the CLI; the
console's hints name its own keys.
"""

from __future__ import annotations

from orderdesk import strings
from orderdesk.core.empty_result import AroundEmpty
from orderdesk.tui.list_filter import ListFilter
from orderdesk.tui.widgets.status_line import ERROR_KEY, Freshness

__all__ = ["empty_text"]


def empty_text(empty: AroundEmpty, list_filter: ListFilter, freshness: Freshness) -> str:
    """The sentence an empty list shows: the first sync, an empty store, or what to widen."""
    first_sync = freshness.synced_at is None and not freshness.had_records
    syncing = freshness.has_source or freshness.service_holder is not None
    narrowed = list_filter.narrowed
    if first_sync and syncing and not narrowed:
        if not empty.store_stored and freshness.failure is not None:
            return strings.EMPTY_FIRST_SYNC_FAILING.format(key=ERROR_KEY)
        progress = freshness.progress
        stored = progress.stored if progress is not None else 0
        return strings.EMPTY_FIRST_SYNC.format(count=stored)
    if not empty.store_stored:
        return strings.EMPTY_SOURCE_EMPTY if syncing else strings.EMPTY_STORE
    if empty.outside_range and narrowed:
        return strings.EMPTY_WIDEN_OR_CLEAR
    if empty.outside_range:
        return strings.EMPTY_WIDEN
    if narrowed:
        return strings.EMPTY_CLEAR
    if not empty.kind_stored:
        return strings.EMPTY_KIND
    return strings.EMPTY_NO_MATCH
