"""A simulated service, served over loopback, and a store synced from it: where the CLI acts.

The acting commands read their targets from the store and send through the
source, so a test of them needs both, the store a real SQLite file (or a
PostgreSQL database) synced over HTTP exactly as ``orderdesk sync`` would.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import Engine, create_engine, text
from sqlalchemy.exc import OperationalError

from orderdesk.core.client import LogApiClient
from orderdesk.core.records import Kind
from orderdesk.core.store import Store
from orderdesk.core.sync import sync_once
from orderdesk.sim import Faults, Simulation, SimulatorServer

__all__ = ["ACTOR", "KEY", "READ_KEY", "World", "answered", "opened_world"]

#: The resume command's words; at merge it becomes ["actions", "resume"].
RESUME = ["actions", "resume"]
KEY = "act-key"
READ_KEY = "read-key"
ACTOR = "alice@support"
#: Actions a second: fast enough that a few hundred take seconds, slow enough to kill half way.
PACE = "100"


@dataclass
class World:
    """The simulator, its server and faults, and the store synced from it."""

    sim: Simulation
    server: SimulatorServer
    faults: Faults
    db: str

    def env(self, key: str = KEY, **more: str) -> dict[str, str]:
        """The environment a user of this source and store runs ``orderdesk`` in."""
        return {
            "ORDERDESK_API_URL": self.server.url,
            "ORDERDESK_API_KEY": key,
            "ORDERDESK_DB": self.db,
            "ORDERDESK_ACTOR": ACTOR,
            "ORDERDESK_ACTION_PACE": PACE,
            **more,
        }

    def failed(self, kind: Kind, customer: str | None = None) -> list[str]:
        """The ids of the failed records (of one customer, if given), oldest first."""
        return [
            record.id
            for record in self.sim.records(kind)
            if record.status == "failed" and customer in (None, record.customer.id)
        ]

    def sent(self, kind: Kind, ids: list[str]) -> dict[str, int]:
        """How many messages the service's actions sent for each of ``ids``."""
        sent = self.server.sent
        return {one: sent.get(f"{kind}/{one}", 0) for one in ids}

    def wait_sent(self, kind: Kind, ids: list[str], *, within: float = 60) -> dict[str, int]:
        """``sent`` once every id had a message, or ``within`` seconds passed."""
        deadline = time.monotonic() + within
        while True:
            counts = self.sent(kind, ids)
            if all(counts.values()) or time.monotonic() > deadline:
                return counts
            time.sleep(0.1)


@contextmanager
def opened_world(db: str, *, hours: float, seed: int = 9, rate: float = 6.0) -> Iterator[World]:
    """A live simulator with ``hours`` of history at ``rate`` orders a minute, and ``db`` synced."""
    sim = Simulation(
        seed=seed, history=timedelta(hours=hours), history_rate=rate, rate=0.0, tick_seconds=0.05
    )
    faults = Faults(retry_after_seconds=0)
    with SimulatorServer(sim, api_key=KEY, read_key=READ_KEY, faults=faults) as server:
        with LogApiClient(server.url, KEY) as client, Store.open(db) as store:
            sync_once(client, store)
        try:
            yield World(sim, server, faults, db)
        finally:
            forget(db)


def answered(db: str) -> int:
    """How many journal entries the service has answered, read from the store as it is now.

    Read in SQL, not through ``Store.open``: the test polls while a process writes.
    """
    engine = _engines.get(db)
    if engine is None:
        engine = _engines[db] = create_engine(db if "://" in db else f"sqlite:///{db}")
    try:
        with engine.connect() as connection:
            count = connection.execute(
                text("SELECT count(*) FROM action_journal WHERE state != 'planned'")
            ).scalar_one()
    except OperationalError:  # a SQLite file still locked by its writer: nothing known yet
        return 0
    return int(count)


_engines: dict[str, Engine] = {}


def forget(db: str) -> None:
    """Close what ``answered`` opened on ``db``."""
    engine = _engines.pop(db, None)
    if engine is not None:
        engine.dispose()
