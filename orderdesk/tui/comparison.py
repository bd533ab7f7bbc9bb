"""The record remembered as the base of a comparison, one per running console."""

from __future__ import annotations

from typing import Any
from weakref import WeakKeyDictionary

from textual.app import App

from orderdesk import strings
from orderdesk.core.queries import get_record
from orderdesk.core.records import Kind, LogRecord
from orderdesk.core.store import Store

__all__ = ["base_to_compare", "forget_base", "remember_base", "remembered_base"]

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


def base_to_compare(app: App[Any], store: Store, kind: Kind, record_id: str) -> LogRecord | str:
    """The base to compare this record with; or, this record now being the base, what to say."""
    base = remembered_base(app)
    if base is not None and base[0] == kind and base[1] == record_id:
        return strings.COMPARE_SAME_RECORD[kind]
    base_record = get_record(store, *base) if base is not None and base[0] == kind else None
    # No base yet, one of the other kind, or one gone from the store since: this one is the base.
    if base_record is None:
        remember_base(app, kind, record_id)
        if base is not None and base[0] != kind:
            return strings.COMPARE_OTHER_KIND[kind]
        return strings.COMPARE_BASE_SET[kind].format(id=record_id)
    return base_record
