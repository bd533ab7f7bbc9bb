"""Each store engine has one backend, picked from the store's URL or its engine."""

from __future__ import annotations

from typing import Any

import pytest
from psycopg.pq import TransactionStatus
from sqlalchemy import event
from sqlalchemy.engine import Engine, make_url

from orderdesk.core.backends import Backend, PostgreSQLBackend, SQLiteBackend, backend_for
from orderdesk.core.lease import lease_holder
from orderdesk.core.queries import RecordQuery, count, get_record, list_summaries
from orderdesk.core.store import Store
from tests.engines import PostgresCluster
from tests.record_factory import request


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("sqlite:///orderdesk.db", SQLiteBackend),
        ("postgresql+psycopg://viewer@db.example/orderdesk", PostgreSQLBackend),
        ("postgresql://viewer@db.example/orderdesk", PostgreSQLBackend),
    ],
)
def test_a_url_names_its_engine_s_backend(url: str, expected: type[Backend]) -> None:
    assert type(backend_for(make_url(url))) is expected


def test_any_other_database_is_stored_but_not_searched_and_its_lease_is_a_row() -> None:
    other = backend_for(make_url("mysql+pymysql://viewer@db.example/orderdesk"))
    assert type(other) is Backend
    assert not other.HAS_FULL_TEXT_SEARCH
    assert not other.HAS_SESSION_LOCKS


def test_an_open_store_has_the_backend_of_its_engine(store_url: str) -> None:
    with Store.open(store_url) as store, store.engine.connect() as connection:
        assert store.backend is backend_for(store.engine)
        assert store.backend is backend_for(connection)
        assert store.backend.name == store.engine.dialect.name


def test_only_sqlite_compresses_stages_and_only_postgresql_escapes_nul() -> None:
    sqlite, postgresql = SQLiteBackend(), PostgreSQLBackend()
    assert sqlite.COMPRESS_STAGES and not postgresql.COMPRESS_STAGES
    assert sqlite.TEXT_HOLDS_NUL and not postgresql.TEXT_HOLDS_NUL


def test_on_postgresql_a_question_is_asked_outside_any_transaction(
    postgres_cluster: PostgresCluster,
) -> None:
    # Across a network a transaction's BEGIN and ROLLBACK are two round trips
    # more than the question itself: a key's page took three instead of one.
    # (SQLite's own BEGIN costs no trip: it stays.)
    in_transaction: list[bool] = []

    def seen(connection: Any, *_: Any) -> None:
        status = connection.connection.dbapi_connection.info.transaction_status
        in_transaction.append(status != TransactionStatus.IDLE)

    with postgres_cluster.database() as url:
        with Store.open(url) as store:
            store.save_page("requests", [request(1), request(2)], None)
        # Every engine's: the store makes its own when it opens.
        event.listen(Engine, "after_cursor_execute", seen)
        try:
            with Store.open(url) as store:
                opening = len(in_transaction)
                listed = list_summaries(store, RecordQuery("requests"))
                assert [row.id for row in listed] == ["req_000002", "req_000001"]
                assert count(store, RecordQuery("requests")) == 2
                assert get_record(store, "requests", "req_000001") is not None
                assert lease_holder(store) is None  # the status row, then the server's locks
                # A question of several statements that must agree is still one transaction.
                with store.engine.connect() as connection:
                    connection.exec_driver_sql("SELECT 1").all()
                    connection.exec_driver_sql("SELECT 2").all()
        finally:
            event.remove(Engine, "after_cursor_execute", seen)
    assert opening == 2  # the tables, then the schema's version
    assert in_transaction == [False] * (opening + 5) + [True, True]
