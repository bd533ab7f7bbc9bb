"""Sending one redelivery or resubmit from the console, and how it ended, in one line.

This runs in a thread: the journal is written before the send (the runner's
rule), the send waits out retries, and following the action waits for the
service to finish it. Every outcome, including "we cannot know", ends as an
:class:`ActionOutcome` the dialog (or a notification, if the dialog was
closed) shows.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Literal

from orderdesk import strings
from orderdesk.core.acting import ActionRunner, RunSummary, plan_actions
from orderdesk.core.action_records import ActionRecord, Mode
from orderdesk.core.actions_client import ActionIntent
from orderdesk.core.errors import OrderdeskError
from orderdesk.core.records import LogRecord
from orderdesk.tui.acting import ConsoleActing
from orderdesk.tui.action_preview import ActionPreview

__all__ = ["FOLLOW_WITHIN", "ActionOutcome", "OutcomeState", "send_one", "summary_outcome"]

#: How long the dialog waits for the service to finish an accepted action.
FOLLOW_WITHIN = timedelta(seconds=60)

OutcomeState = Literal["succeeded", "failed", "refused", "unknown", "running"]
#: What the dialog says while sending: sending, then accepted and waiting.
Stage = Literal["sending", "waiting"]


@dataclass(frozen=True)
class ActionOutcome:
    """How one action ended, as the user reads it."""

    state: OutcomeState
    #: One line: succeeded / failed with the answer, refused and why, or what to do next.
    line: str
    #: The record a resubmit created (the service's ``result.record_id``).
    record_id: str | None = None


def _answer(action: ActionRecord) -> str:
    result = action.result
    if result is None:
        return strings.ACT_ANSWER_NONE
    parts = []
    if result.status_code is not None:
        parts.append(strings.ACT_ANSWER_CODE.format(code=result.status_code))
    if result.error:
        parts.append(result.error)
    return ", ".join(parts) or strings.ACT_ANSWER_NONE


def summary_outcome(summary: RunSummary, within: timedelta = FOLLOW_WITHIN) -> ActionOutcome:
    """The outcome of a run of one entry, once followed."""
    if summary.refused:
        why = summary.refused[0].error or summary.stopped or ""
        return ActionOutcome("refused", strings.ACT_REFUSED.format(why=why))
    if summary.unknown or summary.cancelled:
        why = summary.stopped or ""
        return ActionOutcome("unknown", strings.ACT_UNKNOWN.format(why=why))
    for state, entries in (("succeeded", summary.succeeded), ("failed", summary.failed)):
        if entries:
            action = summary.actions[entries[0].idempotency_key]
            # A redelivery's result names the postback itself: only a resubmit makes a new record.
            made = action.result.record_id if action.result is not None else None
            record_id = made if action.kind == "resubmit" else None
            text = strings.ACT_SUCCEEDED if state == "succeeded" else strings.ACT_FAILED
            line = text.format(answer=_answer(action))
            if record_id:
                line += strings.ACT_NEW_RECORD.format(id=record_id)
            return ActionOutcome(state, line, record_id)  # type: ignore[arg-type]
    seconds = int(within.total_seconds())
    return ActionOutcome("running", strings.ACT_STILL_RUNNING.format(seconds=seconds))


def send_one(
    acting: ConsoleActing,
    preview: ActionPreview,
    *,
    reason: str,
    mode: Mode | None,
    stage: Callable[[Stage], None],
    stop: threading.Event | None = None,
    within: timedelta = FOLLOW_WITHIN,
) -> ActionOutcome:
    """Journal, send and follow one action on ``preview.record`` (blocking: run it in a thread)."""
    record: LogRecord = preview.record
    force = preview.needs_force
    plan = plan_actions(preview.kind, [record], force=force, cap=acting.cap, pace=acting.pace)
    intent = ActionIntent(actor=acting.actor, reason=reason, force=force, mode=mode)
    try:
        with acting.runner(stop) as runner:
            stage("sending")
            summary = runner.run(plan, intent)
            if summary.sent:
                stage("waiting")
                summary = _follow(runner, summary, within)
    except OrderdeskError as error:
        # The journal holds the intent: whatever happened, a resume finishes it.
        return ActionOutcome("unknown", strings.ACT_UNKNOWN.format(why=str(error)))
    return summary_outcome(summary, within)


def _follow(runner: ActionRunner, summary: RunSummary, within: timedelta) -> RunSummary:
    return runner.follow(summary, within=within, poll=0.25)
