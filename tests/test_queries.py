"""The lists page newest first through every row exactly once, filter, count and search."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import event

from orderdesk.core import queries
from orderdesk.core.queries import (
    Cursor,
    RecordQuery,
    count,
    get_record,
    iter_records,
    list_records,
    list_summaries,
)
from orderdesk.core.query_check import query_plan, truth
from orderdesk.core.records import HttpMessage, Party
from orderdesk.core.store import Store
from tests.engines import StoreEngine
from tests.record_factory import ACME, GLOBEX, PRINTER, T0, failed_request, postback, request


@pytest.fixture
def store(store_url: str) -> Iterator[Store]:
    with Store.open(store_url) as opened:
        yield opened


def ids(store: Store, query: RecordQuery, **options: Any) -> list[str]:
    return [summary.id for summary in list_summaries(store, query, **options)]


def every_page(store: Store, query: RecordQuery, limit: int, newest_first: bool) -> list[str]:
    seen: list[str] = []
    after: Cursor | None = None
    while page := list_summaries(store, query, after=after, limit=limit, newest_first=newest_first):
        seen.extend(summary.id for summary in page)
        after = page[-1].cursor
    return seen


class TestPaging:
    @settings(max_examples=25, deadline=None)
    @given(
        seconds=st.lists(st.integers(0, 4), min_size=0, max_size=40),
        limit=st.integers(1, 7),
        newest_first=st.booleans(),
    )
    def test_every_row_exactly_once_in_order_despite_ties(
        self, engine: StoreEngine, seconds: list[int], limit: int, newest_first: bool
    ) -> None:
        records = [request(n, at=T0 + timedelta(seconds=s)) for n, s in enumerate(seconds)]
        expected = sorted(records, key=lambda r: (r.created_at, r.id), reverse=newest_first)
        with engine.database() as url, Store.open(url) as store:
            store.save_page("requests", records, None)
            pages = every_page(store, RecordQuery("requests"), limit, newest_first)
        assert pages == [record.id for record in expected]

    def test_full_records_newest_first(self, store: Store) -> None:
        store.save_page(
            "requests", [request(n, at=T0 + timedelta(minutes=n)) for n in range(3)], None
        )
        records = list_records(store, RecordQuery("requests"), limit=2)
        assert [record.id for record in records] == ["req_000002", "req_000001"]
        rest = list_records(
            store, RecordQuery("requests"), after=Cursor(records[-1].created_at, records[-1].id)
        )
        assert [record.id for record in rest] == ["req_000000"]
        assert rest[0] == get_record(store, "requests", "req_000000")

    @pytest.mark.parametrize(("limit", "expected"), [(None, 7), (5, 5), (3, 3), (100, 7)])
    def test_an_export_reads_every_record_a_page_at_a_time(
        self, store: Store, limit: int | None, expected: int
    ) -> None:
        # Two records share a moment, so a page boundary falls between equal times.
        moments = [0, 1, 2, 2, 3, 4, 5]
        records = [request(n, at=T0 + timedelta(minutes=m)) for n, m in enumerate(moments)]
        store.save_page("requests", records, None)
        exported = list(iter_records(store, RecordQuery("requests"), limit=limit, page=3))
        newest_first = sorted(records, key=lambda r: (r.created_at, r.id), reverse=True)
        assert [r.id for r in exported] == [r.id for r in newest_first[:expected]]

    def test_a_summary_carries_what_the_list_shows(self, store: Store) -> None:
        store.save_page("requests", [failed_request(9)], None)
        (summary,) = list_summaries(store, RecordQuery("requests"))
        assert (summary.subject, summary.status, summary.failed) == ("submit", "failed", True)
        assert (summary.http_status, summary.duration_ms, summary.attempts) == (422, 120, 1)
        assert summary.error_summary == "printer: unknown_product: unknown productUid"
        assert (summary.customer_name, summary.printer_name) == (ACME.name, PRINTER.name)
        store.save_page("postbacks", [postback(9)], None)
        (shipped,) = list_summaries(store, RecordQuery("postbacks"))
        assert (shipped.subject, shipped.http_status, shipped.attempts) == ("shipped", 200, 1)


@pytest.fixture
def orders(store: Store) -> Store:
    """Six requests over six hours: mixed customers, statuses and actions."""
    return save_orders(store)


@pytest.fixture
def sqlite_store(tmp_path: Path) -> Iterator[Store]:
    """A SQLite store, for what only SQLite's query plans show."""
    with Store.open(tmp_path / "store.db") as opened:
        yield opened


