"""When the user last looked at the Problems, kept between consoles, one moment per store.

A problem group is *new* when it was first seen after the user last looked.
Kept only for one console, every group would be new again each morning, and
"new" would say nothing. So the moment is kept in the user's data folder,
beside the default store, as JSON: ``{"store URL (no password)": "ISO time"}``.

It is one person's look, so it stays on their machine even when the store is
a team's. A file that cannot be read counts as never looked (every group is
new, which is what a first look shows); one that cannot be written leaves
the look to this console. Neither stops the console.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from platformdirs import user_data_path

__all__ = ["LastLooked", "default_looked_path"]

#: Stores remembered; the oldest looks are forgotten first (demo stores come and go).
_MOST_STORES = 50


def default_looked_path() -> Path:
    """``problems-looked.json`` in the user's data folder (``~/.local/share/orderdesk/``)."""
    return user_data_path("orderdesk", appauthor=False) / "problems-looked.json"


def _read(path: Path) -> dict[str, str]:
    try:
        kept = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    if not isinstance(kept, dict):
        return {}
    return {key: value for key, value in kept.items() if isinstance(value, str)}


@dataclass
class LastLooked:
    """When the user last had the Problems screen open on ``store`` (None: never).

    With no ``path`` it lasts as long as the console (tests, the demo).
    """

    at: datetime | None = None
    path: Path | None = None
    store: str = ""

    @classmethod
    def kept(cls, path: Path, store: str) -> LastLooked:
        """The look kept in ``path`` for ``store``, or a first look."""
        moment = _read(path).get(store)
        try:
            at = datetime.fromisoformat(moment) if moment is not None else None
        except ValueError:
            at = None
        if at is not None and at.tzinfo is None:
            at = None  # not a moment we wrote: we always write UTC
        return cls(at=at, path=path, store=store)

    def saw(self, at: datetime) -> None:
        """The user saw the problems at ``at``: remember it here, and in ``path`` if kept."""
        self.at = at
        if self.path is None:
            return
        kept = _read(self.path)
        kept.pop(self.store, None)
        kept[self.store] = at.isoformat()
        newest = dict(list(kept.items())[-_MOST_STORES:])
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            written = self.path.with_name(f".{self.path.name}.{os.getpid()}")
            written.write_text(json.dumps(newest, indent=1), encoding="utf-8")
            # Whole or not at all: two consoles closing at once each leave a whole file.
            written.replace(self.path)
        except OSError:
            return
