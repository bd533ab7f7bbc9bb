"""The app as a user meets it: first run, screens and keys, deep links, freshness, the demo."""

from __future__ import annotations

from datetime import UTC, timedelta
from pathlib import Path

import pytest
from textual.widgets._footer import FooterKey

from orderdesk.cli.commands import main
from orderdesk.cli.demo import demo_app
from orderdesk.core.queries import RecordQuery, list_summaries
from orderdesk.core.store import Store
from orderdesk.core.sync_service import Source
from orderdesk.tui.app import OrderdeskApp
from orderdesk.tui.launch import start_filter
from orderdesk.tui.screens.first_run import FirstRunScreen
from orderdesk.tui.screens.help import HelpScreen
from orderdesk.tui.widgets.key_footer import KeyFooter
from orderdesk.tui.widgets.status_line import StatusLine
from tests.tui.simulated_day import ANCHOR
from tests.tui.tui_console import console, record_list, records_screen, settled, shown


def _status(app: OrderdeskApp) -> str:
    return shown(app.screen.query_one(StatusLine)).plain


async def test_no_source_and_an_empty_store_open_the_first_run_screen(tmp_path: Path) -> None:
    with Store.open(tmp_path / "empty.db") as empty:
        app = console(empty)
        async with app.run_test(size=(80, 24)) as pilot:
            await settled(pilot)
            assert isinstance(app.screen, FirstRunScreen)
            text = shown(app.screen.query_one("#first-run-body")).plain
            assert "orderdesk demo" in text
            assert "ORDERDESK_API_URL" in text
            await pilot.press("q")
        assert app.return_code == 0


async def test_a_store_with_no_source_is_only_read(store: Store) -> None:
    app = console(store)
    async with app.run_test(size=(80, 24)) as pilot:
        await settled(pilot)
        assert "no source configured" in _status(app)
        assert not [w for w in app.workers if w.group == "sync"]


async def test_keys_1_and_2_switch_lists_and_question_mark_shows_the_keys(store: Store) -> None:
    app = console(store)
    async with app.run_test(size=(120, 30)) as pilot:
        await settled(pilot)
        assert records_screen(app).kind == "requests"
        await pilot.press("2")
        await settled(pilot)
        assert records_screen(app).kind == "postbacks"
        await pilot.press("1")
        await settled(pilot)
        assert records_screen(app).kind == "requests"
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)


async def test_the_footer_is_rebuilt_only_when_its_keys_change(
    sqlite_store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    rebuilt: list[str] = []
    recompose = KeyFooter.recompose

    async def counted(self: KeyFooter) -> None:
        rebuilt.append(type(self.screen).__name__)
        await recompose(self)

    monkeypatch.setattr(KeyFooter, "recompose", counted)
    app = console(sqlite_store)
    async with app.run_test(size=(120, 30)) as pilot:
        await settled(pilot)
        before = len(rebuilt)
        await pilot.press("f")
        await settled(pilot)
        await pilot.press("escape")
        await settled(pilot)
        # The same keys as before the filters opened: nothing to rebuild.
        assert rebuilt[before:] == []
        assert list(records_screen(app).query_one(KeyFooter).query(FooterKey))
        await pilot.press("enter")
        await settled(pilot)
        assert "RecordScreen" in rebuilt[before:]  # other keys: rebuilt


async def test_enter_opens_the_record_and_escape_comes_back(store: Store) -> None:
    pytest.importorskip("orderdesk.tui.screens.record")
    app = console(store)
    async with app.run_test(size=(120, 30)) as pilot:
        await settled(pilot)
        await pilot.press("j", "enter")
        await settled(pilot)
        assert type(app.screen).__name__ == "RecordScreen"
        await pilot.press("escape")
        await settled(pilot)
        assert record_list(app).cursor == 1


async def test_o_opens_the_order_of_the_highlighted_record(store: Store) -> None:
    pytest.importorskip("orderdesk.tui.screens.order")
    app = console(store)
    async with app.run_test(size=(120, 30)) as pilot:
        await settled(pilot)
        await pilot.press("o")
        await settled(pilot)
        assert type(app.screen).__name__ == "OrderScreen"


async def test_deep_link_to_failed_postbacks_of_the_last_day(store: Store) -> None:
    list_filter = start_filter("postbacks", since="24h", statuses=("failed",))
    app = console(store, screen="postbacks", list_filter=list_filter)
    async with app.run_test(size=(120, 30)) as pilot:
        await settled(pilot)
        records = record_list(app)
        assert records.kind == "postbacks"
        assert records.record_query.statuses == ("failed",)
        assert records.record_query.since == ANCHOR - timedelta(hours=24)
        assert records.highlighted is not None and records.highlighted.status == "failed"


async def test_deep_link_to_an_order(store: Store) -> None:
    pytest.importorskip("orderdesk.tui.screens.order")
    reference = list_summaries(store, RecordQuery("requests"), limit=1)[0].order_reference_id
    app = console(store, order_reference=reference)
    async with app.run_test(size=(120, 30)) as pilot:
        await settled(pilot)
        assert type(app.screen).__name__ == "OrderScreen"


def test_a_wrong_status_in_a_deep_link_is_one_line_and_exit_2(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    code = main(["--db", str(tmp_path / "x.db"), "--screen", "postbacks", "--status", "lost"])
    assert code == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "'lost' is not one of" in err


async def test_the_demo_syncs_in_the_background_and_says_how_fresh_it_is(tmp_path: Path) -> None:
    with Store.open(tmp_path / "demo.db") as empty:
        app = demo_app(empty, seed=3, history=timedelta(hours=3), history_rate=2, rate=0, zone=UTC)
        app.animation_level = "none"
        async with app.run_test(size=(120, 30)) as pilot:
            for _ in range(100):
                await pilot.pause(0.1)
                progress = app.freshness.progress
                if progress is not None and progress.caught_up:
                    break
            await settled(pilot)
            assert "synced 0 s ago" in _status(app) or "synced 1 s ago" in _status(app)
            records = record_list(app)
            assert records.total and records.total > 50
            newest = list_summaries(empty, RecordQuery("requests"), limit=1)[0]
            assert records.highlighted is not None and records.highlighted.id == newest.id


async def test_a_failing_source_shows_its_error_and_the_next_try(writable_store: Store) -> None:
    # Nothing listens on port 9 of loopback: every attempt is refused. The sync
    # takes the store's lease (a write), so the test gets a store of its own.
    app = console(writable_store, source=Source("http://127.0.0.1:9", None, interval=60))
    async with app.run_test(size=(200, 30)) as pilot:
        # Up to 30 s: a loaded machine may take more than a few to refuse and redraw.
        for _ in range(300):
            await pilot.pause(0.1)
            if "next try" in _status(app):
                break
        line = _status(app)
        assert "✗ connection refused since" in line and "next try" in line
