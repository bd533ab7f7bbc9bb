"""The line above a list that always shows what narrows it, and in which zone times are."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, tzinfo

from textual.content import Content
from textual.widgets import Static

from orderdesk import strings
from orderdesk.tui.list_filter import ListFilter, zone_label
from orderdesk.tui.safe_text import safe

__all__ = ["FilterBar"]


class FilterBar(Static):
    """The screen's title, its time window and zone, its active filters, and the row count."""

    _shown: tuple[object, ...] = ()

    def show(
        self,
        *,
        title: str,
        list_filter: ListFilter,
        zone: tzinfo,
        now: datetime,
        rows: str,
        extra_chips: Sequence[str] = (),
    ) -> None:
        """Draw the bar for these filters."""
        window = strings.FILTER_BAR.format(
            window=list_filter.window.label(), zone=zone_label(zone, now)
        )
        parts: list[Content | tuple[str, str] | str] = [
            (title, "bold"),
            "  ",
            (window, "$accent"),
        ]
        for chip in [*list_filter.chips(), *extra_chips]:
            parts += [" │ ", Content.styled(safe(chip).plain, "$warning")]
        parts += [" │ ", (rows, "$text-muted")]
        bar = Content.assemble(*parts)
        # Content's equality ignores styles: compare them too.
        shown = (bar.plain, *bar.spans)
        if shown != self._shown:
            self._shown = shown
            self.update(bar, layout=False)  # always one row