def save_orders(store: Store) -> Store:
    hour = timedelta(hours=1)
    store.save_page(
        "requests",
        [
            request(1, at=T0),
            failed_request(2, at=T0 + hour),
            request(3, at=T0 + 2 * hour, customer=GLOBEX, action="cancel"),
            request(4, at=T0 + 3 * hour, status="pending", response=None),
            failed_request(5, at=T0 + 4 * hour, customer=GLOBEX),
            request(6, at=T0 + 5 * hour, printer=Party(id="prn_lyon", name="Lyon Impression")),
        ],
        None,
    )
    store.save_page(
        "postbacks",
        [
            postback(1, at=T0, event="order_received"),
            postback(2, at=T0 + hour, status="retrying"),
            postback(3, at=T0 + 2 * hour, status="failed", customer=GLOBEX),
        ],
        None,
    )
    return store


def refs(numbers: str) -> list[str]:
    return [f"req_{int(n):06d}" for n in numbers]


class TestFilters:
    @pytest.mark.parametrize(
        ("query", "expected"),
        [
            (RecordQuery("requests"), "654321"),
            (RecordQuery("requests", since=T0 + timedelta(hours=2)), "6543"),
            (RecordQuery("requests", until=T0 + timedelta(hours=2)), "21"),
            (RecordQuery("requests", statuses=("failed",)), "52"),
            (RecordQuery("requests", statuses=("failed", "pending")), "542"),
            (RecordQuery("requests", actions=("cancel",)), "3"),
            (RecordQuery("requests", customers=("cus_globex",)), "53"),
            (RecordQuery("requests", customers=("gLOBEX shop",)), "53"),
            (RecordQuery("requests", customers=("nobody",)), ""),
            (RecordQuery("requests", printers=("Lyon Impression",)), "6"),
            (RecordQuery("requests", printers=("prn_berlin",)), "54321"),
            (RecordQuery("requests", order_references=("ORD-4",)), "4"),
            (RecordQuery("requests", order_references=("ord-4",)), ""),
            (RecordQuery("requests", customers=("Acme Prints",), statuses=("failed",)), "2"),
        ],
    )
    def test_each_filter(self, orders: Store, query: RecordQuery, expected: str) -> None:
        assert ids(orders, query) == refs(expected)
        assert count(orders, query) == len(expected)

    def test_postback_events_and_statuses(self, orders: Store) -> None:
        errors = RecordQuery("postbacks", statuses=("failed", "retrying"))
        assert ids(orders, errors) == ["pb_000003", "pb_000002"]
        received = RecordQuery("postbacks", events=("order_received",))
        assert ids(orders, received) == ["pb_000001"]

    def test_a_filter_of_the_other_kind_is_a_mistake(self, orders: Store) -> None:
        with pytest.raises(ValueError, match="only postbacks have events"):
            ids(orders, RecordQuery("requests", events=("shipped",)))
        with pytest.raises(ValueError, match="only requests have actions"):
            ids(orders, RecordQuery("postbacks", actions=("submit",)))

    def test_truth_is_every_id_with_its_version(self, orders: Store) -> None:
        state = truth(orders, "postbacks")
        assert state["pb_000003"] == (T0 + timedelta(hours=2, seconds=3), "failed")
        assert len(state) == 3


def search(store: Store, text: str) -> list[str]:
    return ids(store, RecordQuery("requests", search=tuple(text.split())))


