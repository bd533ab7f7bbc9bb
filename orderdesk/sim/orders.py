"""Customer orders and how each customer's platform writes them: the Original stage."""

from __future__ import annotations

import json
import random
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any
from xml.sax.saxutils import escape

from orderdesk.core.records import format_timestamp
from orderdesk.sim.world import (
    ADDRESSES,
    COMPANIES,
    FIRST_NAMES,
    INTAKE_URL,
    LAST_NAMES,
    LONG_LINES,
    NO_FRAMES_TO,
    PRODUCTS,
    STATE_REQUIRED,
    Address,
    Customer,
    Product,
)

#: Where each customer's buyers live.
MARKETS: dict[str, tuple[str, ...]] = {
    "cus_northwind": ("DE", "DE", "NL", "GB", "FR"),
    "cus_maplethreads": ("US", "US", "US", "CA", "GB"),
    "cus_pixelpress": ("DE", "NL", "FR", "GB", "AU", "US"),
    "cus_craftly": ("US", "GB", "AU", "BR", "CL", "IN", "DE"),
}

_EVERYDAY = tuple(
    product for product in PRODUCTS.values() if not (product.framed or product.hanger)
)
_FRAMED = next(product for product in PRODUCTS.values() if product.framed)
_HANGER = next(product for product in PRODUCTS.values() if product.hanger)
_EUROPE = ("DE", "NL", "FR", "GB")


@dataclass(frozen=True)
class Item:
    """One line of an order, in the customer's own product code."""

    reference: str
    code: str
    quantity: int
    file_url: str
    product: Product | None


@dataclass(frozen=True)
class Order:
    """An order as a buyer placed it on a customer's platform."""

    customer: Customer
    reference: str
    platform_id: int
    placed_at: datetime
    email: str
    first_name: str
    last_name: str
    company: str
    line1: str
    line2: str
    city: str
    state: str
    post_code: str
    country: str
    phone: str
    express: bool
    currency: str
    items: tuple[Item, ...]


def _sellable(customer: Customer, products: tuple[Product, ...]) -> list[Product]:
    return [product for product in products if product.uid in customer.catalog.values()]


def _phone(rng: random.Random, country: str) -> str:
    prefix = {
        "US": "+1",
        "CA": "+1",
        "GB": "+44",
        "DE": "+49",
        "NL": "+31",
        "FR": "+33",
        "AU": "+61",
        "BR": "+55",
        "CL": "+56",
        "IN": "+91",
    }[country]
    return f"{prefix} {rng.randint(200, 989)} {rng.randint(100, 999)} {rng.randint(1000, 9999)}"


def make_order(
    rng: random.Random,
    customer: Customer,
    number: int,
    placed_at: datetime,
    flaw: str | None,
    *,
    reference: str | None = None,
) -> Order:
    """A believable order, bent to show one failure (``flaw``) or none."""
    country = rng.choice(MARKETS[customer.id])
    if flaw == "state_missing" and country not in STATE_REQUIRED:
        country = rng.choice([c for c in MARKETS[customer.id] if c in STATE_REQUIRED] or ["US"])
    if flaw == "delivery_impossible":
        country = rng.choice(sorted(NO_FRAMES_TO))
    if flaw == "split":
        country = rng.choice(_EUROPE)
    address: Address = rng.choice([a for a in ADDRESSES if a.country == country])
    products = _sellable(customer, _EVERYDAY)
    chosen = [rng.choice(products) for _ in range(rng.choice((1, 1, 1, 2, 2, 3)))]
    if flaw in ("split", "delivery_impossible") or (
        country not in _EUROPE and country not in NO_FRAMES_TO and rng.random() < 0.08
    ):
        chosen.append(_FRAMED)
    if flaw == "out_of_stock":
        chosen.append(_HANGER)
    reference = (
        reference
        or {
            "cus_northwind": f"45{number:08d}",
            "cus_maplethreads": f"MT{1000 + number}",
            "cus_pixelpress": f"PP-{number:06d}",
            "cus_craftly": f"CRF-{2871634000 + number}",
        }[customer.id]
    )
    files_host = customer.webhook_url.split("/")[2].split(".", 1)[1]
    items = []
    for index, product in enumerate(chosen, start=1):
        token = f"{rng.getrandbits(48):012x}"
        url = f"https://cdn.{files_host}/print-files/{token}.pdf"
        items.append(
            Item(
                f"{reference}-{index * 10}",
                customer.code_for(product),
                rng.choice((1, 1, 1, 2, 5, 25, 100)) if not product.framed else 1,
                url,
                product,
            )
        )
    if flaw == "unknown_product":
        items[0] = replace(items[0], code=rng.choice(customer.unknown_codes), product=None)
    if flaw == "file_unreachable":
        token = f"{rng.getrandbits(64):016x}"
        items[-1] = replace(
            items[-1],
            file_url=(
                f"https://uploads.{files_host}/tmp/{token}.png?X-Amz-Expires=3600&X-Amz-Signature={token}"
            ),
        )
    first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
    express = flaw == "phone_required" or rng.random() < 0.15
    phone = (
        ""
        if flaw == "phone_required"
        else (_phone(rng, country) if express or rng.random() < 0.6 else "")
    )
    post_code = address.post_code
    if flaw == "invalid_postcode":
        post_code = rng.choice(("ABC", "1234-56", "0", "N/A", "SW1A", "100000000"))
    return Order(
        customer=customer,
        reference=reference,
        platform_id=rng.randint(10**9, 10**10),
        placed_at=placed_at,
        email=f"{first}.{last}@example.com".lower().replace("'", ""),
        first_name=first,
        last_name=last,
        company=rng.choice(COMPANIES),
        line1=rng.choice(LONG_LINES) if flaw == "address_line_too_long" else address.line1,
        line2=rng.choice(("", "", "", "Apt 3", "2nd floor", "Suite 210")),
        city=address.city,
        state="" if flaw == "state_missing" else address.state,
        post_code=post_code,
        country=country,
        phone=phone,
        express=express,
        currency={
            "US": "USD",
            "CA": "CAD",
            "GB": "GBP",
            "AU": "AUD",
            "BR": "BRL",
            "CL": "CLP",
            "IN": "INR",
        }.get(country, "EUR"),
        items=tuple(items),
    )


