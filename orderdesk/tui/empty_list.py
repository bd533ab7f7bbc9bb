"""Why a list is empty, and what to say about it: a hint is given only where it would help."""

from __future__ import annotations

from dataclasses import dataclass, replace

from orderdesk import strings
from orderdesk.core.queries import RecordQuery, list_summaries
from orderdesk.core.records import KINDS
from orderdesk.core.store import Store
from orderdesk.tui.list_filter import ListFilter
from orderdesk.tui.widgets.status_line import ERROR_KEY, Freshness

__all__ = ["EmptyList", "empty_text", "why_empty"]


@dataclass(frozen=True)
class EmptyList:
    """What exists around a query that matched nothing."""

    #: Records match everything but the time range: widening it would show them.
    outside_range: bool
    #: The store holds records of the list's kind, whatever the filters.
    kind_stored: bool
    #: The store holds records of any kind.
    store_stored: bool


def _any(store: Store, query: RecordQuery) -> bool:
    return bool(list_summaries(store, query, limit=1))


def why_empty(store: Store, query: RecordQuery) -> EmptyList:
    """Look around an empty query with a few one-row reads (each an index seek)."""
    ranged = query.since is not None or query.until is not None
    outside = ranged and _any(store, replace(query, since=None, until=None))
    kind_stored = outside or _any(store, RecordQuery(kind=query.kind))
    store_stored = kind_stored or any(
        _any(store, RecordQuery(kind=kind)) for kind in KINDS if kind != query.kind
    )
    return EmptyList(outside, kind_stored, store_stored)


def empty_text(empty: EmptyList, list_filter: ListFilter, freshness: Freshness) -> str:
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
