"""The drill-down: four stages laid out for the terminal, and every key on them."""

from __future__ import annotations

import json
import shlex
from pathlib import Path

import pytest
from textual.app import App, ComposeResult
from textual.screen import Screen

from orderdesk.core.queries import RecordQuery, list_records
from orderdesk.core.records import PostbackRecord, RecordError
from orderdesk.core.redact import is_secret_header
from orderdesk.core.store import Store
from orderdesk.tui.app import stylesheet_path
from orderdesk.tui.record_stages import failing_stage, record_stages
from orderdesk.tui.screens.order import OrderScreen
from orderdesk.tui.screens.record import RecordScreen, layout_for
from orderdesk.tui.widgets.body_view import BodyView
from orderdesk.tui.widgets.large_body import LargeBodyView
from orderdesk.tui.widgets.stage_pane import StagePane
from tests.record_factory import request
from tests.tui.simulated_day import template_failure
from tests.tui.tui_console import ScreenHost, console, drill_down, settled, until


def undelivered_postback(store: Store, content_type: str = "json") -> PostbackRecord:
    """A postback of the simulated day that never reached the customer, after retries."""
    failed = list_records(store, RecordQuery("postbacks", statuses=("failed",)), limit=500)
    return next(
        p
        for p in failed
        if isinstance(p, PostbackRecord)
        and len(p.attempts) > 1
        and p.final is not None
        and content_type in (p.final.content_type or "")
    )


@pytest.mark.parametrize(
    ("size", "layout"), [((80, 24), "tabs"), ((120, 40), "grid"), ((200, 50), "wide")]
)
async def test_the_stages_fit_the_terminal(
    store: Store, size: tuple[int, int], layout: str
) -> None:
    app = drill_down(store, template_failure(store))
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, RecordScreen)
        assert screen.layout_mode == layout
        shown = [pane.stage.name for pane in screen.query(StagePane) if pane.display]
        if layout == "tabs":
            assert shown == ["template"]
        visible = [pane for pane in screen.query(StagePane) if pane.region.area > 0]
        assert len(visible) == (1 if layout == "tabs" else 4)


def test_layout_thresholds() -> None:
    assert layout_for(80, 24) == "tabs"
    assert layout_for(120, 24) == "tabs"
    assert layout_for(120, 40) == "grid"
    assert layout_for(160, 24) == "wide"


async def test_a_resize_rearranges_without_losing_the_current_stage(store: Store) -> None:
    app = drill_down(store, template_failure(store))
    async with app.run_test(size=(200, 50)) as pilot:
        await pilot.press("tab")
        screen = app.screen
        assert isinstance(screen, RecordScreen)
        assert screen.current == "final"

        async def arranged(layout: str) -> None:
            # The screen hears of the new size in its own time: on a busy machine,
            # after more than one pause.
            await until(pilot, lambda: screen.layout_mode == layout)

        for size, layout in (((80, 24), "tabs"), ((120, 40), "grid"), ((200, 50), "wide")):
            await pilot.resize_terminal(*size)
            await arranged(layout)
            assert screen.current == "final"


async def test_a_template_failure_opens_on_the_template_with_its_error_first(store: Store) -> None:
    record = template_failure(store)
    app = drill_down(store, record)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, RecordScreen)
        pane = screen.pane("template")
        assert screen.current == "template" and pane.has_class("-failed")
        first = pane.children[0]
        assert record.error is not None
        assert record.error.message in str(first.render())
        assert app.focused is not None and pane in app.focused.ancestors_with_self


async def test_tab_and_shift_tab_walk_the_stages_round(store: Store) -> None:
    app = drill_down(store, undelivered_postback(store))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, RecordScreen)
        seen = [screen.current]
        for _ in range(4):
            await pilot.press("tab")
            seen.append(screen.current)
        assert seen == ["response", "original", "template", "final", "response"]
        await pilot.press("shift+tab")
        assert screen.current == "final"
        assert screen.pane("final").display and not screen.pane("response").display


