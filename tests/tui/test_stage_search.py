"""Search inside a stage: / finds every occurrence, n and N walk them, escape forgets them."""

from __future__ import annotations

import json
from datetime import UTC

from textual.app import App, ComposeResult
from textual.content import Content
from textual.screen import Screen

from orderdesk.core.occurrences import Hit, find_occurrences
from orderdesk.core.store import Store
from orderdesk.tui.app import stylesheet_path
from orderdesk.tui.record_stages import Body, Stage
from orderdesk.tui.screens.record import RecordScreen
from orderdesk.tui.widgets.body_view import BodyView
from orderdesk.tui.widgets.large_body import LargeBodyView
from orderdesk.tui.widgets.stage_pane import StagePane
from orderdesk.tui.widgets.stage_search import StageSearch
from tests.tui.simulated_day import template_failure
from tests.tui.tui_console import ScreenHost, drill_down, screen_text


def test_occurrences_are_found_case_insensitively_line_by_line() -> None:
    lines = ["Quantity: 2", "", "the quantity was QUANTITY"]
    assert find_occurrences(lines, "quantity") == [
        Hit(0, 0, 8),
        Hit(2, 4, 12),
        Hit(2, 17, 25),
    ]
    assert find_occurrences(lines, "") == []
    assert find_occurrences(lines, "absent") == []
    assert len(find_occurrences(["a" * 50], "a", limit=7)) == 7


def test_a_search_for_markup_or_regex_characters_finds_them_literally() -> None:
    assert find_occurrences(['{"a": "[b]"}', "a.b"], "[b]") == [Hit(0, 7, 10)]
    assert find_occurrences(["axb", "a.b"], "a.b") == [Hit(1, 0, 3)]


def _current_pane_view(app: App[None]) -> BodyView | LargeBodyView:
    screen = app.screen
    assert isinstance(screen, RecordScreen)
    pane = screen.pane(screen.current)
    view = pane.query("BodyView, LargeBodyView").first()
    assert isinstance(view, BodyView | LargeBodyView)
    return view


async def test_slash_finds_every_hit_in_the_stage_and_n_walks_them_round(store: Store) -> None:
    record = template_failure(store)
    assert record.template is not None
    needle = "tojson"
    expected = sum(line.lower().count(needle) for line in record.template.source.splitlines())
    assert expected > 3
    app = drill_down(store, record)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, RecordScreen) and screen.current == "template"
        await pilot.press("slash")
        search = screen.query_one(StageSearch)
        assert search.is_open and app.focused is search
        await pilot.press(*"ToJson", "enter")
        await pilot.pause()
        pane = screen.pane("template")
        assert not search.is_open
        assert pane.hit_count == expected
        assert pane.current_hit == 0
        assert f"hit 1 of {expected}" in screen_text(app)
        await pilot.press("n", "n")
        assert pane.current_hit == 2
        view = pane.query(BodyView).first()
        third = find_occurrences(record.template.source.splitlines(), needle)[2]
        assert view.cursor_location == (third.line, third.start)
        await pilot.press("N", "N", "N")
        assert pane.current_hit == expected - 1  # round from the first to the last
        await pilot.pause()
        assert f"hit {expected} of {expected}" in screen_text(app)
        await pilot.press("escape")
        assert pane.searched is None and pane.hit_count == 0
        assert isinstance(app.screen, RecordScreen)


async def test_every_hit_is_highlighted_and_the_current_one_apart(store: Store) -> None:
    record = template_failure(store)
    app = drill_down(store, record)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("slash", *"tojson", "enter")
        await pilot.pause()
        view = _current_pane_view(app)
        assert isinstance(view, BodyView)
        marked = [
            (line, name)
            for line, spans in view._highlights.items()
            for _, _, name in spans
            if name.startswith("orderdesk.")
        ]
        names = [name for _, name in marked]
        assert names.count("orderdesk.current-hit") == 1
        screen = app.screen
        assert isinstance(screen, RecordScreen)
        assert len(names) == screen.pane("template").hit_count
        hit_style = view._theme.syntax_styles["orderdesk.hit"]
        current_style = view._theme.syntax_styles["orderdesk.current-hit"]
        assert hit_style != current_style and hit_style.bgcolor is not None


