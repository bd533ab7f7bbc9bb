"""Viewers may be read-only: a PostgreSQL role that can only SELECT views everything."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from orderdesk.core.errors import StoreError
from orderdesk.core.lease import Lease, lease_holder, read_status
from orderdesk.core.queries import RecordQuery, count, get_record, list_summaries
from orderdesk.core.records import Watermark
from orderdesk.core.store import Store
from orderdesk.core.timeline import order_timeline
from orderdesk.tui.app import OrderdeskApp
from orderdesk.tui.widgets.status_line import StatusLine
from tests.engines import PostgresCluster
from tests.record_factory import T0, postback, request
from tests.tui.tui_console import shown

# What docs/postgresql.md tells an administrator to run for the agents' role.
VIEWER_GRANTS = """
GRANT CONNECT ON DATABASE {database} TO orderdesk_viewer;
GRANT USAGE ON SCHEMA public TO orderdesk_viewer;
GRANT SELECT ON ALL TABLES IN SCHEMA public TO orderdesk_viewer;
ALTER DEFAULT PRIVILEGES FOR ROLE postgres IN SCHEMA public
    GRANT SELECT ON TABLES TO orderdesk_viewer;
"""


@dataclass
class SharedStore:
    """A PostgreSQL store written by its owner, and the URL a read-only agent connects with."""

    writer_url: str
    viewer_url: str
    database: str


@pytest.fixture
def shared(postgres_cluster: PostgresCluster) -> Iterator[SharedStore]:
    # Roles are the server's, which the workers share: another may make it at this moment.
    postgres_cluster.execute(
        "DO $$ BEGIN CREATE ROLE orderdesk_viewer LOGIN; "
        "EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; END $$"
    )
    with postgres_cluster.database() as writer_url:
        database = writer_url.rsplit("/", 1)[1]
        with Store.open(writer_url) as store, store.engine.begin() as connection:
            for statement in VIEWER_GRANTS.format(database=database).split(";"):
                if statement.strip():
                    connection.execute(text(statement))
        viewer_url = writer_url.replace("postgres@", "orderdesk_viewer@")
        yield SharedStore(writer_url, viewer_url, database)


def _fill(store: Store) -> None:
    made = request(1, at=T0)
    sent = postback(1, at=T0 + timedelta(minutes=5))
    store.save_page("requests", [made], Watermark(made.updated_at, made.id))
    store.save_page("postbacks", [sent], Watermark(sent.updated_at, sent.id))


class TestAReadOnlyRole:
    def test_it_cannot_write(self, shared: SharedStore) -> None:
        with Store.open(shared.viewer_url) as viewer, pytest.raises(DBAPIError) as refused:
            _fill(viewer)
        assert "permission denied" in str(refused.value)

    def test_it_views_everything(self, shared: SharedStore) -> None:
        with Store.open(shared.writer_url) as writer:
            _fill(writer)
            with (
                Lease.acquire(writer, holder="sync-host:7"),
                Store.open(shared.viewer_url) as viewer,
            ):
                summaries = list_summaries(viewer, RecordQuery("requests"), limit=10)
                assert [s.order_reference_id for s in summaries] == ["ORD-1"]
                assert get_record(viewer, "requests", summaries[0].id) is not None
                assert count(viewer, RecordQuery("postbacks")) == 1
                found = list_summaries(viewer, RecordQuery("requests", search=("ORD-1",)), limit=5)
                assert len(found) == 1
                timeline = order_timeline(viewer, "ORD-1", now=T0 + timedelta(hours=1))
                assert timeline.entries
                assert lease_holder(viewer) == "sync-host:7"
                assert read_status(viewer) is not None

    async def test_the_console_opens_on_it(self, shared: SharedStore) -> None:
        with Store.open(shared.writer_url) as writer:
            _fill(writer)
            with (
                Lease.acquire(writer, holder="sync-host:7"),
                Store.open(shared.viewer_url) as viewer,
            ):
                app = OrderdeskApp(viewer, now=lambda: T0 + timedelta(hours=1))
                async with app.run_test(size=(160, 30)) as pilot:
                    await pilot.pause(0.2)
                    line = shown(app.screen.query_one(StatusLine)).plain
                    assert "sync service sync-host:7" in line

    def test_an_old_store_says_what_to_run_with_which_role(self, shared: SharedStore) -> None:
        with Store.open(shared.writer_url) as writer, writer.engine.begin() as connection:
            connection.execute(text("DROP TABLE sync_status"))
            connection.execute(text("UPDATE meta SET value = '2' WHERE key = 'schema_version'"))
        with pytest.raises(StoreError) as refused:
            Store.open(shared.viewer_url)
        message = str(refused.value)
        assert "may only read it" in message and "writer's role" in message
        assert "sync --once" in message


class TestPrune:
    def test_a_role_that_may_only_read_cannot_prune_and_is_told_in_one_line(
        self, shared: SharedStore
    ) -> None:
        from tests.cli_run import orderdesk_here

        with Store.open(shared.writer_url) as store:
            _fill(store)
        result = orderdesk_here("prune", "--older-than", "1d", "--yes", "--db", shared.viewer_url)

        assert result.returncode != 0
        assert "Traceback" not in result.stderr
        lines = [line for line in result.stderr.splitlines() if line.strip()]
        assert lines and "may only read the store" in lines[-1], result.stderr
        with Store.open(shared.writer_url) as store:
            assert count(store, RecordQuery("requests")) > 0
