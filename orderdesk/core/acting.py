"""Acting on records: a plan first, then each action sent exactly once, then how each one ended.

A redelivery or resubmit goes through three steps, and every caller (one
record in the console, a bulk action, the CLI, ``actions resume``) takes the
same ones:

1. :func:`plan_actions` says what would happen: how many records, which need
   ``force`` (a delivered postback, a succeeded request) and are skipped
   unless forced, and how long it takes at the pace orderdesk sends at. A plan
   over the cap is refused, so a mistyped filter cannot resend a whole day.
2. :meth:`ActionRunner.run` writes every intended action and its idempotency
   key to the store's journal, *then* sends them one by one at the pace, and
   writes back each answer. A cancel stops before the next send; the send
   under way finishes. A send whose outcome is unknown (the service could not
   be reached after retries) stops the run: it and the entries not yet sent
   stay planned in the journal, for a resume. A key the source refuses (401,
   403) stops it too, and the entries not yet sent are cancelled.
3. :meth:`ActionRunner.follow` waits for the accepted actions to end, so the
   summary can say which succeeded and which failed.

:meth:`ActionRunner.resume` sends again, with their own keys, the entries a
crash left behind: the service answers a key it has already taken with its
first answer, so nothing is sent twice and nothing is skipped.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from typing import Literal

from orderdesk import strings
from orderdesk.core.action_journal import ActionJournal, JournalEntry, PlannedTarget
from orderdesk.core.action_records import ActionKind, ActionRecord, ActionStatus
from orderdesk.core.actions_client import ActionIntent, ActionsClient
from orderdesk.core.errors import (
    ActionOutcomeUnknown,
    ActionRefused,
    AuthenticationError,
    InputError,
    SourceError,
)
from orderdesk.core.records import Kind, LogRecord, Watermark

__all__ = [
    "DEFAULT_PACE",
    "FORCE_STATUS",
    "ActionPlan",
    "ActionRunner",
    "RunProgress",
    "RunSummary",
    "TooManyTargets",
    "action_kind",
    "plan_actions",
]

#: Actions sent per second. The contract sets no rate; one at a time at this
#: pace keeps a bulk action well inside what a service allows a key, and makes
#: the plan's estimate of how long it takes true.
DEFAULT_PACE = 5.0
#: Why a run stops before its end: the key was refused, or the source cannot be used.
_Stop = Literal["refused", "unusable"]
#: A record in this status has done its job: acting on it again needs ``force``.
FORCE_STATUS: dict[Kind, str] = {"postbacks": "delivered", "requests": "succeeded"}
#: How long :meth:`ActionRunner.follow` waits for accepted actions to end.
FOLLOW_FOR = timedelta(seconds=60)
# The service keeps a key for 24 hours. An entry older than this margin is not
# sent again on the strength of its key alone: the trail is read first.
_KEY_KEPT = timedelta(hours=23)


class TooManyTargets(InputError):
    """A plan has more records than the cap allows."""


def action_kind(kind: Kind) -> ActionKind:
    """The action a record of ``kind`` takes: postbacks are redelivered, requests resubmitted."""
    return "redeliver" if kind == "postbacks" else "resubmit"


@dataclass(frozen=True)
class ActionPlan:
    """What an action on a set of records would do, before anything is sent."""

    kind: ActionKind
    #: The records that will be sent to (forced ones included when the intent forces).
    targets: tuple[PlannedTarget, ...]
    #: Of ``targets``, those that need ``force``.
    forced: tuple[PlannedTarget, ...]
    #: Records that need ``force``, left out because the intent does not force.
    skipped: tuple[PlannedTarget, ...]
    #: Actions per second.
    pace: float = DEFAULT_PACE

    @property
    def count(self) -> int:
        """How many actions would be sent."""
        return len(self.targets)

    @property
    def needs_force(self) -> int:
        """How many of the records need ``force``, sent or skipped."""
        return len(self.forced) + len(self.skipped)

    @property
    def duration(self) -> timedelta:
        """How long sending takes at the pace (answers come later)."""
        return timedelta(seconds=self.count / self.pace)


def plan_actions(
    kind: Kind,
    records: Iterable[LogRecord],
    *,
    force: bool,
    cap: int,
    pace: float = DEFAULT_PACE,
) -> ActionPlan:
    """The plan for acting on ``records`` (all of ``kind``); ``TooManyTargets`` over ``cap``.

    A record listed twice is acted on once.
    """
    targets: list[PlannedTarget] = []
    forced: list[PlannedTarget] = []
    skipped: list[PlannedTarget] = []
    seen: set[str] = set()
    for record in records:
        if record.id in seen:
            continue
        seen.add(record.id)
        target = PlannedTarget(record.id, record.order_reference_id)
        if record.status == FORCE_STATUS[kind]:
            (forced if force else skipped).append(target)
            if not force:
                continue
        targets.append(target)
    if len(targets) > cap:
        raise TooManyTargets(strings.ACTING_OVER_CAP.format(count=len(targets), cap=cap))
    return ActionPlan(action_kind(kind), tuple(targets), tuple(forced), tuple(skipped), pace)


@dataclass
class RunSummary:
    """How a run went: every journal entry of its batch by outcome."""

    batch: str
    succeeded: list[JournalEntry] = field(default_factory=list)
    failed: list[JournalEntry] = field(default_factory=list)
    refused: list[JournalEntry] = field(default_factory=list)
    sent: list[JournalEntry] = field(default_factory=list)
    cancelled: list[JournalEntry] = field(default_factory=list)
    #: Sent, and no answer came: the service may or may not have taken them.
    unknown: list[JournalEntry] = field(default_factory=list)
    #: Not sent, because the source could not be used: still planned, for a resume.
    held: list[JournalEntry] = field(default_factory=list)
    #: The actions as last seen, by idempotency key.
    actions: dict[str, ActionRecord] = field(default_factory=dict)
    #: Why the run stopped early, if it did (the source, the key, a cancel).
    stopped: str | None = None

    @property
    def all_succeeded(self) -> bool:
        """True when every entry's action succeeded."""
        return not (
            self.failed or self.refused or self.sent or self.cancelled or self.unknown or self.held
        )


