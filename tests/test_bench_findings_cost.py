"""The findings' cost is measured at orderdesk's collector thresholds, or at Python's if asked."""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest
from sqlalchemy import create_engine

from benchmarks.sync_throughput import PYTHON_THRESHOLDS, measure_findings_cost
from orderdesk.cli import collector
from tests.engines import PostgresCluster

pytestmark = pytest.mark.slow


@pytest.fixture(autouse=True)
def _thresholds_restored() -> Iterator[None]:
    kept = gc.get_threshold()
    yield
    gc.set_threshold(*kept)


@pytest.mark.parametrize("python_collector", [False, True])
def test_both_syncs_run_and_say_at_which_thresholds(python_collector: bool) -> None:
    figures = measure_findings_cost(
        "1h", "6/min", seed=3, runs=1, python_collector=python_collector
    )
    for name in ("in_process_records", "in_process_with_findings", "in_process_without_findings"):
        value = figures[name]
        assert isinstance(value, int) and value > 0, name
    assert isinstance(figures["findings_cost_percent"], float)
    # One figure a pair of syncs, each from that pair's own two throughputs.
    by_pair = figures["findings_cost_percent_by_pair"]
    assert isinstance(by_pair, list) and len(by_pair) == 1
    assert by_pair[0] == figures["findings_cost_percent"]
    if python_collector:
        assert figures["in_process_collector"] == "python"
        assert gc.get_threshold() == PYTHON_THRESHOLDS
    else:
        assert figures["in_process_collector"] == "orderdesk"
        ours = (collector.YOUNG_EVERY, collector.OLDER_EVERY, collector.OLDER_EVERY)
        assert gc.get_threshold() == ours


def test_on_postgresql_each_run_syncs_into_a_database_it_makes_and_drops(
    postgres_cluster: PostgresCluster,
) -> None:
    server = postgres_cluster.url()
    figures = measure_findings_cost("1h", "6/min", seed=3, runs=1, server=server)
    assert figures["in_process_store"] == "postgresql"
    for name in ("in_process_with_findings", "in_process_without_findings"):
        value = figures[name]
        assert isinstance(value, int) and value > 0, name
    engine = create_engine(server)
    with engine.connect() as connection:
        left = connection.exec_driver_sql(
            "SELECT datname FROM pg_database WHERE starts_with(datname, 'orderdesk_findings_')"
        )
        assert left.all() == []
    engine.dispose()
