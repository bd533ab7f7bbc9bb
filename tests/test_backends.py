"""Each store engine has one backend, picked from the store's URL or its engine."""

from __future__ import annotations

import pytest
from sqlalchemy.engine import make_url

from orderdesk.core.backends import Backend, PostgreSQLBackend, SQLiteBackend, backend_for
from orderdesk.core.store import Store


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
