"""A printer's status updates, rendered by the customer's Webhook template and delivered."""

from __future__ import annotations

import json
import random
from datetime import datetime
from typing import Any

from orderdesk.core.records import Event
from orderdesk.sim.lifecycle import Lifecycle, PrinterOrder, record_id, seconds
from orderdesk.sim.templating import render
from orderdesk.sim.wire import Draft, answer, attempt, http_message, no_answer, party, stamp
from orderdesk.sim.world import CARRIERS, INTAKE_URL

#: The printer's status word for each postback event.
PRINTER_STATUS: dict[Event, str] = {
    "order_received": "received",
    "production_update": "printed",
    "shipped": "shipped",
    "in_transit": "in_transit",
    "delivered": "delivered",
    "returned": "returned",
    "cancelled": "cancelled",
    "error": "error",
}

PRINTER_ERRORS = (
    "Print file resolution too low (72 dpi); at least 150 dpi is needed",
    "Print file could not be downloaded from the given URL",
    "Damaged in production; reprint not possible, material out of stock",
    "Address rejected by carrier: house number missing",
)


def postback(
    life: Lifecycle,
    accepted: PrinterOrder,
    event: Event,
    at: datetime,
    delivery: str,
    *,
    tracking: dict[str, str] | None = None,
    carrier: str = "",
    message: str = "",
) -> None:
    """A printer's status update, rendered by the Webhook template and delivered."""
    order, rng = life.order, life.rng
    customer, printer = order.customer, accepted.printer
    status = PRINTER_STATUS[event]
    payload = {
        "timestamp": stamp(at),
        "orderId": accepted.order_id,
        "status": status,
        "message": message or _status_message(status, carrier),
        "trackingCode": tracking["code"] if tracking else None,
        "trackingLink": tracking["url"] if tracking else None,
    }
    original = http_message(
        at,
        f"{INTAKE_URL}/v2/order/status",
        {
            "Content-Type": "application/json",
            "X-API-KEY": printer.api_key,
            "User-Agent": f"{printer.id}-status-notifier/1.3",
        },
        "application/json",
        json.dumps(payload),
    )
    event_id = f"os_{rng.getrandbits(96):024x}"
    context = {
        "postback": payload,
        "event_id": event_id,
        "order": {
            "reference": order.reference,
            "store_id": customer.store_id,
            "carrier": carrier,
            "lines": [{"reference": item["itemReferenceId"]} for item in accepted.items],
        },
    }
    rendered = render(customer, "webhook", None, context)
    content_type = "application/xml" if customer.webhook_is_xml else "application/json"
    sent = at + seconds(rng.uniform(0.005, 0.08))
    final = http_message(
        sent,
        customer.webhook_url,
        {
            "Content-Type": content_type,
            "User-Agent": "intake-webhooks/2.0",
            "X-Webhook-Id": event_id,
            "X-Webhook-Signature": f"sha256={rng.getrandbits(256):064x}",
        },
        content_type,
        rendered.output,
    )
    record: dict[str, Any] = {
        "id": record_id("pb", at, rng),
        "event": event,
        "created_at": stamp(at),
        "updated_at": stamp(sent),
        "order_reference_id": order.reference,
        "order_id": accepted.order_id,
        "customer": party(customer.party),
        "printer": party(printer.party),
        "status": "pending",
        "tracking": tracking,
        "original": original,
        "template": life.template_stage("webhook", rendered),
        "final": final,
        "attempts": [],
        "response": None,
    }
    life.versions.append((sent, record))
    _deliver(life, record, sent, delivery, xml=customer.webhook_is_xml)


def _deliver(life: Lifecycle, record: Draft, sent: datetime, delivery: str, *, xml: bool) -> None:
    # ok: first attempt lands; flaky: one failure then success; down: all four fail
    # (the first try and Gelato's three retries, 5 s apart).
    rng = life.rng
    failures = {"ok": 0, "flaky": 1, "down": 4}[delivery]
    attempts: list[Draft] = []
    start = sent
    for number in range(4):
        if number < failures:
            if rng.random() < 0.4:
                answered = start + seconds(10.0)
                response = no_answer(answered, "timeout", 10000)
            else:
                took = rng.uniform(0.05, 1.2)
                answered = start + seconds(took)
                code = rng.choice((500, 500, 502, 503))
                response = answer(answered, code, took, "text/plain", f"{code} upstream error")
            response = attempt(response)
            attempts.append(response)
            status = "failed" if number == 3 else "retrying"
        else:
            took = rng.uniform(0.04, 0.9)
            answered = start + seconds(took)
            body = "<Ack><Status>OK</Status></Ack>" if xml else '{"received": true}'
            response = answer(
                answered, 200, took, "application/xml" if xml else "application/json", body
            )
            response = attempt(response)
            attempts.append(response)
            status = "delivered"
        record = {
            **record,
            "updated_at": stamp(answered),
            "status": status,
            "attempts": list(attempts),
            "response": response,
        }
        life.versions.append((answered, record))
        if status in ("delivered", "failed"):
            return
        start = answered + seconds(5.0)


def _status_message(status: str, carrier: str) -> str:
    return {
        "received": "Order received by production",
        "printed": "Order printed and packed",
        "shipped": f"Handed over to {carrier}",
        "in_transit": f"In transit with {carrier}",
        "delivered": "Delivered to recipient",
        "returned": "Returned to sender: recipient unknown at address",
        "cancelled": "Order canceled before production",
        "error": "Production error",
    }[status]


def tracking_for(rng: random.Random, country: str) -> tuple[str, dict[str, str]]:
    """A carrier and a tracking code and link for a shipment to ``country``."""
    choices = {"US": (1, 2), "CA": (1,), "GB": (3,), "NL": (4,)}.get(country, (0, 1))
    carrier, code_format, url_format = CARRIERS[rng.choice(choices)]
    code = code_format.format(n=rng.getrandbits(30))
    return carrier, {"code": code, "url": url_format.format(code=code)}
