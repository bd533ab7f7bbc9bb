"""One sync per store: the lease that decides which process syncs, and what it last reported.

Where the engine has session locks (PostgreSQL's advisory locks), the lease is
one held on a connection of its own for as long as the holder lives: the server
lets go of it when the process dies, however it dies. Elsewhere (SQLite) the
lease is the ``sync_status`` row: its holder renews ``expires_at`` every
heartbeat, and a lease past its expiry (three heartbeats missed) may be taken over.

Either way the holder writes how its passes go to that row, so that every
viewer of the store can show the service's freshness by reading one row.
"""

from __future__ import annotations

import os
import socket
import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from types import TracebackType
from typing import Self

from sqlalchemy import Connection, func, insert, select, update
from sqlalchemy.exc import DBAPIError

from orderdesk import strings
from orderdesk.core.errors import StoreError
from orderdesk.core.progress import SyncProgress
from orderdesk.core.schema import SYNC_STATUS, WATERMARKS
from orderdesk.core.store import Store

__all__ = [
    "DEFAULT_HEARTBEAT",
    "LEASE_KEY",
    "Lease",
    "LeaseHeld",
    "SyncStatus",
    "holder_id",
    "lease_holder",
    "read_lease",
    "read_status",
]

#: The session-level advisory lock's key on PostgreSQL ("ordesync" in ASCII), not
#: the write lock's: holding the lease must not stop anyone from writing a page.
LEASE_KEY = 0x6F72646573796E63
#: Seconds between a SQLite holder's renewals; its lease expires after three.
DEFAULT_HEARTBEAT = 5.0
_ROW = "sync"
# Progress comes page by page; the row is rewritten at most this often in between.
_STATUS_EVERY = 1.0


def holder_id() -> str:
    """Who this process is, as a lease names its holder: ``host:pid``."""
    return f"{socket.gethostname()}:{os.getpid()}"


def _now() -> datetime:
    return datetime.now(UTC)


def _is_gone(holder: str) -> bool:
    """True if ``holder`` was a process of this machine that no longer runs.

    A killed process cannot release a SQLite lease; on its own machine it need
    not be waited out (a pid reused meanwhile only makes us wait for expiry).
    """
    host, _, pid = holder.rpartition(":")
    if host != socket.gethostname() or not pid.isdigit():
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False


class LeaseHeld(StoreError):
    """Another process syncs this store."""

    def __init__(self, holder: str, where: str) -> None:
        super().__init__(
            f"{holder} is already syncing {where}; stop it first, or wait for it with --wait"
        )
        self.holder = holder


@dataclass(frozen=True)
class SyncStatus:
    """The ``sync_status`` row: who syncs the store, and how its last pass went."""

    holder: str | None
    acquired_at: datetime | None
    heartbeat_at: datetime | None
    expires_at: datetime | None
    last_success_at: datetime | None
    last_error: str | None
    last_error_brief: str | None
    failing_since: datetime | None
    next_retry_at: datetime | None
    watermark_at: datetime | None
    holders: tuple[str, ...]


def read_status(store: Store) -> SyncStatus | None:
    """The store's sync status, in one read; None if no process ever synced it."""
    with store.asking() as connection:
        row = connection.execute(select(SYNC_STATUS).where(SYNC_STATUS.c.name == _ROW)).first()
    if row is None:
        return None
    return SyncStatus(
        holder=row.holder,
        acquired_at=row.acquired_at,
        heartbeat_at=row.heartbeat_at,
        expires_at=row.expires_at,
        last_success_at=row.last_success_at,
        last_error=row.last_error,
        last_error_brief=row.last_error_brief,
        failing_since=row.failing_since,
        next_retry_at=row.next_retry_at,
        watermark_at=row.watermark_at,
        holders=tuple(line for line in row.holders.splitlines() if line),
    )


def lease_holder(store: Store, now: datetime | None = None) -> str | None:
    """Who holds the store's lease now, or None if it is free; only reads, so any role may ask."""
    return read_lease(store, now)[0]


def read_lease(store: Store, now: datetime | None = None) -> tuple[str | None, SyncStatus | None]:
    """Who holds the lease (:func:`lease_holder`) and the sync's status, read once."""
    status = read_status(store)
    return _holder(store, status, now), status


def _holder(store: Store, status: SyncStatus | None, now: datetime | None) -> str | None:
    if store.backend.HAS_SESSION_LOCKS:
        with store.asking() as connection:
            held = store.backend.session_lock_held(connection, LEASE_KEY)
        if not held:
            return None
        return status.holder if status is not None and status.holder else strings.ANOTHER_PROCESS
    if status is None or status.holder is None or status.expires_at is None:
        return None
    if status.expires_at <= (now or _now()) or _is_gone(status.holder):
        return None
    return status.holder


