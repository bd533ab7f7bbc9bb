"""What sending again does in the simulated world: outages end, and some customers fix templates.

A redelivery or resubmit is judged by the world at the moment it is sent, not
by a coin: an endpoint that refused a message stays down for one to four hours
after it first failed, so a redelivery during that time fails again and a later
one lands; an order with a product code the customer's lookup table does not
know fails at the printer however often its Final is sent, until the customer
adds the code (``TEMPLATE_FIXES``), after which ``reprocess`` succeeds.
"""

from __future__ import annotations

import json
import random
import uuid
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from functools import cache
from typing import Any

from orderdesk.sim.lifecycle import by_printer, record_id, router_headers, seconds
from orderdesk.sim.templating import TEMPLATE_NAMES, TemplateKind, render, template_source
from orderdesk.sim.validation import validate
from orderdesk.sim.wire import (
    Draft,
    answer,
    attempt,
    failure,
    http_message,
    no_answer,
    party,
    stamp,
)
from orderdesk.sim.world import CUSTOMERS, PRINTERS, PRODUCTS, Customer, Printer

#: How long an endpoint that failed a delivery stays down, counted from its first failure.
OUTAGE_SHORTEST = timedelta(hours=1)
OUTAGE_LONGEST = timedelta(hours=4)

#: Request failures that mean the printer could not be reached: they pass with the outage.
_PRINTER_DOWN = frozenset({"printer_timeout", "connection_refused", "printer_unavailable"})
#: Printer refusals that sending the same order again meets again.
_REFUSED_AGAIN = frozenset({"duplicate_order_reference", "already_printed"})


@dataclass(frozen=True)
class TemplateFix:
    """A customer adding codes its lookup table lacked: a new template version from a moment on."""

    customer_id: str
    #: When, counted from the simulation's anchor (negative: before the history ends).
    after_anchor: timedelta
    #: The customer's codes and the product each now maps to, by product name.
    codes: tuple[tuple[str, str], ...] = ()


#: Maple Threads fixed its table two hours before the anchor; PixelPress will three hours
#: after it; Northwind and Craftly never do, so their unknown products fail every time.
TEMPLATE_FIXES: tuple[TemplateFix, ...] = (
    TemplateFix(
        "cus_maplethreads",
        timedelta(hours=-2),
        (("MT-TEE-WHT-XXL", "t-shirt white M"), ("MT-HOOD-GRY-M-v2", "hoodie navy L")),
    ),
    TemplateFix(
        "cus_pixelpress",
        timedelta(hours=3),
        (("pp-poster-61x91", "poster 50x70"), ("pp-canvas-40x40", "poster 50x70")),
    ),
)


@dataclass(frozen=True)
class Sending:
    """What one action did: the record versions it made, whether anything went out, its result."""

    versions: list[tuple[datetime, Draft]]
    sent: bool
    succeeded: bool
    result: Draft
    done_at: datetime


def back_at(record_id_: str, since: datetime) -> datetime:
    """When the endpoint that failed this record is back: the same answer every time it is asked."""
    rng = random.Random(record_id_)
    span = OUTAGE_LONGEST - OUTAGE_SHORTEST
    return since + OUTAGE_SHORTEST + span * rng.random()


def customer_at(customer_id: str, moment: datetime, anchor: datetime) -> Customer:
    """The customer as its templates stand at ``moment``: fixed once its fix is due."""
    customer = next(c for c in CUSTOMERS if c.id == customer_id)
    for fix in TEMPLATE_FIXES:
        if fix.customer_id == customer_id and moment >= anchor + fix.after_anchor:
            return _fixed(customer, fix)
    return customer


@cache
def _fixed(customer: Customer, fix: TemplateFix) -> Customer:
    # One object per fix: templating caches compiled templates per customer object.
    added = dict(fix.codes)
    catalog = {**customer.catalog, **{code: PRODUCTS[name].uid for code, name in added.items()}}
    versions = {**customer.template_versions, "submit": customer.template_versions["submit"] + 1}
    return replace(
        customer,
        catalog=catalog,
        unknown_codes=tuple(code for code in customer.unknown_codes if code not in added),
        template_versions=versions,
    )


