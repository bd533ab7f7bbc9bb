"""What the drill-down and the order view look like, at 80x24, 120x40 and 200x50."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC
from typing import Any

import pytest
from conftest import ANCHOR, ScreenHost

from orderdesk.core.queries import RecordQuery, list_records
from orderdesk.core.records import PostbackRecord, RequestRecord
from orderdesk.core.store import Store
from orderdesk.tui.screens.order import OrderScreen
from orderdesk.tui.screens.record import RecordScreen

SIZES = [(80, 24), (120, 40), (200, 50)]
SnapCompare = Callable[..., bool]


def template_failure(store: Store) -> RequestRecord:
    failed = list_records(store, RecordQuery("requests", statuses=("failed",)), limit=500)
    return next(
        r
        for r in failed
        if isinstance(r, RequestRecord) and r.error and r.error.stage == "template"
    )


def undelivered_shipping(store: Store) -> PostbackRecord:
    query = RecordQuery("postbacks", events=("shipped",), statuses=("failed",))
    [postback] = list_records(store, query, limit=1)
    assert isinstance(postback, PostbackRecord)
    return postback


def size_id(size: tuple[int, int]) -> str:
    return f"{size[0]}x{size[1]}"


def host(make: Callable[[], Any]) -> ScreenHost:
    return ScreenHost(make)


class TestRequestDrillDown:
    """A request that failed in its template: the Template stage marked, its error first."""

    @pytest.mark.parametrize("size", SIZES, ids=size_id)
    def test_layout(self, snap_compare: SnapCompare, store: Store, size: tuple[int, int]) -> None:
        record = template_failure(store)
        app = host(lambda: RecordScreen(store, "requests", record.id, UTC))
        assert snap_compare(app, terminal_size=size)

    def test_maximised_stage(self, snap_compare: SnapCompare, store: Store) -> None:
        record = template_failure(store)
        app = host(lambda: RecordScreen(store, "requests", record.id, UTC))
        assert snap_compare(app, terminal_size=(80, 24), press=["z"])


class TestPostbackDrillDown:
    """A shipping notification never delivered: every attempt listed in the Response stage."""

    @pytest.mark.parametrize("size", SIZES, ids=size_id)
    def test_layout(self, snap_compare: SnapCompare, store: Store, size: tuple[int, int]) -> None:
        record = undelivered_shipping(store)
        app = host(lambda: RecordScreen(store, "postbacks", record.id, UTC))
        assert snap_compare(app, terminal_size=size)


class TestOrderView:
    """The order whose shipping notification never reached the customer."""

    @pytest.mark.parametrize("size", [(80, 24), (200, 50)], ids=size_id)
    def test_timeline(self, snap_compare: SnapCompare, store: Store, size: tuple[int, int]) -> None:
        reference = undelivered_shipping(store).order_reference_id
        assert reference is not None
        app = host(lambda: OrderScreen(store, reference, UTC, now=lambda: ANCHOR))
        assert snap_compare(app, terminal_size=size)
