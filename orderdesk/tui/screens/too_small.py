"""What a terminal below the smallest size orderdesk draws in shows instead of a broken layout."""

from __future__ import annotations

from textual import events
from textual.app import ComposeResult
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Static

from orderdesk import strings

__all__ = ["MIN_HEIGHT", "MIN_WIDTH", "TooSmallScreen", "too_small"]

#: Below this, lists lose their key columns and the drill-down its stages.
MIN_WIDTH = 60
MIN_HEIGHT = 20


def too_small(width: int, height: int) -> bool:
    """Whether a terminal of this size is below what orderdesk draws in."""
    return width < MIN_WIDTH or height < MIN_HEIGHT


class TooSmallScreen(Screen[None]):
    """Says the terminal is too small, and by how much, until it grows."""

    def compose(self) -> ComposeResult:
        """The one sentence."""
        yield Static(self._sentence(self.app.size.width, self.app.size.height), classes="too-small")

    def on_resize(self, event: events.Resize) -> None:
        """The sentence follows the size."""
        self.query_one(".too-small", Static).update(self._sentence(*event.size))

    @staticmethod
    def _sentence(width: int, height: int) -> Content:
        return Content(
            strings.TOO_SMALL.format(needed=f"{MIN_WIDTH}x{MIN_HEIGHT}", size=f"{width}x{height}")
        )
