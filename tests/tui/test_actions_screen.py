"""The Actions screen (5) and the order timeline's actions: what they show, and at 80x24."""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import delete
from textual.widgets import DataTable, OptionList

from orderdesk import strings
from orderdesk.core.action_records import ActionRecord
from orderdesk.core.action_schema import ACTIONS
from orderdesk.core.action_trail import ActionFilter, save_actions
from orderdesk.core.store import Store
from orderdesk.i18n import speaking
from orderdesk.tui.list_filter import TimeWindow
from orderdesk.tui.screens.actions import ActionsScreen, parse_action_filter
from orderdesk.tui.screens.order import OrderScreen
from orderdesk.tui.screens.record import RecordScreen
from orderdesk.tui.screens.records import RecordsScreen
from tests.action_factory import action
from tests.tui.simulated_day import ANCHOR, template_failure, undelivered_shipping
from tests.tui.tui_console import console, order_view, screen_text, settled


def trail_for(store: Store) -> list[ActionRecord]:
    """Three actions on the simulated day's troubled records, the last hour before ANCHOR."""
    shipping = undelivered_shipping(store)
    template = template_failure(store)

    def at(minutes_before: int, made: ActionRecord) -> ActionRecord:
        moment = ANCHOR - timedelta(minutes=minutes_before)
        return made.model_copy(update={"created_at": moment, "updated_at": moment})

    return [
        at(
            50,
            action(
                "act_01",
                target_id=shipping.id,
                reference=shipping.order_reference_id,
                actor="alice@support",
                status="failed",
                status_code=503,
                error="customer endpoint still down",
            ),
        ),
        at(
            20,
            action(
                "act_02",
                target_id=shipping.id,
                reference=shipping.order_reference_id,
                actor="alice@support",
                status="succeeded",
                status_code=200,
            ),
        ),
        at(
            10,
            action(
                "act_03",
                kind="resubmit",
                mode="reprocess",
                target_id=template.id,
                reference=template.order_reference_id,
                actor="bob\x1b[31m[b]red[/b]",
                status="failed",
                status_code=None,
                error="template still fails: 'items' is undefined",
            ),
        ),
    ]


@pytest.fixture
def trail_store(store_path: Path, tmp_path: Path) -> Iterator[Store]:
    """The simulated day, with actions taken on its troubled records: a copy of its own."""
    copy = tmp_path / "trail.db"
    shutil.copy(store_path, copy)
    with Store.open(copy) as store:
        trail = trail_for(store)
        with store.writing() as connection:
            # Other tests of the session may have added actions to the shared day.
            connection.execute(delete(ACTIONS))
            save_actions(connection, trail, None)
        yield store


@pytest.fixture
def bare_store(store_path: Path, tmp_path: Path) -> Iterator[Store]:
    """The simulated day without actions, a copy of its own (another test may add some to it)."""
    copy = tmp_path / "bare.db"
    shutil.copy(store_path, copy)
    with Store.open(copy) as store:
        with store.writing() as connection:
            connection.execute(delete(ACTIONS))
        yield store


def _table(app: Any) -> DataTable[Any]:
    screen = app.screen
    assert isinstance(screen, ActionsScreen), f"in front: {screen!r}"
    return screen.query_one("#actions-table", DataTable)


