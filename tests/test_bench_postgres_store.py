"""The benchmark store builder writes the same store into PostgreSQL as into SQLite.

The benchmarks measure both engines on stores the builder makes: the figures
compare only if the two hold the same records, findings and search documents.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from benchmarks.store_builder import BigStore, build_store
from orderdesk.core.problems import problem_groups
from orderdesk.core.queries import count, get_record, list_records, list_summaries
from orderdesk.core.record_query import RecordQuery
from orderdesk.core.records import parse_timestamp
from orderdesk.core.store import Store
from tests.engines import PostgresCluster

pytestmark = pytest.mark.slow

RECORDS = 16_000  # more than the pool holds, so that one older round is copied
NOW = datetime(2026, 12, 1, 9, 30, tzinfo=UTC)


@pytest.fixture(scope="module")
def built(
    postgres_cluster: PostgresCluster, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[BigStore, BigStore]]:
    folder = tmp_path_factory.mktemp("built")
    with postgres_cluster.database() as url:
        on_sqlite = build_store(folder / "store.db", RECORDS, now=NOW, quiet=True)
        on_postgresql = build_store(
            url, RECORDS, now=NOW, quiet=True, facts=folder / "postgresql.json"
        )
        yield on_sqlite, on_postgresql


def test_the_facts_are_the_same(built: tuple[BigStore, BigStore]) -> None:
    sqlite, postgresql = (
        dataclasses.replace(facts, path="", built_at="", seconds=0.0) for facts in built
    )
    assert sqlite == postgresql
    assert Path(built[0].path).exists()


def test_both_hold_the_1_mb_body(built: tuple[BigStore, BigStore]) -> None:
    for facts in built:
        with Store.open(facts.path) as store:
            query = RecordQuery("requests", order_references=(facts.big_body_reference,))
            (big,) = list_records(store, query)
        assert len(big.original.body or "") >= 1_000_000, facts.path


def test_both_hold_the_same_records_and_answers(built: tuple[BigStore, BigStore]) -> None:
    facts = built[0]
    answers = []
    for store_facts in built:
        with Store.open(store_facts.path) as store:
            summaries = {
                name: [row.id for row in list_summaries(store, query, limit=100)]
                for name, query in {
                    "newest": RecordQuery("requests"),
                    "common word": RecordQuery("requests", search=(facts.common_word,)),
                    "rare term": RecordQuery("requests", search=(facts.rare_term,)),
                    "a reference's postbacks": RecordQuery(
                        "postbacks", order_references=(facts.rare_reference,)
                    ),
                }.items()
            }
            counts = {kind: count(store, RecordQuery(kind)) for kind in ("requests", "postbacks")}
            newest = summaries["newest"][0]
            whole = get_record(store, "requests", newest)
            assert whole is not None
            now = parse_timestamp(facts.newest) + timedelta(minutes=1)
            groups = [
                (group.rule, group.orders, group.first_seen, group.last_seen)
                for group in problem_groups(store, now=now, since=now - timedelta(days=7))
            ]
            answers.append((summaries, counts, whole, groups))
    sqlite, postgresql = answers
    assert sqlite[1] == {"requests": RECORDS, "postbacks": RECORDS}
    assert len(sqlite[0]["rare term"]) == 1
    assert sqlite[0]["a reference's postbacks"]
    assert sqlite[3], "the copied findings make problem groups"
    assert sqlite == postgresql
