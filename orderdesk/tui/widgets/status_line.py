"""The freshness line: when the last sync ended, what is new, and what is failing."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta, tzinfo

from textual.content import Content
from textual.widgets import Static

from orderdesk import i18n, strings
from orderdesk.core.lease import SyncStatus
from orderdesk.core.progress import SyncProgress
from orderdesk.tui.list_filter import age
from orderdesk.tui.safe_text import safe

__all__ = ["ERROR_KEY", "Freshness", "SourceFailure", "StatusLine"]

#: The key that shows the whole error; free on every screen.
ERROR_KEY = "E"

# What goes first when the line is too wide: the higher, the sooner. The key to the whole
# error outlasts the age of the last sync: without it the error could not be read whole.
_ESSENTIAL, _KEY_HINT, _SYNCED, _COUNTS, _NEWS = range(5)
#: The longest error shown as it is when no brief was told.
_BRIEF_LENGTH = 24


@dataclass(frozen=True)
class SourceFailure:
    """Why the sync is not getting records: in a few words, whole, since when, and what next."""

    brief: str
    whole: str
    since: datetime | None = None
    next_try: datetime | None = None
    #: True when the sync ended for good; otherwise it tries again at ``next_try``.
    stopped: bool = False


@dataclass
class _Part:
    """A piece of the line, and how soon it goes when the line is too wide."""

    content: Content
    rank: int
    #: Joined to the piece before it with a space instead of a separator.
    attached: bool = False


@dataclass
class _Line:
    """The line's pieces, joined by separators, shortened by leaving whole pieces out."""

    parts: list[_Part] = field(default_factory=list)

    def add(self, content: Content | str, rank: int, *, attached: bool = False) -> None:
        """Add a piece at the end."""
        if isinstance(content, str):
            content = Content(content)
        self.parts.append(_Part(content, rank, attached))

    def assemble(self) -> Content:
        """The pieces as one line."""
        pieces: list[Content | str] = []
        for part in self.parts:
            if pieces:
                pieces.append(" " if part.attached else " · ")
            pieces.append(part.content)
        return Content.assemble(*pieces)

    def leave_out_one(self) -> bool:
        """Drop the least needed piece that may go; False when only essentials are left."""
        rank = max((part.rank for part in self.parts), default=_ESSENTIAL)
        if rank == _ESSENTIAL:
            return False
        last = max(i for i, part in enumerate(self.parts) if part.rank == rank)
        del self.parts[last]
        return True


def _clock(moment: datetime, zone: tzinfo, now: datetime, *, seconds: bool = True) -> str:
    """A moment as the status line writes it: the time of day, with the day if not today's."""
    if abs(now - moment) >= timedelta(hours=20):
        style = "day_minutes"
    else:
        style = "clock" if seconds else "clock_minutes"
    return i18n.format_moment(moment.astimezone(zone), style)


def _brief(brief: str | None, whole: str) -> str:
    """The failure in a few words: as told, or the whole if that is short (an older sync's)."""
    if brief:
        return brief
    return whole if len(whole) <= _BRIEF_LENGTH else strings.BRIEF_SOURCE_ERROR


