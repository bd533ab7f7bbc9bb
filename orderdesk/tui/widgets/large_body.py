"""A very large body shown a screenful at a time, never measured as a whole.

TextArea re-wraps every line of its document on mount and on each resize
(about 0.6 s per pass over a 1 MB pretty-printed body on Textual 8.2.8), so
bodies above a size are shown here instead: plain lines, rendered only
where the user is looking, wrapped by cutting at the pane's width.
"""

from __future__ import annotations

from rich.segment import Segment
from textual.geometry import Size
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip

__all__ = ["LargeBodyView"]


class LargeBodyView(ScrollView, can_focus=True):
    """A read-only view of a long text that renders only its visible lines."""

    DEFAULT_CSS = """
    LargeBodyView {
        height: 1fr;
        min-height: 3;
    }
    """

    soft_wrap: reactive[bool] = reactive(True)
    """Whether long lines continue on the next row instead of scrolling sideways."""

    def __init__(self, text: str, *, id: str | None = None, classes: str | None = None) -> None:
        """A view of ``text``, which must already be safe for the screen."""
        super().__init__(id=id, classes=classes)
        self.text = text
        self._lines = text.expandtabs(4).split("\n")
        self._widest = max(len(line) for line in self._lines)
        self._rows: list[tuple[int, int]] | None = None
        self._wrapped_at = 0

    def _wrap_width(self) -> int:
        return max(1, self.scrollable_content_region.width)

    def _measure(self) -> None:
        """Set the virtual size: one row per line, or per cut of a line when wrapping."""
        if not self.soft_wrap:
            self._rows = None
            self.virtual_size = Size(self._widest, len(self._lines))
            return
        width = self._wrap_width()
        self._wrapped_at = width
        self._rows = [
            (number, start)
            for number, line in enumerate(self._lines)
            for start in range(0, max(len(line), 1), width)
        ]
        self.virtual_size = Size(width, len(self._rows))

    def on_mount(self) -> None:
        """Measure once the pane has a width."""
        self._measure()

    def on_resize(self) -> None:
        """Re-cut the lines when the width changes."""
        if self.soft_wrap and self._wrap_width() != self._wrapped_at:
            self._measure()

    def watch_soft_wrap(self) -> None:
        """Switch between cut lines and sideways scrolling."""
        if self.is_mounted:
            self._measure()
            self.refresh()

    def render_line(self, y: int) -> Strip:
        """One row of the visible text."""
        scroll_x, scroll_y = self.scroll_offset
        width = self.scrollable_content_region.width
        index = scroll_y + y
        if self._rows is None:
            text = (
                self._lines[index][scroll_x : scroll_x + width] if index < len(self._lines) else ""
            )
        elif index < len(self._rows):
            number, start = self._rows[index]
            text = self._lines[number][start : start + self._wrapped_at]
        else:
            text = ""
        strip = Strip([Segment(text)]).crop_extend(0, width, None)
        return strip.apply_style(self.rich_style)
