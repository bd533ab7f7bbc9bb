"""What the template changed: each field of the Final request beside the Original field that fed it.

Support's question when "the wrong product was produced" is which field of
the customer's message became which field of the printer's order, and where
a value was lost or replaced on the way. Two clues answer it, in this order:

- the template's own source: ``"productUid": {{ lookups({...: item.sku}) }}``
  says that ``productUid`` comes from ``sku`` of each of the loop's items,
  even when the lookup changed the value beyond recognition, and
  ``default=''`` says what an unknown code turns into;
- the values: an output value found, as it is or up to case and spaces, in
  exactly one place of the Original (or in the place whose list index and
  name fit best).

Neither is certain, so each pairing says which clue it came from.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Literal

from orderdesk.core.flat_fields import Fields, FieldValue, is_empty

__all__ = [
    "FieldChange",
    "Mark",
    "TemplateChanges",
    "TemplateHint",
    "field_text",
    "read_template",
    "template_changes",
]

Mark = Literal["defaulted", "empty", "unmatched", "changed", "copied", "fixed"]
#: The order in which marks are listed: what most likely went wrong first.
MARK_ORDER: tuple[Mark, ...] = ("defaulted", "empty", "unmatched", "changed", "copied", "fixed")


@dataclass(frozen=True)
class TemplateHint:
    """What the template's source says about one output key."""

    sources: tuple[str, ...] = ()
    """Source paths its expression reads, loop variables resolved (``line_items[].sku``)."""
    default: str | None = None
    """The value it falls back to (``default=''``, ``or ""``, ``.get(k, "x")``), if it has one."""
    fixed: str | None = None
    """The literal it always writes, when the key is not computed at all."""


@dataclass(frozen=True)
class FieldChange:
    """One field of the Final request, and the Original field that fed it if it can be known."""

    output: str
    value: FieldValue
    mark: Mark
    source: str | None = None
    source_value: FieldValue = None
    via: Literal["template", "value"] | None = None
    """Which clue paired the fields: the template's source, or equal values."""


@dataclass(frozen=True)
class TemplateChanges:
    """Every output field with its source and mark, and the source fields that fed nothing."""

    fields: list[FieldChange] = field(default_factory=list)
    unused: list[tuple[str, FieldValue]] = field(default_factory=list)

    def marked(self, mark: Mark) -> list[FieldChange]:
        """The output fields with this mark."""
        return [change for change in self.fields if change.mark == mark]


