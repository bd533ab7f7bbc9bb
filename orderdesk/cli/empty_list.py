"""Why a CLI list came back empty, said so that the hint fits: the store, the reference, the range.

The facts come from ``orderdesk.core.empty_result``, as for the console;
besides, a mistyped reference needs the references it was probably meant to
be, and a sync that is still filling the store explains any empty list.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, tzinfo

from orderdesk import i18n, strings
from orderdesk.core.empty_result import look_around, store_is_empty
from orderdesk.core.lease import lease_holder, read_status
from orderdesk.core.queries import RecordQuery, count
from orderdesk.core.records import KINDS
from orderdesk.core.references import nearest_references, reference_exists
from orderdesk.core.store import Store
from orderdesk.core.text import show_controls

__all__ = ["unknown_reference", "why_empty"]

#: A sync whose newest stored record is older than this is still catching up on history.
_CAUGHT_UP_WITHIN = timedelta(minutes=10)


def unknown_reference(store: Store, reference: str) -> str:
    """No record has ``reference``: say so, and offer the stored ones nearest to it."""
    shown = show_controls(reference)
    nearest = nearest_references(store, reference)
    if not nearest:
        return strings.REFERENCE_UNKNOWN.format(reference=shown)
    return strings.REFERENCE_UNKNOWN_NEAREST.format(
        reference=shown, nearest=", ".join(show_controls(found) for found in nearest)
    )


def why_empty(
    store: Store, query: RecordQuery, *, zone: tzinfo, now: datetime | None = None
) -> str:
    """The one line that says why nothing matched ``query``, and what to do about it."""
    now = now or datetime.now(UTC)
    if (catching_up := _catching_up(store, now)) is not None:
        return catching_up
    if store_is_empty(store):
        return strings.STORE_EMPTY.format(db=store.shown_url)
    for reference in query.order_references:
        if not reference_exists(store, reference):
            return unknown_reference(store, reference)
    newest = look_around(store, query).newest_outside_range
    if newest is not None:
        return _outside_range(query, newest, zone, now)
    return strings.NOTHING_MATCHES


def _catching_up(store: Store, now: datetime) -> str | None:
    """While a sync still fills the store (a first sync), what matches may not be there yet."""
    if lease_holder(store, now) is None:
        return None
    status = read_status(store)
    newest = status.watermark_at if status is not None else None
    if newest is not None and now - newest < _CAUGHT_UP_WITHIN:
        return None
    stored = sum(count(store, RecordQuery(kind)) for kind in KINDS)
    return strings.SYNC_IN_PROGRESS.format(stored=stored)


def _outside_range(query: RecordQuery, newest: datetime, zone: tzinfo, now: datetime) -> str:
    """Records match outside the range: name the newest, and the range that would hold it."""
    moment = i18n.format_moment(newest.astimezone(zone), "minutes")
    if query.until is not None and newest >= query.until:
        return strings.NOTHING_IN_RANGE_LATER.format(time=moment)
    age = now - newest
    # Rounded up to a whole unit, so the suggested range does hold that record.
    if age < timedelta(hours=1):
        since = f"{int(age.total_seconds() // 60) + 1}m"
    elif age < timedelta(days=2):
        since = f"{int(age.total_seconds() // 3600) + 1}h"
    else:
        since = f"{age.days + 1}d"
    return strings.NOTHING_IN_RANGE.format(time=moment, since=since)
