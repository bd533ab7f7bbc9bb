"""The console shows the same characters over a PostgreSQL store as over SQLite.

The snapshots are taken on SQLite only (their names and SVGs predate PostgreSQL);
this compares a few of the same screens, as text, across both engines.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from textual.app import App

from orderdesk.core.store import Store
from tests.tui.simulated_day import template_failure, undelivered_shipping
from tests.tui.tui_console import console, drill_down, order_view, screen_text, settled

Screen = Callable[[Store], App[Any]]


def _requests(store: Store) -> App[Any]:
    return console(store)


def _postbacks(store: Store) -> App[Any]:
    return console(store, screen="postbacks")


def _template_failure(store: Store) -> App[Any]:
    return drill_down(store, template_failure(store))


def _undelivered_shipping(store: Store) -> App[Any]:
    return drill_down(store, undelivered_shipping(store))


def _shipping_order(store: Store) -> App[Any]:
    reference = undelivered_shipping(store).order_reference_id
    assert reference is not None
    return order_view(store, reference)


async def _shown(target: str | Path, make: Screen, size: tuple[int, int]) -> str:
    with Store.open(target) as store:
        app = make(store)
        async with app.run_test(size=size) as pilot:
            await settled(pilot)
            return screen_text(app)


@pytest.mark.parametrize(
    ("make", "size"),
    [
        pytest.param(_requests, (80, 24), id="requests-80x24"),
        pytest.param(_postbacks, (120, 40), id="postbacks-120x40"),
        pytest.param(_template_failure, (80, 24), id="template-failure-80x24"),
        pytest.param(_undelivered_shipping, (120, 40), id="undelivered-shipping-120x40"),
        pytest.param(_shipping_order, (120, 40), id="shipping-order-120x40"),
    ],
)
async def test_a_screen_reads_the_same_on_postgresql_as_on_sqlite(
    store_path: Path, postgres_store_url: str, make: Screen, size: tuple[int, int]
) -> None:
    on_sqlite = await _shown(store_path, make, size)
    on_postgres = await _shown(postgres_store_url, make, size)
    assert on_sqlite.strip(), "the screen shows nothing"
    assert on_postgres == on_sqlite
