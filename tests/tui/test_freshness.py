"""The status line and an empty list tell the truth about freshness, at 80x24, in both languages."""

from __future__ import annotations

import re
import shutil
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from textual.widgets._footer import FooterKey

from orderdesk.core.lease import Lease, read_status
from orderdesk.core.progress import SyncProgress
from orderdesk.core.store import Store
from orderdesk.core.sync_service import Source
from orderdesk.i18n import speaking
from orderdesk.tui.app import OrderdeskApp
from orderdesk.tui.list_filter import ListFilter, TimeWindow
from orderdesk.tui.screens.records import RecordsScreen
from orderdesk.tui.screens.source_error import SourceErrorDialog
from orderdesk.tui.widgets.status_line import Freshness, StatusLine
from tests.fake_log_api import (
    KEY,
    FakeLogApi,
    answer,
    at,
    over_http,
    postback_record,
    request_record,
)
from tests.tui.tui_console import (
    ScreenHost,
    at_anchor,
    console,
    record_list,
    screen_text,
    settled,
    shown,
)

#: Nothing listens on port 9 of loopback: every attempt is refused.
DEAD = "http://127.0.0.1:9"
SYNCED_AGO = timedelta(hours=3)


def _now() -> datetime:
    # The sync stamps its failures with the real clock; the console reads the same one.
    return datetime.now(UTC)


def _status(app: OrderdeskApp) -> str:
    return shown(app.screen.query_one(StatusLine)).plain


async def _wait_for(pilot: Any, condition: Any, seconds: float = 10.0) -> None:
    for _ in range(int(seconds / 0.05)):
        if condition():
            return
        await pilot.pause(0.05)
    assert condition(), "the console never got there"


@pytest.fixture
def synced_store(store_path: Path, tmp_path: Path) -> Iterator[Store]:
    """The simulated store, which an earlier sync caught up three hours ago."""
    copy = tmp_path / "synced.db"
    shutil.copy(store_path, copy)
    with Store.open(copy) as store:
        with Lease.acquire(store, holder="earlier-run:1") as lease:
            lease.report(SyncProgress(caught_up=True, last_success_at=_now() - SYNCED_AGO))
        yield store


@pytest.mark.parametrize(
    ("lang", "synced", "refused", "since", "next_try"),
    [
        ("en", "synced 3 h ago", "✗ connection refused", "since", "next try"),
        ("fr", "synchro il y a 3 h", "✗ connexion refusée", "depuis", "essai"),
    ],
)
async def test_a_synced_store_whose_source_fails_says_when_it_synced_since_when_and_next_try(
    synced_store: Store, lang: str, synced: str, refused: str, since: str, next_try: str
) -> None:
    with speaking(lang):
        app = console(synced_store, source=Source(DEAD, None, interval=60), now=_now)
        async with app.run_test(size=(80, 24)) as pilot:
            await _wait_for(pilot, lambda: next_try in _status(app))
            await settled(pilot)
            line = _status(app)
            assert line.startswith(f"{synced} · {refused} {since} ")
            assert re.search(rf"{since} \d\d:\d\d \(E\) · {next_try} \d\d:\d\d:\d\d", line), line
            assert "not synced" not in line and "pas encore" not in line
            # Whole on the screen: the line fits its 78 cells between the paddings.
            assert len(line) <= 78
            assert line in [row.strip() for row in screen_text(app).splitlines()]


async def test_the_whole_error_is_one_key_away_and_escape_closes_it(synced_store: Store) -> None:
    app = console(synced_store, source=Source(DEAD, None, interval=60), now=_now)
    async with app.run_test(size=(80, 24)) as pilot:
        await _wait_for(pilot, lambda: "next try" in _status(app))
        await settled(pilot)
        # The status line names the key; the footer, full at 80 columns, leaves it to the help.
        assert "(E)" in _status(app), "the key to the whole error is named beside it"
        await pilot.press("E")
        await settled(pilot)
        assert isinstance(app.screen, SourceErrorDialog)
        text = " ".join(screen_text(app).split())
        assert "cannot reach the log API at http://127.0.0.1:9" in text
        assert "Connection refused" in text
        assert "Failing since" in text and "Next try at" in text
        await pilot.press("escape")
        await settled(pilot)
        assert isinstance(app.screen, RecordsScreen)


async def test_the_error_key_is_not_offered_while_nothing_fails(store: Store) -> None:
    app = console(store)
    async with app.run_test(size=(80, 24)) as pilot:
        await settled(pilot)
        assert "E" not in [key.key for key in app.screen.query(FooterKey)]
        await pilot.press("E")
        await settled(pilot)
        assert isinstance(app.screen, RecordsScreen)