@dataclass
class Freshness:
    """What the status line says, as data the app keeps up to date."""

    has_source: bool = False
    progress: SyncProgress | None = None
    #: When the store last caught up with its source, by this console or an earlier sync.
    synced_at: datetime | None = None
    #: The store held records before this console started (synced, though never caught up).
    had_records: bool = False
    #: Records that arrived since the user last looked at the newest.
    unseen: int = 0
    following: bool = False
    #: A failure that stopped the sync for good.
    stopped: SourceFailure | None = None
    #: The status of the process that syncs this store, when it is not this console.
    service: SyncStatus | None = None
    #: Who holds the store's lease now; None once the service stopped.
    service_holder: str | None = None
    #: This console syncs because the service it watched stopped.
    took_over: bool = False
    #: The problem groups open in the store when last counted; None until counted.
    open_problems: int | None = None
    #: The sync is still computing older records' findings: the count may grow.
    problems_pending: bool = False

    @property
    def failure(self) -> SourceFailure | None:
        """What fails now, if anything: the sync's own, or the watched service's."""
        if self.stopped is not None:
            return self.stopped
        told = self.service if self.service is not None else self.progress
        if told is None or told.last_error is None:
            return None
        brief = _brief(told.last_error_brief, told.last_error)
        return SourceFailure(brief, told.last_error, told.failing_since, told.next_retry_at)

    def describe(self, now: datetime, zone: tzinfo, width: int = 0) -> Content:
        """The line, for the moment ``now``; within ``width`` cells, if given, by leaving out."""
        line = _Line()
        if self.took_over:
            line.add(Content.styled(strings.FRESH_TOOK_OVER, "bold $warning"), _COUNTS)
        if self.service is not None and self.stopped is None:
            self._describe_service(line, self.service, now)
        elif not self.has_source:
            line.add(Content.styled(strings.FRESH_READ_ONLY, "$text-muted"), _ESSENTIAL)
        else:
            self._describe_own(line, now)
        failure = self.failure
        if failure is not None and (self.has_source or self.service is not None):
            self._describe_failure(line, failure, now, zone)
        if self.open_problems is not None:
            line.add(self._problems(), _COUNTS)
        if self.following:
            line.add(Content.styled(strings.FRESH_FOLLOWING, "$success"), _NEWS)
        elif self.unseen:
            new = strings.FRESH_NEW.format(new=self.unseen)
            line.add(Content.styled(new, "bold $warning"), _NEWS)
        shown = line.assemble()
        while width and shown.cell_length > width and line.leave_out_one():
            shown = line.assemble()
        return shown

    def _problems(self) -> Content:
        """How many problems are open, as last counted."""
        count = self.open_problems or 0
        if self.problems_pending:
            said = strings.FRESH_PROBLEMS_PENDING.format(count=count)
        elif count == 1:
            said = strings.FRESH_ONE_PROBLEM
        else:
            said = strings.FRESH_PROBLEMS.format(count=count)
        return Content.styled(said, "$text-warning" if count else "$text-muted")

    def _describe_own(self, line: _Line, now: datetime) -> None:
        """This console syncs: when the store last caught up, and how far this pass is."""
        progress = self.progress
        failing = self.failure is not None
        if self.synced_at is not None:
            line.add(strings.FRESH_SYNCED.format(age=age(self.synced_at, now)), _SYNCED)
        elif self.had_records:
            line.add(Content.styled(strings.FRESH_NOT_CAUGHT_UP, "$text-muted"), _SYNCED)
        elif failing:
            line.add(Content.styled(strings.FRESH_NOT_YET, "$text-muted"), _SYNCED)
        else:
            line.add(Content.styled(strings.FRESH_NEVER, "$text-muted"), _SYNCED)
        if (
            self.stopped is None
            and progress is not None
            and not progress.caught_up
            and progress.fetched
        ):
            syncing = strings.FRESH_SYNCING.format(fetched=progress.fetched, new=progress.new)
            line.add(syncing, _COUNTS)

    def _describe_service(self, line: _Line, service: SyncStatus, now: datetime) -> None:
        """Another process syncs: who, and when its last pass caught up."""
        if self.service_holder is None:
            line.add(Content.styled(strings.FRESH_SERVICE_GONE, "$warning"), _ESSENTIAL)
        else:
            holder = safe(strings.FRESH_SERVICE.format(holder=self.service_holder)).plain
            line.add(holder, _COUNTS)
        if service.last_success_at is None:
            line.add(Content.styled(strings.FRESH_NOT_YET, "$text-muted"), _SYNCED)
        else:
            line.add(strings.FRESH_SYNCED.format(age=age(service.last_success_at, now)), _SYNCED)

    def _describe_failure(
        self, line: _Line, failure: SourceFailure, now: datetime, zone: tzinfo
    ) -> None:
        """What fails in a few words, since when, the next try, and the key for the whole."""
        brief = safe(failure.brief).plain
        if failure.stopped:
            said = strings.FRESH_STOPPED.format(error=brief)
        elif failure.since is not None:
            # The minute is enough to say since when, and leaves room for the rest.
            since = _clock(failure.since, zone, now, seconds=False)
            said = strings.FRESH_FAILING_SINCE.format(error=brief, since=since)
        else:
            said = strings.FRESH_FAILING.format(error=brief)
        line.add(Content.styled(said, "$error"), _ESSENTIAL)
        line.add(Content.styled(f"({ERROR_KEY})", "bold $error"), _KEY_HINT, attached=True)
        if failure.next_try is not None and not failure.stopped:
            when = _clock(failure.next_try, zone, now)
            line.add(strings.FRESH_NEXT_TRY.format(when=when), _ESSENTIAL)


class StatusLine(Static):
    """Says how fresh the list is; redrawn every second so ages stay true."""

    def __init__(
        self,
        freshness: Freshness,
        now: Callable[[], datetime],
        zone: tzinfo,
        *,
        id: str | None = None,
    ) -> None:
        super().__init__(id=id)
        self.freshness = freshness
        self.zone = zone
        self._now = now
        self._shown: tuple[object, ...] = ()

    def on_mount(self) -> None:
        """Keep ages current."""
        self.redraw()
        self._ticking = self.set_interval(1.0, self.redraw)

    def on_resize(self) -> None:
        """What fits depends on the width."""
        self.redraw()

    def pause(self) -> None:
        """Stop redrawing while another screen covers this one."""
        self._ticking.pause()

    def resume(self) -> None:
        """Redraw again, at once and every second."""
        self._ticking.resume()
        self.redraw()

    def redraw(self) -> None:
        """Draw the line again from the freshness, if it says something new."""
        line = self.freshness.describe(self._now(), self.zone, self.content_region.width)
        shown = (line.plain, *line.spans)  # Content's equality ignores styles
        if shown != self._shown:
            self._shown = shown
            # One row whatever it says: no layout pass, which would also
            # repaint the list's scrollbar beside it.
            self.update(line, layout=False)
