"""The order finder's completion: references beginning with what was typed, on both engines."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event

from orderdesk.core.references import references_starting
from orderdesk.core.store import Store
from tests.record_factory import postback, request

REFERENCES = ["MT1003", "MT1004", "MT1004-B", "MT2001", "mt1005", "PP-000043", "50%_OFF-1"]


@pytest.fixture
def store(store_url: str) -> Iterator[Store]:
    with Store.open(store_url) as opened:
        records = [
            request(n, id=f"req_{n}", order_reference_id=ref) for n, ref in enumerate(REFERENCES)
        ]
        # Twice the same reference: it is offered once.
        records.append(request(99, id="req_99", order_reference_id="MT1004"))
        opened.save_page("requests", records, None)
        # A reference known only from its postbacks is offered too.
        opened.save_page("postbacks", [postback(7, id="pb_7", order_reference_id="MT1009")], None)
        yield opened


def test_the_references_beginning_with_the_text_in_order(store: Store) -> None:
    assert references_starting(store, "MT100") == ["MT1003", "MT1004", "MT1004-B", "MT1009"]


def test_a_complete_reference_is_offered_with_the_longer_ones(store: Store) -> None:
    assert references_starting(store, "MT1004") == ["MT1004", "MT1004-B"]


def test_case_matters_as_it_does_for_the_reference_itself(store: Store) -> None:
    assert references_starting(store, "mt") == ["mt1005"]


def test_like_wildcards_in_the_text_are_plain_characters(store: Store) -> None:
    assert references_starting(store, "50%") == ["50%_OFF-1"]
    assert references_starting(store, "5_") == []
    assert references_starting(store, "%") == []


def test_the_limit_and_an_empty_text(store: Store) -> None:
    assert references_starting(store, "MT", limit=2) == ["MT1003", "MT1004"]
    assert references_starting(store, "") == []
    assert references_starting(store, "nothing") == []


def test_on_sqlite_the_prefix_walks_the_reference_index(tmp_path: Path) -> None:
    ran: list[tuple[str, Any]] = []

    def keep(_conn: Any, _cursor: Any, sql: str, parameters: Any, *_: Any) -> None:
        if sql.lstrip().upper().startswith("SELECT"):
            ran.append((sql, parameters))

    with Store.open(tmp_path / "store.db") as opened:
        opened.save_page("requests", [request(1)], None)
        event.listen(opened.engine, "before_cursor_execute", keep)
        assert references_starting(opened, "ORD") == ["ORD-1"]
        event.remove(opened.engine, "before_cursor_execute", keep)
        with opened.engine.connect() as connection:
            plans = [
                " ".join(
                    row[-1]
                    for row in connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {sql}", parameters)
                )
                for sql, parameters in ran
            ]
    assert len(plans) == 2
    for plan in plans:
        assert "_reference" in plan and "INDEX" in plan, plan
        assert "TEMP B-TREE" not in plan, plan
