"""What ``redeliver``, ``resubmit`` and ``actions resume`` say: the plan, the progress, the summary.

The plan goes to stdout, like ``prune``'s; the question, the progress and the
summary to stderr, so that a script reading stdout gets the plan alone. Every
id and every error the service sent is shown with its control characters made
visible: they come from the store or the network.

The exit code says whether everything succeeded (``exit_code``); the
commands' help lists the codes.
"""

from __future__ import annotations

import math
import sys
from collections import Counter
from collections.abc import Callable, Sequence
from datetime import timedelta
from typing import TextIO

import click

from orderdesk import strings
from orderdesk.core.acting import FORCE_STATUS, ActionPlan, RunProgress, RunSummary
from orderdesk.core.action_journal import JournalEntry, PlannedTarget
from orderdesk.core.text import show_controls
from orderdesk.core.timerange import describe_duration

__all__ = [
    "EXIT_INTERRUPTED",
    "EXIT_NOT_ALL",
    "EXIT_UNKNOWN",
    "EXIT_USAGE",
    "Progress",
    "ask_count",
    "exit_code",
    "tell_plan",
    "tell_summary",
]

#: Some failed, were refused, skipped, cancelled, or were still running when the wait ended.
EXIT_NOT_ALL = 1
#: A mistake in the command, or it refused to start (no terminal, a read-only key): nothing sent.
EXIT_USAGE = 2
#: Some may or may not have been sent, or were not sent yet: ``orderdesk actions resume``
#: finishes them.
EXIT_UNKNOWN = 3
#: Ctrl-C: the send under way finished, the rest were cancelled.
EXIT_INTERRUPTED = 130
#: How many ids a plan or a summary names before "and N more".
SHOWN_IDS = 5
#: A progress line per this many sends, when stderr is not a terminal.
LINES_EVERY = 10


def _ids(ids: Sequence[str]) -> str:
    shown = ", ".join(show_controls(one) for one in ids[:SHOWN_IDS])
    if len(ids) <= SHOWN_IDS:
        return shown
    return strings.ACT_AND_MORE.format(ids=shown, more=len(ids) - SHOWN_IDS)


def _target_ids(targets: Sequence[PlannedTarget]) -> str:
    return _ids([target.id for target in targets])


def tell_plan(plan: ActionPlan, actor: str, reason: str, mode: str | None, out: TextIO) -> None:
    """What the action would do: how many, as whom and why, what needs force, how long, which."""
    status = FORCE_STATUS["postbacks" if plan.kind == "redeliver" else "requests"]
    if plan.kind == "redeliver":
        head = strings.ACT_PLAN_REDELIVER.format(count=plan.count, actor=show_controls(actor))
    else:
        head = strings.ACT_PLAN_RESUBMIT.format(
            count=plan.count, mode=mode, actor=show_controls(actor)
        )
    lines = [head, strings.ACT_PLAN_REASON.format(reason=show_controls(reason))]
    if plan.skipped:
        lines.append(strings.ACT_PLAN_SKIPPED.format(count=len(plan.skipped), status=status))
        lines.append(strings.ACT_PLAN_IDS.format(ids=_target_ids(plan.skipped)))
    if plan.forced:
        lines.append(strings.ACT_PLAN_FORCED.format(count=len(plan.forced), status=status))
    if plan.count:
        # Whole seconds, rounded up: "about 0 s" would promise too much.
        took = timedelta(seconds=max(1, math.ceil(plan.duration.total_seconds())))
        lines.append(strings.ACT_PLAN_TIME.format(duration=describe_duration(took), pace=plan.pace))
        lines.append(strings.ACT_PLAN_IDS.format(ids=_target_ids(plan.targets)))
    out.write("\n".join(lines) + "\n")
    out.flush()


def ask_count(count: int, read: Callable[[str], str] | None = None) -> bool:
    """Ask the person at the terminal to type ``count``; True only if they typed exactly that.

    Typing a number, rather than answering yes, makes the person read how many
    records are about to be acted on.
    """
    question = strings.ACT_CONFIRM.format(count=count)
    if read is None:

        def read(text: str) -> str:
            return str(click.prompt(text, default="", show_default=False, err=True))

    try:
        answer = read(question)
    except (click.Abort, EOFError):
        return False
    return answer.strip() == str(count)


