"""`orderdesk problems` and `orderdesk orders --finding` as a script or a person meets them."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from orderdesk.core.records import RecordError, RequestRecord
from orderdesk.core.store import Store
from orderdesk.core.timeline_rules import RULE_NAMES
from orderdesk.sim import Simulation
from orderdesk.sim.server import SimulatorServer
from tests.record_factory import GLOBEX, postback, request

KEY = "problems-test-key"


def orderdesk(*args: str) -> subprocess.CompletedProcess[str]:
    """Run ``orderdesk`` as its own process, as a shell script would."""
    return subprocess.run(
        [sys.executable, "-m", "orderdesk", *args], capture_output=True, text=True, timeout=120
    )


def _failed(number: int, at: datetime, **fields: Any) -> RequestRecord:
    error = RecordError(
        stage="template",
        code="template_undefined",
        message=f"UndefinedError: 'field_{number}' is undefined",
    )
    return request(number, at=at, status="failed", error=error, printer=None, **fields)


@pytest.fixture
def busy_store(tmp_path: Path) -> Iterator[str]:
    """A SQLite file: an hour-old template fault at two customers, an order never received."""
    path = tmp_path / "orderdesk.db"
    hour_ago = datetime.now(UTC) - timedelta(hours=1)
    with Store.open(path) as store:
        store.save_page(
            "requests",
            [
                _failed(1, hour_ago),
                _failed(2, hour_ago + timedelta(minutes=1)),
                _failed(3, hour_ago, customer=GLOBEX),
                request(4, at=hour_ago),
                request(5, at=hour_ago),
            ],
            None,
        )
        store.save_page("postbacks", [postback(5, event="order_received", at=hour_ago)], None)
    yield str(path)


class TestCheck:
    """`problems --check`, for monitors: the exit code says whether anything is open."""

    def test_open_problems_exit_1_with_one_line_per_group(self, busy_store: str) -> None:
        result = orderdesk("problems", "--check", "--db", busy_store)
        assert result.returncode == 1, result.stderr
        lines = result.stdout.splitlines()
        assert len(lines) == 3
        assert lines[0].startswith("problem: request_failed: Acme Prints / -: template:")
        assert lines[0].endswith("orders 2")
        assert any("not_received" in line and "orders 1" in line for line in lines)

    def test_no_open_problems_exit_0_with_one_line(self, tmp_path: Path) -> None:
        path = tmp_path / "orderdesk.db"
        with Store.open(path) as store:
            store.save_page("requests", [request(1, at=datetime.now(UTC))], None)
        result = orderdesk("problems", "--check", "--db", str(path))
        assert result.returncode == 0, result.stderr
        assert result.stdout == "no open problems\n"

    def test_problems_older_than_the_range_are_not_counted(self, busy_store: str) -> None:
        result = orderdesk("problems", "--check", "--since", "10m", "--db", busy_store)
        assert (result.returncode, result.stdout) == (0, "no open problems\n")


class TestProblems:
    """The groups as a table for people and as data for scripts."""

    def test_the_table_fits_80_columns_with_every_head_and_value(self, busy_store: str) -> None:
        result = orderdesk("problems", "--db", busy_store)
        assert result.returncode == 0, result.stderr
        lines = result.stdout.splitlines()
        assert all(len(line) <= 80 for line in lines), lines
        assert lines[0].split() == ["ORDERS", "FINDING", "STATE", "LAST", "SEEN", "CUSTOMER"]
        assert lines[1].split()[:2] == ["2", "request_failed"]
        assert "Acme Prints" in lines[1]
        assert "template: UndefinedError: '<name>' is undefined" in result.stdout
        assert "Globex Shop" in result.stdout

    def test_in_french_the_heads_are_whole_too(self, busy_store: str) -> None:
        result = orderdesk("--lang", "fr", "problems", "--db", busy_store)
        assert result.returncode == 0, result.stderr
        lines = result.stdout.splitlines()
        assert all(len(line) <= 80 for line in lines), lines
        assert "COMMANDES" in lines[0] and "CLIENT" in lines[0]

    def test_json_holds_each_group_with_its_buckets(self, busy_store: str) -> None:
        result = orderdesk("problems", "--format", "json", "--db", busy_store)
        groups = json.loads(result.stdout)
        first = groups[0]
        assert (first["rule"], first["orders"], first["customer"]["id"]) == (
            "request_failed",
            2,
            "cus_acme",
        )
        assert sum(first["buckets"]["counts"]) == 2
        assert first["state"] in ("new", "ongoing", "quiet")

    def test_csv_and_a_cut_list_that_says_it_is_cut(self, busy_store: str) -> None:
        result = orderdesk("problems", "--format", "csv", "--limit", "1", "--db", busy_store)
        rows = list(csv.DictReader(io.StringIO(result.stdout)))
        assert [row["rule"] for row in rows] == ["request_failed"]
        assert "only the first 1 groups were written" in result.stderr


class TestOrdersByFinding:
    """`orders --finding`: the orders with an open finding of one rule."""

    def test_jsonl_lists_the_orders_of_the_rule(self, busy_store: str) -> None:
        result = orderdesk(
            "orders", "--finding", "request_failed", "--format", "jsonl", "--db", busy_store
        )
        assert result.returncode == 0, result.stderr
        found = [json.loads(line) for line in result.stdout.splitlines()]
        assert sorted(f["order_reference_id"] for f in found) == ["ORD-1", "ORD-2", "ORD-3"]
        assert {f["cause"] for f in found} == {"template: UndefinedError: '<name>' is undefined"}

    def test_the_table_fits_80_columns_and_words_the_finding(self, busy_store: str) -> None:
        result = orderdesk("orders", "--finding", "not_received", "--db", busy_store)
        lines = result.stdout.splitlines()
        assert lines[0].split() == ["TIME", "ORDER", "REFERENCE", "CUSTOMER"]
        assert "ORD-4" in lines[1]
        assert "Berlin Print Works" in lines[2]
        assert all(len(line) <= 80 for line in lines), lines

    def test_an_unknown_rule_is_refused_with_the_rules(self, busy_store: str) -> None:
        result = orderdesk("orders", "--finding", "lost", "--db", busy_store)
        assert result.returncode == 2
        assert "'lost' is not a rule" in result.stderr
        assert all(rule in result.stderr for rule in RULE_NAMES)

    def test_a_rule_with_nothing_open_says_so(self, busy_store: str) -> None:
        result = orderdesk("orders", "--finding", "no_request", "--db", busy_store)
        assert (result.returncode, result.stdout) == (0, "")
        assert "no order has an open no_request finding" in result.stderr


def test_problems_after_a_sync_from_the_simulator_over_http(tmp_path: Path) -> None:
    """The whole way: the simulator over loopback HTTP, `sync --once`, then the findings."""
    sim = Simulation(seed=11, history=timedelta(hours=3), history_rate=6.0, rate=0.0)
    sim.freeze()
    store = str(tmp_path / "orderdesk.db")
    with SimulatorServer(sim, api_key=KEY, live=False) as server:
        synced = orderdesk(
            "sync", "--once", "--api-url", server.url, "--api-key", KEY, "--db", store
        )
        assert synced.returncode == 0, synced.stderr
    failed = {
        r.order_reference_id
        for r in sim.records("requests")
        if isinstance(r, RequestRecord) and r.status == "failed" and r.order_reference_id
    }
    assert failed, "the simulator's day should hold failed requests"
    listed = orderdesk(
        "orders", "--finding", "request_failed", "--since", "7d", "--format", "jsonl", "--db", store
    )
    assert {json.loads(line)["order_reference_id"] for line in listed.stdout.splitlines()} == failed
    check = orderdesk("problems", "--check", "--since", "7d", "--db", store)
    assert check.returncode == 1
    assert any(line.startswith("problem: request_failed: ") for line in check.stdout.splitlines())
