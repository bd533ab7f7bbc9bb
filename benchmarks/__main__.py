"""The benchmark suite: every figure orderdesk promises, measured in one run.

    python -m benchmarks --records 1000000

Builds (or reuses) a store of N requests and N postbacks, then measures sync
throughput over loopback HTTP, the screens' queries, the console in a real
pseudo-terminal, and the same questions answered with jq and lnav over a JSON
lines export. With ``--postgres URL``, the same store is built into that
database too, and its queries, its Problems, the findings' cost to a sync (in
databases made beside it) and the console on it are timed,
the console directly and through a proxy adding 20 ms to each round trip (a
team's store across a tunnel). Prints a table against the targets and writes
every figure as JSON. Figures are reported, never asserted: a slow run is a
finding, not a failure.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from benchmarks import problems, startup
from benchmarks.baselines import ensure_tools, measure_baselines
from benchmarks.queries import measure_queries
from benchmarks.remote import measure_remote
from benchmarks.store_builder import BigStore, build_store, facts_path
from benchmarks.sync_throughput import measure_findings_cost, measure_sync, sync_history
from benchmarks.targets import TARGETS, report
from benchmarks.tui_latency import measure_ui
from orderdesk.core.records import parse_timestamp

#: The sync is timed on this many records, or on N when N is smaller.
SYNC_RECORDS = 100_000


def _findings_cost(records: int, server: str | None = None) -> dict[str, object]:
    """What keeping the findings costs a sync of ``records`` records, SQLite or on ``server``."""
    synced = min(SYNC_RECORDS, records)
    # Three syncs each way on a real store, one on the tests' small one.
    runs = 3 if records >= 200_000 else 1
    return measure_findings_cost(sync_history(synced), "20/min", 1, runs, server=server)


def _say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def _store(work: Path, records: int, seed: int, rebuild: bool) -> BigStore:
    """The store of ``records`` of each kind: the one built before, or a new one."""
    path = work / f"store-{records}-{seed}.db"
    facts = Path(f"{path}.json")
    if not rebuild and path.exists() and facts.exists():
        built = BigStore.load(facts)
        _say(f"reusing {path} (built {built.built_at} in {built.seconds} s)")
        return built
    _say(f"building a store of {records:,} requests and {records:,} postbacks at {path}")
    return build_store(path, records, seed=seed)


def _postgresql(options: argparse.Namespace) -> dict[str, Any]:
    """The same store built into ``--postgres``'s database (or the one built before), timed."""
    url: str = options.postgres
    # Beside the SQLite store's, in the work folder: a database of the same name
    # elsewhere is another store.
    facts = options.work / facts_path(url).name
    built = BigStore.load(facts) if facts.exists() and not options.rebuild else None
    if built is None or (built.records, built.seed, built.path) != (
        options.records,
        options.seed,
        url,
    ):
        _say(f"building {options.records:,} requests and postbacks in {url}")
        built = build_store(url, options.records, seed=options.seed, facts=facts)
    # The console's keys as in ``tui_latency``, fewer of them when few queries are asked.
    presses = min(30, options.repeat)
    return {
        "build_seconds": built.seconds,
        "queries": measure_queries(built, options.repeat),
        "problems": {
            "queries": problems.time_queries(built, options.repeat),
            "screen": problems.time_screen(built),
        },
        "remote": measure_remote(
            url,
            first_reference=built.newest_reference,
            presses=presses,
            ends=min(5, presses),
            errors=min(4, presses),
            statuses=min(2, presses),
        ),
        "findings": _findings_cost(options.records, server=url),
        # As the SQLite store's sync: ``orderdesk sync --once`` into a database of its own.
        "sync": measure_sync(min(SYNC_RECORDS, options.records), server=url),
    }


def _machine() -> str:
    model = "unknown CPU"
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        for line in cpuinfo.read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    return (
        f"{model}, {os.cpu_count()} cores, {platform.system()} {platform.machine()}, "
        f"Python {platform.python_version()}"
    )


def _step(name: str, figures: dict[str, Any], measure: Callable[[], Any]) -> None:
    _say(f"measuring {name} ...")
    started = time.perf_counter()
    figures[name] = measure()
    _say(f"  done in {time.perf_counter() - started:.1f} s")


def run(options: argparse.Namespace) -> dict[str, Any]:
    """Measure everything; return the figures."""
    options.work.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    figures: dict[str, Any] = {"records": options.records, "machine": _machine()}
    if not options.no_baselines:
        figures["tools"] = ensure_tools()
    built = _store(options.work, options.records, options.seed, options.rebuild)
    figures["store"] = {
        "build_seconds": built.seconds,
        "bytes": Path(built.path).stat().st_size,
        "mb_per_million_records": round(
            Path(built.path).stat().st_size / (2 * built.records) * 1_000_000 / 1e6
        ),
        "span": f"{built.oldest} to {built.newest}",
    }
    sync_records = min(SYNC_RECORDS, options.records)
    _step("sync", figures, lambda: measure_sync(sync_records))
    _step("findings", figures, lambda: _findings_cost(options.records))
    _step("queries", figures, lambda: measure_queries(built, options.repeat))
    _step(
        "ui",
        figures,
        lambda: measure_ui(
            Path(built.path),
            first_reference=built.newest_reference,
            big_body_reference=built.big_body_reference,
            big_stages_reference=built.big_stages_reference,
        ),
    )
    _step(
        "problems",
        figures,
        lambda: {
            "queries": problems.time_queries(built, options.repeat),
            "commands": problems.time_commands(built, 3),
            "screen": problems.time_screen(built),
        },
    )
    _step("startup", figures, lambda: startup.measure_startup(built, min(20, options.repeat)))
    if options.postgres:
        _step("postgresql", figures, lambda: _postgresql(options))
    if not options.no_baselines:
        _step(
            "baselines",
            figures,
            lambda: measure_baselines(
                Path(built.path),
                options.work,
                now=parse_timestamp(built.newest),
                reference=built.rare_reference,
                rare_term=built.rare_term,
                repeat=1 if options.records >= 200_000 else 3,
            ),
        )
    figures["seconds"] = round(time.perf_counter() - started)
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=1_000_000, help="Requests, and postbacks.")
    parser.add_argument("--work", type=Path, default=Path("/tmp/orderdesk-bench"))
    parser.add_argument("--rebuild", action="store_true", help="Build the store even if it exists.")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--repeat", type=int, default=50, help="Runs of each query.")
    parser.add_argument("--no-baselines", action="store_true", help="Skip jq and lnav.")
    parser.add_argument(
        "--postgres",
        metavar="URL",
        help="Measure PostgreSQL too, in this database (made again, empty, to build the store).",
    )
    parser.add_argument("--json", type=Path, help="Where to write the figures (default: WORK).")
    options = parser.parse_args()
    figures = run(options)
    print(report(figures))
    path = options.json or options.work / f"results-{options.records}.json"
    path.write_text(json.dumps({**figures, "targets": TARGETS}, indent=2) + "\n")
    _say(f"figures written to {path}")


if __name__ == "__main__":
    main()
