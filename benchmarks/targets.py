"""The targets orderdesk must meet, and the table that shows a run against them.

The targets are the speed issue's, where it set one (a first paint of 0.6 s,
10,000 records a second, 1,500 bytes a record, lnav 25 times slower): a run
is judged against what was asked, not against an earlier, easier goal.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from benchmarks.remote import report_lines as remote_lines
from benchmarks.startup import report_lines

__all__ = ["TARGETS", "report", "verdicts"]

Figures = dict[str, Any]

#: (figure, target as a reader sees it, limit, unit, True when more is better).
TARGETS: list[tuple[str, str, float, str, bool]] = [
    ("list query p95", "10 ms or less", 10, "ms", False),
    ("search p95", "50 ms or less", 50, "ms", False),
    ("process start to first painted list", "0.6 s or less", 0.6, "s", False),
    ("key to next frame p95", "50 ms or less", 50, "ms", False),
    ("filter change to repaint p95", "150 ms or less", 150, "ms", False),
    ("drill-down on a 1 MB body", "300 ms or less", 300, "ms", False),
    ("drill-down on three 1 MB stages", "400 ms or less", 400, "ms", False),
    ("resident memory", "150 MB or less", 150, "MB", False),
    ("sync throughput", "10,000 records/s or more", 10_000, "records/s", True),
    ("PostgreSQL: sync throughput", "5,000 records/s or more", 5_000, "records/s", True),
    ("store size", "1,500 bytes a record or less", 1_500, "bytes", False),
    ("sync with the findings, slower than without", "15% or less", 15, "%", False),
    ("PostgreSQL: sync with the findings, slower than without", "15% or less", 15, "%", False),
    ("Problems screen, key 4 to painted", "300 ms or less", 300, "ms", False),
    ("orderdesk --version, whole process", "0.05 s or less", 0.05, "s", False),
    ("one order's requests as jsonl, to its floor", "10x or less", 10, "x", False),
    ("orderdesk problems, whole process", "0.5 s or less", 0.5, "s", False),
    ("PostgreSQL: lists and searches, p95 to SQLite's", "1.5x or less", 1.5, "x", False),
    ("lnav to orderdesk, the closest question", "25x or more", 25, "x", True),
    ("PostgreSQL through 20 ms: first painted list", "1.0 s or less", 1.0, "s", False),
    ("PostgreSQL through 20 ms: key to next frame p95", "50 ms or less", 50, "ms", False),
]

_SEARCHES = ("search",)
#: Not a page of a list: the counts behind the scroll bar, the status line and
#: the volume bars (run in a worker thread, off the frame), one whole record,
#: and the order finder's lookups (a reference's whole story, not a page).
_NOT_PAGES = ("count", "one record", "volume", "order finder")


def _get(figures: Figures, *path: str) -> Any:
    value: Any = figures
    for key in path:
        if not isinstance(value, dict) or key not in value:
            return None
        value = value[key]
    return value


def _worst_p95(figures: Figures, searches: bool) -> float | None:
    queries = figures.get("queries") or {}
    chosen = [
        figure["p95_ms"]
        for name, figure in queries.items()
        if name.startswith(_SEARCHES) == searches and not name.startswith(_NOT_PAGES)
    ]
    return max(chosen) if chosen else None


def _max(*values: Any) -> float | None:
    present = [value for value in values if isinstance(value, int | float)]
    return max(present) if present else None


def _store_bytes_per_record(figures: Figures) -> float | None:
    store_bytes, records = _get(figures, "store", "bytes"), figures.get("records")
    if not isinstance(store_bytes, int) or not isinstance(records, int) or records <= 0:
        return None
    # The store holds ``records`` of each kind.
    return store_bytes / (2 * records)


def _worst_postgresql_ratio(figures: Figures) -> float | None:
    """The largest PostgreSQL p95 over SQLite's, among the lists and searches both timed."""
    sqlite = figures.get("queries") or {}
    postgresql = _get(figures, "postgresql", "queries") or {}
    ratios = [
        figure["p95_ms"] / sqlite[name]["p95_ms"]
        for name, figure in postgresql.items()
        if name in sqlite and not name.startswith(_NOT_PAGES) and sqlite[name]["p95_ms"] > 0
    ]
    return max(ratios) if ratios else None


def _closest_to_lnav(figures: Figures) -> float | None:
    """lnav's time over orderdesk's, on the question where orderdesk leads it least."""
    questions = _get(figures, "baselines", "questions") or {}
    ratios = [
        q["lnav_ratio"] for q in questions.values() if isinstance(q.get("lnav_ratio"), int | float)
    ]
    return min(ratios) if ratios else None


