"""How long reading a stored record back takes: whole, and as the findings' rules read it.

    python -m benchmarks.record_reads --store /tmp/orderdesk-bench/store-1000000-7.db

Reads ``--records`` of each kind by key, 500 a query as the findings do, once
whole (every stage unpacked, parsed and validated: the drill-down's and the
exports' read) and once as ``core/rule_records.py`` reads them for the
findings. Prints the microseconds a record, the best of ``--repeat`` runs,
as JSON. Nothing is asserted.
"""

from __future__ import annotations

import argparse
import json
import time
from collections.abc import Callable, Sequence

from sqlalchemy import Connection, select

from orderdesk.core.records import KINDS, Kind
from orderdesk.core.rows import record_from_row, whole_rows
from orderdesk.core.rule_records import rule_records
from orderdesk.core.schema import TABLES
from orderdesk.core.store import Store

_CHUNK = 500


def _whole(connection: Connection, kind: Kind) -> Callable[[Sequence[int]], None]:
    table = TABLES[kind]

    def read(pks: Sequence[int]) -> None:
        query = whole_rows(kind).where(table.c.pk.in_(pks))
        for row in connection.execute(query).mappings():
            record_from_row(kind, row)

    return read


def _as_the_rules_read(connection: Connection, kind: Kind) -> Callable[[Sequence[int]], None]:
    def read(pks: Sequence[int]) -> None:
        for _ in rule_records(connection, kind, pks):
            pass

    return read


def _best(read: Callable[[Sequence[int]], None], pks: Sequence[int], repeat: int) -> float:
    """The best run's microseconds a record."""
    best = float("inf")
    for _ in range(repeat):
        started = time.perf_counter()
        for start in range(0, len(pks), _CHUNK):
            read(pks[start : start + _CHUNK])
        best = min(best, time.perf_counter() - started)
    return round(best / len(pks) * 1e6, 1)


def measure(store_url: str, records: int = 20_000, repeat: int = 3) -> dict[str, dict[str, float]]:
    """Microseconds a record of each kind, read whole and as the rules read it."""
    figures: dict[str, dict[str, float]] = {}
    with Store.open(store_url) as store, store.asking() as connection:
        for kind in KINDS:
            pks = connection.execute(select(TABLES[kind].c.pk).limit(records)).scalars().all()
            if not pks:
                continue
            figures[kind] = {
                "records": len(pks),
                "whole_us": _best(_whole(connection, kind), pks, repeat),
                "as_the_rules_read_us": _best(_as_the_rules_read(connection, kind), pks, repeat),
            }
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--store", required=True, help="a SQLite file or a PostgreSQL URL")
    parser.add_argument("--records", type=int, default=20_000, help="of each kind")
    parser.add_argument("--repeat", type=int, default=3)
    options = parser.parse_args()
    print(json.dumps(measure(options.store, options.records, options.repeat), indent=2))


if __name__ == "__main__":
    main()