async def test_escape_closes_the_search_box_without_searching(store: Store) -> None:
    app = drill_down(store, template_failure(store))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("slash", "x", "escape")
        screen = app.screen
        assert isinstance(screen, RecordScreen)
        assert not screen.query_one(StageSearch).is_open
        assert screen.pane("template").searched is None
        await pilot.press("n")  # nothing searched: says so, moves nothing
        assert screen.pane("template").hit_count == 0


async def test_a_search_that_finds_nothing_says_so(store: Store) -> None:
    app = drill_down(store, template_failure(store))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("slash", *"zzqqzz", "enter")
        await pilot.pause()
        assert "“zzqqzz” is not in this stage" in screen_text(app)


async def test_search_in_a_megabyte_body_highlights_and_scrolls_to_the_hit(
    megabyte_drill_down: RecordScreen,
) -> None:
    app = ScreenHost(Screen)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        app.push_screen(megabyte_drill_down)
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, RecordScreen)
        screen.current = "original"
        await pilot.pause()
        await pilot.press("slash", *"needle", "enter")
        await pilot.pause()
        view = screen.pane("original").query_one(LargeBodyView)
        assert screen.pane("original").hit_count == 1
        assert view.scroll_offset.y > 10_000
        shown = screen_text(app)
        assert "Needle in the haystack" in shown
        row = next(y for y in range(view.size.height) if "Needle" in view.render_line(y).text)
        styled = [seg for seg in view.render_line(row) if seg.text == "Needle"]
        assert styled and styled[0].style is not None and styled[0].style.bold


async def test_a_long_body_highlights_every_hit_on_its_rows() -> None:
    class Viewer(App[None]):
        CSS_PATH = stylesheet_path()

        def compose(self) -> ComposeResult:
            yield LargeBodyView("abc ABC abc\nnothing\nxabcx")

    app = Viewer()
    async with app.run_test(size=(40, 10)) as pilot:
        view = app.query_one(LargeBodyView)
        hits = find_occurrences(view.searchable_lines(), "abc")
        view.mark_hits(hits, 1)
        await pilot.pause()
        first = [seg for seg in view.render_line(0) if seg.style is not None]
        # Hits are underlined and the current one bold (the stylesheet's
        # marks that survive a monochrome terminal).
        assert [seg.text for seg in first if seg.style and seg.style.underline] == ["abc", "abc"]
        assert [seg.text for seg in first if seg.style and seg.style.bold] == ["ABC"]
        third = [seg.text for seg in view.render_line(2) if seg.style and seg.style.underline]
        assert third == ["abc"]


async def test_a_search_made_before_a_large_body_is_re_indented_follows_it() -> None:
    items = [{"itemReferenceId": f"item-{n}", "quantity": n} for n in range(5_000)]
    items[4_000]["note"] = "needle"
    stage = Stage(
        "original",
        Content("Original"),
        bodies=[Body("body", json.dumps({"items": items}), "application/json")],
    )

    class Viewer(App[None]):
        CSS_PATH = stylesheet_path()

        def compose(self) -> ComposeResult:
            yield StagePane(stage, UTC)

    app = Viewer()
    async with app.run_test(size=(80, 24)) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        pane = app.query_one(StagePane)
        view = pane.query_one(LargeBodyView)
        assert pane.search("needle") == 1
        before = next(iter(view._hits_by_line))
        # The re-indenting worker answers with show_text: here with the needle lower down.
        view.show_text("\n" * 10 + view.text)
        await pilot.pause()
        assert pane.hit_count == 1
        [(line, spans)] = view._hits_by_line.items()
        assert line == before + 10
        assert view.searchable_lines()[line][spans[0][0] : spans[0][1]] == "needle"
