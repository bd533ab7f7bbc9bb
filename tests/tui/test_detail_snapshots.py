"""What the drill-down and the order view look like, at 80x24, 120x40 and 200x50."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from orderdesk.core.store import Store
from tests.tui.simulated_day import template_failure, undelivered_shipping
from tests.tui.tui_console import drill_down, order_view

SIZES = [(80, 24), (120, 40), (200, 50)]
SnapCompare = Callable[..., bool]


def size_id(size: tuple[int, int]) -> str:
    return f"{size[0]}x{size[1]}"


class TestRequestDrillDown:
    """A request that failed in its template: the Template stage marked, its error first."""

    @pytest.mark.parametrize("size", SIZES, ids=size_id)
    def test_layout(
        self, snap_compare: SnapCompare, sqlite_store: Store, size: tuple[int, int]
    ) -> None:
        record = template_failure(sqlite_store)
        app = drill_down(sqlite_store, record)
        assert snap_compare(app, terminal_size=size)

    def test_maximised_stage(self, snap_compare: SnapCompare, sqlite_store: Store) -> None:
        record = template_failure(sqlite_store)
        app = drill_down(sqlite_store, record)
        assert snap_compare(app, terminal_size=(80, 24), press=["z"])


class TestPostbackDrillDown:
    """A shipping notification never delivered: every attempt listed in the Response stage."""

    @pytest.mark.parametrize("size", SIZES, ids=size_id)
    def test_layout(
        self, snap_compare: SnapCompare, sqlite_store: Store, size: tuple[int, int]
    ) -> None:
        record = undelivered_shipping(sqlite_store)
        app = drill_down(sqlite_store, record)
        assert snap_compare(app, terminal_size=size)


class TestOrderView:
    """The order whose shipping notification never reached the customer."""

    @pytest.mark.parametrize("size", [(80, 24), (200, 50)], ids=size_id)
    def test_timeline(
        self, snap_compare: SnapCompare, sqlite_store: Store, size: tuple[int, int]
    ) -> None:
        reference = undelivered_shipping(sqlite_store).order_reference_id
        assert reference is not None
        app = order_view(sqlite_store, reference)
        assert snap_compare(app, terminal_size=size)


class TestStageSearch:
    """A failed template searched for "tojson": every hit marked, the second one current."""

    def test_hits(self, snap_compare: SnapCompare, sqlite_store: Store) -> None:
        app = drill_down(sqlite_store, template_failure(sqlite_store))
        keys = ["slash", *"tojson", "enter", "n"]
        assert snap_compare(app, terminal_size=(80, 24), press=keys)