def field_text(value: FieldValue) -> str:
    """A value as text the way both JSON and XML would spell it (``25`` for ``"25"`` and ``25``)."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return "[]"
    if isinstance(value, dict):
        return "{}"
    return str(value)


def _loose(value: FieldValue) -> str:
    return " ".join(field_text(value).split()).casefold()


# -- the template's source -------------------------------------------------------------

_SET = re.compile(r"{%-?\s*set\s+(\w+)\s*=\s*(.+?)\s*-?%}", re.DOTALL)
_FOR = re.compile(r"{%-?\s*for\s+(\w+)\s+in\s+(.+?)\s*-?%}", re.DOTALL)
_JSON_KEY = re.compile(r'"(\w+)"\s*:\s*(?:{{(.*?)}}|"([^"{}]*)"(?=\s*[,}\]]|\s*$))')
_XML_KEY = re.compile(r"<(\w+)>\s*{{(.*?)}}\s*</\1>")
_NAME_PATH = re.compile(r"[A-Za-z_]\w*(?:\s*\.\s*[A-Za-z_]\w*|\[\s*\d+\s*\])*")
_DEFAULT = re.compile(
    r"""default\s*=\s*(["'])(.*?)\1|\bor\s+(["'])(.*?)\3|\.get\(\s*["']\w+["']\s*,\s*(["'])(.*?)\5"""
)
#: Jinja2 words, filters and string methods: never the name of a source field.
_NOT_FIELDS = frozenset(
    {
        *("and", "or", "not", "in", "is", "if", "else", "loop", "true", "false", "none"),
        *("True", "False", "None", "lookups", "strict", "default"),
        # String methods called on a field (name.split(" ", 1)), not fields.
        *("split", "lower", "upper", "strip", "replace", "get"),
    }
)


def _clean(expression: str) -> str:
    # x.get("k", ...) and x["k"] read the field k; other string literals are data.
    expression = re.sub(r"""\.get\(\s*["'](\w+)["'][^)]*\)""", r".\1", expression)
    expression = re.sub(r"""\[\s*["'](\w+)["']\s*\]""", r".\1", expression)
    expression = re.sub(r'"[^"]*"|\'[^\']*\'', '""', expression)
    # A filter's arguments are not fields: keep what comes before each "|".
    return re.sub(r"\|\s*\w+(\([^)]*\))?", " ", expression)


def _paths(expression: str, aliases: dict[str, str]) -> list[str]:
    found = []
    for match in _NAME_PATH.finditer(_clean(expression)):
        parts = [part for part in re.split(r"\s*\.\s*", re.sub(r"\[\s*\d+\s*\]", "", match[0]))]
        if parts[0] in _NOT_FIELDS:
            continue
        parts = [part for part in parts if part not in _NOT_FIELDS]
        head = aliases.get(parts[0])
        path = ".".join([head, *parts[1:]] if head is not None else parts)
        if path not in found:
            found.append(path)
    return found


def read_template(source: str) -> dict[str, TemplateHint]:
    """For each output key the template writes, the source fields it reads and its default."""
    # set and for tags may span lines (a status mapping over three): read them
    # over the whole source, in order, so each alias resolves the earlier ones.
    aliases: dict[str, str] = {}
    tags = sorted(
        [(m.start(), m, "") for m in _SET.finditer(source)]
        + [(m.start(), m, "[]") for m in _FOR.finditer(source)],
        key=lambda tag: tag[0],
    )
    for _, match, suffix in tags:
        paths = _paths(match[2], aliases)
        if paths:
            aliases[match[1]] = paths[0] + suffix
    hints: dict[str, TemplateHint] = {}
    for line in source.splitlines():
        keys = [(m[1], m[2], m[3]) for m in _JSON_KEY.finditer(line)]
        keys += [(m[1], m[2], None) for m in _XML_KEY.finditer(line)]
        for key, expression, literal in keys:
            if key in hints:
                continue
            if expression is None:
                hints[key] = TemplateHint(fixed=literal)
                continue
            default = _DEFAULT.search(expression)
            fallback = None
            if default is not None:
                fallback = next(group for group in default.groups()[1::2] if group is not None)
            hints[key] = TemplateHint(tuple(_paths(expression, aliases)), default=fallback)
    return hints


# -- pairing output fields with source fields --------------------------------------------


def _keys(path: str) -> list[str]:
    return [part for part in re.split(r"\.|\[\d+\]", path.replace("[]", "")) if part]


def _indices(path: str) -> list[int]:
    return [int(number) for number in re.findall(r"\[(\d+)\]", path)]


def _leaf(path: str) -> str:
    keys = _keys(path)
    return keys[-1] if keys else path


def _words(name: str) -> set[str]:
    spaced = re.sub(r"([a-z0-9])([A-Z])", r"\1 \2", name).replace("_", " ").replace("-", " ")
    return {word for word in spaced.lower().split() if word}


def _is_subsequence(wanted: list[str], keys: list[str]) -> bool:
    remaining = iter(keys)
    return all(any(key == want for key in remaining) for want in wanted)


def _fits(pattern: str, path: str) -> bool:
    wanted, keys = _keys(pattern), _keys(path)
    if not wanted or wanted[-1] not in keys[-2:]:
        return False
    # A template may name the whole message (postback.orderId for orderId).
    return _is_subsequence(wanted, keys) or _is_subsequence(wanted[1:], keys)


def _closeness(output: str, source: str) -> tuple[int, int]:
    """How well a source sits by an output: same list positions first, then shared words."""
    out, src = _indices(output), _indices(source)
    same_places = sum(1 for a, b in zip(out, src, strict=False) if a == b)
    return same_places, len(_words(_leaf(output)) & _words(_leaf(source)))


def _best(output: str, candidates: Iterable[str]) -> str | None:
    ranked = sorted(candidates, key=lambda path: _closeness(output, path), reverse=True)
    return ranked[0] if ranked else None


def _pair(
    output: str, value: FieldValue, hint: TemplateHint | None, original: Fields
) -> FieldChange:
    if hint is not None and hint.fixed is not None and hint.fixed == field_text(value):
        return FieldChange(output, value, "fixed")
    source: str | None = None
    via: Literal["template", "value"] | None = None
    if hint is not None and hint.sources:
        fitting = [path for path in original if any(_fits(p, path) for p in hint.sources)]
        equal = [path for path in fitting if _loose(original[path]) == _loose(value)]
        source = _best(output, equal or fitting)
        via = "template" if source is not None else None
    if source is None and not is_empty(value):
        exact = [path for path, seen in original.items() if field_text(seen) == field_text(value)]
        loose = [path for path, seen in original.items() if _loose(seen) == _loose(value)]
        source = _best(output, exact or loose)
        via = "value" if source is not None else None
    source_value = original[source] if source is not None else None
    if is_empty(value):
        default = hint.default if hint is not None else None
        fell_back = default is not None and field_text(value) in (default, "null")
        mark: Mark = "defaulted" if fell_back else "empty"
    elif source is None:
        mark = "unmatched"
    elif field_text(source_value) == field_text(value):
        mark = "copied"
    else:
        mark = "changed"
    return FieldChange(output, value, mark, source, source_value, via)


def template_changes(
    original: Fields, final: Fields, template_source: str | None = None
) -> TemplateChanges:
    """Pair each Final field with the Original field that fed it; the likeliest faults first."""
    hints = read_template(template_source) if template_source else {}
    changes = [
        _pair(output, value, hints.get(_leaf(output)), original) for output, value in final.items()
    ]
    changes.sort(key=lambda change: MARK_ORDER.index(change.mark))  # stable: document order within
    used = {change.source for change in changes}
    unused = [
        (path, value)
        for path, value in original.items()
        if path not in used and not is_empty(value)
    ]
    return TemplateChanges(changes, unused)