class Lease:
    """The right to sync one store, held until released or until the process dies."""

    def __init__(self, store: Store, holder: str, heartbeat: float) -> None:
        self.store = store
        self.holder = holder
        self.heartbeat = heartbeat
        #: Set if a SQLite lease was taken over (this process stalled past its expiry).
        self.lost = threading.Event()
        self._released = threading.Event()
        self._lock_connection: Connection | None = None
        self._beating: threading.Thread | None = None
        self._last_write = 0.0
        self._last_error: str | None = None

    @classmethod
    def acquire(
        cls, store: Store, *, holder: str | None = None, heartbeat: float = DEFAULT_HEARTBEAT
    ) -> Lease:
        """Take the store's lease, or raise :class:`LeaseHeld` naming who has it."""
        lease = cls(store, holder or holder_id(), heartbeat)
        if store.backend.HAS_SESSION_LOCKS:
            lease._lock_session()
        else:
            lease._claim_row()
            lease._beating = threading.Thread(
                target=lease._beat, name="orderdesk-lease", daemon=True
            )
            lease._beating.start()
        return lease

    @classmethod
    def wait_for(
        cls,
        store: Store,
        stop: threading.Event,
        *,
        holder: str | None = None,
        heartbeat: float = DEFAULT_HEARTBEAT,
    ) -> Lease | None:
        """Take the lease as soon as it is free; None if ``stop`` is set first."""
        while not stop.is_set():
            try:
                return cls.acquire(store, holder=holder, heartbeat=heartbeat)
            except LeaseHeld:
                stop.wait(heartbeat)
        return None

    def _lock_session(self) -> None:
        connection = self.store.backend.take_session_lock(self.store.engine, LEASE_KEY)
        if connection is None:
            raise LeaseHeld(
                lease_holder(self.store) or strings.ANOTHER_PROCESS, self.store.shown_url
            )
        self._lock_connection = connection
        try:
            with self.store.writing() as writing:
                self._write_holder(writing, _now())
        except BaseException:
            self.release()
            raise

    def _claim_row(self) -> None:
        with self.store.writing() as connection:
            now = _now()
            row = connection.execute(
                select(SYNC_STATUS.c.holder, SYNC_STATUS.c.expires_at).where(
                    SYNC_STATUS.c.name == _ROW
                )
            ).first()
            if (
                row is not None
                and row.holder is not None
                and row.holder != self.holder
                and row.expires_at is not None
                and row.expires_at > now
                and not _is_gone(row.holder)
            ):
                raise LeaseHeld(row.holder, self.store.shown_url)
            self._write_holder(connection, now)

    def _write_holder(self, connection: Connection, now: datetime) -> None:
        expires = now + timedelta(seconds=3 * self.heartbeat)
        values = {
            "holder": self.holder,
            "acquired_at": now,
            "heartbeat_at": now,
            "expires_at": expires,
        }
        holders = connection.execute(
            select(SYNC_STATUS.c.holders).where(SYNC_STATUS.c.name == _ROW)
        ).scalar_one_or_none()
        if holders is None:
            connection.execute(
                insert(SYNC_STATUS), {"name": _ROW, "holders": self.holder, **values}
            )
        else:
            connection.execute(
                update(SYNC_STATUS)
                .where(SYNC_STATUS.c.name == _ROW)
                .values(holders=f"{holders}\n{self.holder}", **values)
            )

    def _beat(self) -> None:
        """Renew a SQLite lease every heartbeat until released, or until it was taken over."""
        while not self._released.wait(self.heartbeat):
            now = _now()
            try:
                with self.store.writing() as connection:
                    renewed = connection.execute(
                        update(SYNC_STATUS)
                        .where(SYNC_STATUS.c.name == _ROW, SYNC_STATUS.c.holder == self.holder)
                        .values(
                            heartbeat_at=now,
                            expires_at=now + timedelta(seconds=3 * self.heartbeat),
                        )
                    ).rowcount
            except DBAPIError:
                # A store busy past its timeout: the next beat tries again, and
                # the lease only lapses if three in a row fail.
                continue
            if not renewed:
                self.lost.set()
                return

    def report(self, progress: SyncProgress) -> None:
        """Write a pass's progress to the status row; rewritten at most once a second mid-pass."""
        moment = time.monotonic()
        if (
            not progress.caught_up
            and progress.last_error == self._last_error
            and moment - self._last_write < _STATUS_EVERY
        ):
            return
        self._last_write = moment
        self._last_error = progress.last_error
        values: dict[str, object] = {
            "last_error": progress.last_error,
            "last_error_brief": progress.last_error_brief,
            "failing_since": progress.failing_since,
            "next_retry_at": progress.next_retry_at,
        }
        # "Synced" means caught up: a pass still pulling, or one that failed or
        # was stopped half way, leaves the last sync that ended where it was.
        if progress.caught_up and progress.last_success_at is not None:
            values["last_success_at"] = progress.last_success_at
        with self.store.writing() as connection:
            values["watermark_at"] = connection.execute(
                select(func.max(WATERMARKS.c.updated_at))
            ).scalar()
            connection.execute(
                update(SYNC_STATUS)
                .where(SYNC_STATUS.c.name == _ROW, SYNC_STATUS.c.holder == self.holder)
                .values(**values)
            )

    def release(self) -> None:
        """Let the lease go, so another process may sync at once."""
        if self._released.is_set():
            return
        self._released.set()
        if self._beating is not None:
            self._beating.join()
        try:
            with self.store.writing() as connection:
                connection.execute(
                    update(SYNC_STATUS)
                    .where(SYNC_STATUS.c.name == _ROW, SYNC_STATUS.c.holder == self.holder)
                    .values(holder=None, expires_at=None)
                )
        finally:
            if self._lock_connection is not None:
                self.store.backend.release_session_lock(self._lock_connection, LEASE_KEY)
                self._lock_connection.close()
                self._lock_connection = None

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.release()
