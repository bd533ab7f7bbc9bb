"""Two records side by side: only the fields that differ, section by section."""

from __future__ import annotations

import json

from orderdesk.core.flat_fields import Fields
from orderdesk.core.record_diff import MISSING, FieldDifference, diff_fields, record_differences
from orderdesk.core.records import HttpMessage, RecordError
from tests.record_factory import request


def test_only_differing_fields_are_kept_and_missing_ones_count() -> None:
    base: Fields = {"a": 1, "b": "x", "c": None}
    other: Fields = {"a": "1", "b": "y", "d": True}
    assert diff_fields("original", base, other) == [
        FieldDifference("original", "b", "x", "y"),
        FieldDifference("original", "c", None, MISSING),
        FieldDifference("original", "d", MISSING, True),
    ]


def test_a_failing_request_beside_a_good_one_shows_the_product_and_the_error() -> None:
    good = request(1)
    body = json.loads(good.final.body or "{}") if good.final else {}
    body["items"][0]["productUid"] = ""
    assert good.final is not None
    bad = request(
        2,
        status="failed",
        error=RecordError(stage="validation", code="invalid_product", message="no product"),
        final=HttpMessage(
            at=good.final.at,
            method=good.final.method,
            url=good.final.url,
            content_type="application/json",
            body=json.dumps(body),
        ),
    )
    differences = {(d.section, d.path): d for d in record_differences(good, bad)}
    assert differences[("record", "status")].other == "failed"
    assert differences[("record", "error")].base is None
    assert differences[("final", "items[0].productUid")].other == ""
    assert ("final", "items[0].quantity") not in differences
    assert record_differences(good, good) == []