class TestActionsList:
    async def test_5_lists_the_actions_newest_first(self, trail_store: Store) -> None:
        app = console(trail_store)
        async with app.run_test(size=(80, 24)) as pilot:
            await settled(pilot)
            await pilot.press("5")
            await settled(pilot)
            screen = app.screen
            assert isinstance(screen, ActionsScreen)
            assert [a.id for a in screen.actions] == ["act_03", "act_02", "act_01"]
            text = screen_text(app)
        assert "resubmit" in text and "redeliver" in text and "503" in text
        # The actor's escape sequence is gone, and its brackets are not read as markup.
        assert "\x1b" not in text and "[b]red[/b]" in text

    async def test_the_filter_asks_by_status_and_actor_and_finds_words(
        self, trail_store: Store
    ) -> None:
        app = console(trail_store)
        async with app.run_test(size=(80, 24)) as pilot:
            await settled(pilot)
            await pilot.press("5", "slash", *"status:failed", "enter")
            await settled(pilot)
            screen = app.screen
            assert isinstance(screen, ActionsScreen)
            assert [a.id for a in screen.actions] == ["act_03", "act_01"]
            assert app.focused is _table(app)
            await pilot.press("slash", *(["backspace"] * 13), *"actor:ALICE@support endpoint")
            await pilot.press("enter")
            await settled(pilot)
            assert [a.id for a in screen.actions] == ["act_01"]
            await pilot.press("slash", *(["backspace"] * 40), *"nothing-like-this", "enter")
            await settled(pilot)
            assert screen.actions == []
            assert "No action matches the filter" in screen_text(app)

    async def test_enter_opens_the_target_record_and_escape_goes_back(
        self, trail_store: Store
    ) -> None:
        app = console(trail_store)
        async with app.run_test(size=(80, 24)) as pilot:
            await settled(pilot)
            await pilot.press("5", "enter")
            await settled(pilot)
            record = app.screen
            assert isinstance(record, RecordScreen)
            assert record.record_id == template_failure(trail_store).id
            await pilot.press("escape")
            await settled(pilot)
            assert isinstance(app.screen, ActionsScreen)
            await pilot.press("escape")
            await settled(pilot)
            assert isinstance(app.screen, RecordsScreen)

    async def test_the_help_says_what_its_keys_do(self, trail_store: Store) -> None:
        app = console(trail_store)
        async with app.run_test(size=(100, 40)) as pilot:
            await settled(pilot)
            await pilot.press("5", "question_mark")
            await settled(pilot)
            text = " ".join(screen_text(app).split())
        assert "Open the record the highlighted action acted on" in text
        assert "Type a filter" in text

    async def test_an_empty_trail_says_why(self, bare_store: Store) -> None:
        app = console(bare_store)
        async with app.run_test(size=(80, 24)) as pilot:
            await settled(pilot)
            await pilot.press("5")
            await settled(pilot)
            said = " ".join(strings.ACTIONS_SCREEN_NONE.split())
            # Whole at 80x24: the sentence wraps at spaces, nothing of it is cut.
            assert said in " ".join(screen_text(app).split())

    async def test_none_in_the_range_names_the_range(self, trail_store: Store) -> None:
        app = console(trail_store)
        async with app.run_test(size=(80, 24)) as pilot:
            await settled(pilot)
            await pilot.press("5")
            await settled(pilot)
            screen = app.screen
            assert isinstance(screen, ActionsScreen)
            screen.set_window(TimeWindow(preset=None, start="2026-11-01", end="2026-11-02"))
            await settled(pilot)
            assert "No action was taken in" in screen_text(app)

    async def test_the_empty_trail_in_french(self, bare_store: Store) -> None:
        with speaking("fr"):
            app = console(bare_store)
            async with app.run_test(size=(80, 24)) as pilot:
                await settled(pilot)
                await pilot.press("5")
                await settled(pilot)
                text = " ".join(screen_text(app).split())
                said = " ".join(strings.ACTIONS_SCREEN_NONE.split())
        assert said.startswith("Aucune action dans le stock")
        assert said in text


def test_the_filter_language() -> None:
    where, words = parse_action_filter(
        "Status:FAILED actor:Bob kind:resubmit order:R-1 late", ActionFilter()
    )
    assert where == ActionFilter(
        status="failed", actor="Bob", kind="resubmit", order_reference_id="R-1"
    )
    assert words == ["late"]
    assert parse_action_filter("colour:red :x", ActionFilter()) == (
        ActionFilter(),
        ["colour:red", ":x"],
    )


class TestOrderTimeline:
    async def test_the_orders_actions_are_on_its_timeline(self, trail_store: Store) -> None:
        reference = undelivered_shipping(trail_store).order_reference_id
        assert reference is not None
        app = order_view(trail_store, reference)
        async with app.run_test(size=(120, 40)) as pilot:
            await settled(pilot)
            text = screen_text(app)
            screen = app.screen
            assert isinstance(screen, OrderScreen)
            assert "redelivered by alice@support: failed: customer endpoint still down" in text
            assert "redelivered by alice@support: 200" in text
            assert "resubmitted" not in text  # another order's action

    async def test_the_timeline_in_french(self, trail_store: Store) -> None:
        reference = template_failure(trail_store).order_reference_id
        assert reference is not None
        with speaking("fr"):
            app = order_view(trail_store, reference)
            async with app.run_test(size=(120, 40)) as pilot:
                await settled(pilot)
                text = screen_text(app)
        assert "resoumise (reprocess) par bob" in text
        assert "\x1b" not in text and "[b]red[/b]" in text

    async def test_enter_on_an_action_opens_its_target(self, trail_store: Store) -> None:
        template = template_failure(trail_store)
        assert template.order_reference_id is not None
        app = console(trail_store)
        async with app.run_test(size=(120, 40)) as pilot:
            await settled(pilot)
            app.open_order(template.order_reference_id)
            await settled(pilot)
            screen = app.screen
            assert isinstance(screen, OrderScreen)
            [position] = [n for n, row in enumerate(screen.rows) if isinstance(row, ActionRecord)]
            screen.query_one("#timeline", OptionList).highlighted = position
            await pilot.press("enter")
            await settled(pilot)
            record = app.screen
            assert isinstance(record, RecordScreen)
            assert (record.kind, record.record_id) == ("requests", template.id)


class TestSnapshots:
    @pytest.mark.parametrize("size", [(80, 24), (200, 50)], ids=["80x24", "200x50"])
    def test_the_actions_list(
        self, snap_compare: Callable[..., bool], trail_store: Store, size: tuple[int, int]
    ) -> None:
        assert snap_compare(console(trail_store), terminal_size=size, press=["5"])

    @pytest.mark.parametrize("size", [(80, 24), (200, 50)], ids=["80x24", "200x50"])
    def test_an_order_timeline_with_actions(
        self, snap_compare: Callable[..., bool], trail_store: Store, size: tuple[int, int]
    ) -> None:
        reference = undelivered_shipping(trail_store).order_reference_id
        assert reference is not None
        assert snap_compare(order_view(trail_store, reference), terminal_size=size)