async def test_z_maximises_the_current_stage_and_escape_gives_it_back(store: Store) -> None:
    app = drill_down(store, undelivered_postback(store))
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("z")
        screen = app.screen
        assert screen.maximized is screen.query_one("#stage-response")
        await pilot.press("tab")
        assert screen.maximized is screen.query_one("#stage-original")
        await pilot.press("escape")
        assert screen.maximized is None
        assert isinstance(app.screen, RecordScreen)
        await pilot.press("escape")
        assert not isinstance(app.screen, RecordScreen)


async def test_w_toggles_wrapping_in_every_body(store: Store) -> None:
    app = drill_down(store, undelivered_postback(store))
    async with app.run_test(size=(200, 50)) as pilot:
        await pilot.pause()
        views = list(app.screen.query(BodyView))
        assert views and all(view.soft_wrap for view in views)
        await pilot.press("w")
        assert not any(view.soft_wrap for view in views)
        await pilot.press("w")
        assert all(view.soft_wrap for view in views)


async def test_y_copies_the_current_stage_as_shown(store: Store) -> None:
    record = undelivered_postback(store)
    app = drill_down(store, record)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("tab", "tab", "tab")
        await pilot.press("y")
        assert record.final is not None
        assert record.final.url.split("/")[2] in app.clipboard
        assert json.loads(app.clipboard.split("--- body ---\n")[1]) == json.loads(
            record.final.body or ""
        )


