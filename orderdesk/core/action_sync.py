"""Following a source's action trail (log API 1.1) into the store, beside its records.

The sync follows ``GET /v1/actions`` exactly as it follows a kind of record
(``core/sync``); this is what differs: a version 1 source has no trail, which
is no error, and asking it again on every pass would be a request wasted each
time. One follower serves a whole run, and remembers the answer.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from orderdesk.core.action_records import ActionPage, ActionRecord
from orderdesk.core.action_trail import save_actions, trail_watermark
from orderdesk.core.actions_client import ActionsClient, Capability
from orderdesk.core.client import LogApiClient
from orderdesk.core.pages import SaveResult
from orderdesk.core.records import Watermark
from orderdesk.core.store import Store

__all__ = ["TrailFollower"]


class TrailFollower:
    """Fetches one source's action trail and saves it into one store, for one run of the sync."""

    def __init__(self, client: LogApiClient, store: Store) -> None:
        self._actions = ActionsClient(client)
        self._store = store
        self._present: bool | None = None

    def present(self, call: Callable[[Callable[[], Capability]], Capability]) -> bool:
        """Whether the source keeps a trail: asked once (through ``call``, which retries)."""
        if self._present is None:
            self._present = call(self._actions.capability).has_actions
        return self._present

    def absent(self) -> None:
        """The source turned out to list no actions: stop asking it, for this run."""
        self._present = False

    def fetch(self, after: Watermark | None, limit: int) -> ActionPage:
        """One page of the trail strictly after ``after``."""
        return self._actions.fetch_page(after, limit)

    def save(self, actions: Sequence[ActionRecord], watermark: Watermark) -> SaveResult:
        """Upsert a page of actions and advance the trail's watermark, in one transaction."""
        with self._store.writing() as connection:
            return save_actions(connection, actions, watermark)

    def watermark(self) -> Watermark | None:
        """Where the trail's next read starts after; None before its first page."""
        return trail_watermark(self._store)
