"""The Problems screen: the open groups, their orders, their state on the test's clock, alerts."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from textual.app import ComposeResult
from textual.screen import ModalScreen
from textual.widgets import DataTable, Static

from orderdesk.config import Settings
from orderdesk.core.findings_backfill import adopt_rules
from orderdesk.core.problems import problem_groups
from orderdesk.core.progress import KindProgress, SyncProgress
from orderdesk.core.records import RecordError
from orderdesk.core.store import Store
from orderdesk.core.timeline_rules import TimelineRules
from orderdesk.i18n import speaking
from orderdesk.problems_looked import LastLooked
from orderdesk.tui.app import OrderdeskApp
from orderdesk.tui.messages import SyncProgressed
from orderdesk.tui.screens.order import OrderScreen
from orderdesk.tui.screens.problem_orders import ProblemOrdersScreen
from orderdesk.tui.screens.problems import ProblemsScreen
from orderdesk.tui.widgets.status_line import StatusLine
from tests.record_factory import GLOBEX, T0, failed_request, request
from tests.tui.simulated_day import ANCHOR
from tests.tui.tui_console import console, screen_text, settled, shown

_SEVERITY = {"problem": 0, "notice": 1}


def problems_screen(app: OrderdeskApp) -> ProblemsScreen:
    """The Problems screen, which must be in front."""
    screen = app.screen
    assert isinstance(screen, ProblemsScreen), f"in front: {screen!r}"
    return screen


class Clock:
    """A clock the test moves."""

    def __init__(self, at: datetime) -> None:
        self.at = at

    def __call__(self) -> datetime:
        return self.at


@pytest.fixture
def small_store(tmp_path: Path) -> Iterator[Store]:
    """A store of its own, empty, that the test fills."""
    with Store.open(tmp_path / "orderdesk.db") as store:
        yield store


# -- the groups ---------------------------------------------------------------------------------


async def test_4_shows_the_open_groups_gravest_then_biggest_first(store: Store) -> None:
    app = console(store)
    async with app.run_test(size=(120, 40)) as pilot:
        await settled(pilot)
        await pilot.press("4")
        await settled(pilot)
        screen = problems_screen(app)
        text = screen_text(app)
        table = screen.query_one("#problem-groups", DataTable)
        rows = table.row_count
    expected = problem_groups(store, now=ANCHOR, since=ANCHOR - timedelta(hours=24), buckets=12)
    assert rows == len(expected) > 10
    ranks = [(_SEVERITY[g.severity], -g.orders) for g in screen.groups]
    assert ranks == sorted(ranks)
    first = screen.groups[0]
    assert first.customer.name in text and "last 24h" in text
    assert f"{len(expected)} groups" in text


async def test_enter_lists_the_orders_enter_opens_one_and_escape_goes_back(
    sqlite_store: Store,
) -> None:
    app = console(sqlite_store)
    async with app.run_test(size=(80, 24)) as pilot:
        await settled(pilot)
        await pilot.press("4", "down")
        await settled(pilot)
        group = problems_screen(app).groups[1]
        await pilot.press("enter")
        await settled(pilot)
        orders = app.screen
        assert isinstance(orders, ProblemOrdersScreen)
        assert {span.cause for span in orders.spans} == {group.cause}
        assert len({span.reference for span in orders.spans}) == group.orders
        assert group.cause is not None
        assert group.cause in " ".join(screen_text(app).split())  # whole, wrapped
        await pilot.press("enter")
        await settled(pilot)
        timeline = app.screen
        assert isinstance(timeline, OrderScreen)
        assert timeline.reference == orders.spans[0].reference
        await pilot.press("escape")
        await settled(pilot)
        assert app.screen is orders
        await pilot.press("escape")
        await settled(pilot)
        assert problems_screen(app).groups[1] == group
        await pilot.press("escape")
        await settled(pilot)
        assert app.current_mode == "requests"


async def test_the_highlighted_order_s_finding_is_said_whole_below_the_list(
    sqlite_store: Store,
) -> None:
    app = console(sqlite_store)
    async with app.run_test(size=(80, 24)) as pilot:
        await settled(pilot)
        await pilot.press("4", "enter")
        await settled(pilot)
        orders = app.screen
        assert isinstance(orders, ProblemOrdersScreen) and len(orders.spans) > 1
        detail = orders.query_one("#problem-order-detail", Static)
        for row in (0, 1):
            said = " ".join(str(detail.render()).split())
            assert said.startswith(f"{orders.spans[row].reference}: ")
            assert not said.endswith("…")
            await pilot.press("down")
            await settled(pilot)


async def test_the_palette_opens_the_problems(sqlite_store: Store) -> None:
    app = console(sqlite_store)
    async with app.run_test(size=(80, 24)) as pilot:
        await settled(pilot)
        await pilot.press("ctrl+p", *"Problems", "enter")
        await settled(pilot)
        problems_screen(app)


async def test_the_state_is_new_ongoing_or_quiet_on_the_tests_clock(small_store: Store) -> None:
    small_store.save_page("requests", [failed_request(1, at=T0)], None)
    clock = Clock(T0 + timedelta(minutes=10))
    app = console(small_store, now=clock)
    async with app.run_test(size=(80, 24)) as pilot:
        await settled(pilot)
        await pilot.press("4")
        await settled(pilot)
        assert "new" in screen_text(app)  # never looked
        clock.at = T0 + timedelta(minutes=20)
        await pilot.press("1")  # looked at T0 + 20 min
        await settled(pilot)
        globex = failed_request(2, at=T0 + timedelta(minutes=25), customer=GLOBEX)
        small_store.save_page("requests", [globex], None)
        clock.at = T0 + timedelta(minutes=40)
        await pilot.press("4")
        await settled(pilot)
        states = {
            g.customer.name: g.state(now=clock.at, last_looked=app.problems_looked.at)
            for g in problems_screen(app).groups
        }
        text = screen_text(app)
        assert states == {"Acme Prints": "quiet", "Globex Shop": "new"}
        assert "quiet" in text and "new" in text
        # Another failure for Acme: its group is still going on.
        small_store.save_page("requests", [failed_request(3, at=T0 + timedelta(minutes=35))], None)
        problems_screen(app).reload()
        await settled(pilot)
        assert "ongoing" in screen_text(app)


async def test_the_last_look_outlives_the_console(small_store: Store, tmp_path: Path) -> None:
    small_store.save_page("requests", [failed_request(1, at=T0)], None)
    kept = tmp_path / "problems-looked.json"
    clock = Clock(T0 + timedelta(minutes=10))
    app = console(small_store, now=clock, looked=LastLooked.kept(kept, small_store.shown_url))
    async with app.run_test(size=(80, 24)) as pilot:
        await settled(pilot)
        await pilot.press("4")  # the console closes with the problems in front
        await settled(pilot)
        assert "new" in screen_text(app)  # never looked
    # The next morning's console: Acme's group was seen, Globex's came in since.
    small_store.save_page("requests", [failed_request(2, at=T0 + timedelta(minutes=15))], None)
    globex = failed_request(3, at=T0 + timedelta(minutes=25), customer=GLOBEX)
    small_store.save_page("requests", [globex], None)
    looked = LastLooked.kept(kept, small_store.shown_url)
    assert looked.at == T0 + timedelta(minutes=10)
    clock.at = T0 + timedelta(minutes=30)
    app = console(small_store, now=clock, looked=looked)
    async with app.run_test(size=(80, 24)) as pilot:
        await settled(pilot)
        await pilot.press("4")
        await settled(pilot)
        states = {
            g.customer.name: g.state(now=clock.at, last_looked=looked.at)
            for g in problems_screen(app).groups
        }
        assert states == {"Acme Prints": "ongoing", "Globex Shop": "new"}
        assert "ongoing" in screen_text(app)
        await pilot.press("1")
        await settled(pilot)
    assert LastLooked.kept(kept, small_store.shown_url).at == T0 + timedelta(minutes=30)
    assert LastLooked.kept(kept, "another store").at is None


async def test_no_problem_is_said_with_its_range_and_a_backfill_is_owned_up_to(
    small_store: Store,
) -> None:
    app = console(small_store, now=lambda: T0)
    async with app.run_test(size=(80, 24)) as pilot:
        await settled(pilot)
        await pilot.press("4")
        await settled(pilot)
        empty = screen_text(app)
        with small_store.engine.begin() as connection:
            adopt_rules(connection, TimelineRules(receipt_within=timedelta(minutes=45)))
        problems_screen(app).reload()
        await settled(pilot)
        pending = screen_text(app)
    assert "No open problems in this time range (last 24h)." in empty
    assert "still computing" in pending and "No open problems" not in pending


# -- alerts -------------------------------------------------------------------------------------


def _watching(store: Store, **options: Any) -> tuple[OrderdeskApp, Clock]:
    """A console watching the problems, one group open already, on a clock the test moves."""
    store.save_page("requests", [failed_request(1, at=T0)], None)
    clock = Clock(T0 + timedelta(minutes=1))
    return console(store, now=clock, watch_problems=True, **options), clock


def _alerts(app: OrderdeskApp) -> list[str]:
    return [n.message for n in app._notifications if n.severity == "warning"]


@pytest.mark.parametrize("bell", [False, True], ids=["quiet", "bell"])
async def test_a_new_group_alerts_once_and_rings_only_when_asked(
    small_store: Store, bell: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    app, clock = _watching(small_store, bell=bell)
    rings: list[None] = []
    monkeypatch.setattr(app, "bell", lambda: rings.append(None))
    async with app.run_test(size=(80, 24)) as pilot:
        await settled(pilot)  # the first look learns what was already open
        assert _alerts(app) == []
        globex = failed_request(2, at=T0 + timedelta(minutes=2), customer=GLOBEX)
        small_store.save_page("requests", [globex], None)
        clock.at = T0 + timedelta(minutes=3)
        app.problem_watch.check()
        await settled(pilot)
        app.problem_watch.check()
        await settled(pilot)
        alerts = _alerts(app)
        line = shown(app.screen.query_one(StatusLine)).plain
    assert len(alerts) == 1, alerts
    assert alerts[0].startswith("New problem: request failed for Globex Shop")
    assert len(rings) == (1 if bell else 0)
    assert "2 open problems" in line


class _Dialog(ModalScreen[None]):
    """Any dialog: what matters is that it is one."""

    def compose(self) -> ComposeResult:
        yield Static("a dialog")


async def test_an_alert_waits_while_a_dialog_is_open_and_is_told_once_it_closes(
    small_store: Store,
) -> None:
    app, clock = _watching(small_store)
    async with app.run_test(size=(80, 24)) as pilot:
        await settled(pilot)
        await app.push_screen(_Dialog())
        globex = failed_request(2, at=T0 + timedelta(minutes=2), customer=GLOBEX)
        small_store.save_page("requests", [globex], None)
        clock.at = T0 + timedelta(minutes=3)
        app.problem_watch.check()
        await settled(pilot)
        # At 80x24 a toast would cover the dialog's lower right for ten seconds.
        during = _alerts(app)
        app.pop_screen()
        await settled(pilot)
        app.problem_watch.check()
        await settled(pilot)
        after = _alerts(app)
    assert during == []
    assert len(after) == 1, after
    assert after[0].startswith("New problem: request failed for Globex Shop")


async def test_what_a_first_sync_brings_in_before_catching_up_is_learnt_not_told(
    small_store: Store,
) -> None:
    app, clock = _watching(small_store)
    async with app.run_test(size=(80, 24)) as pilot:
        await settled(pilot)
        # As while the console's own sync has not yet caught up with its source.
        app.freshness.has_source, app.freshness.synced_at = True, None
        history = failed_request(2, at=T0 + timedelta(minutes=2), customer=GLOBEX)
        small_store.save_page("requests", [history], None)
        clock.at = T0 + timedelta(minutes=3)
        app.problem_watch.check()
        await settled(pilot)
        assert _alerts(app) == [], "history arriving is not news"
        app.freshness.synced_at = clock.at  # caught up: from now on, new is news
        news = failed_request(3, at=T0 + timedelta(minutes=4), customer=GLOBEX, printer=None)
        small_store.save_page("requests", [news], None)
        clock.at = T0 + timedelta(minutes=5)
        app.problem_watch.check()
        await settled(pilot)
        alerts = _alerts(app)
    assert len(alerts) == 1, alerts
    assert alerts[0].startswith("New problem: request failed for Globex Shop")


async def test_the_count_follows_what_the_sync_stores(small_store: Store) -> None:
    app, clock = _watching(small_store)
    async with app.run_test(size=(80, 24)) as pilot:
        await settled(pilot)
        before = shown(app.screen.query_one(StatusLine)).plain
        arrived = failed_request(2, at=T0 + timedelta(seconds=30), customer=GLOBEX)
        small_store.save_page("requests", [arrived], None)
        # The sync's report of a page stored, and nothing else: no poll is due yet.
        progress = SyncProgress(fetched=1, stored=1, new=1, last_success_at=clock.at)
        app.post_message(SyncProgressed(progress, new=1, stored=1))
        await settled(pilot)
        after = shown(app.screen.query_one(StatusLine)).plain
    assert "1 open problem" in before
    assert "2 open problems" in after


async def test_a_report_arriving_as_the_console_closes_is_dropped(small_store: Store) -> None:
    # The sync reports from its own thread: its last report can reach the App
    # as the screens are taken down or after the last has gone, and must not end
    # the console in an error.
    app = console(small_store, now=Clock(T0), watch_problems=True)
    async with app.run_test(size=(80, 24)) as pilot:
        await settled(pilot)
        assert not app.closing, "while it runs, every report is taken in"
    trail = KindProgress(fetched=1, new=1)
    progress = SyncProgress(fetched=1, stored=1, new=1, caught_up=True, actions=trail)
    assert app.closing
    app._sync_progressed(SyncProgressed(progress, new=1, stored=1))  # raised once
    app._problems_counted()


async def test_a_group_that_jumps_alerts(small_store: Store) -> None:
    small_store.save_page("requests", [failed_request(1, at=T0)], None)
    clock = Clock(T0 + timedelta(minutes=20))  # known, not quiet: only a jump alerts
    app = console(small_store, now=clock, watch_problems=True)
    async with app.run_test(size=(80, 24)) as pilot:
        await settled(pilot)
        burst = [failed_request(n, at=T0 + timedelta(minutes=60 + n)) for n in range(2, 7)]
        small_store.save_page("requests", burst, None)
        clock.at = T0 + timedelta(minutes=70)
        app.problem_watch.check()
        await settled(pilot)
        alerts = _alerts(app)
    assert alerts == [
        "Problem growing: request failed for Acme Prints (Berlin Print Works): "
        "5 in the last hour, 1 the hour before"
    ]


async def test_the_status_line_counts_the_open_problems(sqlite_store: Store) -> None:
    app = console(sqlite_store, watch_problems=True)
    async with app.run_test(size=(120, 24)) as pilot:
        await settled(pilot)
        line = shown(app.screen.query_one(StatusLine)).plain
    expected = problem_groups(sqlite_store, now=ANCHOR, since=ANCHOR - timedelta(hours=24))
    assert f"{len(expected)} open problems" in line


# -- snapshots ----------------------------------------------------------------------------------


async def _problems(pilot: Any) -> None:
    await settled(pilot)
    await pilot.press("4")
    await settled(pilot)


class TestProblemsSnapshots:
    @pytest.mark.parametrize("size", [(80, 24), (200, 50)], ids=["80x24", "200x50"])
    def test_problems(self, snap_compare: Any, sqlite_store: Store, size: tuple[int, int]) -> None:
        app = console(sqlite_store, watch_problems=True)
        assert snap_compare(app, terminal_size=size, run_before=_problems)

    def test_the_requests_count_the_open_problems(
        self, snap_compare: Any, sqlite_store: Store
    ) -> None:
        app = console(sqlite_store, watch_problems=True)
        assert snap_compare(app, terminal_size=(80, 24), run_before=settled)

    def test_a_groups_orders(self, snap_compare: Any, sqlite_store: Store) -> None:
        async def orders(pilot: Any) -> None:
            await _problems(pilot)
            await pilot.press("enter")
            await settled(pilot)

        assert snap_compare(console(sqlite_store), terminal_size=(80, 24), run_before=orders)

    @pytest.mark.parametrize("size", [(80, 24), (200, 50)], ids=["80x24", "200x50"])
    def test_problems_in_french(
        self, snap_compare: Any, sqlite_store: Store, size: tuple[int, int]
    ) -> None:
        with speaking("fr"):
            app = console(sqlite_store, watch_problems=True)
            assert snap_compare(app, terminal_size=size, run_before=_problems)


async def test_a_cause_is_shown_as_text_never_as_markup_or_escapes(small_store: Store) -> None:
    error = RecordError(stage="printer", code="x", message="[red]boom[/red] \x1b]52;c;aGk=\x07")
    small_store.save_page("requests", [request(1, at=T0, status="failed", error=error)], None)
    app = console(small_store, now=lambda: T0 + timedelta(minutes=5), watch_problems=True)
    async with app.run_test(size=(120, 30)) as pilot:
        await settled(pilot)
        await pilot.press("4")
        await settled(pilot)
        cause = problems_screen(app).groups[0].cause
        text = screen_text(app)
        alerts_before = _alerts(app)
    assert cause is not None and "[red]boom[/red]" in cause
    assert "[red]boom[/red]" in text and "\x1b" not in text and "\\x1b" in text
    assert alerts_before == []


async def test_a_time_range_from_the_palette_applies_to_the_problems(sqlite_store: Store) -> None:
    app = console(sqlite_store)
    async with app.run_test(size=(80, 24)) as pilot:
        await settled(pilot)
        await pilot.press("4")
        await settled(pilot)
        day = len(problems_screen(app).groups)
        await pilot.press("ctrl+p", *"Last hour", "enter")
        await settled(pilot)
        screen = problems_screen(app)
        text = screen_text(app)
    assert screen.window.preset == "1h"
    assert len(screen.groups) < day and "last 1h" in text


async def test_groups_a_backfill_finds_are_learnt_not_alerted(small_store: Store) -> None:
    app, clock = _watching(small_store)
    async with app.run_test(size=(80, 24)) as pilot:
        await settled(pilot)
        with small_store.engine.begin() as connection:
            adopt_rules(connection, TimelineRules(receipt_within=timedelta(minutes=45)))
        globex = failed_request(2, at=T0 + timedelta(minutes=2), customer=GLOBEX)
        small_store.save_page("requests", [globex], None)
        clock.at = T0 + timedelta(minutes=3)
        app.problem_watch.check()
        await settled(pilot)
        line = shown(app.screen.query_one(StatusLine)).plain
        alerts = _alerts(app)
    assert alerts == []
    assert "2+ open problems (still computing)" in line


def test_the_bell_rings_only_when_the_settings_ask(monkeypatch: pytest.MonkeyPatch) -> None:
    assert Settings.load().bell is False
    monkeypatch.setenv("ORDERDESK_BELL", "1")
    assert Settings.load().bell is True
