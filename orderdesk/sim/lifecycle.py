"""One order's life as record versions, and its requests: the submit and any cancel.

The postbacks that follow an accepted submit are in ``postbacks``.
"""

from __future__ import annotations

import json
import random
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from orderdesk.core.records import (
    HttpMessage,
    HttpResponse,
    LogRecord,
    RecordError,
    RequestRecord,
    TemplateProcessing,
    format_timestamp,
)
from orderdesk.sim.orders import Order, cancel_body, original_body, original_headers, original_url
from orderdesk.sim.templating import TEMPLATE_NAMES, Rendered, TemplateKind, render, template_source
from orderdesk.sim.validation import validate
from orderdesk.sim.world import PRODUCTS, Customer, Printer, route

_CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
_FRAMED = frozenset(product.uid for product in PRODUCTS.values() if product.framed)
_ROUTER_AGENT = "intake-router/4.2"

Version = tuple[datetime, LogRecord]
#: A later step of a lifecycle, built only when it is due: most of a backfill's
#: future (deliveries days away) is never needed, so it is never rendered.
Step = Callable[[], list[Version]]


def record_id(prefix: str, moment: datetime, rng: random.Random) -> str:
    """A ULID-like id: sortable by creation time, unique thanks to 80 random bits."""
    millis = int(moment.timestamp() * 1000)
    number = (millis << 80) | rng.getrandbits(80)
    chars = []
    for _ in range(26):
        chars.append(_CROCKFORD[number & 31])
        number >>= 5
    return f"{prefix}_{''.join(reversed(chars))}"


def seconds(value: float) -> timedelta:
    """A timedelta of ``value`` seconds."""
    return timedelta(seconds=value)


@dataclass(frozen=True)
class PrinterOrder:
    """An order a printer accepted: the start of its postbacks."""

    order_id: str
    printer: Printer
    accepted_at: datetime
    items: tuple[dict[str, Any], ...]
    request_id: str


