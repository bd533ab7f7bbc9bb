"""What asks a long task (a backfill, a prune, giving space back) to stop between its steps."""

from __future__ import annotations

from typing import Protocol

__all__ = ["Stop"]


class Stop(Protocol):
    """What asks a long task to stop between steps: a ``threading.Event``, typically."""

    def is_set(self) -> bool:
        """Whether to stop now."""
        ...
