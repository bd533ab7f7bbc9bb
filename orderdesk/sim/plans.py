"""How often each thing goes wrong, and when each step of an order's life happens."""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from typing import Any

from orderdesk.core.records import Event
from orderdesk.sim.lifecycle import Lifecycle, PrinterOrder, Step, Version
from orderdesk.sim.orders import Order, make_order
from orderdesk.sim.postbacks import PRINTER_ERRORS, postback, tracking_for
from orderdesk.sim.world import Customer

#: Share of orders whose submit goes wrong in each way ("split" is not a failure:
#: the items are made by two printers, so one reference maps to two printer orders).
SUBMIT_FLAWS: dict[str, float] = {
    "invalid_original": 0.006,
    "template_undefined": 0.006,
    "unknown_product": 0.008,
    "address_line_too_long": 0.007,
    "state_missing": 0.005,
    "invalid_postcode": 0.005,
    "phone_required": 0.005,
    "file_unreachable": 0.005,
    "out_of_stock": 0.004,
    "delivery_impossible": 0.004,
    "printer_timeout": 0.005,
    "connection_refused": 0.004,
    "printer_unavailable": 0.005,
    "duplicate_reference": 0.005,
    "split": 0.04,
}

#: Share of accepted printer orders whose life after the submit departs from the happy path.
FATES: dict[str, float] = {
    "stuck": 0.015,  # the printer never sends order_received
    "error": 0.015,  # the printer reports a production error
    "returned": 0.01,  # the parcel comes back
    "cancel_early": 0.015,  # the customer cancels before printing
    "cancel_late": 0.01,  # the customer cancels after printing: refused
}

#: How a postback's delivery to the customer's endpoint goes.
DELIVERIES: dict[str, float] = {"flaky": 0.025, "down": 0.02}

CUSTOMER_WEIGHTS = (0.2, 0.35, 0.25, 0.2)


def _pick(rng: random.Random, shares: dict[str, float]) -> str | None:
    draw = rng.random()
    for name, share in shares.items():
        if draw < share:
            return name
        draw -= share
    return None


def _hours(rng: random.Random, low: float, high: float) -> timedelta:
    return timedelta(hours=rng.uniform(low, high))


def play_order(
    rng: random.Random,
    customer: Customer,
    number: int,
    placed_at: datetime,
    previous_reference: str | None,
) -> tuple[Order, list[Version], list[tuple[datetime, Step]], bool]:
    """An order's submit versions, its later steps, and whether the submit was accepted."""
    flaw = _pick(rng, SUBMIT_FLAWS)
    if flaw == "duplicate_reference" and previous_reference is None:
        flaw = None
    reference = previous_reference if flaw == "duplicate_reference" else None
    order = make_order(rng, customer, number, placed_at, flaw, reference=reference)
    life = Lifecycle(order, rng)
    accepted = life.submit(flaw)
    versions, life.versions = life.versions, []
    single = len(accepted) == 1
    steps: list[tuple[datetime, Step]] = []
    for printer_order in accepted:
        steps += _afterlife(life, printer_order, _pick(rng, FATES) if single else None)
    return order, versions, steps, bool(accepted)


def _afterlife(
    life: Lifecycle, accepted: PrinterOrder, fate: str | None
) -> list[tuple[datetime, Step]]:
    rng = life.rng
    steps: list[tuple[datetime, Step]] = []

    def post(event: Event, moment: datetime, **details: Any) -> None:
        delivery = _pick(rng, DELIVERIES) or "ok"
        steps.append(
            (moment, life.later(postback, life, accepted, event, moment, delivery, **details))
        )

    def cancel(moment: datetime, *, printed: bool) -> None:
        steps.append((moment, life.later(life.cancel, accepted, moment, printed=printed)))

    if fate == "stuck":
        return steps
    moment = accepted.accepted_at + timedelta(minutes=rng.uniform(2, 25))
    post("order_received", moment)
    if fate == "error":
        moment += _hours(rng, 1, 6)
        post("error", moment, message=rng.choice(PRINTER_ERRORS))
        return steps
    if fate == "cancel_early":
        moment += timedelta(minutes=rng.uniform(5, 60))
        cancel(moment, printed=False)
        post("cancelled", moment + timedelta(minutes=rng.uniform(1, 10)))
        return steps
    moment += _hours(rng, 3, 28)
    post("production_update", moment)
    if fate == "cancel_late":
        cancel(moment + _hours(rng, 0.2, 3), printed=True)
    carrier, tracking = tracking_for(rng, life.order.country)
    moment += _hours(rng, 1, 8)
    post("shipped", moment, tracking=tracking, carrier=carrier)
    moment += _hours(rng, 8, 30)
    post("in_transit", moment, tracking=tracking, carrier=carrier)
    moment += _hours(rng, 24, 96)
    post(
        "returned" if fate == "returned" else "delivered",
        moment,
        tracking=tracking,
        carrier=carrier,
    )
    return steps
