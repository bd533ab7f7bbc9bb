"""Records per second through ``orderdesk sync --once`` from ``orderdesk simulate`` over loopback.

    python -m benchmarks.sync_throughput --history 2d --history-rate 20/min
    python -m benchmarks.sync_throughput --db postgresql+psycopg://me@localhost/empty_db

Both sides run as their own processes, as a user would run them. The store is
a fresh SQLite file, or the empty database ``--db`` names. Then the list
queries the console runs are timed on it (p50 and p95 of ``--repeat`` runs
each). Prints a table and writes the figures as JSON (``--json PATH``),
including the store's size per 10,000 records.

What the findings cost (``findings_cost_percent``): the same history synced
in this process into fresh SQLite files, ``--findings-runs`` times with the
findings kept and as many without, alternately; the figure is how much lower
the median throughput with them is than without (0 runs: not measured); and
the same of records per second of the process's CPU time, which others' work
on a shared machine moves less. Each pair's own figure is given too
(``findings_cost_percent_by_pair``): two runs of five pairs each gave 13.7%
and 20.6% on one evening, and the pairs show how far apart the syncs of one
run land. With ``--findings-server URL`` those syncs go
into fresh databases on that PostgreSQL server instead, each made for its run
and dropped after it. Those syncs run at orderdesk's collector
thresholds (``cli/collector.py``), or at Python's own with ``--python-collector``.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import platform
import re
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from statistics import median

from sqlalchemy import create_engine, make_url

from benchmarks.queries import time_each
from orderdesk.cli.collector import collect_less_often
from orderdesk.core.client import LogApiClient
from orderdesk.core.queries import RecordQuery, list_summaries
from orderdesk.core.store import Store
from orderdesk.core.sync import sync_once

#: Python 3.11's own collector thresholds, before ``orderdesk`` sets its own.
PYTHON_THRESHOLDS = (700, 10, 10)
_SERVING = re.compile(r"Serving (\d+) requests and (\d+) postbacks .* at (http://\S+)")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _orderdesk(*args: str) -> list[str]:
    return [sys.executable, "-m", "orderdesk", *args]


@contextmanager
def _target(db: str | None) -> Iterator[str]:
    """The store to sync into: the database given, or a SQLite file removed afterwards."""
    if db is not None:
        yield db
        return
    with tempfile.TemporaryDirectory() as folder:
        yield str(Path(folder) / "orderdesk.db")


def _size(store: str) -> int:
    if "://" in store:
        with Store.open(store) as opened, opened.engine.connect() as connection:
            size = connection.exec_driver_sql("SELECT pg_database_size(current_database())")
            return int(size.scalar_one())
    with sqlite3.connect(store) as database:
        database.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    database.close()
    return Path(store).stat().st_size


def time_queries(store: str, repeat: int) -> dict[str, dict[str, float]]:
    """p50 and p95 of a 100-row page for the lists' commonest questions."""
    with Store.open(store) as opened:
        middle = list_summaries(opened, RecordQuery("requests"), limit=5_000)[-1].cursor
        pages: dict[str, Callable[[], object]] = {
            "newest_page": lambda: list_summaries(opened, RecordQuery("requests")),
            "page_5000_rows_down": lambda: list_summaries(
                opened, RecordQuery("requests"), after=middle
            ),
            "failed_only": lambda: list_summaries(
                opened, RecordQuery("requests", statuses=("failed",))
            ),
            "postbacks_retrying": lambda: list_summaries(
                opened, RecordQuery("postbacks", statuses=("retrying", "failed"))
            ),
            "search_nothing_matches": lambda: list_summaries(
                opened, RecordQuery("requests", search=("ORD-1042",))
            ),
            "search_a_common_word": lambda: list_summaries(
                opened, RecordQuery("requests", search=("shipping",))
            ),
        }
        return time_each(pages, repeat)


#: Records the simulator serves for H hours of history at 20 orders a minute, both
#: kinds, are about ``RECORDS_PER_HOUR * H - RAMP``: measured 11,875 for 5 h and
#: 146,406 for 39 h. Early hours hold fewer postbacks, whose orders are still young.
RECORDS_PER_HOUR = 3_957
RAMP = 7_910


def sync_history(records: int) -> str:
    """The ``--history`` at ``20/min`` that holds about ``records`` records."""
    return f"{max(1, round((records + RAMP) / RECORDS_PER_HOUR))}h"


def measure_sync(records: int, seed: int = 1, server: str | None = None) -> dict[str, object]:
    """Records per second through a full sync of about ``records`` records into a new store.

    A SQLite file, or with ``server`` a database made on that PostgreSQL server.
    """
    return measure(sync_history(records), "20/min", seed, repeat=0, server=server)


