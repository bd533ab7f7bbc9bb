"""Records per second through ``orderdesk sync --once`` from ``orderdesk simulate`` over loopback.

    python -m benchmarks.sync_throughput --history 2d --history-rate 20/min

Both sides run as their own processes, as a user would run them. Prints a
table and writes the figures as JSON (``--json PATH``), including the store's
size per 10,000 records.
"""

from __future__ import annotations

import argparse
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
from pathlib import Path

_SERVING = re.compile(r"Serving (\d+) requests and (\d+) postbacks .* at (http://\S+)")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _orderdesk(*args: str) -> list[str]:
    return [sys.executable, "-m", "orderdesk", *args]


def measure(history: str, history_rate: str, seed: int) -> dict[str, object]:
    """Start a simulator, time one full sync into a fresh SQLite store, and size the store."""
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
        requests, postbacks, url = int(served[1]), int(served[2]), served[3]
        with tempfile.TemporaryDirectory() as folder:
            store = Path(folder) / "orderdesk.db"
            started = time.perf_counter()
            subprocess.run(
                _orderdesk(
                    "sync", "--once", "--api-url", url, "--api-key", "bench", "--db", str(store)
                ),
                check=True,
                stderr=subprocess.DEVNULL,
            )
            seconds = time.perf_counter() - started
            with sqlite3.connect(store) as database:
                database.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            database.close()
            size = store.stat().st_size
    finally:
        simulator.terminate()
        simulator.wait()
    records = requests + postbacks
    return {
        "records": records,
        "requests": requests,
        "postbacks": postbacks,
        "seconds": round(seconds, 2),
        "records_per_second": round(records / seconds),
        "store_bytes": size,
        "store_mb_per_10k_records": round(size / records * 10_000 / 1e6, 1),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}",
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--history", default="2d")
    parser.add_argument("--history-rate", default="20/min")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--json", type=Path, help="Also write the figures here.")
    options = parser.parse_args()
    figures = measure(options.history, options.history_rate, options.seed)
    for name, value in figures.items():
        print(f"{name:28} {value}")
    if options.json:
        options.json.write_text(json.dumps(figures, indent=2) + "\n")


if __name__ == "__main__":
    main()
