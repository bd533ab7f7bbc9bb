"""The ``/`` prompt speaks the filter language: completion, history, a toggle, and its mistakes."""

from __future__ import annotations

from typing import Any

from textual.widgets import Static

from orderdesk.core.filter_language import narrow, parse
from orderdesk.core.queries import RecordQuery, count
from orderdesk.core.records import Kind
from orderdesk.core.store import Store
from orderdesk.tui.app import OrderdeskApp
from orderdesk.tui.widgets.filter_bar import FilterBar
from orderdesk.tui.widgets.query_prompt import QueryHistory, QueryPrompt
from tests.tui.simulated_day import ANCHOR
from tests.tui.tui_console import console, record_list, settled, shown


def _bar(app: OrderdeskApp) -> str:
    return shown(app.screen.query_one(FilterBar)).plain


def _prompt(app: OrderdeskApp) -> QueryPrompt:
    return app.screen.query_one("#search", QueryPrompt)


def _keys(text: str) -> list[str]:
    names = {
        " ": "space",
        '"': "quotation_mark",
        "-": "minus",
        ",": "comma",
        ":": "colon",
        "(": "left_parenthesis",
        ")": "right_parenthesis",
        ">": "greater_than_sign",
    }
    return [names.get(char, char) for char in text]


async def _type(pilot: Any, text: str) -> None:
    await pilot.press(*_keys(text))
    await settled(pilot)


def expected(store: Store, text: str, kind: Kind = "requests") -> int:
    return count(store, narrow(RecordQuery(kind, now=ANCHOR), parse(text, kind)))


async def test_a_query_narrows_the_list_and_shows_in_the_bar(store: Store) -> None:
    app = console(store, screen="postbacks")
    async with app.run_test(size=(120, 30)) as pilot:
        await settled(pilot)
        await pilot.press("slash")
        await _type(pilot, "status:failed,retrying -event:shipped")
        await pilot.press("enter")
        await settled(pilot)
        records = record_list(app)
        assert records.record_query.statuses == ("failed", "retrying")
        assert records.record_query.not_events == ("shipped",)
        total = expected(store, "status:failed,retrying -event:shipped", "postbacks")
        assert total > 0
        assert records.total == total
        assert "search: status:failed,retrying -event:shipped" in _bar(app)


async def test_an_or_query_narrows_the_list_and_shows_in_the_bar(store: Store) -> None:
    text = "(status:failed OR attempts:>3) -event:shipped"
    app = console(store, screen="postbacks")
    async with app.run_test(size=(120, 30)) as pilot:
        await settled(pilot)
        everything = record_list(app).total
        await pilot.press("slash")
        await _type(pilot, "(sta")
        await pilot.press("tab")  # completion works inside the group
        await _type(pilot, "failed OR att")
        await pilot.press("tab")  # and after OR
        await _type(pilot, ">3) -event:shipped")
        assert _prompt(app).value == text
        await pilot.press("enter")
        await settled(pilot)
        records = record_list(app)
        assert records.record_query.not_events == ("shipped",)
        assert records.record_query.where is not None
        total = expected(store, text, "postbacks")
        assert everything is not None and 0 < total < everything
        assert records.total == total
        assert f"search: {text}" in _bar(app)


async def test_a_finding_query_keeps_the_orders_with_that_finding_open(store: Store) -> None:
    text = "finding:not_received OR -(finding:request_failed)"
    app = console(store)
    async with app.run_test(size=(80, 24)) as pilot:
        await settled(pilot)
        everything = record_list(app).total
        await pilot.press("slash")
        await _type(pilot, "fin")
        await pilot.press("tab")
        await _type(pilot, "not_r")
        await pilot.press("tab")  # the rules complete after finding:
        assert _prompt(app).value == "finding:not_received"
        await pilot.press("enter")
        await settled(pilot)
        records = record_list(app)
        # Judged at the console's clock: the findings open at ANCHOR.
        assert records.record_query.findings == ("not_received",)
        assert records.record_query.now == ANCHOR
        missing = expected(store, "finding:not_received")
        assert everything is not None and 0 < missing < everything
        assert records.total == missing
        await pilot.press("slash", "ctrl+u")
        await _type(pilot, text)
        await pilot.press("enter")
        await settled(pilot)
        total = expected(store, text)
        assert missing < total < everything
        assert record_list(app).total == total


async def test_tab_completes_field_names_and_values(store: Store) -> None:
    app = console(store, screen="postbacks")
    async with app.run_test(size=(120, 30)) as pilot:
        await settled(pilot)
        await pilot.press("slash")
        await _type(pilot, "ev")
        await pilot.press("tab")
        await _type(pilot, "sh")
        await pilot.press("tab")
        assert _prompt(app).value == "event:shipped"
        await _type(pilot, " cust")
        await pilot.press("tab")
        await _type(pilot, "map")
        await pilot.press("tab")
        # The simulator's customer "Maple Threads": its first word finds it.
        assert _prompt(app).value == "event:shipped customer:maple"
        await pilot.press("enter")
        await settled(pilot)
        assert record_list(app).total == expected(
            store, "event:shipped customer:maple", "postbacks"
        )
        assert record_list(app).total


