"""Saved views: a list's screen, time window and filters under a name, kept in ``views.toml``.

The file lives in the user's config folder and is meant to be read and edited
by hand as well as written by the console::

    [views.failed-shipping]
    screen = "postbacks"
    since = "24h"                 # a preset: 15m, 1h, 4h, 24h, 7d, 30d or all
    statuses = ["failed", "retrying"]
    customer = "Maple Threads"

    [views.monday-morning]
    screen = "requests"
    from = "2026-11-23 08:00"     # or a custom range, as typed in the console
    to = "2026-11-23 12:00"
    errors_only = true
    search = "productUid"

A mistake in the file is reported with the file, the line when TOML gives
one, and the view, never as a traceback.
"""

from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any, Literal

from platformdirs import user_config_path

from orderdesk import strings
from orderdesk.core.errors import InputError, UnknownStatus
from orderdesk.core.statuses import check_statuses
from orderdesk.core.timerange import parse_duration

__all__ = [
    "SavedView",
    "ViewScreen",
    "ViewsError",
    "default_views_path",
    "find_view",
    "load_views",
    "save_view",
    "views_toml",
]

ViewScreen = Literal["requests", "postbacks"]


class ViewsError(InputError):
    """The views file cannot be read or does not say what a view needs."""


def default_views_path() -> Path:
    """``views.toml`` in the user's config folder (``~/.config/orderdesk/`` on Linux)."""
    return user_config_path("orderdesk", appauthor=False) / "views.toml"


@dataclass(frozen=True)
class SavedView:
    """One named view: which list, over which time, narrowed by what."""

    screen: ViewScreen = "requests"
    since: str | None = None
    """A preset window (``24h``, ``all``); None with ``from``/``to``, or for all time."""
    start: str | None = None
    """A custom window's start, as typed (``-2h``, ``today``, ``2026-11-20 14:00``)."""
    end: str | None = None
    """A custom window's end (exclusive), as typed; None is now."""
    statuses: tuple[str, ...] = ()
    errors_only: bool = False
    customer: str | None = None
    printer: str | None = None
    search: str | None = None


# The file's keys, where they differ from the fields' names (``from`` is a keyword).
_KEYS = {"start": "from", "end": "to"}
_FIELDS = {_KEYS.get(field.name, field.name): field.name for field in fields(SavedView)}
_TEXT = ("since", "start", "end", "customer", "printer", "search")


def load_views(path: Path) -> dict[str, SavedView]:
    """Every view in the file, by name; none when the file does not exist."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return {}
    except (OSError, UnicodeDecodeError) as error:
        raise ViewsError(strings.VIEWS_UNREADABLE.format(path=path, error=error)) from None
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise ViewsError(_toml_error(path, error)) from None
    views = document.get("views", {})
    if not isinstance(views, dict):
        raise ViewsError(strings.VIEWS_NOT_A_TABLE.format(path=path))
    return {name: _view(path, name, table) for name, table in views.items()}


def _toml_error(path: Path, error: tomllib.TOMLDecodeError) -> str:
    message = str(error)
    where = re.search(r"\(at line (\d+), column (\d+)\)", message)
    if where is None:
        return strings.VIEWS_NOT_TOML.format(path=path, error=message)
    reason = message[: where.start()].strip()
    return strings.VIEWS_TOML_LINE.format(path=path, line=where[1], error=reason)


def _view(path: Path, name: str, table: object) -> SavedView:
    def broken(why: str) -> ViewsError:
        return ViewsError(strings.VIEW_BROKEN.format(path=path, name=name, why=why))

    if not isinstance(table, dict):
        raise broken(strings.VIEW_NOT_A_SECTION)
    unknown = sorted(set(table) - set(_FIELDS))
    if unknown:
        raise broken(strings.VIEW_UNKNOWN_KEY.format(key=unknown[0], known=", ".join(_FIELDS)))
    values: dict[str, Any] = {_FIELDS[key]: value for key, value in table.items()}
    for field in _TEXT:
        if not isinstance(values.get(field, ""), str):
            raise broken(strings.VIEW_NOT_TEXT.format(key=_KEYS.get(field, field)))
    screen = values.get("screen", "requests")
    if screen not in ("requests", "postbacks"):
        raise broken(strings.VIEW_BAD_SCREEN)
    statuses = values.get("statuses", [])
    if not isinstance(statuses, list) or not all(isinstance(s, str) for s in statuses):
        raise broken(strings.VIEW_BAD_STATUSES)
    try:
        values["statuses"] = check_statuses(screen, statuses, flag="status")
    except UnknownStatus as unknown:
        raise broken(str(unknown)) from None
    if not isinstance(values.get("errors_only", False), bool):
        raise broken(strings.VIEW_BAD_ERRORS_ONLY)
    since = values.get("since")
    if since is not None:
        if values.get("start") or values.get("end"):
            raise broken(strings.VIEW_SINCE_AND_FROM)
        if since != "all":
            try:
                parse_duration(since)
            except (ValueError, InputError) as error:
                raise broken(f"since: {error}") from None
    return SavedView(**values)


def _quoted(text: str) -> str:
    escaped = []
    for char in text:
        if char in ('"', "\\"):
            escaped.append("\\" + char)
        elif ord(char) < 0x20 or ord(char) == 0x7F:
            escaped.append(f"\\u{ord(char):04x}")
        else:
            escaped.append(char)
    return '"' + "".join(escaped) + '"'


def _key(name: str) -> str:
    return name if re.fullmatch(r"[A-Za-z0-9_-]+", name) else _quoted(name)


def views_toml(views: Mapping[str, SavedView]) -> str:
    """The views as the file holds them, each a ``[views.NAME]`` section of its set keys."""
    sections = []
    for name, view in views.items():
        lines = [f"[views.{_key(name)}]", f"screen = {_quoted(view.screen)}"]
        for field in ("since", "start", "end"):
            value = getattr(view, field)
            if value is not None:
                lines.append(f"{_KEYS.get(field, field)} = {_quoted(value)}")
        if view.statuses:
            lines.append(f"statuses = [{', '.join(_quoted(s) for s in view.statuses)}]")
        if view.errors_only:
            lines.append("errors_only = true")
        for field in ("customer", "printer", "search"):
            value = getattr(view, field)
            if value is not None:
                lines.append(f"{field} = {_quoted(value)}")
        sections.append("\n".join(lines) + "\n")
    return "\n".join(sections)


def find_view(path: Path, name: str) -> SavedView:
    """The view of that name; raises ViewsError naming the known ones when there is none."""
    views = load_views(path)
    if name not in views:
        known = ", ".join(views) if views else strings.VIEWS_NONE_YET
        raise ViewsError(strings.VIEW_UNKNOWN.format(name=name, path=path, known=known))
    return views[name]


def save_view(path: Path, name: str, view: SavedView) -> None:
    """Add or replace one view, keeping the others; the file is replaced whole, never half written.

    Comments in a hand-edited file are not kept: the file is rewritten from its views.
    """
    views = load_views(path)
    views[name] = view
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".part")
    partial.write_text(views_toml(views), encoding="utf-8")
    os.replace(partial, path)