def _failed(result: str, at: datetime) -> Sending:
    """An action that sent nothing and made no record."""
    return Sending([], False, False, {"status_code": None, "error": result, "record_id": None}, at)


def redeliver(postback: Draft, action_id: str, at: datetime, rng: random.Random) -> Sending:
    """Send a postback's Final message to the customer's system again, at ``at``."""
    final = postback["final"]
    if final is None or final["body"] is None:
        return _failed("nothing to send: the Webhook template produced no message", at)
    failed = [
        a for a in postback["attempts"] if a["status_code"] is None or a["status_code"] >= 400
    ]
    down = (
        postback["status"] != "delivered"
        and bool(failed)
        and at < back_at(postback["id"], _moment(failed[0]["at"]))
    )
    error: str | None = None
    if down and rng.random() < 0.3:
        answered = at + seconds(rng.uniform(0.002, 0.05))
        response = no_answer(answered, "connection refused", 3)
        error = "connection refused"
    elif down:
        took = rng.uniform(0.05, 1.2)
        answered = at + seconds(took)
        response = answer(answered, 503, took, "text/plain", "503 upstream error")
        error = "HTTP 503"
    else:
        took = rng.uniform(0.04, 0.9)
        answered = at + seconds(took)
        xml = final["content_type"] == "application/xml"
        body = "<Ack><Status>OK</Status></Ack>" if xml else '{"received": true}'
        response = answer(answered, 200, took, final["content_type"], body)
    made = attempt(response, action_id)
    status = postback["status"] if down else "delivered"
    version = {
        **postback,
        "updated_at": stamp(answered),
        "status": status,
        "attempts": [*postback["attempts"], made],
        "response": made,
    }
    result = {"status_code": response["status_code"], "error": error, "record_id": postback["id"]}
    return Sending([(answered, version)], True, not down, result, answered)


def resubmit(
    request: Draft,
    action_id: str,
    mode: str,
    at: datetime,
    rng: random.Random,
    anchor: datetime,
) -> Sending:
    """Send a request's order to the printer again, as a new request record."""
    new_id = record_id("req", at, rng)
    base = {
        **request,
        "id": new_id,
        "created_at": stamp(at),
        "updated_at": stamp(at),
        "status": "pending",
        "error": None,
        "final": None,
        "response": None,
        "resubmit_of": request["id"],
        "action_id": action_id,
    }
    if request["action"] == "submit":
        base["order_id"] = None
    decided = at + seconds(rng.uniform(0.01, 0.2))
    kind: TemplateKind = "submit" if request["action"] == "submit" else "cancel"
    if mode == "final":
        final = request["final"]
        if final is None:
            return _failed(
                "nothing to send: the request never reached a printer; resubmit it with mode "
                "reprocess",
                at,
            )
        printer = _printer(request["printer"]["id"])
        body = final["body"]
        url = final["url"]
    else:
        customer = customer_at(request["customer"]["id"], at, anchor)
        rendered = render(customer, kind, request["original"]["body"])
        base["template"] = _template_stage(customer, kind, rendered.output, rendered.error, rng)
        if rendered.output is None:
            broken = failure("template", rendered.code or "template_error", rendered.error or "")
            return _made_nothing(base, decided, broken)
        body = rendered.output
        if kind == "cancel":
            if request["final"] is None:
                return _failed("nothing to send: the cancel never reached a printer", at)
            printer, url = _printer(request["printer"]["id"]), request["final"]["url"]
        else:
            gelato = json.loads(body)
            refusal = validate(gelato)
            if refusal is not None:
                return _made_nothing(base, decided, refusal.model_dump())
            printer, items = _route(gelato, request["printer"])
            body = json.dumps({**gelato, "items": items}, ensure_ascii=False)
            url = printer.orders_url
    final_draft = http_message(decided, url, router_headers(printer), "application/json", body)
    sent = {**base, "updated_at": stamp(decided), "printer": party(printer.party)}
    sent["final"] = final_draft
    response, error, order_id = _printer_answer(request, printer, body, decided, at, rng)
    answered = _moment(response["at"])
    done = {
        **sent,
        "updated_at": stamp(answered),
        "status": "failed" if error else "succeeded",
        "error": error,
        "response": response,
    }
    if order_id is not None:
        done["order_id"] = order_id
    result = {
        "status_code": response["status_code"],
        "error": None if error is None else error["message"],
        "record_id": new_id,
    }
    return Sending([(decided, sent), (answered, done)], True, error is None, result, answered)