class TestSearch:
    @pytest.fixture(autouse=True, params=["collect matches", "walk the list"])
    def plan(self, request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
        """Every search test runs under both plans a page can use; they must agree."""
        common = request.param == "walk the list"
        monkeypatch.setattr(queries, "_is_common", lambda *args: common)

    @pytest.fixture
    def store_with_bodies(self, store: Store) -> Store:
        notes = HttpMessage(
            at=T0, method="POST", url="https://x.example/", body='{"note": "Gift wrap, please"}'
        )
        store.save_page(
            "requests",
            [request(123), request(1234, original=notes), request(77)],
            None,
        )
        return store

    def test_an_order_reference_finds_that_order_only(self, store_with_bodies: Store) -> None:
        assert search(store_with_bodies, "ORD-123") == ["req_000123"]
        assert search(store_with_bodies, "ord-1234") == ["req_001234"]

    def test_the_number_of_a_reference_finds_it(self, store_with_bodies: Store) -> None:
        assert search(store_with_bodies, "1234") == ["req_001234"]

    def test_a_prefix_with_a_star(self, store_with_bodies: Store) -> None:
        assert search(store_with_bodies, "ORD-12*") == ["req_001234", "req_000123"]

    def test_record_and_order_ids(self, store_with_bodies: Store) -> None:
        assert search(store_with_bodies, "req_000077") == ["req_000077"]
        assert search(store_with_bodies, "po_000123") == ["req_000123"]

    def test_words_in_a_body_in_any_case(self, store_with_bodies: Store) -> None:
        assert search(store_with_bodies, "gift WRAP") == ["req_001234"]
        assert search(store_with_bodies, "tshirt-m-black") == refs_of(1234, 123, 77)

    @pytest.mark.parametrize(
        "text",
        [
            '"ORD-123',
            'ORD-123"',
            "ORD-123 OR",
            "NOT ORD-123",
            "(ORD-123",
            "refs:ORD-123",
            "ORD-123 ^",
            "ORD-123 AND",
        ],
    )
    def test_user_text_is_never_search_syntax(self, store_with_bodies: Store, text: str) -> None:
        found = search(store_with_bodies, text)
        assert found in ([], ["req_000123"])

    @pytest.mark.parametrize("text", ['"', "*", "-", "()", '"" ""', "^"])
    def test_punctuation_alone_finds_nothing(self, store_with_bodies: Store, text: str) -> None:
        assert search(store_with_bodies, text) == []

    def test_a_blank_search_is_no_filter(self, store_with_bodies: Store) -> None:
        assert len(search(store_with_bodies, "  ")) == 3

    def test_the_index_follows_a_newer_version(self, store_with_bodies: Store) -> None:
        changed = HttpMessage(at=T0, method="POST", url="https://x.example/", body="leave at door")
        newer = request(1234, original=changed, updated=timedelta(hours=1))
        store_with_bodies.save_page("requests", [newer], None)
        assert search(store_with_bodies, "gift") == []
        assert search(store_with_bodies, "door") == ["req_001234"]
        assert search(store_with_bodies, "ORD-1234") == ["req_001234"]

    def test_search_combines_with_filters_and_counts(self, store_with_bodies: Store) -> None:
        query = RecordQuery("requests", search=("tshirt-m-black",), order_references=("ORD-77",))
        assert ids(store_with_bodies, query) == ["req_000077"]
        assert count(store_with_bodies, RecordQuery("requests", search=("ORD",))) == 3


def refs_of(*numbers: int) -> list[str]:
    return [f"req_{n:06d}" for n in numbers]


def test_only_an_engine_whose_planner_cannot_weigh_a_search_counts_its_matches_first(
    engine: StoreEngine,
) -> None:
    # PostgreSQL chooses between walking the list and collecting the matches from
    # its own statistics; counting a common word first read most of its index.
    statements: list[str] = []

    def seen(_conn: Any, _cursor: Any, sql: str, *_: Any) -> None:
        statements.append(sql)

    with engine.database() as url, Store.open(url) as store:
        store.save_page("requests", [request(n) for n in range(20)], None)
        event.listen(store.engine, "before_cursor_execute", seen)
        found = ids(store, RecordQuery("requests", search=("ORD",)), limit=5)
    assert found == refs_of(19, 18, 17, 16, 15)
    counted = [sql for sql in statements if "count(*) FROM (SELECT" in sql]
    assert bool(counted) == (engine.name == "sqlite"), statements


class TestIndexesServeTheLists:
    def test_a_common_search_walks_the_list_instead_of_sorting_every_match(
        self, sqlite_store: Store, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        store = sqlite_store
        monkeypatch.setattr(queries, "_PROBE_COST", 1)  # so that 1,100 rows are "many"
        store.save_page("requests", [request(n) for n in range(1_100)], None)
        plan = "\n".join(query_plan(store, RecordQuery("requests", search=("lovelace",))))
        assert "TEMP B-TREE" not in plan and "ix_requests_created" in plan, plan
        rare = "\n".join(query_plan(store, RecordQuery("requests", search=("ORD-7",))))
        assert "LIST SUBQUERY" in rare, rare

    @pytest.mark.parametrize(
        "query",
        [
            RecordQuery("requests"),
            RecordQuery("requests", statuses=("failed",)),
            RecordQuery("postbacks", events=("shipped",)),
            RecordQuery("requests", customers=("Acme Prints",)),
            RecordQuery("requests", order_references=("ORD-1",)),
            RecordQuery("postbacks", printers=("prn_berlin",)),
            RecordQuery("requests", not_statuses=("succeeded",)),
            RecordQuery("requests", customers=("acme",)),
            RecordQuery("requests", not_customers=("globex",)),
            RecordQuery("requests", http_statuses=((500, 599),)),
            RecordQuery("requests", order_references=("ORD-1",)),
            RecordQuery("requests", not_search=("gift",)),
        ],
        ids=[
            "newest",
            "status",
            "event",
            "customer",
            "reference",
            "printer",
            "not status",
            "part of a customer name",
            "not customer",
            "code range",
            "one of references",
            "not a word",
        ],
    )
    def test_a_page_walks_an_index_without_sorting(
        self, sqlite_store: Store, query: RecordQuery
    ) -> None:
        orders = save_orders(sqlite_store)
        for after in (None, Cursor(T0, "req_000001")):
            plan = "\n".join(query_plan(orders, query, after=after))
            assert "USING INDEX" in plan or "USING COVERING INDEX" in plan, plan
            assert "TEMP B-TREE" not in plan, plan
            assert "SCAN requests\n" not in plan + "\n", plan

    def test_several_references_seek_their_index(self, sqlite_store: Store) -> None:
        # A reference has a handful of records: sorting them costs nothing.
        query = RecordQuery("requests", order_references=("ORD-1", "ORD-2"))
        plan = "\n".join(query_plan(save_orders(sqlite_store), query))
        assert "ix_requests_reference (order_reference_id=?)" in plan, plan

    def test_a_word_but_not_another_plans_as_a_search(
        self, sqlite_store: Store, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        monkeypatch.setattr(queries, "_PROBE_COST", 1)  # so that 1,100 rows are "many"
        sqlite_store.save_page("requests", [request(n) for n in range(1_100)], None)
        query = RecordQuery("requests", search=("lovelace",), not_search=("ORD-7",))
        plan = "\n".join(query_plan(sqlite_store, query))
        assert "TEMP B-TREE" not in plan and "ix_requests_created" in plan, plan
        assert ids(sqlite_store, query, limit=5) == refs_of(1099, 1098, 1097, 1096, 1095)
        assert count(sqlite_store, query) == 1_099

    @pytest.mark.parametrize("newest_first", [True, False])
    def test_a_page_deep_in_a_time_range_seeks_to_its_cursor(
        self, sqlite_store: Store, newest_first: bool
    ) -> None:
        # Seeking by the range's bound and filtering by the cursor would read
        # every row between the bound and the cursor.
        week = RecordQuery("requests", since=T0 - timedelta(days=7), until=T0 + timedelta(days=1))
        plan = "\n".join(
            query_plan(sqlite_store, week, after=Cursor(T0, "req_1"), newest_first=newest_first)
        )
        assert "(created_at,id)" in plan, plan

    def test_a_cursor_outside_the_range_still_keeps_the_range(self, store: Store) -> None:
        store.save_page(
            "requests", [request(n, at=T0 + timedelta(hours=n)) for n in range(6)], None
        )
        window = RecordQuery(
            "requests", since=T0 + timedelta(hours=1), until=T0 + timedelta(hours=4)
        )
        far = Cursor(T0 + timedelta(days=1), "req_9")
        assert ids(store, window, after=far) == ["req_000003", "req_000002", "req_000001"]
        early = Cursor(T0 - timedelta(days=1), "req_0")
        assert ids(store, window, after=early, newest_first=False) == [
            "req_000001",
            "req_000002",
            "req_000003",
        ]
