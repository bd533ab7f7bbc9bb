"""Volume at a glance: one line of bars, records per slice of the list's range, failures in red.

A bar's height is its records against the busiest slice. A slice where a
tenth or more failed is drawn in the error colour, and in bold so that a
monochrome terminal shows it too; fewer failures, in the warning colour.
``[`` and ``]`` (or a click) pick a slice, and enter narrows the list's
time range to it, as lnav's histogram does.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, tzinfo
from functools import partial
from typing import ClassVar

from rich.cells import cell_len
from textual import events, on
from textual.binding import Binding, BindingType
from textual.content import Content
from textual.message import Message
from textual.widget import Widget
from textual.worker import Worker, WorkerState

from orderdesk import i18n, strings
from orderdesk.core.queries import RecordQuery
from orderdesk.core.store import Store
from orderdesk.core.volume import Bucket, Volume, volume
from orderdesk.tui.list_filter import ERROR_STATUSES
from orderdesk.tui.safe_text import safe_plain
from orderdesk.tui.threads import in_thread

__all__ = ["VolumeBar"]

_LEVELS = "▁▂▃▄▅▆▇█"
#: Cells kept on the right for what the bars say.
LABEL_WIDTH = 32


class VolumeBar(Widget, can_focus=True):
    """Records and failures per bucket over the list's range; a bucket can narrow the range."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("left,left_square_bracket,h", "select(-1)", strings.KEY_EARLIER, show=False),
        Binding("right,right_square_bracket,l", "select(1)", strings.KEY_LATER, show=False),
        Binding("enter", "narrow", strings.KEY_NARROW),
        Binding("escape", "leave", strings.KEY_BACK_TO_LIST, show=False),
    ]

    @dataclass
    class Narrowed(Message):
        """The user chose a bucket: the list's range should become ``[start, end)``."""

        start: datetime
        end: datetime

    def __init__(
        self,
        store: Store,
        zone: tzinfo,
        now: Callable[[], datetime],
        *,
        id: str | None = None,
    ) -> None:
        super().__init__(id=id)
        self._store = store
        self._now = now
        self.zone = zone
        self.volume: Volume | None = None
        self.selected: int | None = None
        self._generation = 0
        self._counting = False
        self._next: RecordQuery | None = None
        #: Why the last count failed, shown in place of the bars.
        self.failure: str | None = None

    def count(self, query: RecordQuery) -> None:
        """Count the query's records per bucket in the background, then draw them."""
        self._generation += 1
        if self._counting:
            # A count over a million rows can outlast a sync pass: one thread at a
            # time, and only the newest query waits for it.
            self._next = query
            return
        self._counting = True
        # The alignment of buckets to round times may add one: leave room for it.
        task = partial(self._count_in_thread, query, self.capacity - 1, self._generation)
        in_thread(self, task, group="volume", name="count the volume")

    def _count_in_thread(self, query: RecordQuery, buckets: int, generation: int) -> None:
        # Two grouped COUNTs: a second over a million records, so never on the event loop.
        failures = ERROR_STATUSES[query.kind]
        counted = volume(self._store, query, buckets=buckets, failures=failures, now=self._now())
        self.app.call_from_thread(self._counted, generation, counted)

    def _counted(self, generation: int, counted: Volume) -> None:
        if generation == self._generation:  # not overtaken by a newer filter
            self.show(counted)

    def _count_next(self) -> None:
        self._counting = False
        query, self._next = self._next, None
        if query is not None:
            self.count(query)

    @on(Worker.StateChanged)
    def _worker_changed(self, event: Worker.StateChanged) -> None:
        if event.state in (WorkerState.SUCCESS, WorkerState.ERROR, WorkerState.CANCELLED):
            self._count_next()
        # A worker's state reaches only its own node, never the app: say it here.
        if event.state is WorkerState.ERROR:
            self.failure = safe_plain(str(event.worker.error) or repr(event.worker.error))
            self.volume = None
            self.refresh()

    @property
    def capacity(self) -> int:
        """How many bars fit beside the label."""
        width = self.content_region.width or 80
        return max(8, width - LABEL_WIDTH)

    def show(self, volume: Volume) -> None:
        """Draw these counts (the selection is dropped: the buckets changed)."""
        self.volume = volume
        self.selected = None
        self.failure = None
        self.refresh()

    @property
    def selected_bucket(self) -> Bucket | None:
        """The bucket the user is on, if any."""
        if self.volume is None or self.selected is None:
            return None
        return self.volume.buckets[self.selected]

    def action_select(self, step: int) -> None:
        """Move the selection by a bucket; the first move starts from the newest."""
        if self.volume is None or not self.volume.buckets:
            return
        last = len(self.volume.buckets) - 1
        if self.selected is None:
            self.selected = last
        else:
            self.selected = max(0, min(last, self.selected + step))
        self.refresh()

    def action_narrow(self) -> None:
        """Narrow the list's range to the selected bucket."""
        bucket = self.selected_bucket
        if bucket is not None:
            self.post_message(self.Narrowed(bucket.start, bucket.end))

    def action_leave(self) -> None:
        """Back to the list, dropping the selection."""
        self.selected = None
        self.refresh()
        self.screen.focus_next()

    def on_blur(self) -> None:
        """The selection shows only while the bar has the keys."""
        self.selected = None
        self.refresh()

    def on_click(self, event: events.Click) -> None:
        """A click on a bar narrows the range to it."""
        if self.volume is None or not (0 <= event.x < len(self.volume.buckets)):
            return
        self.selected = event.x
        self.action_narrow()

    def render(self) -> Content:
        """The bars, then what they say."""
        volume = self.volume
        if self.failure is not None:
            return Content(strings.VOLUME_FAILED.format(error=self.failure))
        if volume is None:
            return Content(strings.VOLUME_COUNTING)
        if not volume.buckets:
            return Content(strings.VOLUME_EMPTY)
        peak = max(1, volume.peak)
        parts: list[tuple[str, str] | str] = []
        for index, bucket in enumerate(volume.buckets):
            level = _LEVELS[min(7, (bucket.records * 8 - 1) // peak)] if bucket.records else " "
            style = _style(bucket)
            if index == self.selected:
                style += " reverse"
            parts.append((level, style))
        label = self._label(volume)
        # The label ends at the right edge, whatever the bars and the numbers take.
        room = (self.content_region.width or 80) - len(volume.buckets) - cell_len(label)
        parts.append(" " * max(1, room))
        parts.append((label, "$text-muted"))
        return Content.assemble(*parts)

    def _label(self, volume: Volume) -> str:
        bucket = self.selected_bucket
        if bucket is None:
            return strings.VOLUME_SUMMARY.format(
                step=_span(volume.step.total_seconds()), peak=volume.peak
            )
        start = bucket.start.astimezone(self.zone)
        return strings.VOLUME_BUCKET.format(
            start=i18n.format_moment(start, "day_minutes"),
            records=bucket.records,
            failures=bucket.failures,
        )


#: From this share of failures in a bucket, its bar is drawn as an error, not a warning.
ERROR_SHARE = 0.1


def _style(bucket: Bucket) -> str:
    if not bucket.failures:
        return "$text-accent"
    if bucket.failures >= ERROR_SHARE * bucket.records:
        return "$text-error bold"
    return "$text-warning"


def _span(seconds: float) -> str:
    if seconds < 3600:
        return strings.SPAN_MINUTES.format(count=seconds / 60)
    if seconds < 86_400:
        return strings.SPAN_HOURS.format(count=seconds / 3600)
    return strings.SPAN_DAYS.format(count=seconds / 86_400)
