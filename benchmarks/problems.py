"""How fast "what is going wrong now?" is answered on a big store: the query, and the command.

    python -m benchmarks.problems --records 100000
    python -m benchmarks.problems --store /tmp/orderdesk-bench/store.db   # one built before

Builds (or reuses) a store of N requests and N postbacks with their findings
(``store_builder``), then times, at the store's newest moment: the problem
groups of the last 24 hours and of the last 7 days, a page of the orders with
one finding, ``orderdesk problems`` and ``orderdesk problems --check`` as
whole processes, as a person or a monitor runs them, and the console's
Problems screen in a pseudo-terminal: from the key ``4`` to the painted groups,
the first time (the screen is built) and again (it reads them again). Prints the figures and
writes them as JSON (``--json PATH``). Nothing is asserted.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from benchmarks.queries import percentiles, time_each
from benchmarks.store_builder import BigStore, build_store, facts_path
from benchmarks.store_sinks import is_url
from benchmarks.tui_latency import Frame, Terminal, drawn_reference
from orderdesk import strings
from orderdesk.core.problems import FindingQuery, open_findings, problem_groups
from orderdesk.core.records import parse_timestamp
from orderdesk.core.schema import FINDINGS
from orderdesk.core.store import Store


def _store(target: str, records: int) -> BigStore:
    facts = facts_path(target)
    if facts.exists() and (is_url(target) or Path(target).exists()):
        return BigStore.load(facts)
    if not is_url(target):
        Path(target).parent.mkdir(parents=True, exist_ok=True)
    return build_store(target, records)


def time_queries(built: BigStore, repeat: int) -> dict[str, dict[str, float]]:
    """p50 and p95 of the problems' queries, in milliseconds, at the store's newest moment."""
    now = parse_timestamp(built.newest) + timedelta(minutes=1)
    with Store.open(built.path) as store:
        queries: dict[str, Callable[[], object]] = {
            "groups_24h": lambda: problem_groups(store, now=now, since=now - timedelta(days=1)),
            "groups_7d": lambda: problem_groups(store, now=now, since=now - timedelta(days=7)),
            "groups_24h_with_notices": lambda: problem_groups(
                store, now=now, since=now - timedelta(days=1), severities=("problem", "notice")
            ),
            "orders_not_received_page": lambda: open_findings(
                store, FindingQuery(rules=("not_received",)), now=now
            ),
        }
        return time_each(queries, repeat)


def time_commands(built: BigStore, repeat: int) -> dict[str, dict[str, float]]:
    """p50 and p95 of ``orderdesk problems --since 30d`` as a process, in real milliseconds."""
    commands = {
        "problems_table": ["problems", "--since", "30d", "--db", built.path],
        "problems_check": ["problems", "--check", "--since", "30d", "--db", built.path],
    }
    figures = {}
    for name, args in commands.items():
        times = []
        for _ in range(repeat):
            started = time.perf_counter()
            subprocess.run(
                [sys.executable, "-m", "orderdesk", *args], capture_output=True, check=False
            )
            times.append(time.perf_counter() - started)
        figures[name] = percentiles(times)
    return figures


def _painted_ms(frames: list[Frame]) -> dict[str, float]:
    return percentiles([frame.last for frame in frames])


def time_screen(
    built: BigStore, *, again: int = 5, columns: int = 120, lines: int = 40
) -> dict[str, Any]:
    """p50 and p95 from the key ``4`` to the Problems screen painted, in milliseconds.

    The console runs on the real clock, as a person's does: the store must be
    built recently enough for its problems to fall in the screen's last 24 hours.
    """
    now = datetime.now(UTC)
    with Store.open(built.path) as store:
        shown = len(problem_groups(store, now=now, since=now - timedelta(days=1)))
    heads = strings.PROBLEM_HEADS["state"].encode()
    terminal = Terminal(["--db", built.path, "--tz", "UTC"], columns, lines)
    try:
        terminal.read_until(drawn_reference(built.newest_reference, columns))
        terminal.settle()
        first = [terminal.key(b"4", needle=heads, timeout=60.0)]
        repeated = []
        for _ in range(again):
            terminal.key(b"1")  # back to the requests, then the problems again
            repeated.append(terminal.key(b"4", needle=heads, timeout=60.0))
    finally:
        terminal.quit()
    # With no group in the last 24 hours (a store built days ago) the figure would
    # time an empty screen: the count says which it was.
    return {"first_time": _painted_ms(first), "again": _painted_ms(repeated), "groups": shown}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument(
        "--store", help="A SQLite file or a PostgreSQL URL: the store built before, or to build."
    )
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--json", type=Path, help="Also write the figures here.")
    options = parser.parse_args()
    target = options.store or f"/tmp/orderdesk-bench/problems-{options.records}.db"
    built = _store(target, options.records)
    with Store.open(built.path) as store, store.engine.connect() as connection:
        rows = connection.execute(select(func.count()).select_from(FINDINGS)).scalar_one()
    figures = {
        "records_each_kind": built.records,
        "finding_rows": rows,
        "queries_ms": time_queries(built, options.repeat),
        "commands_ms": time_commands(built, max(3, options.repeat // 4)),
        "screen_ms": time_screen(built),
    }
    print(json.dumps(figures, indent=2))
    if options.json:
        options.json.write_text(json.dumps(figures, indent=2) + "\n")


if __name__ == "__main__":
    main()
