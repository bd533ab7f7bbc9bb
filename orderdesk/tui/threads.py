"""Work that reads the store, run in a thread so that the console keeps drawing meanwhile."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from textual.dom import DOMNode
from textual.worker import Worker

__all__ = ["in_thread"]


def in_thread(owner: DOMNode, work: Callable[[], Any], *, group: str, name: str) -> Worker[Any]:
    """Run ``work`` in a thread owned by ``owner``, the only one of its group.

    A new one cancels the one still running (its answer is then stale). An
    error reaches the owner as the worker's state instead of ending the console.
    """
    return owner.run_worker(
        work, thread=True, exclusive=True, group=group, name=name, exit_on_error=False
    )
