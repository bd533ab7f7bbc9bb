"""The freshness line: when the last sync ended, what is new, and what is failing."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, tzinfo

from textual.content import Content
from textual.widgets import Static

from orderdesk import i18n, strings
from orderdesk.core.lease import SyncStatus
from orderdesk.core.progress import SyncProgress
from orderdesk.tui.list_filter import age
from orderdesk.tui.safe_text import safe

__all__ = ["Freshness", "StatusLine"]


@dataclass
class Freshness:
    """What the status line says, as data the app keeps up to date."""

    has_source: bool = False
    progress: SyncProgress | None = None
    #: Records that arrived since the user last looked at the newest.
    unseen: int = 0
    following: bool = False
    #: A failure that stopped the sync for good.
    stopped: str | None = None
    #: The status of the process that syncs this store, when it is not this console.
    service: SyncStatus | None = None
    #: Who holds the store's lease now; None once the service stopped.
    service_holder: str | None = None
    #: This console syncs because the service it watched stopped.
    took_over: bool = False

    def describe(self, now: datetime, zone: tzinfo) -> Content:
        """The line, for the moment ``now``."""
        parts: list[Content | tuple[str, str] | str] = []
        if self.took_over:
            parts += [(strings.FRESH_TOOK_OVER, "bold $warning"), " · "]
        if self.service is not None and self.stopped is None:
            parts += self._describe_service(self.service, now, zone)
        elif not self.has_source:
            parts.append((strings.FRESH_READ_ONLY, "$text-muted"))
        elif self.stopped is not None:
            parts.append(
                Content.styled(
                    safe(strings.FRESH_STOPPED.format(error=self.stopped)).plain, "$error"
                )
            )
        else:
            progress = self.progress
            if progress is None or progress.last_success_at is None:
                parts.append((strings.FRESH_NEVER, "$text-muted"))
            else:
                parts.append(strings.FRESH_SYNCED.format(age=age(progress.last_success_at, now)))
            if progress is not None and not progress.caught_up and progress.fetched:
                parts += [
                    " · ",
                    strings.FRESH_SYNCING.format(fetched=progress.fetched, new=progress.new),
                ]
            if progress is not None and progress.last_error is not None:
                when = (
                    i18n.format_moment(progress.next_retry_at.astimezone(zone), "clock")
                    if progress.next_retry_at is not None
                    else "-"
                )
                failing = strings.FRESH_FAILING.format(error=progress.last_error, when=when)
                parts += [" · ", Content.styled(safe(failing).plain, "$error")]
        if self.following:
            parts += [" · ", (strings.FRESH_FOLLOWING, "$success")]
        elif self.unseen:
            parts += [" · ", (strings.FRESH_NEW.format(new=self.unseen), "bold $warning")]
        return Content.assemble(*parts)

    def _describe_service(
        self, service: SyncStatus, now: datetime, zone: tzinfo
    ) -> list[Content | tuple[str, str] | str]:
        """Another process syncs: who, when its last pass succeeded, and what fails."""
        parts: list[Content | tuple[str, str] | str] = []
        if self.service_holder is None:
            parts.append((strings.FRESH_SERVICE_GONE, "$warning"))
        else:
            parts.append(safe(strings.FRESH_SERVICE.format(holder=self.service_holder)).plain)
        parts.append(" · ")
        if service.last_success_at is None:
            parts.append((strings.FRESH_NEVER, "$text-muted"))
        else:
            parts.append(strings.FRESH_SYNCED.format(age=age(service.last_success_at, now)))
        if service.last_error is not None:
            when = (
                i18n.format_moment(service.next_retry_at.astimezone(zone), "clock")
                if service.next_retry_at is not None
                else "-"
            )
            failing = strings.FRESH_FAILING.format(error=service.last_error, when=when)
            parts += [" · ", Content.styled(safe(failing).plain, "$error")]
        return parts


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

    def pause(self) -> None:
        """Stop redrawing while another screen covers this one."""
        self._ticking.pause()

    def resume(self) -> None:
        """Redraw again, at once and every second."""
        self._ticking.resume()
        self.redraw()

    def redraw(self) -> None:
        """Draw the line again from the freshness, if it says something new."""
        line = self.freshness.describe(self._now(), self.zone)
        shown = (line.plain, *line.spans)  # Content's equality ignores styles
        if shown != self._shown:
            self._shown = shown
            # One row whatever it says: no layout pass, which would also
            # repaint the list's scrollbar beside it.
            self.update(line, layout=False)
