"""Actions a support person asks for (log API 1.1): checked, kept per idempotency key, played out.

A ``POST`` is checked as the contract says (a bad body 400, an unknown target
404), its ``Idempotency-Key`` looked up (the first answer again with 200, or
422 for another target or body), ``force`` demanded where it must be (409);
then the action is queued at once, runs a moment later on the simulation's
clock, and ends when the world answers (``outcomes``). Like every version, an
action's versions may become visible late. A frozen simulation keeps its
actions queued: nothing runs while the world stands still.

``sent`` counts what the simulator really sent, per target, so a test can
prove that a retried ``POST`` sent its message once.
"""

from __future__ import annotations

import json
import random
from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, Literal, NamedTuple

from orderdesk.sim.lifecycle import Version, record_id, seconds
from orderdesk.sim.outcomes import Sending, redeliver, resubmit
from orderdesk.sim.wire import Draft, stamp

if TYPE_CHECKING:
    from orderdesk.sim.traffic import Simulation

ActionKind = Literal["redeliver", "resubmit"]

#: How long a key's first answer is kept for a repeat.
IDEMPOTENCY_WINDOW = timedelta(hours=24)
MAX_KEY = 100
MAX_ACTOR = 200
MAX_REASON = 500
MODES = ("final", "reprocess")

_TARGETS: dict[ActionKind, Literal["postbacks", "requests"]] = {
    "redeliver": "postbacks",
    "resubmit": "requests",
}
#: The status that makes an action a second notice or a second order, which needs ``force``.
_NEEDS_FORCE: dict[ActionKind, str] = {"redeliver": "delivered", "resubmit": "succeeded"}
_ONE_MILLISECOND = timedelta(milliseconds=1)


class Answer(NamedTuple):
    """An HTTP status and its JSON body."""

    status: int
    payload: dict[str, Any]


class _BadAsk(ValueError):
    """A body or header the contract does not allow (400)."""


@dataclass(frozen=True)
class _Ask:
    """A POST's body with its defaults applied: what "the same body" compares."""

    actor: str
    reason: str
    force: bool
    mode: str | None


@dataclass(frozen=True)
class _Remembered:
    """A key's first answer, and what it was the answer to."""

    asked: tuple[ActionKind, str, _Ask]
    answer: dict[str, Any]
    until: datetime