async def test_up_and_down_walk_the_queries_of_the_session(store: Store) -> None:
    app = console(store)
    async with app.run_test(size=(120, 30)) as pilot:
        await settled(pilot)
        for text in ("status:failed", "action:cancel"):
            await pilot.press("slash", "ctrl+u")
            await _type(pilot, text)
            await pilot.press("enter")
            await settled(pilot)
        await pilot.press("slash", "ctrl+u")
        await pilot.press("up")
        assert _prompt(app).value == "action:cancel"
        await pilot.press("up")
        assert _prompt(app).value == "status:failed"
        await pilot.press("up")
        assert _prompt(app).value == "status:failed"  # the oldest stays
        await pilot.press("down")
        assert _prompt(app).value == "action:cancel"
        await pilot.press("down")
        assert _prompt(app).value == ""
        await pilot.press("up", "enter")
        await settled(pilot)
        assert record_list(app).record_query.actions == ("cancel",)


async def test_one_key_turns_the_query_off_and_back_on(store: Store) -> None:
    app = console(store)
    async with app.run_test(size=(120, 30)) as pilot:
        await settled(pilot)
        everything = record_list(app).total
        await pilot.press("slash")
        await _type(pilot, "status:failed")
        await pilot.press("enter")
        await settled(pilot)
        failed = record_list(app).total
        assert failed is not None and everything is not None and 0 < failed < everything
        await pilot.press("exclamation_mark")
        await settled(pilot)
        assert record_list(app).total == everything
        assert "off (! turns it on): status:failed" in _bar(app)
        await pilot.press("exclamation_mark")
        await settled(pilot)
        assert record_list(app).total == failed
        assert "search: status:failed" in _bar(app)


async def test_a_mistake_says_where_and_the_list_keeps_its_results(store: Store) -> None:
    app = console(store)
    async with app.run_test(size=(120, 30)) as pilot:
        await settled(pilot)
        await pilot.press("slash")
        await _type(pilot, "action:cancel")
        await pilot.press("enter")
        await settled(pilot)
        records = record_list(app)
        before = (records.record_query, records.total)
        await pilot.press("slash", "ctrl+u")
        await _type(pilot, "code:5xx stauts:failed")
        await pilot.press("enter")
        await settled(pilot)
        error = app.screen.query_one("#search-error", Static)
        assert error.has_class("shown")
        said = shown(error)
        message, query = said.plain.splitlines()
        assert "unknown field 'stauts' at 10: did you mean status?" in message
        # The query again, its wrong word in reverse video.
        assert query == "code:5xx stauts:failed"
        wrong = [span for span in said.spans if "reverse" in str(span.style)]
        start = len(message) + 1 + len("code:5xx ")
        assert [(span.start, span.end) for span in wrong] == [(start, start + len("stauts:failed"))]
        prompt = _prompt(app)
        assert prompt.has_class("shown") and prompt.has_focus
        assert prompt.cursor_position == len("code:5xx ")
        assert (records.record_query, records.total) == before
        await pilot.press("escape")
        await settled(pilot)
        assert not error.has_class("shown")
        assert (records.record_query, records.total) == before


async def test_words_still_search_as_before(store: Store) -> None:
    app = console(store)
    async with app.run_test(size=(120, 30)) as pilot:
        await settled(pilot)
        await pilot.press("slash")
        await _type(pilot, "ORD-1")
        await pilot.press("enter")
        await settled(pilot)
        searched = RecordQuery("requests", now=ANCHOR, search=("ORD-1",))
        assert record_list(app).record_query == searched


def test_history_keeps_each_query_once_newest_last() -> None:
    history = QueryHistory(limit=3)
    for text in ("a", "b", "a", "c", "d"):
        history.add(text)
    assert history.entries == ["a", "c", "d"]
    assert history.older() == "d"
    assert history.newer() == ""
    assert history.newer() is None


async def test_tab_again_cycles_through_the_completions_and_shows_them(store: Store) -> None:
    app = console(store, screen="postbacks")
    async with app.run_test(size=(120, 30)) as pilot:
        await settled(pilot)
        await pilot.press("slash")
        await _type(pilot, "status:")
        prompt = _prompt(app)
        taken = []
        for _ in range(4):
            await pilot.press("tab")
            await settled(pilot)
            taken.append(prompt.value)
        offered = prompt.candidates
        assert len(offered) >= 3
        assert taken[:3] == offered[:3]
        subtitle = str(prompt.border_subtitle)
        assert all(value.removeprefix("status:") in subtitle for value in offered)
        await _type(pilot, ",")
        assert prompt.candidates == [] and not prompt.border_subtitle
