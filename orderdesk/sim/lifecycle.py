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

from orderdesk.core.records import Party
from orderdesk.sim.orders import Order, cancel_body, original_body, original_headers, original_url
from orderdesk.sim.templating import TEMPLATE_NAMES, Rendered, TemplateKind, render, template_source
from orderdesk.sim.validation import validate
from orderdesk.sim.wire import Draft, answer, failure, http_message, no_answer, party, stamp
from orderdesk.sim.world import PRODUCTS, Customer, Printer, route

_CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
_FRAMED = frozenset(product.uid for product in PRODUCTS.values() if product.framed)
_ROUTER_AGENT = "intake-router/4.2"

Version = tuple[datetime, Draft]
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

    def template_stage(self, kind: TemplateKind, rendered: Rendered) -> Draft:
        """The Template stage of a record: the customer's template and what it made."""
        customer = self.order.customer
        return {
            "name": TEMPLATE_NAMES[kind],
            "version": customer.template_versions[kind],
            "engine": "jinja2",
            "source": template_source(customer, kind),
            "output": rendered.output,
            "error": rendered.error,
            "duration_ms": self.rng.randint(1, 14),
        }

    def submit(self, flaw: str | None) -> list[PrinterOrder]:
        """The Order Submit Request: one request record per printer the items go to."""
        order, rng = self.order, self.rng
        customer = order.customer
        arrived = order.placed_at + seconds(rng.uniform(0.02, 0.3))
        content_type, body = original_body(order, flaw)
        original = _original(customer, "submit", arrived, content_type, body)
        rendered = render(customer, "submit", body)
        template = self.template_stage("submit", rendered)
        base = _request(
            record_id("req", arrived, rng),
            "submit",
            arrived,
            order.reference,
            customer.party,
            original,
            template,
        )
        decided = arrived + seconds(rng.uniform(0.01, 0.2))
        if rendered.output is None:
            error = failure(
                "template", rendered.code or "template_error", rendered.error or "template failed"
            )
            reference = None if rendered.code == "invalid_original" else order.reference
            self._add(decided, base, status="failed", error=error, order_reference_id=reference)
            return []
        gelato = json.loads(rendered.output)
        refusal = validate(gelato)
        if refusal is not None:
            self._add(decided, base, status="failed", error=refusal.model_dump())
            return []
        accepted = []
        for index, (printer, items) in enumerate(by_printer(gelato).items()):
            request = base if index == 0 else {**base, "id": record_id("req", arrived, rng)}
            accepted += self._send(request, decided, printer, {**gelato, "items": items}, flaw)
        return accepted

    def _send(
        self,
        request: Draft,
        sent: datetime,
        printer: Printer,
        gelato: dict[str, Any],
        flaw: str | None,
    ) -> list[PrinterOrder]:
        rng = self.rng
        final = http_message(
            sent,
            printer.orders_url,
            router_headers(printer),
            "application/json",
            json.dumps(gelato, ensure_ascii=False),
        )
        self._add(sent, request, printer=party(printer.party), final=final)
        took = rng.uniform(0.15, 2.5)
        answered = sent + seconds(took)
        reference = gelato["orderReferenceId"]
        error: Draft | None = None
        if flaw == "printer_timeout":
            answered = sent + seconds(30.0)
            response = no_answer(answered, "timeout", 30000)
            error = failure(
                "delivery", "printer_timeout", f"{printer.name} did not answer within 30 s"
            )
        elif flaw == "connection_refused":
            answered = sent + seconds(rng.uniform(0.002, 0.05))
            response = no_answer(answered, "connection refused", 3)
            error = failure(
                "delivery", "connection_refused", f"{printer.host}:443 refused the connection"
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
            error = failure(
                "delivery",
                "printer_unavailable",
                f"{printer.name} answered 503 Service Unavailable",
            )
        elif flaw == "duplicate_reference":
            text = f"Order with orderReferenceId '{reference}' already exists"
            response = answer(
                answered,
                409,
                took,
                "application/json",
                json.dumps({"code": "duplicate_order_reference", "message": text}),
            )
            error = failure("printer", "duplicate_order_reference", text)
        elif any(not item["productUid"] for item in gelato["items"]):
            position = next(i for i, item in enumerate(gelato["items"]) if not item["productUid"])
            text = f"items[{position}].productUid: product '' does not exist"
            response = answer(
                answered,
                400,
                took,
                "application/json",
                json.dumps({"code": "invalid_product", "message": text}),
            )
            error = failure("printer", "invalid_product", text)
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
                        "createdAt": stamp(answered),
                    }
                ),
            )
            self._add(answered, request, status="succeeded", order_id=order_id, response=response)
            return [
                PrinterOrder(order_id, printer, answered, tuple(gelato["items"]), request["id"])
            ]
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
        final = http_message(
            sent,
            f"{printer.orders_url}/{accepted.order_id}:cancel",
            router_headers(printer),
            "application/json",
            rendered.output,
        )
        request_id = record_id("req", at, rng)  # drawn before the template's duration
        request = _request(
            request_id,
            "cancel",
            at,
            order.reference,
            customer.party,
            original,
            self.template_stage("cancel", rendered),
        )
        request.update(
            updated_at=stamp(sent),
            order_id=accepted.order_id,
            printer=party(printer.party),
            final=final,
        )
        self.versions.append((sent, request))
        took = rng.uniform(0.1, 1.5)
        answered = sent + seconds(took)
        if printed:
            text = f"Order {accepted.order_id} cannot be canceled: it has already been printed"
            response = answer(
                answered,
                409,
                took,
                "application/json",
                json.dumps({"code": "order_not_cancellable", "message": text}),
            )
            self._add(
                answered,
                request,
                status="failed",
                response=response,
                error=failure("printer", "already_printed", text),
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

    def _add(self, moment: datetime, record: Draft, **changes: Any) -> None:
        """A new version of a request: the previous one, changed, with a newer updated_at."""
        record_id = record["id"]
        previous = next((r for _, r in reversed(self.versions) if r["id"] == record_id), record)
        self.versions.append((moment, {**previous, **changes, "updated_at": stamp(moment)}))


def _original(customer: Customer, action: str, at: datetime, content_type: str, body: str) -> Draft:
    """The customer's message as it arrived: the Original stage of a submit or cancel."""
    return http_message(
        at,
        original_url(customer, action),
        original_headers(customer, action, content_type),
        content_type,
        body,
    )


def _request(
    request_id: str,
    action: str,
    at: datetime,
    reference: str,
    customer: Party,
    original: Draft,
    template: Draft,
) -> Draft:
    """A request as it arrived: pending, nothing sent yet."""
    moment = stamp(at)
    return {
        "id": request_id,
        "action": action,
        "created_at": moment,
        "updated_at": moment,
        "order_reference_id": reference,
        "order_id": None,
        "customer": party(customer),
        "printer": None,
        "status": "pending",
        "error": None,
        "original": original,
        "template": template,
        "final": None,
        "response": None,
        "resubmit_of": None,
        "action_id": None,
    }


def router_headers(printer: Printer) -> dict[str, str]:
    """The headers the intake router sends a printer, its key included."""
    return {
        "Content-Type": "application/json",
        "X-API-KEY": printer.api_key,
        "User-Agent": _ROUTER_AGENT,
    }


def by_printer(gelato: dict[str, Any]) -> dict[Printer, list[dict[str, Any]]]:
    """A rendered order's items grouped by the printer that makes them."""
    country = gelato["shippingAddress"]["country"]
    groups: dict[Printer, list[dict[str, Any]]] = {}
    for item in gelato["items"]:
        printer = route(country, framed=item["productUid"] in _FRAMED)
        groups.setdefault(printer, []).append(item)
    return groups