def original_url(customer: Customer, action: str) -> str:
    """Where the customer's platform posts its messages on the intake service."""
    path = "orders" if action == "submit" else "orders/cancel"
    return f"{INTAKE_URL}/v1/customers/{customer.id.removeprefix('cus_')}/{path}"


def original_headers(customer: Customer, action: str, content_type: str) -> dict[str, str]:
    """Realistic headers, secrets included: the store must redact them."""
    headers = {"Content-Type": content_type}
    if customer.format == "xml-erp":
        headers |= {
            "Authorization": customer.secret,
            "User-Agent": "SAP NetWeaver Application Server 7.50",
        }
    elif customer.format == "shop":
        headers |= {
            "X-API-KEY": customer.secret,
            "User-Agent": "Shopify-Captain-Hook",
            "X-Shopify-Topic": "orders/create" if action == "submit" else "orders/cancelled",
            "X-Shopify-Shop-Domain": "maple-threads.myshopify.example",
        }
    elif customer.format == "custom":
        headers |= {"Authorization": customer.secret, "User-Agent": "pixelpress-orders/2.4.1"}
    else:
        headers |= {"X-API-KEY": customer.secret, "User-Agent": "Craftly-Fulfillment/3"}
    return headers


def original_body(order: Order, flaw: str | None) -> tuple[str, str]:
    """The order in its customer's format, as ``(content_type, body)``."""
    fmt = order.customer.format
    if fmt == "xml-erp":
        body = _northwind(order, flaw)
        content_type = "application/xml"
    else:
        payload = {"shop": _shop, "custom": _custom, "marketplace": _marketplace}[fmt](order, flaw)
        body = json.dumps(payload, ensure_ascii=False, indent=2 if fmt == "custom" else None)
        content_type = "application/json"
    if flaw == "invalid_original":
        # An upload cut short: the platform sent half a document.
        body = body[: len(body) // 2]
    return content_type, body


def cancel_body(order: Order, reason: str) -> tuple[str, str]:
    """A cancellation of the order in its customer's format."""
    fmt = order.customer.format
    if fmt == "xml-erp":
        return "application/xml", (
            '<?xml version="1.0" encoding="UTF-8"?>\n<OrderCancellation>'
            f"<OrderNumber>{order.reference}</OrderNumber><Reason>{escape(reason)}</Reason>"
            "</OrderCancellation>"
        )
    payload: dict[str, Any]
    if fmt == "shop":
        payload = {"id": order.platform_id, "name": f"#{order.reference}", "cancel_reason": reason}
    elif fmt == "custom":
        payload = {"cancellation": {"order_id": order.reference, "reason": reason}}
    else:
        payload = {"receipt_id": int(order.reference.removeprefix("CRF-")), "reason": reason}
    return "application/json", json.dumps(payload, ensure_ascii=False)


def _shop(order: Order, flaw: str | None) -> dict[str, Any]:
    payload: dict[str, Any] = {
        "id": order.platform_id,
        "name": f"#{order.reference}",
        "email": order.email,
        "created_at": format_timestamp(order.placed_at),
        "currency": order.currency,
        "line_items": [
            {
                "id": order.platform_id + index,
                "sku": item.code,
                "quantity": item.quantity,
                "properties": [{"name": "_print_file", "value": item.file_url}],
            }
            for index, item in enumerate(order.items, start=1)
        ],
        "shipping_address": {
            "first_name": order.first_name,
            "last_name": order.last_name,
            "company": order.company or None,
            "address1": order.line1,
            "address2": order.line2 or None,
            "city": order.city,
            "province_code": order.state or None,
            "zip": order.post_code,
            "country_code": order.country,
            "phone": order.phone or None,
        },
        "shipping_lines": [
            {
                "code": "express" if order.express else "standard",
                "title": "Express" if order.express else "Standard",
            }
        ],
    }
    if flaw == "template_undefined":
        del payload["shipping_address"]  # a local-pickup order the template never expected
    return payload


def _custom(order: Order, flaw: str | None) -> dict[str, Any]:
    shipping: dict[str, Any] = {
        "method": "express" if order.express else "normal",
        "recipient": {"first_name": order.first_name, "last_name": order.last_name},
        "address": {
            "line1": order.line1,
            "line2": order.line2,
            "city": order.city,
            "postal_code": order.post_code,
            "country": order.country,
            "state": order.state,
        },
    }
    if order.phone:
        shipping["phone"] = order.phone
    if flaw == "template_undefined":
        del shipping["recipient"]  # an app release that renamed the field
    return {
        "order": {
            "id": order.reference,
            "customer_email": order.email,
            "items": [
                {
                    "id": item.reference,
                    "product_code": item.code,
                    "quantity": item.quantity,
                    "file_url": item.file_url,
                }
                for item in order.items
            ],
            "shipping": shipping,
        }
    }


def _marketplace(order: Order, flaw: str | None) -> dict[str, Any]:
    payload: dict[str, Any] = {
        "receipt_id": int(order.reference.removeprefix("CRF-")),
        "buyer_email": order.email,
        "name": f"{order.first_name} {order.last_name}",
        "first_line": order.line1,
        "second_line": order.line2 or None,
        "city": order.city,
        "state": order.state or None,
        "zip": order.post_code,
        "country_iso": order.country,
        "phone": order.phone or None,
        "currency_code": order.currency,
        "shipping_upgrade": "Express" if order.express else None,
        "transactions": [
            {
                "transaction_id": order.platform_id + index,
                "sku": item.code,
                "quantity": item.quantity,
                "personalization_file": item.file_url,
            }
            for index, item in enumerate(order.items, start=1)
        ],
    }
    if flaw == "template_undefined":
        del payload["country_iso"]
    return payload


def _northwind(order: Order, flaw: str | None) -> str:
    lines = "".join(
        f"<Line><LineNumber>{item.reference.rsplit('-', 1)[-1]}</LineNumber>"
        f"<Material>{item.code}</Material><Quantity>{item.quantity}</Quantity>"
        f"<ArtworkUrl>{escape(item.file_url)}</ArtworkUrl></Line>"
        for item in order.items
    )
    ship_to = (
        f"<ShipTo><Name1>{escape(order.first_name)}</Name1><Name2>{escape(order.last_name)}</Name2>"
        f"<Company>{escape(order.company)}</Company><Street>{escape(order.line1)}</Street>"
        f"<Street2>{escape(order.line2)}</Street2><City>{escape(order.city)}</City>"
        f"<Region>{escape(order.state)}</Region><PostalCode>{escape(order.post_code)}</PostalCode>"
        f"<Country>{order.country}</Country><Email>{escape(order.email)}</Email>"
        f"<Phone>{escape(order.phone)}</Phone></ShipTo>"
    )
    if flaw == "template_undefined":
        ship_to = ""  # a partner ERP that sends the ship-to in a separate message
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n<SalesOrder>'
        f"<Header><OrderNumber>{order.reference}</OrderNumber>"
        f"<OrderDate>{format_timestamp(order.placed_at)}</OrderDate>"
        f"<SoldTo>NW-{order.platform_id % 100000:05d}</SoldTo><Currency>{order.currency}</Currency>"
        f"<ShippingCondition>{'EX' if order.express else 'ST'}</ShippingCondition></Header>"
        f"{ship_to}<Lines>{lines}</Lines></SalesOrder>"
    )
