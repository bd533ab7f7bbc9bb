"""Whether this console may act (redeliver, resubmit), and the means to: its source, key and actor.

Who may act is the source's decision, never assumed: the console asks the
source's health whether its key may act, and offers no action until it has
said yes. Even then the user's settings may hide every action (read-only),
and a console with no source of its own (a viewer of a store a service syncs)
has none, since each person acts with their own key.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

from orderdesk import strings
from orderdesk.core.acting import DEFAULT_PACE, ActionRunner
from orderdesk.core.action_journal import ActionJournal, JournalEntry
from orderdesk.core.actions_client import ActionsClient, Capability
from orderdesk.core.backoff import Backoff
from orderdesk.core.errors import SourceError
from orderdesk.core.store import Store
from orderdesk.core.sync_service import Source

__all__ = ["ConsoleActing"]


class ConsoleActing:
    """What this console needs to act, and whether the source lets it."""

    def __init__(
        self,
        store: Store,
        source: Source | None,
        *,
        actor: str,
        cap: int,
        read_only: bool = False,
        pace: float = DEFAULT_PACE,
        backoff: Backoff | None = None,
    ) -> None:
        self.store = store
        #: The console's own source; None for a viewer (or a demo whose source is not up yet).
        self.source = source
        #: Who acts, as the service's trail records it.
        self.actor = actor
        #: The most records one action may send to.
        self.cap = cap
        #: Actions per second.
        self.pace = pace
        self.read_only = read_only
        #: How long to wait between tries of a send; None: the product's own.
        self.backoff = backoff
        #: What the source said of this key; None until asked (``check``).
        self.capability: Capability | None = None
        #: Why asking failed, one line; None when it did not.
        self.check_error: str | None = None
        self.journal = ActionJournal(store)

    def source_opened(self, source: Source) -> None:
        """The console's source is up (the demo starts its own): what was asked is asked again."""
        self.source = source
        self.capability = None
        self.check_error = None

    @property
    def may_act(self) -> bool:
        """True when the source said this key may act and nothing here hides actions."""
        return (
            not self.read_only
            and self.source is not None
            and self.capability is not None
            and self.capability.may_act
        )

    @property
    def why_not(self) -> str | None:
        """Why this console cannot act, in one line; None when it can."""
        if self.read_only:
            return strings.ACTING_HIDDEN_READ_ONLY
        if self.source is None:
            return strings.ACTING_NO_SOURCE
        if self.check_error is not None:
            return self.check_error
        if self.capability is None:
            return strings.ACTING_NOT_ASKED
        if not self.capability.has_actions:
            return strings.ACTING_NO_ACTIONS.format(version=self.capability.version)
        if not self.capability.may_act:
            return strings.ACTING_READ_KEY
        return None

    def check(self) -> Capability | None:
        """Ask the source whether its key may act (blocking: run it in a thread)."""
        if self.source is None or self.read_only:
            return None
        from orderdesk.core.client import LogApiClient

        try:
            with LogApiClient(self.source.url, self.source.api_key) as log_api:
                self.capability = ActionsClient(log_api).capability()
                self.check_error = None
        except SourceError as error:
            self.check_error = error.brief or str(error)
        return self.capability

    @contextmanager
    def runner(self, stop: threading.Event | None = None) -> Iterator[ActionRunner]:
        """An action runner over the console's source, open for the block."""
        if self.source is None:
            raise RuntimeError("a console without a source cannot act")
        from orderdesk.core.client import LogApiClient

        with LogApiClient(self.source.url, self.source.api_key) as log_api:
            # Waits between retries end at once when the user cancels.
            waits = stop or threading.Event()
            client = ActionsClient(log_api, backoff=self.backoff, sleep=waits.wait)
            yield ActionRunner(self.journal, client, stop=waits)

    def pending(self) -> list[JournalEntry]:
        """This actor's actions a crash or a lost connection left unfinished."""
        return self.journal.pending(self.actor)
