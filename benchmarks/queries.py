"""p50 and p95 of every query the console's screens make, on a built store.

    python -m benchmarks.queries --store /tmp/orderdesk-bench/store.db

Each query is the one the screen runs (``orderdesk.core.queries``), through
the real store, for a page of 100 rows: run once to warm the page cache, then
``repeat`` times.
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime, timedelta

from sqlalchemy import text

from benchmarks.store_builder import BigStore, facts_path
from orderdesk.core.queries import Cursor, RecordQuery, count, get_record, list_summaries
from orderdesk.core.records import parse_timestamp
from orderdesk.core.references import references_starting
from orderdesk.core.store import Store
from orderdesk.core.timeline import order_timeline
from orderdesk.core.volume import volume

__all__ = ["measure_queries", "percentiles", "time_each"]


def percentiles(seconds: list[float]) -> dict[str, float]:
    """The p50 and p95 of some timings, in milliseconds."""
    ordered = sorted(seconds)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return {"p50_ms": round(statistics.median(ordered) * 1000, 2), "p95_ms": round(p95 * 1000, 2)}


def _deep_cursor(store: Store, since: datetime, rows_down: int) -> Cursor:
    """The cursor ``rows_down`` rows into the range, found once with OFFSET (not timed)."""
    sql = text(
        "SELECT created_at, id FROM requests WHERE created_at >= :since "
        "ORDER BY created_at DESC, id DESC LIMIT 1 OFFSET :down"
    )
    with store.engine.connect() as connection:
        bound = {"since": since.replace(tzinfo=None).isoformat(" "), "down": rows_down}
        created_at, record_id = connection.execute(sql, bound).one()
    moment = datetime.fromisoformat(created_at) if isinstance(created_at, str) else created_at
    return Cursor(parse_timestamp(moment.isoformat() + "Z"), record_id)


def _queries(store: Store, built: BigStore) -> dict[str, Callable[[], object]]:
    now = parse_timestamp(built.newest) + timedelta(seconds=1)
    week = RecordQuery("requests", since=now - timedelta(days=7), until=now)
    deep = _deep_cursor(store, week.since or now, built.records // 8)
    failed = replace(week, statuses=("failed",))
    page = partial_list(store)
    return {
        "newest page of the last 7 days": lambda: page(week),
        f"a page {built.records // 8:,} rows down": lambda: page(week, after=deep),
        "status failed": lambda: page(failed),
        "one order reference": lambda: page(
            RecordQuery("requests", order_references=(built.rare_reference,))
        ),
        "a customer, failed": lambda: page(replace(failed, customers=(built.customer_id,))),
        "search, a rare term": lambda: page(RecordQuery("requests", search=(built.rare_term,))),
        "search, a common word": lambda: page(RecordQuery("requests", search=(built.common_word,))),
        "postbacks, newest page": lambda: page(RecordQuery("postbacks")),
        "postbacks, retrying or failed": lambda: page(
            RecordQuery("postbacks", statuses=("retrying", "failed"))
        ),
        "count, all requests (scroll bar)": lambda: count(store, RecordQuery("requests")),
        "count, failed in 7 days": lambda: count(store, failed),
        "count, new in the last minute (status line)": lambda: count(
            store, RecordQuery("requests", since=now - timedelta(minutes=1))
        ),
        "one record, whole (drill-down)": lambda: get_record(store, "requests", deep.id),
        "filter code:5xx": lambda: page(replace(week, http_statuses=((500, 599),))),
        "volume bars, last 24 hours": lambda: volume(
            store,
            RecordQuery("requests", since=now - timedelta(hours=24), until=now),
            buckets=60,
            failures=("failed",),
            now=now,
        ),
        # Both run on each key typed into the order finder (3).
        "order finder, references it could be": lambda: references_starting(
            store, built.rare_reference[:-2]
        ),
        "order finder, one order's timeline": lambda: order_timeline(
            store, built.rare_reference, now=now
        ),
    }


def partial_list(store: Store) -> Callable[..., object]:
    """The list call a screen makes for one page of 100 rows."""

    def page(query: RecordQuery, after: Cursor | None = None) -> object:
        return list_summaries(store, query, after=after, limit=100)

    return page


def time_each(queries: dict[str, Callable[[], object]], repeat: int) -> dict[str, dict[str, float]]:
    """p50 and p95 of each query, in milliseconds, after one run that warms the page cache."""
    figures = {}
    for name, query in queries.items():
        query()
        times = []
        for _ in range(repeat):
            started = time.perf_counter()
            query()
            times.append(time.perf_counter() - started)
        figures[name] = percentiles(times)
    return figures


def measure_queries(built: BigStore, repeat: int = 50) -> dict[str, dict[str, float]]:
    """p50 and p95 of each query the screens make, in milliseconds."""
    with Store.open(built.path) as store:
        return time_each(_queries(store, built), repeat)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--store",
        default="/tmp/orderdesk-bench/store.db",
        help="A store the builder made: a SQLite file or a PostgreSQL URL.",
    )
    parser.add_argument("--repeat", type=int, default=50)
    options = parser.parse_args()
    built = BigStore.load(facts_path(options.store))
    for name, figure in measure_queries(built, options.repeat).items():
        print(f"{name:45} p50 {figure['p50_ms']:8.2f} ms   p95 {figure['p95_ms']:8.2f} ms")


if __name__ == "__main__":
    main()
