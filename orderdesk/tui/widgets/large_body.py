"""A very large body shown a screenful at a time, never measured as a whole.

TextArea re-wraps every line of its document on mount and on each resize
(about 0.6 s per pass over a 1 MB pretty-printed body on Textual 8.2.8), so
bodies above a size are shown here instead: plain lines, rendered only
where the user is looking, wrapped where ``body_wrap`` breaks them (only
the lines longer than the pane are weighed). Such a
body is shown as it came first and re-indented in a thread: indenting a
megabyte of JSON takes Python's encoder about 0.1 s, too long to wait for.
"""

from __future__ import annotations

from bisect import bisect_right
from collections import defaultdict
from collections.abc import Callable, Sequence
from itertools import accumulate
from typing import ClassVar

from rich.segment import Segment
from textual import on
from textual.geometry import Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip
from textual.worker import Worker, WorkerState, get_current_worker

from orderdesk.core.occurrences import Hit
from orderdesk.tui.messages import WorkerFailed
from orderdesk.tui.widgets.body_wrap import breaks, hang

__all__ = ["LargeBodyView"]


class LargeBodyView(ScrollView, can_focus=True):
    """A read-only view of a long text that renders only its visible lines."""

    COMPONENT_CLASSES: ClassVar[set[str]] = {"large-body--hit", "large-body--current-hit"}

    class Reformatted(Message):
        """The body was re-indented: its lines, and so any search's hits, are new."""

    soft_wrap: reactive[bool] = reactive(True)
    """Whether long lines continue on the next row instead of scrolling sideways."""

    def __init__(
        self,
        text: str,
        *,
        reformat: Callable[[], str] | None = None,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        """A view of ``text`` (already safe for the screen); ``reformat`` makes a better one."""
        super().__init__(id=id, classes=classes)
        self._reformat = reformat
        self._row_starts: list[int] | None = None
        """With wrapping: the first screen row of each line, plus the total at the end."""
        self._cuts: dict[int, list[int]] = {}
        """With wrapping: where each line longer than the pane breaks, by line number."""
        self._hangs: dict[int, int] = {}
        """How far in each broken line's continuation rows start."""
        self._wrapped_at = 0
        self._hits_by_line: dict[int, list[tuple[int, int, bool]]] = {}
        """Each line's hits: start, end, and whether it is the current one."""
        self._set_text(text)

    def _set_text(self, text: str) -> None:
        self.text = text
        self._lines = text.expandtabs(4).split("\n")
        self._lengths = [len(line) for line in self._lines]
        self._widest = max(self._lengths)

    def searchable_lines(self) -> Sequence[str]:
        """The lines as shown, in which a search finds its hits."""
        return self._lines

    def mark_hits(self, hits: list[Hit], current: int | None) -> None:
        """Highlight every hit, the current one apart, and bring the current one into view."""
        by_line: defaultdict[int, list[tuple[int, int, bool]]] = defaultdict(list)
        for number, hit in enumerate(hits):
            by_line[hit.line].append((hit.start, hit.end, number == current))
        self._hits_by_line = dict(by_line)
        self.refresh()
        if current is None:
            return
        hit = hits[current]
        starts = self._row_starts
        if starts is None:
            row, x = hit.line, max(0, hit.start - self.scrollable_content_region.width // 2)
        else:
            row, x = starts[hit.line] + bisect_right(self._cuts.get(hit.line, []), hit.start), 0
        y = max(0, row - self.scrollable_content_region.height // 2)
        self.scroll_to(x, y, animate=False, immediate=True)

    def show_text(self, text: str) -> None:
        """Show another text (the same body re-indented), from the top."""
        # Hits were found in the old lines; the search is run again by its owner.
        self._hits_by_line = {}
        self._set_text(text)
        self._measure()
        self.scroll_to(0, 0, animate=False)
        self.refresh()
        self.post_message(self.Reformatted())

    def _reformat_in_thread(self) -> None:
        assert self._reformat is not None
        text = self._reformat()
        if not get_current_worker().is_cancelled:
            self.app.call_from_thread(self.show_text, text)

    def _wrap_width(self) -> int:
        return max(1, self.scrollable_content_region.width)

    def _measure(self) -> None:
        """Set the virtual size: one row per line, or per cut of a line when wrapping."""
        if not self.soft_wrap:
            self._row_starts = None
            self.virtual_size = Size(self._widest, len(self._lines))
            return
        width = self._wrap_width()
        self._wrapped_at = width
        # Only lines longer than the pane are broken; a row finds its line by
        # bisection over the rows per line, summed.
        lines = self._lines
        self._cuts = {
            number: breaks(lines[number], width)
            for number, length in enumerate(self._lengths)
            if length > width or (length > width // 2 and not lines[number].isascii())
        }
        self._hangs = {number: hang(lines[number], width) for number in self._cuts}
        cuts = self._cuts
        rows = (len(cuts[number]) + 1 if number in cuts else 1 for number in range(len(lines)))
        self._row_starts = [0, *accumulate(rows)]
        self.virtual_size = Size(width, self._row_starts[-1])

    def on_mount(self) -> None:
        """Measure if the pane has a width yet; start re-indenting if there is a better form."""
        # Before the first layout the width is 0: cutting at one column would
        # draw a first frame one character per row. on_resize measures instead.
        if not self.soft_wrap or self.scrollable_content_region.width:
            self._measure()
        if self._reformat is not None:
            self.run_worker(
                self._reformat_in_thread,
                thread=True,
                exclusive=True,
                name="re-indent the body",
                exit_on_error=False,
            )

    @on(Worker.StateChanged)
    def _worker_changed(self, event: Worker.StateChanged) -> None:
        # The raw body stays on screen; the failure is shown, not swallowed.
        if event.state is WorkerState.ERROR:
            self.post_message(WorkerFailed(event.worker))

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
        starts = self._row_starts
        number, start, inset = -1, 0, 0
        if starts is None:
            line = self._lines[index] if index < len(self._lines) else ""
            number, start = index, scroll_x
            text = line[scroll_x : scroll_x + width]
        elif index < starts[-1]:
            number = bisect_right(starts, index) - 1
            piece, line = index - starts[number], self._lines[number]
            cuts = self._cuts.get(number, [])
            start = cuts[piece - 1] if piece else 0
            text = line[start : cuts[piece] if piece < len(cuts) else len(line)]
            inset = self._hangs[number] if piece else 0
        else:
            text = ""
        hits = self._hits_by_line.get(number)
        segments = self._hit_segments(text, start, hits) if hits else [Segment(text)]
        if inset:
            # A continuation row starts under its line's content, a little further in.
            segments.insert(0, Segment(" " * inset))
        strip = Strip(segments).crop_extend(0, width, None)
        return strip.apply_style(self.rich_style)

    def _hit_segments(
        self, text: str, offset: int, hits: list[tuple[int, int, bool]]
    ) -> list[Segment]:
        """The row's text cut into plain and highlighted pieces; ``offset`` is its first column."""
        hit_style = self.get_component_rich_style("large-body--hit", partial=True)
        current_style = self.get_component_rich_style("large-body--current-hit", partial=True)
        segments: list[Segment] = []
        done = 0
        for hit_start, hit_end, current in hits:
            start = max(hit_start - offset, done)
            end = min(hit_end - offset, len(text))
            if end <= start:
                continue
            segments.append(Segment(text[done:start]))
            segments.append(Segment(text[start:end], current_style if current else hit_style))
            done = end
        segments.append(Segment(text[done:]))
        return segments