def _made_nothing(base: Draft, decided: datetime, error: Draft) -> Sending:
    """A resubmit stopped before the printer: a failed new record, and nothing sent."""
    record = {**base, "updated_at": stamp(decided), "status": "failed", "error": error}
    result = {"status_code": None, "error": error["message"], "record_id": base["id"]}
    return Sending([(decided, record)], False, False, result, decided)


def _printer_answer(
    request: Draft, printer: Printer, body: str, sent: datetime, at: datetime, rng: random.Random
) -> tuple[Draft, Draft | None, str | None]:
    """The printer's answer to an order sent again: the response, the error, the new order id."""
    code = (request["error"] or {}).get("code")
    took = rng.uniform(0.15, 2.5)
    answered = sent + seconds(took)
    response_at = _moment((request["response"] or {}).get("at") or request["updated_at"])
    if code in _PRINTER_DOWN and at < back_at(request["id"], response_at):
        if code == "printer_timeout":
            answered = sent + seconds(30.0)
            text = f"{printer.name} did not answer within 30 s"
            return no_answer(answered, "timeout", 30000), failure("delivery", code, text), None
        if code == "connection_refused":
            text = f"{printer.host}:443 refused the connection"
            response = no_answer(sent + seconds(0.01), "connection refused", 3)
            return response, failure("delivery", code, text), None
        text = f"{printer.name} answered 503 Service Unavailable"
        page = "<html><body><h1>503 Service Unavailable</h1></body></html>"
        return answer(answered, 503, took, "text/html", page), failure("delivery", code, text), None
    if code in _REFUSED_AGAIN:
        response = request["response"]
        again = answer(answered, 409, took, "application/json", response["body"])
        return again, request["error"], None
    items = _items(body)
    if any(not item.get("productUid") for item in items):
        position = next(i for i, item in enumerate(items) if not item.get("productUid"))
        text = f"items[{position}].productUid: product '' does not exist"
        payload = json.dumps({"code": "invalid_product", "message": text})
        response = answer(answered, 400, took, "application/json", payload)
        return response, failure("printer", "invalid_product", text), None
    if request["action"] == "cancel":
        payload = json.dumps({"id": request["order_id"], "status": "canceled"})
        return answer(answered, 200, took, "application/json", payload), None, None
    order_id = str(uuid.UUID(int=rng.getrandbits(128), version=4))
    reference = request["order_reference_id"]
    payload = json.dumps(
        {"id": order_id, "orderReferenceId": reference, "createdAt": stamp(answered)}
    )
    return answer(answered, 201, took, "application/json", payload), None, order_id


def _items(body: str) -> list[dict[str, Any]]:
    try:
        items = json.loads(body).get("items", [])
    except (ValueError, AttributeError):
        return []
    return [item for item in items if isinstance(item, dict)]


def _route(gelato: dict[str, Any], recorded: Draft | None) -> tuple[Printer, list[Any]]:
    """The printer that gets the order again: the recorded one's share when the order splits."""
    groups = by_printer(gelato)
    for printer, items in groups.items():
        if recorded is not None and printer.id == recorded["id"]:
            return printer, items
    return next(iter(groups.items()))


def _template_stage(
    customer: Customer,
    kind: TemplateKind,
    output: str | None,
    error: str | None,
    rng: random.Random,
) -> Draft:
    return {
        "name": TEMPLATE_NAMES[kind],
        "version": customer.template_versions[kind],
        "engine": "jinja2",
        "source": template_source(customer, kind),
        "output": output,
        "error": error,
        "duration_ms": rng.randint(1, 14),
    }


def _printer(printer_id: str) -> Printer:
    return next(p for p in PRINTERS if p.id == printer_id)


def _moment(text: str) -> datetime:
    return datetime.fromisoformat(text)
