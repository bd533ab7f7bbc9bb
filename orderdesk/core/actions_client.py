"""Asking the log API to act (version 1.1): may this key act, redeliver, resubmit, and the trail.

A ``POST`` that timed out or was reset may or may not have been taken. This
client sends it again with the same ``Idempotency-Key``, which the service
answers with its first answer instead of acting twice. The key is the caller's:
it writes the key to its store *before* calling, so that a process killed
mid-send sends the same key again when it comes back, and the action happens
once (``new_idempotency_key`` makes one).

Everything goes through a ``LogApiClient``, so transport failures, ``429``,
``5xx`` and malformed bodies mean here what they mean for records; what only an
action can meet (a key that may only read, a target that is gone, ``force``, a
reused key) becomes one of ``errors.ActionRefused``'s subclasses.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal
from urllib.parse import quote

import httpx

from orderdesk import strings
from orderdesk.core.action_records import ActionAnswer, ActionPage, ActionRecord, Mode
from orderdesk.core.backoff import Backoff
from orderdesk.core.client import MAX_PAGE_SIZE, LogApiClient
from orderdesk.core.errors import (
    ActionOutcomeUnknown,
    ActionsUnsupported,
    IdempotencyMismatch,
    InvalidAction,
    NeedsForce,
    ReadOnlyKeyError,
    TargetNotFound,
    TransientSourceError,
)
from orderdesk.core.records import Watermark

__all__ = [
    "ACTIONS_VERSION",
    "ActionIntent",
    "ActionsClient",
    "Capability",
    "Sent",
    "new_idempotency_key",
]

#: The first version of the log API with actions.
ACTIONS_VERSION = (1, 1)
#: The contract's bounds.
MAX_ACTOR = 200
MAX_REASON = 500
MAX_KEY = 100

ActionKind = Literal["redeliver", "resubmit"]


def new_idempotency_key() -> str:
    """A fresh key for one action: store it with the intent, then send."""
    return f"od-{uuid.uuid4().hex}"


@dataclass(frozen=True)
class ActionIntent:
    """What a support person asks, and why: the body of a ``POST``."""

    actor: str
    reason: str
    #: True to redeliver a delivered postback or resubmit a succeeded request.
    force: bool = False
    #: Resubmits only, and required there: the recorded Final again, or the current template.
    mode: Mode | None = None

    def body(self, kind: ActionKind) -> dict[str, Any]:
        """The JSON body for ``kind``; ``InvalidAction`` when the contract would refuse it."""
        if not 1 <= len(self.actor) <= MAX_ACTOR:
            raise _invalid(strings.ACTION_ACTOR_LENGTH.format(limit=MAX_ACTOR))
        if not 1 <= len(self.reason) <= MAX_REASON:
            raise _invalid(strings.ACTION_REASON_LENGTH.format(limit=MAX_REASON))
        body: dict[str, Any] = {"actor": self.actor, "reason": self.reason, "force": self.force}
        if kind == "resubmit":
            if self.mode is None:
                raise _invalid(strings.ACTION_MODE_NEEDED)
            body["mode"] = self.mode
        elif self.mode is not None:
            raise _invalid(strings.ACTION_MODE_REDELIVER)
        return body


@dataclass(frozen=True)
class Capability:
    """What the service lets this key do, from ``/v1/health``."""

    #: The contract version the service speaks; ``"1"`` when it does not say.
    version: str
    #: True when the service has actions and this key may take them.
    may_act: bool

    @property
    def has_actions(self) -> bool:
        """True when the service speaks version 1.1 or later."""
        return _version(self.version) >= ACTIONS_VERSION


@dataclass(frozen=True)
class Sent:
    """A ``POST`` the service answered: the action, and whether the key had been seen."""

    action: ActionRecord
    #: True when the service had this key already (``200``): it sent nothing new.
    repeated: bool
    #: How many times the ``POST`` went out (retries included).
    tries: int


class ActionsClient:
    """Redeliver, resubmit and read the trail of one log API, through its ``LogApiClient``."""

    def __init__(
        self,
        log_api: LogApiClient,
        *,
        tries: int = 5,
        backoff: Backoff | None = None,
        sleep: Callable[[float], object] = time.sleep,
    ) -> None:
        """``tries`` bounds the sends of one ``POST``; ``sleep`` may be ``stop_event.wait``."""
        if tries < 1:
            raise ValueError(f"tries must be at least 1, not {tries}")
        self._api = log_api
        self._tries = tries
        self._backoff = backoff or Backoff()
        self._sleep = sleep
        self._capability: Capability | None = None

    def capability(self, *, refresh: bool = False) -> Capability:
        """Whether the service has actions and this key may take them (asked once, then kept)."""
        if self._capability is None or refresh:
            health = self._api.check_health()
            capability = Capability(health.version, health.actions)
            if not capability.has_actions:
                capability = Capability(capability.version, False)
            self._capability = capability
        return self._capability

    def redeliver(self, postback_id: str, intent: ActionIntent, idempotency_key: str) -> Sent:
        """Deliver a postback's Final message to the customer's system again."""
        path = f"/v1/postbacks/{quote(postback_id, safe='')}/redeliver"
        return self._act("redeliver", path, postback_id, intent, idempotency_key)

    def resubmit(self, request_id: str, intent: ActionIntent, idempotency_key: str) -> Sent:
        """Send a request's order to the printer again (``intent.mode`` says how)."""
        path = f"/v1/requests/{quote(request_id, safe='')}/resubmit"
        return self._act("resubmit", path, request_id, intent, idempotency_key)

    def fetch_page(self, after: Watermark | None, limit: int = MAX_PAGE_SIZE) -> ActionPage:
        """One page of action records strictly after ``after``, as records are paged."""
        page = self._api.read_page("/v1/actions", ActionPage, after, limit)
        if page is None:
            raise self._unsupported("1")
        return page

    def get_action(self, action_id: str) -> ActionRecord | None:
        """One action record, or None if the service does not know it."""
        return self._api.read_one(f"/v1/actions/{quote(action_id, safe='')}", ActionRecord)

    def _act(
        self, kind: ActionKind, path: str, target_id: str, intent: ActionIntent, key: str
    ) -> Sent:
        if not 1 <= len(key) <= MAX_KEY:
            raise _invalid(strings.ACTION_KEY_LENGTH.format(limit=MAX_KEY))
        body = intent.body(kind)
        last: TransientSourceError | None = None
        for attempt in range(self._tries):
            if attempt:
                assert last is not None
                self._sleep(self._backoff.delay(attempt - 1, last.retry_after).seconds)
            try:
                self._require_permission()
                return self._send_once(kind, path, target_id, body, key, attempt + 1)
            except TransientSourceError as error:
                last = error
        assert last is not None
        raise ActionOutcomeUnknown(
            strings.ACTION_OUTCOME_UNKNOWN.format(
                url=self._api.url,
                path=path,
                attempts=self._tries,
                error=last.brief or last,
                key=key,
            ),
            idempotency_key=key,
            brief=strings.BRIEF_OUTCOME_UNKNOWN,
        ) from last

    def _require_permission(self) -> None:
        capability = self.capability()
        if not capability.has_actions:
            raise self._unsupported(capability.version)
        if not capability.may_act:
            raise self._read_only()

    def _send_once(
        self,
        kind: ActionKind,
        path: str,
        target_id: str,
        body: dict[str, Any],
        key: str,
        tries: int,
    ) -> Sent:
        response = self._api.post(path, body, {"Idempotency-Key": key})
        status = response.status_code
        if status in (200, 202):
            answer = self._api.parse(ActionAnswer, response, path)
            return Sent(answer.action, repeated=status == 200, tries=tries)
        self._refuse(kind, response, target_id, key)
        self._api.raise_for_status(response, path)  # 401, 429, 5xx and the rest
        # Another 2xx: the contract has none, so the answer cannot be trusted to be the action.
        answer = self._api.parse(ActionAnswer, response, path)
        return Sent(answer.action, repeated=False, tries=tries)

    def _refuse(self, kind: ActionKind, response: httpx.Response, target_id: str, key: str) -> None:
        """Raise what an action's refusal means; return when it is no refusal of an action."""
        status, url = response.status_code, self._api.url
        code = _code(response)
        if status == 400:
            error = self._api.error_text(response)
            raise _invalid(strings.ACTION_INVALID.format(url=url, error=error))
        if status == 403:
            if self._capability is not None:  # the key lost its right to act: remember it
                self._capability = Capability(self._capability.version, False)
            raise self._read_only()
        if status == 404:
            missing = (
                strings.ACTION_NO_POSTBACK if kind == "redeliver" else strings.ACTION_NO_REQUEST
            )
            raise TargetNotFound(
                missing.format(url=url, id=target_id), brief=strings.BRIEF_NOT_FOUND
            )
        if status == 409 and code == "needs_force":
            forced = (
                strings.ACTION_FORCE_REDELIVER
                if kind == "redeliver"
                else strings.ACTION_FORCE_RESUBMIT
            )
            raise NeedsForce(forced.format(id=target_id), brief=strings.BRIEF_NEEDS_FORCE)
        if status == 422 and code == "idempotency_mismatch":
            raise IdempotencyMismatch(
                strings.ACTION_KEY_REUSED.format(key=key), brief=strings.BRIEF_KEY_REUSED
            )

    def _unsupported(self, version: str) -> ActionsUnsupported:
        return ActionsUnsupported(
            strings.ACTION_UNSUPPORTED.format(url=self._api.url, version=version),
            brief=strings.BRIEF_NO_ACTIONS,
        )

    def _read_only(self) -> ReadOnlyKeyError:
        return ReadOnlyKeyError(
            strings.ACTION_READ_ONLY.format(url=self._api.url), brief=strings.BRIEF_READ_ONLY
        )


def _invalid(message: str) -> InvalidAction:
    return InvalidAction(message, brief=strings.BRIEF_INVALID_ACTION)


def _code(response: httpx.Response) -> str | None:
    try:
        body = response.json()
    except ValueError:
        return None
    code = body.get("code") if isinstance(body, dict) else None
    return code if isinstance(code, str) else None


def _version(text: str) -> tuple[int, ...]:
    """``"1.1"`` as ``(1, 1)``; what does not read as a version counts as version 1."""
    try:
        return tuple(int(part) for part in text.split("."))
    except ValueError:
        return (1,)