@contextmanager
def _simulator(history: str, history_rate: str, seed: int) -> Iterator[tuple[int, int, str]]:
    """A simulator serving the history: how many requests and postbacks, and its URL."""
    port = _free_port()
    simulator = subprocess.Popen(
        _orderdesk(
            "simulate",
            "--port",
            str(port),
            "--seed",
            str(seed),
            "--history",
            history,
            "--history-rate",
            history_rate,
            "--rate",
            "0/min",
            "--api-key",
            "bench",
        ),
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert simulator.stderr is not None
        for line in simulator.stderr:
            served = _SERVING.search(line)
            if served:
                break
        else:
            raise SystemExit("the simulator stopped before serving")
        yield int(served[1]), int(served[2]), served[3]
    finally:
        simulator.terminate()
        simulator.wait()
        if simulator.stderr is not None:
            simulator.stderr.close()


@contextmanager
def _fresh_store(server: str | None) -> Iterator[str]:
    """A fresh store: a SQLite file, or a database made on the PostgreSQL server, then dropped."""
    if server is None:
        with _target(None) as target:
            yield target
        return
    url = make_url(server)
    name = f"orderdesk_bench_{os.getpid()}"
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
        yield url.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()


def _synced_in_process(
    url: str, records: int, *, findings: bool, server: str | None = None
) -> tuple[float, float]:
    """Records per second of one sync into a fresh store, in this process.

    Per second of the clock, and per second of this process's CPU time: on a
    machine others share, the second moves less with what they do.
    """
    with (
        _fresh_store(server) as target,
        Store.open(target, findings=findings) as store,
        LogApiClient(url, "bench") as client,
    ):
        # From a collected heap: what the run before left is not walked on this one's time.
        gc.collect()
        started, worked = time.perf_counter(), time.process_time()
        sync_once(client, store)
        seconds, cpu = time.perf_counter() - started, time.process_time() - worked
        return records / seconds, records / cpu


def measure_findings_cost(
    history: str,
    history_rate: str,
    seed: int,
    runs: int = 3,
    *,
    python_collector: bool = False,
    server: str | None = None,
) -> dict[str, object]:
    """The throughput with the findings kept and without, and how much they cost, in percent.

    Runs alternate (with, without) so that a busy moment of the machine weighs on both.
    The collector runs as often as in an ``orderdesk`` process (``cli.collector``),
    or with ``python_collector`` at Python's own thresholds, to see what those cost.
    """
    if python_collector:
        gc.set_threshold(*PYTHON_THRESHOLDS)
    else:
        collect_less_often()
    with _simulator(history, history_rate, seed) as (requests, postbacks, url):
        records = requests + postbacks
        kept: list[tuple[float, float]] = []
        left: list[tuple[float, float]] = []
        for _ in range(runs):
            kept.append(_synced_in_process(url, records, findings=True, server=server))
            left.append(_synced_in_process(url, records, findings=False, server=server))
    with_findings, without = median(r for r, _ in kept), median(r for r, _ in left)
    with_cpu, without_cpu = median(r for _, r in kept), median(r for _, r in left)
    return {
        "in_process_records": records,
        "in_process_store": "sqlite" if server is None else "postgresql",
        "in_process_with_findings": round(with_findings),
        "in_process_without_findings": round(without),
        "findings_cost_percent": round((1 - with_findings / without) * 100, 1),
        "in_process_per_cpu_second_with_findings": round(with_cpu),
        "in_process_per_cpu_second_without_findings": round(without_cpu),
        "findings_cost_percent_of_cpu": round((1 - with_cpu / without_cpu) * 100, 1),
        "findings_cost_percent_by_pair": [
            round((1 - with_run / without_run) * 100, 1)
            for (with_run, _), (without_run, _) in zip(kept, left, strict=True)
        ],
        "in_process_collector": "python" if python_collector else "orderdesk",
    }


def measure(
    history: str,
    history_rate: str,
    seed: int,
    db: str | None = None,
    repeat: int = 200,
    *,
    server: str | None = None,
) -> dict[str, object]:
    """Start a simulator, time one full sync into a fresh store, size it and time its lists.

    The store is ``db``, or a database made on the PostgreSQL ``server`` and
    dropped after, or else a SQLite file. With ``repeat=0`` the lists are not timed.
    """
    with (
        _simulator(history, history_rate, seed) as (requests, postbacks, url),
        _fresh_store(server) if server is not None else _target(db) as store,
    ):
        started = time.perf_counter()
        subprocess.run(
            _orderdesk("sync", "--once", "--api-url", url, "--api-key", "bench", "--db", store),
            check=True,
            stderr=subprocess.DEVNULL,
        )
        seconds = time.perf_counter() - started
        size = _size(store)
        queries = time_queries(store, repeat) if repeat else {}
    records = requests + postbacks
    return {
        "store": "sqlite"
        if db is None and server is None
        else (db or server or "").split(":", 1)[0],
        "records": records,
        "requests": requests,
        "postbacks": postbacks,
        "seconds": round(seconds, 2),
        "records_per_second": round(records / seconds),
        "store_bytes": size,
        "store_mb_per_10k_records": round(size / records * 10_000 / 1e6, 1),
        "list_queries": queries,
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}",
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--history", default="2d")
    parser.add_argument("--history-rate", default="20/min")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--db", help="An empty database to sync into (default: a SQLite file).")
    parser.add_argument("--repeat", type=int, default=200, help="Runs of each list query.")
    parser.add_argument("--json", type=Path, help="Also write the figures here.")
    parser.add_argument(
        "--findings-runs",
        type=int,
        default=3,
        help="Syncs with the findings and as many without, to tell what they cost (0: none).",
    )
    parser.add_argument(
        "--findings-server",
        metavar="URL",
        help="Measure the findings' cost on this PostgreSQL server, in databases made and dropped.",
    )
    parser.add_argument(
        "--python-collector",
        action="store_true",
        help="Sync in process at Python's own collector thresholds, not orderdesk's.",
    )
    options = parser.parse_args()
    figures = measure(
        options.history, options.history_rate, options.seed, options.db, options.repeat
    )
    if options.findings_runs:
        figures |= measure_findings_cost(
            options.history,
            options.history_rate,
            options.seed,
            options.findings_runs,
            python_collector=options.python_collector,
            server=options.findings_server,
        )
    for name, value in figures.items():
        print(f"{name:28} {value}")
    if options.json:
        options.json.write_text(json.dumps(figures, indent=2) + "\n")


if __name__ == "__main__":
    main()