class ActionDesk:
    """Where one simulation takes redeliveries and resubmits, and remembers their keys."""

    def __init__(self, sim: Simulation, *, seed: int = 0) -> None:
        self._sim = sim
        self._rng = random.Random(f"actions-{seed}")
        self._keys: dict[tuple[str, str], _Remembered] = {}
        self._sent: Counter[str] = Counter()
        # The newest version of each record an action changed; it may not be visible yet.
        self._latest: dict[str, Draft] = {}
        # Each postback's manual attempts, for the versions its lifecycle built before them.
        self._manual: dict[str, list[Draft]] = {}

    def sent(self) -> dict[str, int]:
        """How many messages each target had sent by actions, as ``{"postbacks/pb_...": 1}``."""
        with self._sim.lock:
            return dict(self._sent)

    def ask(
        self,
        kind: ActionKind,
        target_id: str,
        body: bytes,
        idempotency_key: str | None,
        *,
        caller: str = "",
    ) -> Answer:
        """Take one ``POST``: the answer the contract gives it, the action queued if accepted.

        ``caller`` is the API key that asked; keys are remembered per caller.
        """
        try:
            key = _key(idempotency_key)
            asked = _ask(kind, body)
        except _BadAsk as error:
            return Answer(400, {"error": str(error)})
        with self._sim.lock:
            now = self._sim.now()
            self._forget_before(now)
            remembered = self._keys.get((caller, key))
            if remembered is not None:
                if remembered.asked == (kind, target_id, asked):
                    return Answer(200, remembered.answer)
                return Answer(
                    422,
                    {
                        "error": "this Idempotency-Key was used for another target or body; "
                        "use a new key for a new action",
                        "code": "idempotency_mismatch",
                    },
                )
            target = self._current(_TARGETS[kind], target_id)
            if target is None:
                noun = "postback" if kind == "redeliver" else "request"
                return Answer(404, {"error": f"not found: no {noun} {target_id}"})
            if target["status"] == _NEEDS_FORCE[kind] and not asked.force:
                return Answer(409, {"error": _needs_force(kind), "code": "needs_force"})
            action = self._queue(kind, target, asked, key, now)
            answer = {"action": action}
            self._keys[(caller, key)] = _Remembered(
                (kind, target_id, asked), answer, now + IDEMPOTENCY_WINDOW
            )
            return Answer(202, answer)

    def _queue(
        self, kind: ActionKind, target: Draft, asked: _Ask, key: str, now: datetime
    ) -> Draft:
        action: Draft = {
            "id": record_id("act", now, self._rng),
            "kind": kind,
            "target": {"kind": _TARGETS[kind], "id": target["id"]},
            "order_reference_id": target["order_reference_id"],
            "customer": target["customer"],
            "printer": target["printer"],
            "actor": asked.actor,
            "reason": asked.reason,
            "mode": asked.mode,
            "force": asked.force,
            "idempotency_key": key,
            "created_at": stamp(now),
            "updated_at": stamp(now),
            "status": "queued",
            "result": None,
        }
        self._sim.apply(action, now)
        starts = now + seconds(self._rng.uniform(0.05, 0.3))
        self._sim.schedule([(starts, lambda: self._run(action, starts))])
        return action

    def _run(self, action: Draft, at: datetime) -> list[Version]:
        """The action at work: sent as the world stands at ``at``, finished when it answers."""
        running = {**action, "updated_at": stamp(at), "status": "running"}
        target = action["target"]
        rng = random.Random(action["id"])
        current = self._current(target["kind"], target["id"])
        if current is None:  # gone out of retention while queued
            sending = Sending([], False, False, _gone(target["id"]), at)
        elif action["kind"] == "redeliver":
            sending = redeliver(current, action["id"], at, rng)
        else:
            sending = resubmit(current, action["id"], action["mode"], at, rng, self._sim.anchor)
        if sending.sent:
            self._sent[f"{target['kind']}/{target['id']}"] += 1
        for _, version in sending.versions:
            self._latest[version["id"]] = version
        if action["kind"] == "redeliver" and sending.versions:
            made = sending.versions[-1][1]["attempts"][-1]
            self._manual.setdefault(target["id"], []).append(made)
        ended = max(sending.done_at, at + _ONE_MILLISECOND)
        done = {
            **running,
            "updated_at": stamp(ended),
            "status": "succeeded" if sending.succeeded else "failed",
            "result": sending.result,
        }
        return [(at, running), *sending.versions, (ended, done)]

    def amend(self, postback: Draft) -> Draft:
        """A postback version as it stands with the manual attempts made before it.

        A postback still retrying has its next versions built already; an action
        in between must not vanish when they come due.
        """
        manual = self._manual.get(postback["id"])
        if not manual:
            return postback
        known = {attempt["action_id"] for attempt in postback["attempts"]}
        missing = [
            attempt
            for attempt in manual
            if attempt["action_id"] not in known and attempt["at"] <= postback["updated_at"]
        ]
        if not missing:
            return postback
        attempts = sorted([*postback["attempts"], *missing], key=lambda attempt: attempt["at"])
        landed = any(attempt["status_code"] == 200 for attempt in missing)
        return {
            **postback,
            "status": "delivered" if landed else postback["status"],
            "attempts": attempts,
            "response": attempts[-1],
        }

    def _current(self, kind: Literal["postbacks", "requests"], record_id_: str) -> Draft | None:
        """A record's newest version: the served one, or one an action made that is not yet."""
        served = self._sim.draft(kind, record_id_)
        made = self._latest.get(record_id_)
        if served is None or made is None:
            return served
        return made if made["updated_at"] > served["updated_at"] else served

    def _forget_before(self, now: datetime) -> None:
        expired = [key for key, remembered in self._keys.items() if remembered.until <= now]
        for key in expired:
            del self._keys[key]


def _gone(record_id_: str) -> Draft:
    return {"status_code": None, "error": f"{record_id_} is no longer served", "record_id": None}


def _key(header: str | None) -> str:
    if header is None or not 1 <= len(header) <= MAX_KEY:
        raise _BadAsk(f"the Idempotency-Key header is required, 1 to {MAX_KEY} characters")
    return header


def _ask(kind: ActionKind, body: bytes) -> _Ask:
    try:
        fields = json.loads(body or b"null")
    except (ValueError, UnicodeDecodeError):
        raise _BadAsk("the body is not JSON") from None
    if not isinstance(fields, dict):
        raise _BadAsk('the body must be a JSON object such as {"actor": ..., "reason": ...}')
    actor = _text(fields, "actor", MAX_ACTOR)
    reason = _text(fields, "reason", MAX_REASON)
    force = fields.get("force", False)
    if not isinstance(force, bool):
        raise _BadAsk("force must be true or false")
    mode = fields.get("mode")
    if kind == "resubmit" and mode not in MODES:
        raise _BadAsk('mode is required for a resubmit: "final" or "reprocess"')
    if kind == "redeliver" and mode is not None:
        raise _BadAsk("mode is for resubmits only")
    return _Ask(actor, reason, force, mode)


def _text(fields: dict[str, Any], name: str, longest: int) -> str:
    value = fields.get(name)
    if not isinstance(value, str) or not 1 <= len(value) <= longest:
        raise _BadAsk(f"{name} is required: a string of 1 to {longest} characters")
    return value


def _needs_force(kind: ActionKind) -> str:
    if kind == "redeliver":
        return (
            "this postback was delivered; redelivering sends the customer a second notice: "
            'send "force": true to do it anyway'
        )
    return (
        "this request succeeded; resubmitting may make the printer produce the order twice: "
        'send "force": true to do it anyway'
    )