@dataclass(frozen=True)
class RunProgress:
    """Where a run is: how many were sent, of how many, and the last answer."""

    done: int
    total: int
    entry: JournalEntry | None = None
    error: str | None = None


class ActionRunner:
    """Sends planned actions through one source, journalled in one store."""

    def __init__(
        self,
        journal: ActionJournal,
        client: ActionsClient,
        *,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        stop: threading.Event | None = None,
    ) -> None:
        """``stop``, when set, cancels: no new send starts, and waits end at once."""
        self._journal = journal
        self._client = client
        self._clock = clock
        self.stop = stop or threading.Event()

    def journal_plan(self, plan: ActionPlan, intent: ActionIntent) -> list[JournalEntry]:
        """Step 1 of a run: the plan's intended actions and their keys, committed; none sent."""
        if plan.forced and not intent.force:
            raise ValueError("a plan with forced targets needs a forcing intent")
        return self._journal.plan(plan.kind, plan.targets, intent, now=self._clock())

    def run(
        self,
        plan: ActionPlan,
        intent: ActionIntent,
        progress: Callable[[RunProgress], None] = lambda _: None,
    ) -> RunSummary:
        """Journal the plan, then send it; the summary holds every entry by outcome."""
        entries = self.journal_plan(plan, intent)
        batch = entries[0].batch if entries else ""
        return self.send(entries, progress, pace=plan.pace, batch=batch)

    def send(
        self,
        entries: Sequence[JournalEntry],
        progress: Callable[[RunProgress], None] = lambda _: None,
        *,
        pace: float = DEFAULT_PACE,
        batch: str = "",
    ) -> RunSummary:
        """Send journalled entries one by one at ``pace``, writing back each answer."""
        summary = RunSummary(batch=batch or (entries[0].batch if entries else ""))
        interval = 1.0 / pace
        next_at = time.monotonic()
        for index, entry in enumerate(entries):
            if self.stop.is_set():
                summary.stopped = strings.ACTING_CANCELLED
                self._cancel_rest(entries[index:], summary)
                break
            wait = next_at - time.monotonic()
            if wait > 0 and self.stop.wait(wait):
                summary.stopped = strings.ACTING_CANCELLED
                self._cancel_rest(entries[index:], summary)
                break
            next_at = time.monotonic() + interval
            stopped = self._send_one(entry, summary)
            progress(RunProgress(index + 1, len(entries), entry, summary.stopped))
            if stopped == "refused":
                # The source refused the key (401, 403): it decides who may act, so
                # the rest are not left to a later resume, which would send them
                # with whatever key it then has. Acting again is a new decision.
                self._cancel_rest(entries[index + 1 :], summary)
                break
            if stopped == "unusable":
                # None of the rest was sent: they stay planned, for a resume once
                # the source can be reached.
                summary.held.extend(entries[index + 1 :])
                break
        return summary

    def _send_one(self, entry: JournalEntry, summary: RunSummary) -> _Stop | None:
        """Send one entry; why the run cannot go on, if it cannot."""
        act = self._client.redeliver if entry.kind == "redeliver" else self._client.resubmit
        try:
            sent = act(entry.target_id, entry.intent, entry.idempotency_key)
        except ActionOutcomeUnknown as error:
            summary.unknown.append(entry)
            summary.stopped = str(error)
            return "unusable"
        except AuthenticationError as error:
            # 401 or 403: the service took nothing.
            self._journal.refused(entry.idempotency_key, str(error), now=self._clock())
            summary.refused.append(_answered(entry, "refused", error=str(error)))
            summary.stopped = str(error)
            return "refused"
        except ActionRefused as error:
            self._journal.refused(entry.idempotency_key, str(error), now=self._clock())
            summary.refused.append(_answered(entry, "refused", error=str(error)))
            return None
        except SourceError as error:
            # The source is unreachable or broken. Mostly nothing was taken, but an
            # answer the client could not read may have been the action's: unknown,
            # which a resume settles with the same key.
            summary.unknown.append(entry)
            summary.stopped = str(error)
            return "unusable"
        self._journal.accepted(entry.idempotency_key, sent.action.id, now=self._clock())
        summary.actions[entry.idempotency_key] = sent.action
        _file(summary, _answered(entry, "accepted", action_id=sent.action.id), sent.action)
        return None

    def _cancel_rest(self, entries: Sequence[JournalEntry], summary: RunSummary) -> None:
        keys = [entry.idempotency_key for entry in entries]
        self._journal.cancel(keys, now=self._clock())
        summary.cancelled.extend(entries)

    def follow(
        self,
        summary: RunSummary,
        *,
        within: timedelta = FOLLOW_FOR,
        poll: float = 0.5,
        progress: Callable[[RunSummary], None] = lambda _: None,
    ) -> RunSummary:
        """Wait (up to ``within``, or a stop) for accepted actions to end; file each as it does."""
        deadline = time.monotonic() + within.total_seconds()
        while summary.sent and time.monotonic() < deadline:
            still: list[JournalEntry] = []
            for entry in summary.sent:
                assert entry.action_id is not None
                try:
                    action = self._client.get_action(entry.action_id)
                except SourceError:
                    action = None
                if action is None or not action.done:
                    still.append(entry)
                    continue
                summary.actions[entry.idempotency_key] = action
                _file(summary, entry, action)
            summary.sent = still
            progress(summary)
            if summary.sent and self.stop.wait(poll):
                break
        return summary

    def resume(
        self,
        actor: str,
        progress: Callable[[RunProgress], None] = lambda _: None,
        *,
        pace: float = DEFAULT_PACE,
        trail: Callable[[Sequence[str], datetime], dict[str, ActionRecord]] | None = None,
    ) -> RunSummary:
        """Finish ``actor``'s entries a crash or a lost connection left planned.

        Each is sent again with its own key. An entry older than the service
        keeps keys is looked up in the trail first (``trail``, by default the
        service's ``/v1/actions`` read from the oldest such entry on): found,
        it is recorded as accepted; not found, it was never taken, and is sent.
        """
        pending = self._journal.pending(actor)
        summary = RunSummary(batch="")
        if not pending:
            return summary
        now = self._clock()
        old = [entry for entry in pending if now - entry.planned_at > _KEY_KEPT]
        if old:
            look_up = trail or self._trail_since
            taken = look_up(
                [entry.idempotency_key for entry in old], min(e.planned_at for e in old)
            )
            for entry in old:
                action = taken.get(entry.idempotency_key)
                if action is not None:
                    self._journal.accepted(entry.idempotency_key, action.id, now=now)
                    summary.actions[entry.idempotency_key] = action
                    _file(summary, _answered(entry, "accepted", action_id=action.id), action)
            pending = [entry for entry in pending if entry.idempotency_key not in taken]
        sent = self.send(pending, progress, pace=pace)
        sent.actions.update(summary.actions)
        for name in ("succeeded", "failed", "sent"):
            getattr(sent, name)[:0] = getattr(summary, name)
        return sent

    def _trail_since(self, keys: Sequence[str], since: datetime) -> dict[str, ActionRecord]:
        """The service's actions with these keys, read from its trail from ``since`` on."""
        wanted = set(keys)
        found: dict[str, ActionRecord] = {}
        after: Watermark | None = Watermark(since - timedelta(minutes=5), "")
        while wanted - found.keys():
            page = self._client.fetch_page(after)
            for action in page.data:
                if action.idempotency_key in wanted:
                    found[action.idempotency_key] = action
            if not page.has_more or not page.data:
                break
            last = page.data[-1]
            after = Watermark(last.updated_at, last.id)
        return found


_FINAL: dict[ActionStatus, str] = {"succeeded": "succeeded", "failed": "failed"}


def _answered(
    entry: JournalEntry, state: str, *, action_id: str | None = None, error: str | None = None
) -> JournalEntry:
    return replace(entry, state=state, action_id=action_id or entry.action_id, error=error)


def _file(summary: RunSummary, entry: JournalEntry, action: ActionRecord) -> None:
    """Put an accepted entry in the summary's list for its action's status."""
    where = _FINAL.get(action.status, "sent")
    getattr(summary, where).append(entry)
