"""A JSON or XML body as flat fields: each leaf's path (``items[0].productUid``) and value.

What the template changed, and how two records differ, are both answered
field by field; flattening is the one way a body becomes fields for both.
XML elements become keys by their local name (namespaces dropped), repeated
siblings get an index, attributes an ``@``; every XML value is text.
"""

from __future__ import annotations

import json
from xml.etree import ElementTree

__all__ = ["FieldValue", "Fields", "flatten_body", "flatten_json", "flatten_xml", "is_empty"]

#: A leaf's value: a JSON scalar, or an empty list or object (which have no leaves).
FieldValue = str | int | float | bool | None | list[object] | dict[str, object]
Fields = dict[str, FieldValue]


def is_empty(value: FieldValue) -> bool:
    """Whether a value says nothing: null, an empty or blank string, an empty list or object."""
    if value is None:
        return True
    if isinstance(value, str):
        return not value.strip()
    return isinstance(value, list | dict) and not value


def _walk(value: object, path: str, fields: Fields) -> None:
    if isinstance(value, dict) and value:
        for key, child in value.items():
            _walk(child, f"{path}.{key}" if path else str(key), fields)
    elif isinstance(value, list) and value:
        for index, child in enumerate(value):
            _walk(child, f"{path}[{index}]", fields)
    else:
        fields[path] = value  # type: ignore[assignment]


def flatten_json(text: str) -> Fields | None:
    """The leaves of a JSON document, in document order; None if it does not parse."""
    try:
        parsed = json.loads(text)
    except ValueError:
        return None
    fields: Fields = {}
    _walk(parsed, "", fields)
    return fields


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _walk_xml(element: ElementTree.Element, path: str, fields: Fields) -> None:
    for name, value in element.attrib.items():
        fields[f"{path}.@{_local(name)}"] = value
    children = list(element)
    if not children:
        if not element.attrib or (element.text or "").strip():
            fields[path] = (element.text or "").strip()
        return
    counts: dict[str, int] = {}
    for child in children:
        tag = _local(child.tag)
        counts[tag] = counts.get(tag, 0) + 1
    seen: dict[str, int] = {}
    for child in children:
        tag = _local(child.tag)
        if counts[tag] > 1:
            index = seen.get(tag, 0)
            seen[tag] = index + 1
            _walk_xml(child, f"{path}.{tag}[{index}]", fields)
        else:
            _walk_xml(child, f"{path}.{tag}", fields)


def flatten_xml(text: str) -> Fields | None:
    """The leaves of an XML document, in document order; None if it does not parse."""
    try:
        root = ElementTree.fromstring(text.strip().encode("utf-8", "surrogatepass"))
    except (ElementTree.ParseError, ValueError):
        return None
    fields: Fields = {}
    _walk_xml(root, _local(root.tag), fields)
    return fields


def flatten_body(text: str | None, content_type: str | None = None) -> Fields | None:
    """A body's fields, JSON or XML by its content type or first character; None if neither."""
    if not text or not text.strip():
        return None
    kind = (content_type or "").lower()
    start = text.lstrip()[:1]
    if "xml" in kind or (not kind.endswith("json") and start == "<"):
        return flatten_xml(text)
    if "json" in kind or start in ("{", "["):
        return flatten_json(text)
    return None
