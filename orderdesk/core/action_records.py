"""The log API's action trail (version 1.1) as pydantic models: what was asked, and how it went.

An action is a support person's redelivery of a postback or resubmit of a
request. The service keeps one record per action, listed by ``GET /v1/actions``
exactly as records are listed, so the same keyset and the same upsert rules
apply (docs/log-api.md).
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict

from orderdesk.core.records import Kind, Party, Timestamp

__all__ = [
    "ACTION_STATUSES",
    "ActionAnswer",
    "ActionKind",
    "ActionPage",
    "ActionRecord",
    "ActionResult",
    "ActionStatus",
    "ActionTarget",
    "Mode",
]

ActionKind = Literal["redeliver", "resubmit"]
ActionStatus = Literal["queued", "running", "succeeded", "failed"]
#: How a resubmit sends: the recorded Final again, or the current template run on the Original.
Mode = Literal["final", "reprocess"]

ACTION_STATUSES: tuple[ActionStatus, ...] = ("queued", "running", "succeeded", "failed")


class _Model(BaseModel):
    # As for records: unknown fields are ignored, so the service may extend the trail.
    model_config = ConfigDict(extra="ignore", frozen=True)


class ActionTarget(_Model):
    """The record an action acts on."""

    kind: Kind
    id: str


class ActionResult(_Model):
    """How an action ended: the answer it got, what went wrong, the record it made or changed."""

    status_code: int | None = None
    error: str | None = None
    record_id: str | None = None


class ActionRecord(_Model):
    """One redelivery or resubmit, as the service keeps it."""

    id: str
    kind: ActionKind
    target: ActionTarget
    order_reference_id: str | None = None
    customer: Party | None = None
    printer: Party | None = None
    actor: str
    reason: str
    mode: Mode | None = None
    force: bool = False
    idempotency_key: str
    created_at: Timestamp
    updated_at: Timestamp
    status: ActionStatus
    result: ActionResult | None = None

    @property
    def done(self) -> bool:
        """True once the action has succeeded or failed: its status will not change again."""
        return self.status in ("succeeded", "failed")


class ActionPage(_Model):
    """One page of ``GET /v1/actions``."""

    data: list[ActionRecord]
    has_more: bool


class ActionAnswer(_Model):
    """The answer to a ``POST`` that asks for an action: ``{"action": {...}}``."""

    action: ActionRecord