async def test_a_pass_stopped_half_way_never_says_it_synced(synced_store: Store) -> None:
    # Requests come whole; the postbacks page is refused for good, which ends the sync.
    api = FakeLogApi()
    api.put(request_record("r1", at(1)), request_record("r2", at(2)))
    api.put(postback_record("p1", at(3)))
    api.fail_next(
        lambda request: None,
        lambda request: None,
        answer(400, json={"error": "[bold]bad cursor[/bold]"}),
    )
    with over_http(api) as url:
        app = console(synced_store, source=Source(url, KEY, interval=60), now=_now)
        async with app.run_test(size=(80, 24)) as pilot:
            await _wait_for(pilot, lambda: app.freshness.stopped is not None)
            await settled(pilot)
            line = _status(app)
            assert line.startswith("synced 3 h ago · ✗ sync stopped: HTTP 400 (E)")
            status = read_status(synced_store)
            assert status is not None and status.last_success_at is not None
            assert _now() - status.last_success_at > SYNCED_AGO - timedelta(minutes=1)
            await pilot.press("E")
            await settled(pilot)
            text = " ".join(screen_text(app).split())
            # The server's words, shown literally: its markup is not interpreted.
            assert "[bold]bad cursor[/bold]" in text
            assert "The sync stopped" in text


async def test_while_the_first_sync_runs_an_empty_list_counts_what_arrived(tmp_path: Path) -> None:
    api = FakeLogApi()
    api.put(request_record("r1", at(1)), request_record("r2", at(2)), request_record("r3", at(3)))
    api.put(postback_record("p1", at(4)))
    gate = threading.Event()

    def held(request: httpx.Request) -> None:
        gate.wait(timeout=8)  # the postbacks page waits until the test has looked

    api.fail_next(lambda request: None, lambda request: None, held)
    with Store.open(tmp_path / "new.db") as store, over_http(api) as url:
        app = console(store, source=Source(url, KEY, interval=60), screen="postbacks", now=_now)
        try:
            async with app.run_test(size=(80, 24)) as pilot:
                await _wait_for(pilot, lambda: "3 fetched" in _status(app))
                await _wait_for(pilot, lambda: record_list(app).total == 0)
                await settled(pilot)
                text = screen_text(app)
                assert "first sync in progress: 3 records so far" in text
                assert "no records match" not in text
                assert _status(app).startswith("not synced yet: the first sync is under way")
                gate.set()
                await _wait_for(pilot, lambda: record_list(app).total == 1)
                await _wait_for(pilot, lambda: _status(app).startswith("synced "))
        finally:
            gate.set()


async def test_an_empty_store_whose_source_fails_says_so_and_which_key_tells_why(
    tmp_path: Path,
) -> None:
    with Store.open(tmp_path / "new.db") as store:
        app = console(store, source=Source(DEAD, None, interval=60), now=_now)
        async with app.run_test(size=(80, 24)) as pilot:
            await _wait_for(pilot, lambda: "next try" in _status(app))
            await _wait_for(pilot, lambda: "source is failing" in screen_text(app))
            assert "no records yet: the source is failing (E shows why)" in screen_text(app)
            assert _status(app).startswith("not synced yet · ✗ connection refused since")


@pytest.mark.parametrize("lang", ["en", "fr"])
async def test_an_empty_store_says_it_is_empty_and_how_to_fill_it(
    tmp_path: Path, lang: str
) -> None:
    with speaking(lang), Store.open(tmp_path / "empty.db") as store:

        def screen() -> RecordsScreen:
            return RecordsScreen(store, "requests", zone=UTC, now=at_anchor, freshness=Freshness())

        app = ScreenHost(screen)
        async with app.run_test(size=(80, 24)) as pilot:
            await settled(pilot)
            text = " ".join(screen_text(app).split())
            if lang == "en":
                assert "the store is empty: fill it with orderdesk sync --api-url URL" in text
            else:
                assert "le stockage est vide : remplissez-le avec orderdesk sync" in text
            assert "orderdesk demo" in text
            assert "(t)" not in text and "(x)" not in text


FUTURE = TimeWindow.custom("2026-11-24 00:00", "2026-11-25 00:00")


@pytest.mark.parametrize(
    ("list_filter", "said", "not_said"),
    [
        (ListFilter(window=FUTURE), "no records in this time range: widen it (t)", "(x)"),
        (
            ListFilter(customer="nobody-at-all"),
            "no records match the filters: clear them (x)",
            "(t)",
        ),
        (
            ListFilter(window=FUTURE, customer="nobody-at-all"),
            "no records match the filters: clear them (x)",
            "(t)",
        ),
        (
            ListFilter(window=FUTURE, statuses=("failed",)),
            "no records match: widen the time range (t) or clear the filters (x)",
            "first sync",
        ),
    ],
    ids=["range-only", "filters-only", "filters-everywhere", "range-and-filters"],
)
async def test_an_empty_list_hints_only_what_would_show_records(
    sqlite_store: Store, list_filter: ListFilter, said: str, not_said: str
) -> None:
    app = console(sqlite_store, list_filter=list_filter)
    async with app.run_test(size=(80, 24)) as pilot:
        await settled(pilot)
        assert record_list(app).total == 0
        text = " ".join(screen_text(app).split())
        assert said in text
        assert not_said not in text
