"""Action records as the log API 1.1 lists them, for tests that need a trail without a service."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from orderdesk.core.action_records import ActionRecord

T0 = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)


def action(
    action_id: str,
    *,
    minutes: float = 0,
    updated_minutes: float | None = None,
    kind: str = "redeliver",
    target_id: str = "pb_1",
    reference: str | None = "ref-1",
    actor: str = "alice@support",
    status: str = "succeeded",
    status_code: int | None = 200,
    error: str | None = None,
    mode: str | None = None,
    key: str | None = None,
    customer: tuple[str, str] | None = ("c1", "Acme Shop"),
    reason: str = "their endpoint is fixed",
) -> ActionRecord:
    """One action made ``minutes`` after T0; done ones carry a result."""
    created = T0 + timedelta(minutes=minutes)
    updated = T0 + timedelta(minutes=minutes if updated_minutes is None else updated_minutes)
    done = status in ("succeeded", "failed")
    body: dict[str, Any] = {
        "id": action_id,
        "kind": kind,
        "target": {"kind": "postbacks" if kind == "redeliver" else "requests", "id": target_id},
        "order_reference_id": reference,
        "customer": None if customer is None else {"id": customer[0], "name": customer[1]},
        "printer": None,
        "actor": actor,
        "reason": reason,
        "mode": mode if kind == "resubmit" else None,
        "force": False,
        "idempotency_key": key or f"key-{action_id}",
        "created_at": created,
        "updated_at": updated,
        "status": status,
        "result": (
            {"status_code": status_code, "error": error, "record_id": target_id} if done else None
        ),
    }
    return ActionRecord.model_validate(body)
