"""``orderdesk demo``: a simulated service, a fresh store, the sync and the TUI, in one process.

The simulator serves real HTTP on a free loopback port, so the demo runs the
same client, sync and store as a real deployment; only the service is made up.
"""

from __future__ import annotations

import gc
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta, tzinfo
from functools import partial
from pathlib import Path

from orderdesk.core.store import Store
from orderdesk.core.sync_service import Source, SourceOpener
from orderdesk.sim import Simulation
from orderdesk.sim.server import SimulatorServer
from orderdesk.tui.acting import ConsoleActing
from orderdesk.tui.app import OrderdeskApp
from orderdesk.tui.terminal import drawing_on_terminal

__all__ = ["DEMO_INTERVAL", "demo_app", "run_demo", "simulated_source"]

#: Seconds between polls: short, so live traffic shows up while someone watches.
DEMO_INTERVAL = 2.0


@contextmanager
def simulated_source(
    *, seed: int, history: timedelta, history_rate: float, rate: float, freeze: bool = False
) -> Iterator[Source]:
    """A simulated service on a free loopback port, live until the block ends."""
    # Generating a week takes seconds: this runs in the sync's thread, while the
    # screens are already up and the status line says the sync is starting.
    sim = Simulation(seed=seed, history=history, history_rate=history_rate, rate=rate)
    if freeze:
        # The week of history stays for the whole demo: keep the collector off
        # it (only in a process that is the demo, see OrderdeskApp).
        gc.freeze()
    with SimulatorServer(sim, "127.0.0.1", 0) as server:
        yield Source(server.url, None, interval=DEMO_INTERVAL)


def demo_app(
    store: Store,
    *,
    seed: int,
    history: timedelta,
    history_rate: float,
    rate: float,
    zone: tzinfo | None,
    whole_process: bool = False,
    actor: str = "demo@orderdesk",
    cap: int = 500,
    read_only: bool = False,
) -> OrderdeskApp:
    """The console over ``store``, following a simulated service it starts itself."""
    acting = ConsoleActing(store, None, actor=actor, cap=cap, read_only=read_only)
    opener = partial(
        _acting_on,
        acting,
        partial(
            simulated_source,
            seed=seed,
            history=history,
            history_rate=history_rate,
            rate=rate,
            freeze=whole_process,
        ),
    )
    return OrderdeskApp(
        store, open_source=opener, zone=zone, freeze_startup=whole_process, acting=acting
    )


@contextmanager
def _acting_on(acting: ConsoleActing, opener: SourceOpener) -> Iterator[Source]:
    """Open the simulated source, and let the console act on it while it is up."""
    with opener() as source:
        acting.source_opened(source)
        yield source


def run_demo(
    *,
    seed: int,
    history: timedelta,
    history_rate: float,
    rate: float,
    zone: tzinfo | None,
    actor: str,
    read_only: bool = False,
) -> None:
    """Run the demo until the user quits; the temporary store is deleted at exit.

    ``actor`` is who acts in the simulated service's trail (the settings' actor).
    """
    with (
        tempfile.TemporaryDirectory(prefix="orderdesk-demo-") as folder,
        Store.open(Path(folder) / "orderdesk.db") as store,
    ):
        app = demo_app(
            store,
            seed=seed,
            history=history,
            history_rate=history_rate,
            rate=rate,
            zone=zone,
            whole_process=True,
            actor=actor,
            read_only=read_only,
        )
        with drawing_on_terminal():
            app.run()
