"""The console's side of acting: ask the source once it is up, open the dialog, offer to resume.

The App owns one :class:`ActingDesk` and routes three things to it: its
start, each sync report (the demo's source opens in the sync's thread, so
the first report is when the console can ask it), and a screen's
:class:`~orderdesk.tui.messages.ActionWanted`. Everything that talks to the
source runs in a thread worker; the HTTP client is imported only by a console
that has a source to act on.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

from textual.app import App

from orderdesk import strings
from orderdesk.core.queries import get_record
from orderdesk.core.records import RequestRecord
from orderdesk.tui.messages import ActionWanted, RecordWanted, SyncProgressed
from orderdesk.tui.safe_text import safe

if TYPE_CHECKING:
    from orderdesk.core.acting import RunSummary
    from orderdesk.tui.acting import ConsoleActing

__all__ = ["ACTING_GROUP", "ActingDesk", "resume_line"]

#: The worker group of everything that talks to the source to act.
ACTING_GROUP = "acting"
#: A failed question to the source is asked again after this long, at a sync that caught up.
ASK_AGAIN_AFTER = 60.0


def resume_line(summary: RunSummary) -> str:
    """A resume's outcome in one line."""
    return strings.RESUME_SUMMARY.format(
        succeeded=len(summary.succeeded),
        failed=len(summary.failed),
        refused=len(summary.refused),
        running=len(summary.sent),
        unknown=len(summary.unknown),
        held=len(summary.held) + len(summary.cancelled),
    )


class ActingDesk:
    """Whether the console may act, made known to its screens; and the dialogs that act."""

    def __init__(self, app: App[Any], acting: ConsoleActing | None) -> None:
        self._app = app
        self.acting = acting
        self._asking = False
        self._asked_at: float | None = None
        #: The resume is offered once per console.
        self._offered = False

    @property
    def why_not(self) -> str:
        """Why this console cannot act now, in one line."""
        if self.acting is None:
            return strings.ACTING_NO_SOURCE
        return self.acting.why_not or strings.ACTING_NOT_ASKED

    def start(self) -> None:
        """Ask the source whether its key may act, if the console has one already."""
        self._ask()

    def sync_progressed(self, message: SyncProgressed) -> None:
        """Ask the source once it is up: the demo's opens with its sync."""
        acting = self.acting
        if acting is not None and acting.source is not None and not self._asking:
            failed_long_ago = (
                acting.check_error is not None
                and message.progress.caught_up
                and self._asked_at is not None
                and time.monotonic() - self._asked_at > ASK_AGAIN_AFTER
            )
            if (acting.capability is None and acting.check_error is None) or failed_long_ago:
                self._ask()

    # -- asking the source ------------------------------------------------------------

    def _ask(self) -> None:
        acting = self.acting
        if acting is None or acting.source is None or acting.read_only or self._asking:
            return
        self._asking = True
        self._asked_at = time.monotonic()
        self._app.run_worker(
            self._ask_in_thread,
            thread=True,
            group=ACTING_GROUP,
            name="may this key act",
            exit_on_error=False,
        )

    def _ask_in_thread(self) -> None:
        acting = self.acting
        assert acting is not None
        pending = 0
        try:
            acting.check()
            if acting.may_act and not self._offered:
                pending = len(acting.pending())
        finally:
            self._app.call_from_thread(self._asked, pending)

    def _asked(self, pending: int) -> None:
        self._asking = False
        if not self._app.screen_stack:
            return  # the console closed while the source was asked
        # The footers show r only where the source said yes.
        self._app.refresh_bindings()
        acting = self.acting
        if pending and acting is not None and acting.may_act and not self._offered:
            self._offered = True
            from orderdesk.tui.screens.resume_offer import ResumeOffer

            self._app.push_screen(ResumeOffer(pending, acting.actor), self._resume_chosen)

    # -- finishing what a crash left --------------------------------------------------

    def _resume_chosen(self, finish: bool | None) -> None:
        acting = self.acting
        if not finish or acting is None:
            return
        count = len(acting.pending())
        self._app.notify(strings.RESUME_RUNNING.format(count=count), markup=False)
        self._app.run_worker(
            self._resume_in_thread,
            thread=True,
            group=ACTING_GROUP,
            name="resume",
            exit_on_error=False,
        )

    def _resume_in_thread(self) -> None:
        from orderdesk.tui.one_action import FOLLOW_WITHIN

        acting = self.acting
        assert acting is not None
        with acting.runner() as runner:
            summary = runner.resume(acting.actor, pace=acting.pace)
            summary = runner.follow(summary, within=FOLLOW_WITHIN, poll=0.25)
        line = resume_line(summary)
        if summary.stopped:
            line = f"{line} ({summary.stopped})"
        self._app.call_from_thread(self._tell, safe(line).plain)

    # -- acting on one record ---------------------------------------------------------

    def _tell(self, text: str) -> None:
        if self._app.screen_stack:  # not when the console has closed meanwhile
            self._app.notify(text, markup=False, timeout=15)

    def act(self, message: ActionWanted) -> None:
        """Open the dialog for the record asked for, or say in one line why not."""
        acting = self.acting
        if acting is None or not acting.may_act:
            self._app.notify(safe(self.why_not).plain, markup=False, severity="warning")
            return
        from orderdesk.tui.action_preview import current_template, preview_action
        from orderdesk.tui.screens.act import ActDialog

        record = get_record(acting.store, message.kind, message.record_id)
        if record is None:
            text = strings.ACT_NO_RECORD.format(id=message.record_id)
            self._app.notify(safe(text).plain, markup=False, severity="warning")
            return
        template = None
        if isinstance(record, RequestRecord):
            template = current_template(acting.store, record)
        dialog = ActDialog(acting, preview_action(record), template=template)
        self._app.push_screen(dialog, self._new_record_chosen)

    def _new_record_chosen(self, record_id: str | None) -> None:
        if record_id is not None:
            self._app.post_message(RecordWanted("requests", record_id))
