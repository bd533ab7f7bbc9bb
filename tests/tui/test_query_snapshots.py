"""How the filter prompt looks at 80x24: a completion offered, and a mistake pointed at."""

from __future__ import annotations

from typing import Any

from orderdesk.core.store import Store
from tests.tui.tui_console import console, screen_text, settled

KEYS = {" ": "space", ":": "colon", ",": "comma", "-": "minus"}


def _typing(text: str) -> Any:
    async def run_before(pilot: Any) -> None:
        await settled(pilot)
        await pilot.press("slash", *[KEYS.get(char, char) for char in text])
        await settled(pilot)

    return run_before


class TestQueryPrompt:
    def test_a_completion_is_offered(self, snap_compare: Any, sqlite_store: Store) -> None:
        async def offered(pilot: Any) -> None:
            await _typing("status:fai")(pilot)
            # The rest of the value shows after the cursor, for tab to take.
            assert "status:failed" in screen_text(pilot.app)

        app = console(sqlite_store, screen="postbacks")
        assert snap_compare(app, terminal_size=(80, 24), run_before=offered)

    def test_a_mistake_is_pointed_at(self, snap_compare: Any, sqlite_store: Store) -> None:
        async def mistake(pilot: Any) -> None:
            await _typing("code:5xx stauts:failed")(pilot)
            await pilot.press("enter")
            await settled(pilot)
            text = screen_text(pilot.app)
            assert "unknown field 'stauts' at 10: did you mean status?" in text
            assert "code:5xx stauts:failed" in text

        app = console(sqlite_store)
        assert snap_compare(app, terminal_size=(80, 24), run_before=mistake)
