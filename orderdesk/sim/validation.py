"""The intake service's checks on a rendered order, before it is routed to a printer."""

from __future__ import annotations

import re
from typing import Any

from orderdesk.core.records import RecordError
from orderdesk.sim.world import NO_FRAMES_TO, OUT_OF_STOCK, PRODUCTS, STATE_REQUIRED

MAX_ADDRESS_LINE = 35

_POSTCODES: dict[str, re.Pattern[str]] = {
    country: re.compile(pattern)
    for country, pattern in {
        "US": r"\d{5}(-\d{4})?",
        "CA": r"[A-Z]\d[A-Z] ?\d[A-Z]\d",
        "GB": r"[A-Z]{1,2}\d[A-Z\d]? ?\d[A-Z]{2}",
        "DE": r"\d{5}",
        "NL": r"\d{4} ?[A-Z]{2}",
        "FR": r"\d{5}",
        "AU": r"\d{4}",
        "BR": r"\d{5}-?\d{3}",
        "CL": r"\d{7}",
        "IN": r"\d{6}",
    }.items()
}
_FRAMED = frozenset(product.uid for product in PRODUCTS.values() if product.framed)


def _fail(code: str, message: str) -> RecordError:
    return RecordError(stage="validation", code=code, message=message)


def validate(order: dict[str, Any]) -> RecordError | None:
    """The first reason the platform refuses this order, or None when it may be routed."""
    address = order.get("shippingAddress") or {}
    country = address.get("country", "")
    for field in ("addressLine1", "addressLine2"):
        line = address.get(field) or ""
        if len(line) > MAX_ADDRESS_LINE:
            return _fail(
                "address_line_too_long",
                f"shippingAddress.{field} is {len(line)} characters long; "
                f"the maximum is {MAX_ADDRESS_LINE}",
            )
    if country in STATE_REQUIRED and not address.get("state"):
        return _fail("state_required", f"shippingAddress.state is required for country {country}")
    pattern = _POSTCODES.get(country)
    if pattern and not pattern.fullmatch(address.get("postCode") or ""):
        return _fail(
            "invalid_postcode",
            f"shippingAddress.postCode {address.get('postCode')!r} is not a valid postcode "
            f"for {country}",
        )
    if order.get("shipmentMethodUid") == "express" and not address.get("phone"):
        return _fail("phone_required", "shippingAddress.phone is required for express shipping")
    for item in order.get("items", []):
        for file in item.get("files", []):
            if "X-Amz-Expires" in file.get("url", ""):
                return _fail(
                    "file_unreachable",
                    f"File {file['url']} could not be downloaded: HTTP 403 Forbidden "
                    f"(item {item.get('itemReferenceId')})",
                )
    uids = {item.get("productUid") for item in order.get("items", [])}
    if uids & OUT_OF_STOCK:
        return _fail(
            "out_of_stock",
            "The frame or hanger included in this order is temporarily out of stock",
        )
    if uids & _FRAMED and country in NO_FRAMES_TO:
        return _fail(
            "delivery_not_possible",
            "Delivery for submitted combination of products isn't possible to chosen destination",
        )
    return None
