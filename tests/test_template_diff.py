"""What the template changed: Final fields paired with the Original fields that fed them."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from orderdesk.core.flat_fields import flatten_body, flatten_json, flatten_xml
from orderdesk.core.records import RequestRecord
from orderdesk.core.template_diff import FieldChange, read_template, template_changes
from orderdesk.sim import Simulation

SUBMIT = """{%- set ship = order.shipping -%}
{
  "orderType": "order",
  "orderReferenceId": {{ order.id | tojson }},
  "items": [
  {%- for item in order["items"] %}
    {"productUid": {{ lookups({'product_code': item.product_code}, default='') | tojson }},
     "quantity": {{ item.quantity }}}
  {%- endfor %}
  ],
  "shippingAddress": {
    "city": {{ ship.city | tojson }},
    "state": {{ ship.get("state", "") | tojson }}
  }
}"""


def by_output(changes: list[FieldChange]) -> dict[str, FieldChange]:
    return {change.output: change for change in changes}


@pytest.fixture(scope="module")
def simulation() -> Simulation:
    now = datetime(2026, 11, 23, 12, tzinfo=UTC)
    sim = Simulation(seed=7, history=timedelta(hours=24), history_rate=2.0, rate=0.0, now=now)
    sim.freeze()
    return sim


def test_json_flattens_to_paths_in_document_order() -> None:
    fields = flatten_json('{"a": {"b": [1, {"c": null}], "d": []}, "e": "x"}')
    assert fields == {"a.b[0]": 1, "a.b[1].c": None, "a.d": [], "e": "x"}
    assert flatten_json("{not json") is None


def test_xml_flattens_with_indices_for_repeated_elements_and_no_namespaces() -> None:
    xml = (
        '<Order xmlns="urn:x"><Id>7</Id><Lines><Line n="1"><Sku>A</Sku></Line>'
        "<Line><Sku>B</Sku></Line></Lines><Note/></Order>"
    )
    assert flatten_xml(xml) == {
        "Order.Id": "7",
        "Order.Lines.Line[0].@n": "1",
        "Order.Lines.Line[0].Sku": "A",
        "Order.Lines.Line[1].Sku": "B",
        "Order.Note": "",
    }
    assert flatten_body("<broken", "application/xml") is None
    assert flatten_body("plain words", "text/plain") is None


def test_the_template_says_which_source_field_feeds_which_key() -> None:
    hints = read_template(SUBMIT)
    assert hints["orderType"].fixed == "order"
    assert hints["productUid"].sources == ("order.items[].product_code",)
    assert hints["productUid"].default == ""
    assert hints["city"].sources == ("order.shipping.city",)
    assert hints["state"].sources == ("order.shipping.state",)
    assert hints["state"].default == ""


def test_an_unknown_product_code_shows_as_a_defaulted_product_uid_fed_by_it() -> None:
    original = {
        "order": {
            "id": "PP-1",
            "items": [
                {"product_code": "pp-flyer-a4", "quantity": 2},
                {"product_code": "pp-unknown", "quantity": 1},
            ],
            "shipping": {"city": "Berlin"},
        }
    }
    final = {
        "orderType": "order",
        "orderReferenceId": "PP-1",
        "items": [{"productUid": "flat_a4", "quantity": 2}, {"productUid": "", "quantity": 1}],
        "shippingAddress": {"city": "BERLIN", "state": ""},
    }
    changes = template_changes(
        flatten_json(json.dumps(original)) or {}, flatten_json(json.dumps(final)) or {}, SUBMIT
    )
    fields = by_output(changes.fields)
    lost = fields["items[1].productUid"]
    assert (lost.mark, lost.source, lost.source_value) == (
        "defaulted",
        "order.items[1].product_code",
        "pp-unknown",
    )
    assert changes.fields[0] == lost  # the likeliest fault first
    found = fields["items[0].productUid"]
    assert (found.mark, found.source, found.via) == (
        "changed",
        "order.items[0].product_code",
        "template",
    )
    assert fields["items[1].quantity"].source == "order.items[1].quantity"
    assert fields["items[1].quantity"].mark == "copied"
    assert fields["shippingAddress.city"].mark == "changed"  # upper-cased on the way
    assert fields["shippingAddress.state"].mark == "defaulted"
    assert fields["orderType"].mark == "fixed"
    assert changes.unused == []


def test_without_the_template_values_still_pair_fields_and_unknowns_say_so() -> None:
    original = flatten_json('{"ref": "A-1", "lines": [{"qty": "3"}, {"qty": "4"}], "note": "hi"}')
    final = flatten_json(
        '{"orderReferenceId": "a-1", "items": [{"quantity": 3}, {"quantity": 4}], "x": "?"}'
    )
    assert original is not None and final is not None
    fields = by_output(template_changes(original, final).fields)
    assert fields["orderReferenceId"].source == "ref"
    assert fields["orderReferenceId"].via == "value"
    assert fields["orderReferenceId"].mark == "changed"
    assert fields["items[1].quantity"].source == "lines[1].qty"  # the same place in the list
    assert fields["items[1].quantity"].mark == "copied"
    assert fields["x"].mark == "unmatched"
    assert template_changes(original, final).unused == [("note", "hi")]


def _first(simulation: Simulation, customer: str, code: str | None) -> RequestRecord:
    return next(
        record
        for record in simulation.records("requests")
        if isinstance(record, RequestRecord)
        and record.customer.name == customer
        and record.action == "submit"
        and record.final is not None
        and (record.error.code if record.error else None) == code
    )


@pytest.mark.parametrize(
    "customer", ["Northwind Trading", "Maple Threads", "Craftly Marketplace", "PixelPress Studio"]
)
def test_every_simulated_customer_s_product_code_feeds_the_product_uid(
    simulation: Simulation, customer: str
) -> None:
    record = _first(simulation, customer, None)
    assert record.final is not None and record.template is not None
    original = flatten_body(record.original.body, record.original.content_type)
    final = flatten_body(record.final.body, record.final.content_type)
    assert original is not None and final is not None
    changes = template_changes(original, final, record.template.source)
    product = by_output(changes.fields)["items[0].productUid"]
    assert product.mark == "changed" and product.via == "template"
    assert product.source is not None
    assert product.source.rsplit(".", 1)[-1] in ("sku", "Material", "product_code")
    assert not changes.marked("unmatched")
    assert by_output(changes.fields)["items[0].quantity"].mark == "copied"


def test_a_simulated_invalid_product_is_answered_directly(simulation: Simulation) -> None:
    record = _first(simulation, "Maple Threads", "invalid_product")
    assert record.final is not None and record.template is not None
    original = flatten_body(record.original.body, record.original.content_type) or {}
    final = flatten_body(record.final.body, record.final.content_type) or {}
    changes = template_changes(original, final, record.template.source)
    [lost] = [c for c in changes.marked("defaulted") if c.output.endswith("productUid")]
    assert lost.value == "" and lost.source is not None
    assert lost.source_value == original[lost.source]
    assert changes.fields.index(lost) < len(changes.marked("defaulted"))
