"""Where a long line of a body breaks when wrapped, as a pretty-printer would break it.

A row ends between words or before a tag, never inside the line's own
indentation (which would leave a blank row), and the rows after the first
hang under the start of the line's content, a little further in, so a
wrapped value still reads as part of its key or its element. A word longer
than a whole row is cut where it must be.
"""

from __future__ import annotations

from bisect import bisect_right

from rich.cells import get_character_cell_size
from textual._wrap import compute_wrap_offsets
from textual.expand_tabs import get_tab_widths
from textual.geometry import Offset
from textual.widgets.text_area import Location, WrappedDocument

__all__ = ["HANG", "HangingWrap", "breaks", "hang"]

#: How much further in than the line's content its continuation rows start.
HANG = 2
#: Lines longer than this are cut at the row's width without looking for a
#: better place: a megabyte on one line would take seconds to weigh.
WEIGHED_LIMIT = 20_000


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" "))


def hang(line: str, width: int) -> int:
    """How many cells the continuation rows of ``line`` start in from the left."""
    return min(_indent(line) + HANG, width // 2)


def _best_break(line: str, lowest: int, end: int) -> int:
    """The last place in ``lowest..end`` where a row may end: after a space or before a tag."""
    space = line.rfind(" ", lowest - 1, end)
    tag = line.rfind("<", lowest, end + 1)
    return max(space + 1 if space >= 0 else 0, tag)


def breaks(line: str, width: int) -> list[int]:
    """Where ``line`` breaks (code point offsets) into rows of ``width`` cells, with its hang."""
    if width < 2 or (len(line) <= width and line.isascii()):
        return []
    if len(line) > WEIGHED_LIMIT:
        # Cut every row's width along, counting a character a cell.
        return list(range(width, len(line), max(1, width - hang(line, width))))
    ascii_only = line.isascii()
    sizes = [] if ascii_only else [get_character_cell_size(c) for c in line]
    if not ascii_only and sum(sizes) <= width:
        return []
    indent, inset = _indent(line), hang(line, width)
    cuts: list[int] = []
    start, room = 0, width
    while True:
        if ascii_only:
            end = min(len(line), start + room)
        else:
            end, used = start, 0
            while end < len(line) and used + sizes[end] <= room:
                used += sizes[end]
                end += 1
        if end >= len(line):
            return cuts
        # The first row keeps at least its content's first character.
        lowest = max(start, indent) + 1
        cut = _best_break(line, lowest, end)
        if cut < lowest:
            cut = max(end, start + 1)
        cuts.append(cut)
        start, room = cut, max(1, width - inset)


class HangingWrap(WrappedDocument):
    """TextArea's wrapped view of a document, broken by ``breaks`` and hung by ``hang``."""

    hangs: list[int]
    """Each line's hang, in cells (0 for a line that fits)."""

    def wrap(self, width: int, tab_width: int | None = None) -> None:
        """Break every line that does not fit ``width``; a line with tabs breaks as Textual's."""
        # The same private tables as Textual 8.2.8's own wrap fills: TextArea and
        # its navigator read them, so a Textual upgrade must be checked here.
        self._width = width
        if tab_width:
            self._tab_width = tab_width
        offsets: list[list[int]] = []
        tabs: list[list[int]] = []
        hangs: list[int] = []
        for line in self.document.lines:
            sections = get_tab_widths(line, self._tab_width)
            tabs.append([size for _, size in sections])
            cuts: list[int] = []
            inset = 0
            if width and "\t" in line:
                cuts = compute_wrap_offsets(line, width, self._tab_width)
            elif width:
                cuts = breaks(line, width)
                inset = hang(line, width) if cuts else 0
            offsets.append(cuts)
            hangs.append(inset)
        rows: list[tuple[int, int]] = []
        firsts: list[list[int]] = []
        for number, line_cuts in enumerate(offsets):
            firsts.append(list(range(len(rows), len(rows) + len(line_cuts) + 1)))
            rows.extend((number, section) for section in range(len(line_cuts) + 1))
        self._wrap_offsets = offsets
        self._tab_width_cache = tabs
        self._offset_to_line_info = rows
        self._line_index_to_offsets = firsts
        self.hangs = hangs

    def wrap_range(self, start: Location, old_end: Location, new_end: Location) -> None:
        """A read-only body is never edited; if it were, it is wrapped again whole."""
        self.wrap(self._width)

    def location_to_offset(self, location: Location) -> Offset:
        """Where a location is drawn: continuation rows start their hang further right."""
        offset = super().location_to_offset(location)
        line, column = location
        if 0 <= line < len(self.hangs) and bisect_right(self.get_offsets(line), column):
            return Offset(offset.x + self.hangs[line], offset.y)
        return offset

    def get_target_document_column(self, line_index: int, x_offset: int, y_offset: int) -> int:
        """The column under a cell, the hang of a continuation row taken off."""
        sections = len(self.get_offsets(line_index)) + 1
        if y_offset % sections:
            x_offset = max(0, x_offset - self.hangs[line_index])
        return super().get_target_document_column(line_index, x_offset, y_offset)