class Progress:
    """Sends so far, on stderr: one line redrawn on a terminal, a line per ten elsewhere."""

    def __init__(self, err: TextIO | None = None) -> None:
        self._err = err or sys.stderr
        self._redraw = self._err.isatty()
        self._drawn = False

    def __call__(self, progress: RunProgress) -> None:
        """Show one send's answer."""
        line = strings.ACT_PROGRESS.format(done=progress.done, total=progress.total)
        if self._redraw:
            self._err.write("\r" + line + "\x1b[K")
            self._drawn = True
        elif progress.done % LINES_EVERY == 0 or progress.done == progress.total:
            self._err.write(line + "\n")
        self._err.flush()

    def following(self, count: int, seconds: float) -> None:
        """Say that the accepted actions are awaited, and for how long at most."""
        self.end_line()
        if count:
            self._err.write(strings.ACT_FOLLOWING.format(count=count, seconds=round(seconds)))
            self._err.write("\n")
            self._err.flush()

    def end_line(self) -> None:
        """End the redrawn line, so that what follows starts on its own."""
        if self._drawn:
            self._err.write("\n")
            self._drawn = False


def tell_summary(summary: RunSummary, skipped: int, err: TextIO) -> None:
    """How the run ended: each outcome with its count, and why, for all but the successes."""
    lines: list[str] = []
    done = len(summary.succeeded)
    if summary.all_succeeded and not skipped:
        lines.append(strings.ACT_SUM_ALL.format(count=done))
    else:
        lines.append(strings.ACT_SUM_SUCCEEDED.format(count=done))
    if summary.failed:
        lines.append(strings.ACT_SUM_FAILED.format(count=len(summary.failed)))
        lines += [_failure(entry, summary) for entry in summary.failed[:SHOWN_IDS]]
        if len(summary.failed) > SHOWN_IDS:
            lines.append(strings.ACT_SUM_MORE.format(more=len(summary.failed) - SHOWN_IDS))
    if summary.refused:
        lines.append(strings.ACT_SUM_REFUSED.format(count=len(summary.refused)))
        why = Counter(show_controls(entry.error or "-") for entry in summary.refused)
        lines += [strings.ACT_SUM_WHY.format(count=n, why=text) for text, n in why.most_common()]
    if skipped:
        lines.append(strings.ACT_SUM_SKIPPED.format(count=skipped))
    if summary.cancelled:
        lines.append(strings.ACT_SUM_CANCELLED.format(count=len(summary.cancelled)))
    if summary.sent:
        lines.append(
            strings.ACT_SUM_RUNNING.format(
                count=len(summary.sent), ids=_ids([e.target_id for e in summary.sent])
            )
        )
    if summary.unknown:
        lines.append(strings.ACT_SUM_UNKNOWN.format(count=len(summary.unknown)))
    if summary.held:
        lines.append(strings.ACT_SUM_HELD.format(count=len(summary.held)))
    if summary.stopped is not None:
        lines.append(strings.ACT_SUM_STOPPED.format(why=show_controls(summary.stopped)))
    err.write("\n".join(lines) + "\n")
    err.flush()


def _failure(entry: JournalEntry, summary: RunSummary) -> str:
    action = summary.actions.get(entry.idempotency_key)
    error = action.result.error if action is not None and action.result is not None else None
    return strings.ACT_SUM_FAILURE.format(
        id=show_controls(entry.target_id), why=show_controls(error or "-")
    )


def exit_code(summary: RunSummary, *, skipped: int = 0, interrupted: bool = False) -> int:
    """0 when every action succeeded; otherwise what the user should know first (module codes)."""
    if interrupted:
        return EXIT_INTERRUPTED
    if summary.unknown or summary.held:
        return EXIT_UNKNOWN
    if summary.all_succeeded and not skipped:
        return 0
    return EXIT_NOT_ALL