@dataclass
class Lifecycle:
    """Builds every version of every record that one order produces."""

    order: Order
    rng: random.Random
    versions: list[Version] = field(default_factory=list)

    def later(self, method: Callable[..., Any], *args: Any, **kwargs: Any) -> Step:
        """A step to run when it is due; it returns the versions it made."""

        def step() -> list[Version]:
            method(*args, **kwargs)
            made, self.versions = self.versions, []
            return made

        return step

    def template_stage(self, kind: TemplateKind, rendered: Rendered) -> TemplateProcessing:
        """The Template stage of a record: the customer's template and what it made."""
        customer = self.order.customer
        return TemplateProcessing(
            name=TEMPLATE_NAMES[kind],
            version=customer.template_versions[kind],
            source=template_source(customer, kind),
            output=rendered.output,
            error=rendered.error,
            duration_ms=self.rng.randint(1, 14),
        )

    def submit(self, flaw: str | None) -> list[PrinterOrder]:
        """The Order Submit Request: one request record per printer the items go to."""
        order, rng = self.order, self.rng
        customer = order.customer
        arrived = order.placed_at + seconds(rng.uniform(0.02, 0.3))
        content_type, body = original_body(order, flaw)
        original = _original(customer, "submit", arrived, content_type, body)
        rendered = render(customer, "submit", body)
        template = self.template_stage("submit", rendered)
        base = RequestRecord(
            id=record_id("req", arrived, rng),
            action="submit",
            created_at=arrived,
            updated_at=arrived,
            order_reference_id=order.reference,
            customer=customer.party,
            status="pending",
            original=original,
            template=template,
        )
        decided = arrived + seconds(rng.uniform(0.01, 0.2))
        if rendered.output is None:
            error = RecordError(
                stage="template",
                code=rendered.code or "template_error",
                message=rendered.error or "template failed",
            )
            reference = None if rendered.code == "invalid_original" else order.reference
            self._add(decided, base, status="failed", error=error, order_reference_id=reference)
            return []
        gelato = json.loads(rendered.output)
        refusal = validate(gelato)
        if refusal is not None:
            self._add(decided, base, status="failed", error=refusal)
            return []
        accepted = []
        for index, (printer, items) in enumerate(_by_printer(gelato).items()):
            request = (
                base
                if index == 0
                else base.model_copy(update={"id": record_id("req", arrived, rng)})
            )
            accepted += self._send(request, decided, printer, {**gelato, "items": items}, flaw)
        return accepted

    def _send(
        self,
        request: RequestRecord,
        sent: datetime,
        printer: Printer,
        gelato: dict[str, Any],
        flaw: str | None,
    ) -> list[PrinterOrder]:
        rng = self.rng
        final = HttpMessage(
            at=sent,
            method="POST",
            url=printer.orders_url,
            headers={
                "Content-Type": "application/json",
                "X-API-KEY": printer.api_key,
                "User-Agent": _ROUTER_AGENT,
            },
            content_type="application/json",
            body=json.dumps(gelato, ensure_ascii=False),
        )
        self._add(sent, request, printer=printer.party, final=final)
        took = rng.uniform(0.15, 2.5)
        answered = sent + seconds(took)
        reference = gelato["orderReferenceId"]
        error: RecordError | None = None
        if flaw == "printer_timeout":
            answered = sent + seconds(30.0)
            response = no_answer(answered, "timeout", 30000)
            error = RecordError(
                stage="delivery",
                code="printer_timeout",
                message=f"{printer.name} did not answer within 30 s",
            )
        elif flaw == "connection_refused":
            answered = sent + seconds(rng.uniform(0.002, 0.05))
            response = no_answer(answered, "connection refused", 3)
            error = RecordError(
                stage="delivery",
                code="connection_refused",
                message=f"{printer.host}:443 refused the connection",
            )
        elif flaw == "printer_unavailable":
            response = answer(
                answered,
                503,
                took,
                "text/html",
                "<html><body><h1>503 Service Unavailable</h1>"
                "No server is available to handle this request.</body></html>",
            )
            error = RecordError(
                stage="delivery",
                code="printer_unavailable",
                message=f"{printer.name} answered 503 Service Unavailable",
            )
        elif flaw == "duplicate_reference":
            message = f"Order with orderReferenceId '{reference}' already exists"
            response = answer(
                answered,
                409,
                took,
                "application/json",
                json.dumps({"code": "duplicate_order_reference", "message": message}),
            )
            error = RecordError(stage="printer", code="duplicate_order_reference", message=message)
        elif any(not item["productUid"] for item in gelato["items"]):
            position = next(i for i, item in enumerate(gelato["items"]) if not item["productUid"])
            message = f"items[{position}].productUid: product '' does not exist"
            response = answer(
                answered,
                400,
                took,
                "application/json",
                json.dumps({"code": "invalid_product", "message": message}),
            )
            error = RecordError(stage="printer", code="invalid_product", message=message)
        else:
            order_id = str(uuid.UUID(int=rng.getrandbits(128), version=4))
            response = answer(
                answered,
                201,
                took,
                "application/json",
                json.dumps(
                    {
                        "id": order_id,
                        "orderReferenceId": reference,
                        "createdAt": format_timestamp(answered),
                    }
                ),
            )
            self._add(answered, request, status="succeeded", order_id=order_id, response=response)
            return [PrinterOrder(order_id, printer, answered, tuple(gelato["items"]), request.id)]
        self._add(answered, request, status="failed", error=error, response=response)
        return []

    def cancel(self, accepted: PrinterOrder, at: datetime, *, printed: bool) -> bool:
        """A Cancel Request from the customer; it fails once the order was printed."""
        order, rng = self.order, self.rng
        customer = order.customer
        content_type, body = cancel_body(
            order,
            rng.choice(("customer changed their mind", "duplicate order", "wrong size ordered")),
        )
        original = _original(customer, "cancel", at, content_type, body)
        rendered = render(customer, "cancel", body)
        printer = accepted.printer
        sent = at + seconds(rng.uniform(0.01, 0.1))
        final = HttpMessage(
            at=sent,
            method="POST",
            url=f"{printer.orders_url}/{accepted.order_id}:cancel",
            headers={
                "Content-Type": "application/json",
                "X-API-KEY": printer.api_key,
                "User-Agent": _ROUTER_AGENT,
            },
            content_type="application/json",
            body=rendered.output,
        )
        request = RequestRecord(
            id=record_id("req", at, rng),
            action="cancel",
            created_at=at,
            updated_at=sent,
            order_reference_id=order.reference,
            order_id=accepted.order_id,
            customer=customer.party,
            printer=printer.party,
            status="pending",
            original=original,
            template=self.template_stage("cancel", rendered),
            final=final,
        )
        self.versions.append((sent, request))
        took = rng.uniform(0.1, 1.5)
        answered = sent + seconds(took)
        if printed:
            message = f"Order {accepted.order_id} cannot be canceled: it has already been printed"
            response = answer(
                answered,
                409,
                took,
                "application/json",
                json.dumps({"code": "order_not_cancellable", "message": message}),
            )
            self._add(
                answered,
                request,
                status="failed",
                response=response,
                error=RecordError(stage="printer", code="already_printed", message=message),
            )
            return False
        response = answer(
            answered,
            200,
            took,
            "application/json",
            json.dumps({"id": accepted.order_id, "status": "canceled"}),
        )
        self._add(answered, request, status="succeeded", response=response)
        return True

    def _add(self, moment: datetime, record: RequestRecord, **changes: Any) -> None:
        """A new version of a request: the previous one, changed, with a newer updated_at."""
        previous = next((r for _, r in reversed(self.versions) if r.id == record.id), record)
        self.versions.append(
            (moment, previous.model_copy(update={**changes, "updated_at": moment}))
        )


def _original(
    customer: Customer, action: str, at: datetime, content_type: str, body: str
) -> HttpMessage:
    """The customer's message as it arrived: the Original stage of a submit or cancel."""
    return HttpMessage(
        at=at,
        method="POST",
        url=original_url(customer, action),
        headers=original_headers(customer, action, content_type),
        content_type=content_type,
        body=body,
    )


def _by_printer(gelato: dict[str, Any]) -> dict[Printer, list[dict[str, Any]]]:
    country = gelato["shippingAddress"]["country"]
    groups: dict[Printer, list[dict[str, Any]]] = {}
    for item in gelato["items"]:
        printer = route(country, framed=item["productUid"] in _FRAMED)
        groups.setdefault(printer, []).append(item)
    return groups


def answer(at: datetime, code: int, took: float, content_type: str, body: str) -> HttpResponse:
    """An HTTP answer that took ``took`` seconds."""
    return HttpResponse(
        at=at,
        status_code=code,
        headers={"Content-Type": content_type},
        content_type=content_type,
        body=body,
        duration_ms=int(took * 1000),
    )


def no_answer(at: datetime, error: str, duration_ms: int) -> HttpResponse:
    """No HTTP answer at all: ``error`` names why."""
    return HttpResponse(at=at, error=error, duration_ms=duration_ms)
