"""Each customer's Jinja2 templates, rendered for real: the Template stage of a record."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ElementTree
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, Literal

import jinja2

from orderdesk.sim.world import Customer

TemplateKind = Literal["submit", "cancel", "webhook"]

TEMPLATE_NAMES: dict[TemplateKind, str] = {
    "submit": "Order Submit Request",
    "cancel": "Cancel Request",
    "webhook": "Webhook",
}

_FOLDER = Path(__file__).parent / "templates"


class OriginalError(ValueError):
    """The customer's or printer's message could not be parsed at all."""


_ENCODER = json.JSONEncoder(ensure_ascii=False)


def _tojson(value: Any) -> str:
    """JSON for a value; a missing field raises UndefinedError instead of a TypeError."""
    if isinstance(value, jinja2.Undefined):
        value._fail_with_undefined_error()
    # Plain JSON, not Jinja's HTML-safe variant: the output is a JSON document, and
    # buyers' names stay readable (Zoë, not Zo\u00eb).
    return _ENCODER.encode(value)


_DICT_ATTRIBUTES = frozenset(dir(dict))


class _Environment(jinja2.Environment):
    """Jinja2 as is, with ``message.field`` on a dict looked up as a key first."""

    def getattr(self, obj: Any, attribute: str) -> Any:
        """``obj.attribute``: for a plain dict whose methods do not shadow it, its key."""
        # Jinja tries the attribute first and the key after an AttributeError; templates
        # read dicts field by field, so that error was most of a render. The result is
        # the same: a plain dict has no attributes but its methods.
        if type(obj) is dict and attribute not in _DICT_ATTRIBUTES:
            try:
                return obj[attribute]
            except KeyError:
                pass
        return super().getattr(obj, attribute)


@cache
def _environment() -> jinja2.Environment:
    # StrictUndefined: a field the template needs but the message lacks must fail
    # loudly (UndefinedError), as it does on the real platform.
    environment = _Environment(
        loader=jinja2.FileSystemLoader(_FOLDER),
        undefined=jinja2.StrictUndefined,
        autoescape=lambda name: bool(name and name.endswith(".xml.j2")),
        auto_reload=False,
    )
    environment.filters["tojson"] = _tojson
    return environment


@cache
def _template(customer: Customer, kind: TemplateKind) -> jinja2.Template:
    return _environment().get_template(template_path(customer, kind))


def template_path(customer: Customer, kind: TemplateKind) -> str:
    """The template file of a customer's template, relative to the templates folder."""
    folder = customer.id.removeprefix("cus_")
    suffix = "xml" if kind == "webhook" and customer.webhook_is_xml else "json"
    return f"{folder}/{kind}.{suffix}.j2"


@cache
def template_source(customer: Customer, kind: TemplateKind) -> str:
    """The text of a customer's template, as the Template stage shows it."""
    return (_FOLDER / template_path(customer, kind)).read_text(encoding="utf-8")


class Lookups:
    """The ``lookups(...)`` helper templates call to map product codes to product UIDs."""

    def __init__(self, table: dict[str, str]) -> None:
        self._table = table

    def __call__(self, criteria: dict[str, Any], strict: bool = True, default: str = "") -> str:
        """The product UID for ``criteria['product_code']``, or ``default`` when unknown."""
        code = str(criteria.get("product_code", ""))
        if code in self._table:
            return self._table[code]
        if strict:
            raise LookupError(f"lookups: no product for product_code {code!r}")
        return default


@dataclass(frozen=True)
class Rendered:
    """What one template run produced: its output, or why it failed."""

    output: str | None
    error: str | None
    code: str | None = None


def parse_original(body: str, *, xml: bool) -> dict[str, Any]:
    """The template context of a message: parsed JSON, or XML turned into a dict."""
    if xml:
        try:
            root = ElementTree.fromstring(body)
        except ElementTree.ParseError as error:
            raise OriginalError(f"original is not valid XML: {error}") from error
        return {_local(root.tag): _element_to_dict(root)}
    try:
        parsed = json.loads(body)
    except json.JSONDecodeError as error:
        raise OriginalError(f"original is not valid JSON: {error}") from error
    if not isinstance(parsed, dict):
        raise OriginalError("original is not a JSON object")
    return parsed


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _element_to_dict(element: ElementTree.Element) -> Any:
    children = list(element)
    if not children:
        return (element.text or "").strip()
    tags = [_local(child.tag) for child in children]
    # <Lines><Line/>...</Lines> is a list however many lines there are, so that
    # a template can loop over it without caring whether there is one.
    if len(set(tags)) == 1 and _local(element.tag) == tags[0] + "s":
        return [_element_to_dict(child) for child in children]
    return {tag: _element_to_dict(child) for tag, child in zip(tags, children, strict=True)}


def render(
    customer: Customer, kind: TemplateKind, body: str | None, context: dict[str, Any] | None = None
) -> Rendered:
    """Run a customer's template on a message body (or on a ready context)."""
    if context is None:
        try:
            context = parse_original(body or "", xml=customer.format == "xml-erp")
        except OriginalError as error:
            return Rendered(None, str(error), "invalid_original")
    template = _template(customer, kind)
    try:
        output = template.render(**context, lookups=Lookups(customer.catalog))
    except jinja2.UndefinedError as error:
        return Rendered(None, f"UndefinedError: {error}", "template_undefined")
    except (jinja2.TemplateError, LookupError, TypeError, ValueError) as error:
        return Rendered(None, f"{type(error).__name__}: {error}", "template_error")
    return Rendered(output, None)