def _measured(figures: Figures) -> dict[str, float | None]:
    ui = figures.get("ui") or {}
    drill = _get(ui, "big_body_drill_down_s")
    stages = _get(ui, "big_stages_drill_down_s")
    remote = _get(figures, "postgresql", "remote", "through_proxy") or {}
    return {
        "list query p95": _worst_p95(figures, searches=False),
        "search p95": _worst_p95(figures, searches=True),
        "process start to first painted list": _get(ui, "first_paint_s"),
        "key to next frame p95": _max(
            _get(ui, "page_down_next_frame", "p95_ms"),
            _get(ui, "first_or_last_row_next_frame", "p95_ms"),
        ),
        "filter change to repaint p95": _max(
            _get(ui, "errors_only_frame_done", "p95_ms"),
            _get(ui, "status_filter_frame_done", "p95_ms"),
        ),
        "drill-down on a 1 MB body": None if drill is None else drill * 1000,
        "drill-down on three 1 MB stages": None if stages is None else stages * 1000,
        "resident memory": _max(
            _get(ui, "resident_mb_at_rest"),
            _get(ui, "resident_mb_after_paging"),
            _get(ui, "resident_mb_after_big_body"),
        ),
        "sync throughput": _get(figures, "sync", "records_per_second"),
        "PostgreSQL: sync throughput": _get(figures, "postgresql", "sync", "records_per_second"),
        "store size": _store_bytes_per_record(figures),
        "sync with the findings, slower than without": _get(
            figures, "findings", "findings_cost_percent"
        ),
        "PostgreSQL: sync with the findings, slower than without": _get(
            figures, "postgresql", "findings", "findings_cost_percent"
        ),
        "Problems screen, key 4 to painted": _max(
            _get(figures, "problems", "screen", "first_time", "p95_ms"),
            _get(figures, "problems", "screen", "again", "p95_ms"),
        ),
        "orderdesk --version, whole process": _get(figures, "startup", "version", "orderdesk_s"),
        "one order's requests as jsonl, to its floor": _get(
            figures, "startup", "requests_order_jsonl", "ratio"
        ),
        "orderdesk problems, whole process": _get(figures, "startup", "problems", "orderdesk_s"),
        "PostgreSQL: lists and searches, p95 to SQLite's": _worst_postgresql_ratio(figures),
        "lnav to orderdesk, the closest question": _closest_to_lnav(figures),
        "PostgreSQL through 20 ms: first painted list": _get(remote, "first_paint_s"),
        "PostgreSQL through 20 ms: key to next frame p95": _max(
            _get(remote, "page_down_next_frame", "p95_ms"),
            _get(remote, "first_or_last_row_next_frame", "p95_ms"),
        ),
    }


def verdicts(figures: Figures) -> Iterator[tuple[str, str, float | None, str, str]]:
    """Each target: (figure, target, measured, unit, "met" / "MISSED" / "not measured")."""
    measured = _measured(figures)
    for name, target, limit, unit, more_is_better in TARGETS:
        value = measured[name]
        if value is None:
            verdict = "not measured"
        elif (value >= limit) if more_is_better else (value <= limit):
            verdict = "met"
        else:
            verdict = "MISSED"
        yield name, target, value, unit, verdict


def _number(value: float | None, unit: str = "") -> str:
    if value is None:
        return "-"
    text = f"{value:,.0f}" if value >= 100 else f"{value:,.2f}".rstrip("0").rstrip(".")
    return f"{text} {unit}".strip()


def _table(head: tuple[str, ...], rows: list[tuple[str, ...]]) -> list[str]:
    lines = ["| " + " | ".join(head) + " |", "|" + "|".join(" --- " for _ in head) + "|"]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return lines


def _sections(figures: Figures) -> Iterator[list[str]]:
    records = figures.get("records", 0)
    yield [
        f"{records:,} requests and {records:,} postbacks in a SQLite store; "
        f"{figures.get('machine', '')}.",
    ]
    yield _table(
        ("figure", "target", "measured", ""),
        [
            (name, target, _number(value, unit), verdict)
            for name, target, value, unit, verdict in verdicts(figures)
        ],
    )
    queries = figures.get("queries") or {}
    yield _table(
        ("query (100 rows)", "p50", "p95"),
        [
            (name, _number(f["p50_ms"], "ms"), _number(f["p95_ms"], "ms"))
            for name, f in queries.items()
        ],
    )
    for part, head in (
        ("queries", "problems: query"),
        ("commands", "problems --since 30d: whole process"),
        ("screen", "problems: key 4 to painted screen"),
    ):
        timed = _get(figures, "problems", part) or {}
        if timed:
            yield _table(
                (head, "p50", "p95"),
                [
                    (name.replace("_", " "), _number(f["p50_ms"], "ms"), _number(f["p95_ms"], "ms"))
                    for name, f in timed.items()
                    if isinstance(f, dict)
                ],
            )
    if figures.get("startup"):
        yield report_lines(figures["startup"])
    postgresql = figures.get("postgresql") or {}
    if postgresql:
        sqlite = figures.get("queries") or {}
        yield _table(
            ("query (100 rows)", "SQLite p95", "PostgreSQL p50", "PostgreSQL p95"),
            [
                (
                    name,
                    _number(_get(sqlite, name, "p95_ms"), "ms"),
                    _number(f["p50_ms"], "ms"),
                    _number(f["p95_ms"], "ms"),
                )
                for name, f in postgresql["queries"].items()
            ],
        )
        yield remote_lines(postgresql["remote"])
    questions = _get(figures, "baselines", "questions") or {}
    if questions:
        yield _table(
            ("question", "orderdesk", "lnav", "jq", "lnav / orderdesk", "jq / orderdesk"),
            [
                (
                    name.replace("_", " "),
                    _number(q.get("orderdesk_s"), "s"),
                    _number(q.get("lnav_s"), "s"),
                    _number(q.get("jq_s"), "s"),
                    _number(q.get("lnav_ratio"), "x"),
                    _number(q.get("jq_ratio"), "x"),
                )
                for name, q in questions.items()
            ],
        )
    store = figures.get("store") or {}
    sync = figures.get("sync") or {}
    yield [
        f"Store: {_number(store.get('mb_per_million_records'), 'MB')} per million records "
        f"(built in {_number(store.get('build_seconds'), 's')}). "
        f"Sync: {sync.get('records', 0):,} records in {_number(sync.get('seconds'), 's')}. "
        f"Whole run: {_number(figures.get('seconds'), 's')}.",
    ]


def report(figures: Figures) -> str:
    """The run as Markdown: the targets, then every figure behind them."""
    return "\n\n".join("\n".join(section) for section in _sections(figures)) + "\n"
