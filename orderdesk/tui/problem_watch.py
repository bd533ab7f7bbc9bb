"""The console's eye on the problems: the status line's count, and an alert for each new one.

Every few seconds (and whenever asked) it reads the open problem groups of
the last day in a worker, counts them for the status line, and tells the user
of a group that appeared or whose rate jumped (``core.problem_alerts``), once
per group, ringing the bell if the settings ask for it. The App routes; this
module builds no screen.

While a dialog is open, its alerts wait: at 80x24 a toast covers the lower
right of a dialog for ten seconds, where a bulk plan says what needs force
and what to type. They are told at the first look after it closes.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from textual.app import App
from textual.screen import ModalScreen

from orderdesk import strings
from orderdesk.core.problem_alerts import Alert, AlertMemory, GroupKey, group_key, hourly_findings
from orderdesk.core.problems import ProblemGroup, backfill_pending, problem_groups
from orderdesk.core.store import Store
from orderdesk.tui.safe_text import safe_plain
from orderdesk.tui.screens.problems import rule_label
from orderdesk.tui.threads import in_thread
from orderdesk.tui.widgets.status_line import Freshness

__all__ = ["PROBLEMS_GROUP", "WATCHED", "ProblemWatch", "alert_sentence"]

#: The worker group of the problem counts.
PROBLEMS_GROUP = "problems"
#: How far back the count and the alerts look.
WATCHED = timedelta(hours=24)


def alert_sentence(alert: Alert, hourly: tuple[int, int] = (0, 0)) -> str:
    """The alert in one sentence, naming its group; the names and cause made safe."""
    group = alert.group
    printer = group.printer
    names = {
        "rule": rule_label(group.rule),
        "customer": safe_plain(group.customer.name or group.customer.id),
        "printer": safe_plain(printer.name or printer.id)
        if printer
        else strings.PROBLEM_NO_PRINTER,
    }
    if alert.why == "jumped":
        return strings.ALERT_JUMPED.format(last=hourly[0], before=hourly[1], **names)
    cause = safe_plain(group.cause) if group.cause else strings.PROBLEM_NO_CAUSE
    return strings.ALERT_NEW.format(cause=cause, **names)


@dataclass(frozen=True)
class _Look:
    """What one look at the store found."""

    groups: list[ProblemGroup]
    hourly: dict[GroupKey, tuple[int, int]]
    pending: bool
    at: datetime


class ProblemWatch:
    """Counts the open problems for the status line and alerts on new and growing ones."""

    def __init__(
        self,
        app: App[Any],
        store: Store,
        freshness: Freshness,
        *,
        now: Callable[[], datetime],
        bell: bool,
        redraw: Callable[[], None],
    ) -> None:
        self._app = app
        self._store = store
        self._freshness = freshness
        self._now = now
        self._redraw = redraw
        #: Ring the terminal's bell with each alert.
        self.bell = bell
        self._memory = AlertMemory()
        # Alerts due while a dialog was open, each with its sentence: told once it closes.
        self._held: list[str] = []

    def check(self) -> None:
        """Look at the store in a worker; the count and alerts follow when it is done."""
        in_thread(self._app, self._look, group=PROBLEMS_GROUP, name="problems")

    def _look(self) -> None:
        now = self._now()
        look = _Look(
            problem_groups(self._store, now=now, since=now - WATCHED, buckets=1),
            hourly_findings(self._store, now=now),
            backfill_pending(self._store),
            now,
        )
        self._app.call_from_thread(self.looked, look)

    def looked(self, look: _Look) -> None:
        """Show what a look found: the count on the status line, then each alert due."""
        self._freshness.open_problems = len(look.groups)
        self._freshness.problems_pending = look.pending
        self._redraw()
        due = self._memory.alerts(look.groups, look.hourly, now=look.at)
        # Groups a backfill finds in older records, or that this console's first sync
        # brings in before it has caught up, are history arriving, not news: learnt,
        # not told. Otherwise a fresh store opens under a flood of alerts.
        first_sync = self._freshness.has_source and self._freshness.synced_at is None
        if look.pending or first_sync:
            return
        self._held += [
            alert_sentence(alert, look.hourly.get(group_key(alert.group), (0, 0))) for alert in due
        ]
        if isinstance(self._app.screen, ModalScreen):
            return
        held, self._held = self._held, []
        for sentence in held:
            self._app.notify(
                sentence, title=strings.ALERT_TITLE, severity="warning", timeout=10, markup=False
            )
            if self.bell:
                self._app.bell()
