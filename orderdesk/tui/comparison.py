"""The record remembered as the base of a comparison, one per running console."""

from __future__ import annotations

from typing import Any
from weakref import WeakKeyDictionary

from textual.app import App

from orderdesk.core.records import Kind

__all__ = ["forget_base", "remember_base", "remembered_base"]

# Keyed by the app, so two consoles in one process (as in tests) never share a base.
_BASES: WeakKeyDictionary[App[Any], tuple[Kind, str]] = WeakKeyDictionary()


def remember_base(app: App[Any], kind: Kind, record_id: str) -> None:
    """Remember a record as the base that the next compared record is shown against."""
    _BASES[app] = (kind, record_id)


def remembered_base(app: App[Any]) -> tuple[Kind, str] | None:
    """The kind and id of the remembered base, if there is one."""
    return _BASES.get(app)


def forget_base(app: App[Any]) -> None:
    """Forget the base."""
    _BASES.pop(app, None)
