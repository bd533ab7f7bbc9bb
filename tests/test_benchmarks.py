"""The benchmark suite runs end to end at a small size, so that it cannot rot.

Figures are read, never compared with a limit: this checks that every figure
is measured and that the tools agree on what they found, not how fast they were.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from benchmarks.targets import TARGETS, verdicts
from tests.engines import PostgresCluster

pytestmark = pytest.mark.slow

RECORDS = 20_000


@pytest.fixture(scope="module")
def figures(
    tmp_path_factory: pytest.TempPathFactory, postgres_cluster: PostgresCluster
) -> Iterator[dict[str, object]]:
    work = tmp_path_factory.mktemp("bench")
    out = work / "figures.json"
    with postgres_cluster.database() as url:
        subprocess.run(
            [
                sys.executable,
                "-m",
                "benchmarks",
                "--records",
                str(RECORDS),
                "--work",
                str(work),
                "--repeat",
                "5",
                "--postgres",
                url,
                "--json",
                str(out),
            ],
            check=True,
            timeout=1200,
            cwd=Path(__file__).resolve().parents[1],
        )
    loaded: dict[str, object] = json.loads(out.read_text())
    yield loaded


def test_every_target_is_measured(figures: dict[str, object]) -> None:
    unmeasured = [name for name, _, _, _, verdict in verdicts(figures) if verdict == "not measured"]
    assert unmeasured == []
    assert len(list(verdicts(figures))) == len(TARGETS)


def test_the_triage_features_queries_are_timed(figures: dict[str, object]) -> None:
    queries = figures["queries"]
    assert isinstance(queries, dict)
    for name in (
        "filter code:5xx",
        "volume bars, last 24 hours",
        "order finder, references it could be",
        "order finder, one order's timeline",
    ):
        assert 0 < queries[name]["p50_ms"] <= queries[name]["p95_ms"], name


def test_the_problems_are_timed_as_queries_processes_and_a_screen(
    figures: dict[str, object],
) -> None:
    problems = figures["problems"]
    assert isinstance(problems, dict)
    for part, names in (
        ("queries", ("groups_24h", "groups_7d", "orders_not_received_page")),
        ("commands", ("problems_table", "problems_check")),
        ("screen", ("first_time", "again")),
    ):
        for name in names:
            timed = problems[part][name]
            assert 0 < timed["p50_ms"] <= timed["p95_ms"], name
    assert problems["screen"]["groups"] > 0, "the screen was timed with problems on it"


def test_start_up_is_timed_beside_its_floors(figures: dict[str, object]) -> None:
    startup = figures["startup"]
    assert isinstance(startup, dict)
    assert set(startup) == {"version", "requests_order_jsonl", "problems", "problems_30d"}
    for name, timed in startup.items():
        assert timed["orderdesk_s"] > 0 and timed["floor_s"] > 0, name
        assert timed["ratio"] == pytest.approx(timed["orderdesk_s"] / timed["floor_s"], rel=0.1)
        assert timed["exit_code"] == 0, name
    # A floor counts only if it gave the same answer.
    assert startup["version"]["same_answer"] is True
    assert startup["requests_order_jsonl"]["same_answer"] is True
    assert startup["requests_order_jsonl"]["bytes"] > 0


def test_the_store_holds_what_was_asked(figures: dict[str, object]) -> None:
    assert figures["records"] == RECORDS
    store = figures["store"]
    assert isinstance(store, dict)
    assert store["bytes"] > RECORDS * 2 * 1_000  # a few KB per record, not empty rows
    sync = figures["sync"]
    assert isinstance(sync, dict)
    assert sync["records"] >= RECORDS * 0.8


def test_jq_lnav_and_orderdesk_find_the_same_records(figures: dict[str, object]) -> None:
    baselines = figures["baselines"]
    assert isinstance(baselines, dict)
    questions = baselines["questions"]
    assert set(questions) == {"failed_last_day", "one_reference", "text_search"}
    for name, question in questions.items():
        found = question["matches"]
        assert found["orderdesk"] > 0, name
        assert found["jq"] == found["lnav"] == found["orderdesk"], name


def test_postgresql_is_timed_on_the_same_store_directly_and_across_a_network(
    figures: dict[str, object],
) -> None:
    postgresql = figures["postgresql"]
    sqlite = figures["queries"]
    assert isinstance(postgresql, dict) and isinstance(sqlite, dict)
    assert set(postgresql["queries"]) == set(sqlite)
    assert postgresql["problems"]["screen"]["groups"] > 0
    remote = postgresql["remote"]
    for run in ("direct", "through_proxy"):
        assert remote[run]["first_paint_s"] > 0, run
        assert remote[run]["page_down_next_frame"]["p95_ms"] > 0, run
    # Through the proxy the round trips are counted: the first paint needs some.
    assert remote["through_proxy"]["round_trips"]["until_first_paint"] > 0
