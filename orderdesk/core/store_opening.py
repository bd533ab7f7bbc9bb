"""A store opened in a thread of its own while the process loads what it needs next.

Opening a store on a server far away is mostly waiting: connecting, the
driver's first look at the server, the schema's version, each a round trip.
The console spends that time loading its own code, so it starts opening the
store first (``orderdesk`` with no command) and takes the store once it needs
it. What opening raised is raised then, in the caller's thread, as if it had
opened the store itself.
"""

from __future__ import annotations

import threading

from orderdesk.core.store import Store

__all__ = ["StoreOpening"]


class StoreOpening:
    """``Store.open(target)``, begun now in a thread and handed over by :meth:`store`."""

    def __init__(self, target: str) -> None:
        self._store: Store | None = None
        self._error: BaseException | None = None
        # A daemon: a process told to stop while the server is slow to answer need not wait.
        self._thread = threading.Thread(
            target=self._open, args=(target,), name="orderdesk-open-store", daemon=True
        )
        self._thread.start()

    def _open(self, target: str) -> None:
        try:
            self._store = Store.open(target)
        except BaseException as error:  # handed to the caller's thread by store()
            self._error = error

    def store(self) -> Store:
        """The open store, once it is; raises what opening it raised."""
        self._thread.join()
        if self._error is not None:
            raise self._error
        assert self._store is not None
        return self._store

    def close(self) -> None:
        """Close the store, if it opened: for a caller that may stop before it takes it."""
        self._thread.join()
        if self._store is not None:
            self._store.close()
