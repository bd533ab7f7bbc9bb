"""Acting on many records at once: the plan, the typed confirmation, the progress, the summary.

The dialog walks the four steps every bulk action takes. The plan is counted
in a thread from the store; nothing can be sent until the user has given a
reason and typed the number of actions, so a mistaken filter costs a second
look, not a day of resent orders. The run journals every action before it
sends any (``ActionRunner``), in a thread; escape cancels between two sends.
The summary lists each record by how its action ended, and enter opens it.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable
from datetime import datetime
from typing import ClassVar, Literal

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import (
    Button,
    Checkbox,
    Input,
    Label,
    ProgressBar,
    RadioButton,
    RadioSet,
)
from textual.worker import Worker, WorkerState

from orderdesk import strings
from orderdesk.core.acting import RunProgress, RunSummary
from orderdesk.core.action_records import Mode
from orderdesk.core.actions_client import ActionIntent
from orderdesk.core.bulk_plan import ACTING_RULES, BulkPlan, group_query, plan_query
from orderdesk.core.problems import ProblemGroup
from orderdesk.core.queries import RecordQuery
from orderdesk.core.records import Kind
from orderdesk.core.store import Store
from orderdesk.tui.acting import ConsoleActing
from orderdesk.tui.keys import TranslatedKeys
from orderdesk.tui.messages import RecordWanted
from orderdesk.tui.safe_text import safe_plain
from orderdesk.tui.screens.problem_orders import group_spans
from orderdesk.tui.screens.problems import rule_label
from orderdesk.tui.widgets.action_outcomes import ActionOutcomes

__all__ = ["BulkActionDialog"]

Phase = Literal["planning", "plan", "sending", "following", "done"]
# What a number may be typed with: digits grouped by a comma, a dot, a space or an apostrophe.
_GROUPING = re.compile(r"[\s,.'\u00a0\u202f]")


class BulkActionDialog(TranslatedKeys, ModalScreen[None]):
    """Redeliver or resubmit every record of a selection, after a plan and a typed count."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", strings.KEY_CANCEL)]
    AUTO_FOCUS = "#bulk-reason"

    def __init__(
        self,
        store: Store,
        acting: ConsoleActing,
        *,
        query: RecordQuery | None = None,
        marks: frozenset[str] = frozenset(),
        group: ProblemGroup | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
        now: Callable[[], datetime],
    ) -> None:
        """Act on every record ``query`` matches (or on ``marks``), or on ``group``'s records."""
        super().__init__()
        if query is not None:
            self.kind: Kind = query.kind
        elif group is not None and group.rule in ACTING_RULES:
            self.kind = ACTING_RULES[group.rule]
        else:
            raise ValueError("a bulk action needs a list's query or a remediable problem group")
        self._store = store
        self._acting = acting
        self._query = query
        self._marks = marks
        self._group = group
        self._span = (since, until)
        self._now = now
        #: Set by a cancel: no further send starts.
        self._stop = threading.Event()
        #: Set to stop waiting for the results (a cancelled run still waits for those sent).
        self._stop_following = threading.Event()
        self.phase: Phase = "planning"
        #: The plan on screen; None while it is counted.
        self.bulk: BulkPlan | None = None
        #: How the run went, once it has ended.
        self.summary: RunSummary | None = None
        self._accepted = 0

    # -- the plan --------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        """The plan and its form; the progress and the summary come in their turn."""
        action = "redeliver" if self.kind == "postbacks" else "resubmit"
        with Vertical(id="bulk", classes="dialog"):
            yield Label(strings.BULK_TITLE[action], classes="title")
            with Vertical(id="bulk-form"):
                yield Label("", id="bulk-what")
                yield Checkbox(
                    strings.BULK_MARKED_ONLY.format(count=len(self._marks)),
                    value=bool(self._marks),
                    id="bulk-marked",
                    compact=True,
                    classes="" if self._marks else "-hidden",
                )
                yield Label(strings.BULK_PLANNING, id="bulk-plan")
                yield Checkbox("", id="bulk-force", compact=True, classes="-hidden")
                if action == "resubmit":
                    with RadioSet(id="bulk-mode", compact=True):
                        yield RadioButton(strings.BULK_MODE_FINAL, value=True, id="final")
                        yield RadioButton(strings.BULK_MODE_REPROCESS, id="reprocess")
                # Offered only when there is something to send, within the cap.
                with Vertical(id="bulk-confirming"):
                    yield Label(strings.BULK_REASON)
                    yield Input(id="bulk-reason", max_length=500, compact=True)
                    yield Label("", id="bulk-confirm-label")
                    yield Input(id="bulk-confirm", compact=True)
                    yield Button(strings.BULK_SEND, id="bulk-send", variant="primary", compact=True)
            with Vertical(id="bulk-run"):
                yield ProgressBar(id="bulk-progress", show_eta=False)
                yield Label("", id="bulk-progress-line")
                yield Label("", id="bulk-follow-line")
            yield ActionOutcomes(id="bulk-summary")
            yield Label("", id="bulk-error", classes="error")

    def on_mount(self) -> None:
        """Count the plan."""
        self._replan()

    def _selection(self) -> RecordQuery | None:
        if self._marks and self.query_one("#bulk-marked", Checkbox).value:
            # The marks, whatever the filter now shows: they were chosen one by one.
            return RecordQuery(self.kind).only(sorted(self._marks))
        return self._query  # None: the group's, found in the worker

    def _replan(self) -> None:
        self.phase = "planning"
        self.bulk = None
        self.query_one("#bulk-plan", Label).update(strings.BULK_PLANNING)
        self.query_one("#bulk-send", Button).disabled = True
        force = self.query_one("#bulk-force", Checkbox).value
        self._plan(self._selection(), force)

    @work(thread=True, exclusive=True, group="bulk-plan", name="bulk plan", exit_on_error=False)
    def _plan(self, query: RecordQuery | None, force: bool) -> BulkPlan:
        acting = self._acting
        if query is None:
            assert self._group is not None
            since, until = self._span
            spans, more = group_spans(
                self._store, self._group, now=self._now(), since=since, until=until
            )
            query = group_query(self._group.rule, spans)
            assert query is not None
            if more:
                # Only the newest findings were read: acting on them alone would look whole.
                found = len(query.ids)
                return BulkPlan(found, 0, max(found, acting.cap + 1), None)
        return plan_query(self._store, query, force=force, cap=acting.cap, pace=acting.pace)

    @on(Checkbox.Changed, "#bulk-marked, #bulk-force")
    def _choice_changed(self) -> None:
        if self.phase in ("planning", "plan"):
            self._replan()

    def _show_plan(self, bulk: BulkPlan) -> None:
        self.phase = "plan"
        self.bulk = bulk
        marked = self._marks and self.query_one("#bulk-marked", Checkbox).value
        if marked:
            what = strings.BULK_FROM_MARKED.format(count=bulk.total)
        elif self._group is not None:
            what = strings.BULK_FROM_GROUP.format(group=_named(self._group), count=bulk.total)
        else:
            what = strings.BULK_FROM_LIST.format(count=bulk.total)
        self.query_one("#bulk-what", Label).update(Content(what))
        force = self.query_one("#bulk-force", Checkbox)
        action = "redeliver" if self.kind == "postbacks" else "resubmit"
        force.label = strings.BULK_FORCE[action].format(count=bulk.needs_force)
        force.set_class(not bulk.needs_force, "-hidden")
        lines = []
        if bulk.needs_force and not force.value:
            lines.append(strings.BULK_NEEDS_FORCE.format(count=bulk.needs_force))
        if bulk.plan is None:
            lines.append(strings.BULK_OVER_CAP.format(count=bulk.count, cap=self._acting.cap))
        elif not bulk.count:
            lines.append(strings.BULK_NOTHING if bulk.total else strings.BULK_EMPTY)
        else:
            seconds = max(1, round(bulk.plan.duration.total_seconds()))
            lines.insert(
                0,
                strings.BULK_PLAN.format(
                    count=bulk.count,
                    seconds=seconds,
                    pace=self._acting.pace,
                    actor=safe_plain(self._acting.actor),
                ),
            )
        self.query_one("#bulk-plan", Label).update(Content("\n".join(lines)))
        can_send = bulk.plan is not None and bulk.count > 0
        for widget in self.query("#bulk-reason, #bulk-confirm, #bulk-send"):
            widget.disabled = not can_send
        self.query_one("#bulk-confirming").set_class(not can_send, "-hidden")
        self.query_one("#bulk-confirm-label", Label).update(
            Content(strings.BULK_CONFIRM.format(count=bulk.count))
        )
        if can_send and not isinstance(self.focused, Input):
            self.query_one("#bulk-reason", Input).focus()

    # -- confirming and sending ------------------------------------------------------

    @on(Input.Submitted, "#bulk-reason, #bulk-confirm")
    @on(Button.Pressed, "#bulk-send")
    def send(self) -> None:
        """Send the plan, once it has a reason and the count is typed."""
        bulk = self.bulk
        if self.phase != "plan" or bulk is None or bulk.plan is None or not bulk.count:
            return
        reason = self.query_one("#bulk-reason", Input).value.strip()
        if not reason:
            self._say(strings.BULK_NO_REASON)
            self.query_one("#bulk-reason", Input).focus()
            return
        typed = _GROUPING.sub("", self.query_one("#bulk-confirm", Input).value)
        if typed != str(bulk.count):
            self._say(strings.BULK_WRONG_COUNT.format(count=bulk.count))
            self.query_one("#bulk-confirm", Input).focus()
            return
        mode: Mode | None = None
        if self.kind == "requests":
            pressed = self.query_one("#bulk-mode", RadioSet).pressed_button
            mode = "reprocess" if pressed is not None and pressed.id == "reprocess" else "final"
        force = self.query_one("#bulk-force", Checkbox).value
        intent = ActionIntent(actor=self._acting.actor, reason=reason, force=force, mode=mode)
        self.phase = "sending"
        self._say("")
        self.add_class("-running")
        self.query_one("#bulk-progress", ProgressBar).update(total=bulk.count, progress=0)
        self._progress_line(strings.BULK_SENDING.format(done=0, total=bulk.count))
        self._run(bulk, intent)

    @work(thread=True, exclusive=True, group="bulk-run", name="bulk action", exit_on_error=False)
    def _run(self, bulk: BulkPlan, intent: ActionIntent) -> RunSummary:
        assert bulk.plan is not None
        call = self.app.call_from_thread
        with self._acting.runner(self._stop) as runner:
            summary = runner.run(bulk.plan, intent, lambda done: call(self._sent_one, done))
        if summary.sent and not self._stop_following.is_set():
            call(self._following, summary)
            # A runner of its own: the cancel that stopped the sends must not stop this wait.
            with self._acting.runner(self._stop_following) as follower:
                summary = follower.follow(summary, progress=lambda s: call(self._followed, s))
        return summary

    def _sent_one(self, progress: RunProgress) -> None:
        self.query_one("#bulk-progress", ProgressBar).update(
            total=progress.total, progress=progress.done
        )
        if self.phase == "sending" and not self._stop.is_set():
            self._progress_line(
                strings.BULK_SENDING.format(done=progress.done, total=progress.total)
            )

    def _following(self, summary: RunSummary) -> None:
        self.phase = "following"
        self._accepted = len(summary.sent) + len(summary.succeeded) + len(summary.failed)
        bar = self.query_one("#bulk-progress", ProgressBar)
        done, total = int(bar.progress), int(bar.total or 0)
        self._progress_line(strings.BULK_SENT.format(done=done, total=total))
        self._followed(summary)

    def _followed(self, summary: RunSummary) -> None:
        if self.phase != "following":
            return
        ended = self._accepted - len(summary.sent)
        self.query_one("#bulk-follow-line", Label).update(
            Content(strings.BULK_FOLLOWING.format(ended=ended, accepted=self._accepted))
        )

    def _progress_line(self, text: str) -> None:
        self.query_one("#bulk-progress-line", Label).update(Content(text))

    @on(Worker.StateChanged)
    def _worker_changed(self, event: Worker.StateChanged) -> None:
        group = event.worker.group
        if group not in ("bulk-plan", "bulk-run"):
            return
        if event.state is WorkerState.SUCCESS:
            result = event.worker.result
            if group == "bulk-plan" and isinstance(result, BulkPlan):
                self._show_plan(result)
            elif isinstance(result, RunSummary):
                self._show_summary(result)
        # A worker's failure stays with the dialog that ran it: say it here, never hang.
        elif event.state is WorkerState.ERROR:
            error = safe_plain(str(event.worker.error) or repr(event.worker.error))
            self._say(strings.BULK_BROKE.format(error=error))
            if group == "bulk-run":
                self.phase = "done"

    # -- the summary -----------------------------------------------------------------

    def _show_summary(self, summary: RunSummary) -> None:
        self.phase = "done"
        self.summary = summary
        self.add_class("-done")
        bulk = self.bulk
        plan = bulk.plan if bulk is not None else None
        skipped = list(plan.skipped) if plan is not None else []
        needs_force = bulk.needs_force if bulk is not None and skipped else 0
        counts = {
            "succeeded": len(summary.succeeded),
            "failed": len(summary.failed),
            "skipped": needs_force + len(summary.refused),
            "cancelled": len(summary.cancelled),
            "unknown": len(summary.unknown),
            "held": len(summary.held),
        }
        self._progress_line(
            " · ".join(
                strings.BULK_OUTCOME[name].format(count=count)
                for name, count in counts.items()
                if count or name in ("succeeded", "failed")
            )
        )
        said = []
        if summary.stopped:
            said.append(safe_plain(summary.stopped))
        if summary.unknown:
            said.append(strings.BULK_UNKNOWN_HINT.format(count=len(summary.unknown)))
        if summary.held:
            said.append(strings.BULK_HELD_HINT.format(count=len(summary.held)))
        if summary.sent:
            said.append(strings.BULK_STILL_RUNNING.format(count=len(summary.sent)))
        said.append(strings.BULK_SUMMARY_KEYS)
        self.query_one("#bulk-follow-line", Label).update(Content("\n".join(said)))
        outcomes = self.query_one(ActionOutcomes)
        outcomes.show(summary, list(plan.targets) if plan is not None else [], skipped)
        outcomes.focus()

    @on(ActionOutcomes.Chosen)
    def _open(self, message: ActionOutcomes.Chosen) -> None:
        """Open the chosen record over the summary; escape comes back to it."""
        self.post_message(RecordWanted(self.kind, message.record_id))

    # -- leaving ---------------------------------------------------------------------

    def _say(self, message: str) -> None:
        self.query_one("#bulk-error", Label).update(Content(message))

    def action_cancel(self) -> None:
        """Cancel the run (the send under way finishes), stop waiting, or close."""
        if self.phase == "sending":
            if not self._stop.is_set():
                self._stop.set()
                self._progress_line(strings.BULK_CANCELLING)
        elif self.phase == "following":
            self._stop_following.set()
        else:
            self.dismiss(None)

    def on_unmount(self) -> None:
        """Closed with the console: no send starts and no wait goes on after it."""
        self._stop.set()
        self._stop_following.set()


def _named(group: ProblemGroup) -> str:
    """A problem group as the Problems screen names it: the problem, its customer and printer."""
    printer = group.printer
    return " · ".join(
        [
            rule_label(group.rule),
            safe_plain(group.customer.name or group.customer.id),
            safe_plain(printer.name or printer.id) if printer else strings.PROBLEM_NO_PRINTER,
        ]
    )
