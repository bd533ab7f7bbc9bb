"""The console's CSS is parsed once per process, and a new theme is still a new look."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from textual.css.stylesheet import Stylesheet

from orderdesk.core.store import Store
from orderdesk.tui.shared_css import SharedParseStylesheet
from tests.tui.tui_console import console, settled


@pytest.fixture
def parsed(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The CSS sources Textual's own parser reads from now on, by where they come from."""
    seen: list[str] = []
    parse = Stylesheet._parse_rules

    def counted(self: Stylesheet, css: str, read_from: Any, *args: Any, **kwargs: Any) -> Any:
        seen.append(str(read_from))
        return parse(self, css, read_from, *args, **kwargs)

    monkeypatch.setattr(Stylesheet, "_parse_rules", counted)
    return seen


async def test_switching_lists_parses_no_css_again(tmp_path: Path, parsed: list[str]) -> None:
    with Store.open(tmp_path / "orderdesk.db") as store:
        for _ in range(2):  # a second console in the process reads the first one's rules
            app = console(store)
            assert isinstance(app.stylesheet, SharedParseStylesheet)
            async with app.run_test(size=(80, 24)) as pilot:
                await settled(pilot)
                before = len(parsed)
                for key in ("2", "4", "1", "2", "1"):
                    await pilot.press(key)
                    await settled(pilot)
                assert app.current_mode == "requests"
                switching = parsed[before:]
                assert not [source for source in switching if "orderdesk.tcss" in source]
    tcss = [source for source in parsed if "orderdesk.tcss" in source]
    assert len(tcss) <= 1, tcss


async def test_a_new_theme_is_parsed_with_its_own_colours(tmp_path: Path) -> None:
    with Store.open(tmp_path / "orderdesk.db") as store:
        app = console(store)
        async with app.run_test(size=(80, 24)) as pilot:
            await settled(pilot)
            app.theme = "textual-dark"
            await settled(pilot)
            dark = app.screen.styles.background
            app.theme = "textual-light"
            await settled(pilot)
            light = app.screen.styles.background
            app.theme = "textual-dark"
            await settled(pilot)
            assert light != dark
            assert app.screen.styles.background == dark