async def test_s_saves_the_current_stage_in_the_current_folder(
    store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    record = template_failure(store)
    app = drill_down(store, record)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("s")
        saved = tmp_path / f"orderdesk-{record.id}-template.txt"
        assert saved.exists()
        assert record.template is not None
        assert record.template.source.splitlines()[1] in saved.read_text()


async def test_o_opens_the_order_and_escape_comes_back(store: Store) -> None:
    record = undelivered_postback(store)
    app = console(store)
    async with app.run_test(size=(80, 24)) as pilot:
        await settled(pilot)
        app.push_screen(RecordScreen(store, "postbacks", record.id, app.zone))
        await settled(pilot)
        await pilot.press("o")
        assert isinstance(app.screen, OrderScreen)
        assert app.screen.reference == record.order_reference_id
        await pilot.press("escape")
        assert isinstance(app.screen, RecordScreen)


async def test_a_record_gone_from_the_store_says_so(store: Store) -> None:
    app = drill_down(store, "req_missing")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("tab", "z", "y", "escape")
        assert not isinstance(app.screen, RecordScreen)


async def test_over_a_record_gone_from_the_store_its_keys_do_nothing(
    store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    app = drill_down(store, "req_missing")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("tab", "shift+tab", "z", "w", "y", "C", "s", "o", "d", "c")
        await pilot.press("slash", "n", "N")
        assert isinstance(app.screen, RecordScreen)
        assert not app._notifications and not list(tmp_path.iterdir())
        await pilot.press("escape")
        assert not isinstance(app.screen, RecordScreen)


async def test_a_megabyte_body_opens_without_freezing(megabyte_drill_down: RecordScreen) -> None:
    app = ScreenHost(Screen)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        app.push_screen(megabyte_drill_down)
        await pilot.pause()
        view = app.screen.query_one("#stage-original").query_one(LargeBodyView)
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert view.text.count("\n") > 20_000  # re-indented in the background
        await pilot.press("w", "pagedown", "end")


@pytest.mark.parametrize(
    ("stage", "shown_at"),
    [
        ("template", "template"),
        ("validation", "final"),
        ("delivery", "response"),
        ("printer", "response"),
    ],
)
def test_each_error_is_shown_on_the_stage_where_it_happened(stage: str, shown_at: str) -> None:
    error = RecordError(stage=stage, code="x", message="went wrong")
    stages = record_stages(request(1, status="failed", error=error))
    assert [s.name for s in stages if s.failed] == [shown_at]
    assert failing_stage(request(1)) is None


async def test_a_long_body_is_never_cut_before_its_pane_has_a_width() -> None:
    # Measured on mount, before the first layout, it would be cut at one column:
    # the first frame would show the body one character per row.
    widths: list[int] = []

    class Spied(LargeBodyView):
        def _measure(self) -> None:
            widths.append(self._wrap_width())
            super()._measure()

    class Viewer(App[None]):
        CSS_PATH = stylesheet_path()

        def compose(self) -> ComposeResult:
            yield Spied("<order>" + "<line/>" * 2_000 + "</order>")

    app = Viewer()
    async with app.run_test(size=(40, 10)) as pilot:
        await pilot.pause()
        view = app.query_one(Spied)
        assert widths and set(widths) == {view.scrollable_content_region.width}
        assert view.render_line(0).text.startswith("<order><line/>")


async def test_a_long_body_is_cut_at_the_pane_width_and_scrolls_sideways_unwrapped() -> None:
    class Viewer(App[None]):
        CSS_PATH = stylesheet_path()

        def compose(self) -> ComposeResult:
            yield LargeBodyView("short\n" + "x" * 25 + "\n\n" + "abcdefghij" * 3)

    app = Viewer()
    async with app.run_test(size=(12, 10)) as pilot:
        await pilot.pause()
        view = app.query_one(LargeBodyView)
        width = view.scrollable_content_region.width
        rows = [view.render_line(y).text.rstrip() for y in range(view.virtual_size.height)]
        wrapped = rows[1 : rows.index("")]
        assert len(wrapped) > 1 and wrapped[0] == "x" * width
        # The rows after the first hang two cells in, and the blank line stays the only one.
        assert all(row.startswith("  x") for row in wrapped[1:])
        assert "".join(row.strip() for row in wrapped) == "x" * 25
        assert rows.count("") == 1
        view.soft_wrap = False
        await pilot.pause()
        assert view.virtual_size.height == 4
        assert view.render_line(1).text.startswith("x" * width)


async def test_shift_c_copies_the_final_request_as_curl_with_secrets_redacted(
    store: Store,
) -> None:
    sent = list_records(store, RecordQuery("requests", statuses=("succeeded",)), limit=1)
    record = sent[0]
    assert record.final is not None
    assert any(is_secret_header(name) for name in record.final.headers)  # X-API-KEY
    app = drill_down(store, record)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("C")
        await pilot.pause()
        words = shlex.split(app.clipboard.replace("\\\n", ""))
        assert words[:4] == ["curl", "-X", record.final.method, record.final.url]
        assert json.loads(words[words.index("--data-raw") + 1]) == json.loads(
            record.final.body or ""
        )
        for name, value in record.final.headers.items():
            if is_secret_header(name):
                assert value.startswith("[redacted len=")
                assert f"{name}: {value}" in words
        size = len(app.clipboard.encode())
        said = [notice.message for notice in app._notifications]
        assert any(f"({size:,} B)" in sentence and "curl" in sentence for sentence in said)


async def test_shift_c_on_a_request_never_sent_says_there_is_nothing_to_copy(
    store: Store,
) -> None:
    record = template_failure(store)
    assert record.final is None
    app = drill_down(store, record)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("C")
        await pilot.pause()
        assert app.clipboard == ""


async def test_in_a_browser_s_sends_the_stage_as_a_download(
    store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    record = template_failure(store)
    app = drill_down(store, record)
    delivered: list[tuple[str, str | None]] = []
    monkeypatch.setattr(type(app), "is_web", property(lambda _: True))
    monkeypatch.setattr(
        app,
        "deliver_text",
        lambda file, *, save_filename=None, **_: delivered.append((file.read(), save_filename)),
    )
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("s")
        [(text, name)] = delivered
        assert name == f"orderdesk-{record.id}-template.txt"
        assert record.template is not None
        assert record.template.source.splitlines()[1] in text
        assert list(tmp_path.iterdir()) == []  # nothing left on the server
        said = [notice.message for notice in app._notifications]
        assert any("to your browser as a download" in line for line in said)
