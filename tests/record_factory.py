"""Records for store and query tests: realistic by default, every field overridable."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

from orderdesk.core.action_journal import JournalEntry
from orderdesk.core.records import (
    HttpMessage,
    HttpResponse,
    Party,
    PostbackRecord,
    RecordError,
    RequestRecord,
    TemplateProcessing,
    Tracking,
)

T0 = datetime(2026, 11, 23, 10, 15, 2, 123456, tzinfo=UTC)

ACME = Party(id="cus_acme", name="Acme Prints")
GLOBEX = Party(id="cus_globex", name="Globex Shop")
PRINTER = Party(id="prn_berlin", name="Berlin Print Works")


def _order_body(reference: str, product: str = "apparel_tshirt_m_black") -> str:
    return json.dumps(
        {
            "orderReferenceId": reference,
            "customerReferenceId": "cust-881",
            "currency": "EUR",
            "items": [{"itemReferenceId": "line-1", "productUid": product, "quantity": 2}],
            "shippingAddress": {"firstName": "Ada", "lastName": "Lovelace", "country": "DE"},
        }
    )


def request(
    number: int = 1, *, at: datetime = T0, updated: timedelta = timedelta(seconds=2), **fields: Any
) -> RequestRecord:
    """A succeeded submit request for order ``ORD-<number>``."""
    reference = f"ORD-{number}"
    defaults: dict[str, Any] = {
        "id": f"req_{number:06d}",
        "action": "submit",
        "created_at": at,
        "updated_at": at + updated,
        "order_reference_id": reference,
        "order_id": f"po_{number:06d}",
        "customer": ACME,
        "printer": PRINTER,
        "status": "succeeded",
        "error": None,
        "original": HttpMessage(
            at=at,
            method="POST",
            url="https://intake.example.com/v1/orders",
            headers={"Content-Type": "application/json", "X-API-KEY": "k" * 40},
            content_type="application/json",
            body=_order_body(reference),
        ),
        "template": TemplateProcessing(
            name="Order Submit Request",
            version=7,
            source="{{ order | tojson }}",
            output=_order_body(reference, "tshirt-m-black"),
            duration_ms=3,
        ),
        "final": HttpMessage(
            at=at + timedelta(milliseconds=5),
            method="POST",
            url="https://printer.example.com/orders",
            headers={"Content-Type": "application/json", "Authorization": "Bearer s3cr3t-token"},
            content_type="application/json",
            body=_order_body(reference, "tshirt-m-black"),
        ),
        "response": HttpResponse(
            at=at + timedelta(milliseconds=545),
            status_code=201,
            headers={"Content-Type": "application/json"},
            content_type="application/json",
            body=json.dumps({"id": f"po_{number:06d}", "status": "accepted"}),
            duration_ms=540,
        ),
    }
    defaults.update(fields)
    return RequestRecord(**defaults)


def failed_request(number: int = 1, **fields: Any) -> RequestRecord:
    """A request the printer refused."""
    answer = HttpResponse(
        at=T0, status_code=422, body='{"error": "unknown productUid"}', duration_ms=120
    )
    error = RecordError(stage="printer", code="unknown_product", message="unknown productUid")
    return request(number, status="failed", error=error, response=answer, **fields)


def postback(
    number: int = 1, *, at: datetime = T0, updated: timedelta = timedelta(seconds=3), **fields: Any
) -> PostbackRecord:
    """A delivered ``shipped`` postback for order ``ORD-<number>``."""
    reference = f"ORD-{number}"
    attempt = HttpResponse(
        at=at + timedelta(seconds=1),
        status_code=200,
        headers={"Set-Cookie": "session=abc123"},
        body="ok",
        duration_ms=80,
    )
    defaults: dict[str, Any] = {
        "id": f"pb_{number:06d}",
        "event": "shipped",
        "created_at": at,
        "updated_at": at + updated,
        "order_reference_id": reference,
        "order_id": f"po_{number:06d}",
        "customer": ACME,
        "printer": PRINTER,
        "status": "delivered",
        "tracking": Tracking(code=f"1Z{number:08d}", url="https://track.example.com/1Z"),
        "original": HttpMessage(
            at=at,
            method="POST",
            url="https://intake.example.com/v1/postbacks",
            headers={"X-Printer-Token": "printer-secret-123"},
            body=json.dumps({"orderId": f"po_{number:06d}", "event": "shipped"}),
        ),
        "template": TemplateProcessing(name="Webhook", version=2, source="{{ x }}", output="{}"),
        "final": HttpMessage(
            at=at + timedelta(milliseconds=10),
            method="POST",
            url="https://shop.example.com/hooks/orders",
            body=json.dumps({"reference": reference, "status": "shipped"}),
        ),
        "attempts": [attempt],
        "response": attempt,
    }
    defaults.update(fields)
    return PostbackRecord(**defaults)


def journal_entry(target: str, actor: str = "alice@support") -> JournalEntry:
    """An accepted redelivery of ``target`` as the journal keeps it, for a summary's tests."""
    return JournalEntry(
        idempotency_key=f"k-{target}",
        batch="b",
        kind="redeliver",
        target_id=target,
        order_reference_id=None,
        actor=actor,
        reason="their endpoint is fixed (ticket 4411)",
        mode=None,
        force=False,
        planned_at=datetime.now(UTC),
        state="accepted",
    )
