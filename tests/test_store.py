"""The store keeps every record whole, newer versions win, and a page is saved all or nothing."""

from __future__ import annotations

import socket
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path

import pytest
from pydantic import ValidationError
from sqlalchemy import Connection, Engine, create_engine, inspect, select

from orderdesk.core import migrations, pages, rows, search
from orderdesk.core.errors import SchemaVersionError, StoreError
from orderdesk.core.pages import SaveResult
from orderdesk.core.queries import (
    RecordQuery,
    count,
    get_record,
    list_records,
    list_summaries,
)
from orderdesk.core.query_check import truth
from orderdesk.core.records import (
    HttpMessage,
    HttpResponse,
    Kind,
    LogRecord,
    Party,
    RecordError,
    RequestRecord,
    TemplateProcessing,
    Tracking,
    Watermark,
)
from orderdesk.core.redact import redact_record
from orderdesk.core.schema import TABLES
from orderdesk.core.store import Store
from orderdesk.sim.traffic import Simulation
from tests.engines import PostgresCluster
from tests.record_factory import T0, failed_request, postback, request
from tests.v1_store import write_v1_store


@pytest.fixture
def store(store_url: str) -> Iterator[Store]:
    with Store.open(store_url) as opened:
        yield opened


@contextmanager
def database(store_url: str) -> Iterator[Engine]:
    """The database behind a store, reached without orderdesk, as another program would."""
    engine = create_engine(store_url if "://" in store_url else f"sqlite:///{store_url}")
    try:
        yield engine
    finally:
        engine.dispose()


class TestRoundTrip:
    def test_a_request_comes_back_equal_to_what_was_saved_redacted(self, store: Store) -> None:
        record = failed_request(7)
        store.save_page("requests", [record], None)
        assert get_record(store, "requests", record.id) == redact_record(record)

    def test_a_postback_with_attempts_and_tracking_comes_back_equal(self, store: Store) -> None:
        second = HttpResponse(at=T0, status_code=None, error="timeout", duration_ms=30_000)
        record = postback(3, attempts=[postback(3).attempts[0], second], response=second)
        store.save_page("postbacks", [record], None)
        assert get_record(store, "postbacks", record.id) == redact_record(record)

    def test_a_request_that_failed_before_routing_has_no_printer(self, store: Store) -> None:
        record = request(
            1,
            printer=None,
            template=None,
            final=None,
            response=None,
            order_reference_id=None,
            order_id=None,
            status="pending",
        )
        store.save_page("requests", [record], None)
        assert get_record(store, "requests", record.id) == redact_record(record)

    def test_an_unknown_id_is_none(self, store: Store) -> None:
        assert get_record(store, "requests", "req_missing") is None

    def test_secrets_are_redacted_on_the_way_in(self, store: Store) -> None:
        store.save_page("requests", [request(1)], None)
        stored = get_record(store, "requests", request(1).id)
        assert stored is not None and stored.final is not None
        assert "s3cr3t" not in stored.final.headers["Authorization"]
        assert stored.final.headers["Authorization"].startswith("[redacted len=19 ")
        requests = TABLES["requests"]
        with store.engine.connect() as connection:
            stages = connection.execute(select(requests.c.original, requests.c.final)).one()
        dump = "".join(stages)
        assert "k" * 40 not in dump and "s3cr3t" not in dump

    @pytest.mark.parametrize(
        "body",
        [
            "\x1b]52;c;ZWNobyBwd25lZA==\x07 and \x1b[31mred\x1b[0m",
            "[bold]not markup[/] [TODO]",
            "nul \x00 inside",
            '{"unterminated": ',
            "<?xml version='1.0'?><order><id>ORD-1</id></order>",
            "ünïcödé 🧾 \u202e reversed",
            "x" * (5 * 1024 * 1024),
        ],
        ids=["escapes", "markup", "nul", "bad-json", "xml", "unicode", "5mb"],
    )
    def test_untrusted_bodies_come_back_byte_for_byte(self, store: Store, body: str) -> None:
        original = HttpMessage(at=T0, method="POST", url="https://x.example/", body=body)
        store.save_page("requests", [request(1, original=original)], None)
        stored = get_record(store, "requests", request(1).id)
        assert stored is not None
        assert stored.original.body == body


# PostgreSQL's text refuses NUL; the store's own escape character must survive too.
ODD = "a\x00b \ue000 c\ue0000\x00"


class TestOddCharactersInEveryString:
    def test_a_request_with_them_in_every_string_comes_back_equal(self, store: Store) -> None:
        record = request(
            1,
            id=f"req_{ODD}",
            order_reference_id=f"ORD-{ODD}",
            order_id=f"po_{ODD}",
            customer=Party(id=f"cus_{ODD}", name=f"Acme {ODD}"),
            printer=Party(id=f"prn_{ODD}", name=f"Berlin {ODD}"),
            status="failed",
            error=RecordError(stage="printer", code=f"code_{ODD}", message=f"refused {ODD}"),
            template=_template(f"{{{{ order }}}} {ODD}"),
        )
        store.save_page("requests", [record], Watermark(T0, record.id))
        assert get_record(store, "requests", record.id) == redact_record(record)
        assert store.watermark("requests") == Watermark(T0, record.id)
        (summary,) = list_summaries(store, RecordQuery("requests", customers=(f"ACME {ODD}",)))
        assert summary.error_summary == f"printer: code_{ODD}: refused {ODD}"
        assert summary.order_reference_id == f"ORD-{ODD}"
        assert count(store, RecordQuery("requests", order_references=(f"ORD-{ODD}",))) == 1
        assert count(store, RecordQuery("requests", printers=(f"prn_{ODD}",))) == 1
        assert count(store, RecordQuery("requests", search=("refused",))) == 1

    def test_a_postback_with_them_in_its_tracking_comes_back_equal(self, store: Store) -> None:
        record = postback(1, tracking=Tracking(code=f"1Z{ODD}", url=f"https://t.example/{ODD}"))
        store.save_page("postbacks", [record], None)
        assert get_record(store, "postbacks", record.id) == redact_record(record)
        newer = postback(1, updated=timedelta(hours=1), tracking=None, status="failed")
        store.save_page("postbacks", [newer], None)
        assert get_record(store, "postbacks", record.id) == redact_record(newer)


def _template(source: str) -> TemplateProcessing:
    return TemplateProcessing(name="Order Submit Request", version=9, source=source, output="{}")


def _count_sources(store: Store) -> int:
    with store.engine.connect() as connection:
        return int(connection.exec_driver_sql("SELECT count(*) FROM template_sources").scalar_one())


class TestTemplateSources:
    def test_each_distinct_source_is_kept_once(self, store: Store) -> None:
        store.save_page("requests", [request(n) for n in range(1, 4)], None)
        store.save_page("requests", [request(4, template=_template("{{ other }}"))], None)
        store.save_page("postbacks", [postback(1), postback(2)], None)
        assert _count_sources(store) == 3
        with store.engine.connect() as connection:
            stages = connection.exec_driver_sql("SELECT template FROM requests").scalars()
            assert not any('"source"' in stage for stage in stages)
        assert get_record(store, "requests", request(4).id) == redact_record(
            request(4, template=_template("{{ other }}"))
        )

    def test_a_source_another_process_stored_is_shared(self, store_url: str) -> None:
        with Store.open(store_url) as first, Store.open(store_url) as second:
            second.save_page("requests", [request(1)], None)  # second now knows the source
            first.save_page("requests", [request(2), request(3, template=_template("b"))], None)
            second.save_page("requests", [request(4, template=_template("b"))], None)
            assert _count_sources(first) == 2
            for number in (1, 2):
                assert get_record(first, "requests", request(number).id) == redact_record(
                    request(number)
                )
            stored = get_record(second, "requests", request(4).id)
            assert stored is not None and stored.template == _template("b")

    def test_a_page_that_failed_leaves_no_stale_source_behind(
        self, store: Store, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        def crash(*args: object) -> None:
            raise RuntimeError("power cut")

        fresh = request(1, template=_template("{{ new }}"))
        monkeypatch.setattr(pages, "index_documents", crash)
        with pytest.raises(RuntimeError):
            store.save_page("requests", [fresh], None)
        monkeypatch.undo()
        assert _count_sources(store) == 0
        store.save_page("requests", [fresh], None)
        assert get_record(store, "requests", fresh.id) == redact_record(fresh)


class TestCompression:
    def test_a_long_stage_is_stored_compressed_and_a_short_one_as_text(self, store: Store) -> None:
        long = HttpMessage(at=T0, method="POST", url="https://x.example/", body="order " * 500)
        store.save_page("requests", [request(1, original=long)], None)
        with store.engine.connect() as connection:
            original, response = connection.exec_driver_sql(
                "SELECT original, response FROM requests"
            ).one()
            if store.engine.dialect.name == "postgresql":
                # PostgreSQL compresses long text by itself: orderdesk leaves it alone.
                codec = connection.exec_driver_sql(
                    "SELECT pg_column_compression(original) FROM requests"
                ).scalar()
                assert codec is not None and original == long.model_dump_json()
            else:
                assert isinstance(original, bytes) and original.startswith(b"z")
                assert len(original) < len(long.model_dump_json()) / 10
        assert isinstance(response, str) and response.startswith("{")
        assert get_record(store, "requests", request(1).id) == redact_record(
            request(1, original=long)
        )

    def test_a_stage_in_a_format_this_orderdesk_does_not_know_is_an_error(
        self, tmp_path: Path
    ) -> None:
        # Only SQLite stores stages as marked bytes.
        with Store.open(tmp_path / "store.db") as store:
            store.save_page("requests", [request(1)], None)
            with store.engine.begin() as connection:
                connection.exec_driver_sql("UPDATE requests SET original = x'7900'")
            with pytest.raises(StoreError, match="unknown format"):
                get_record(store, "requests", request(1).id)


class TestUpsert:
    def test_counts_new_records(self, store: Store) -> None:
        result = store.save_page("requests", [request(1), request(2)], None)
        assert result == SaveResult(new=2, updated=0, unchanged=0)
        assert result.stored == 2

    def test_a_newer_version_replaces_the_stored_one(self, store: Store) -> None:
        store.save_page("requests", [request(1, status="pending")], None)
        newer = request(1, updated=timedelta(minutes=1), status="succeeded")
        assert store.save_page("requests", [newer], None) == SaveResult(0, 1, 0)
        assert truth(store, "requests") == {newer.id: (newer.updated_at, "succeeded")}

    @pytest.mark.parametrize("age", [timedelta(0), timedelta(seconds=-1)], ids=["equal", "older"])
    def test_an_equal_or_older_version_changes_nothing(self, store: Store, age: timedelta) -> None:
        stored = request(1, updated=timedelta(minutes=1), status="succeeded")
        store.save_page("requests", [stored], None)
        other = request(1, updated=timedelta(minutes=1) + age, status="failed")
        assert store.save_page("requests", [other], None) == SaveResult(0, 0, 1)
        assert truth(store, "requests") == {stored.id: (stored.updated_at, "succeeded")}

    def test_the_newest_of_duplicates_in_one_page_wins(self, store: Store) -> None:
        old, new = request(1, status="pending"), request(1, updated=timedelta(hours=1))
        assert store.save_page("requests", [new, old], None) == SaveResult(1, 0, 1)
        assert truth(store, "requests")[new.id] == (new.updated_at, "succeeded")

    def test_a_page_of_new_newer_and_older_records_is_written_whole_and_newest_wins(
        self, store: Store
    ) -> None:
        store.save_page("requests", [request(n, status="pending") for n in (1, 2)], None)
        newer = request(1, updated=timedelta(minutes=1), status="failed")
        older = request(2, updated=timedelta(seconds=-1), status="failed")
        fresh = [request(n, order_id=f"po\x00{n}") for n in (3, 4, 5)]
        assert store.save_page("requests", [newer, older, *fresh], None) == SaveResult(3, 1, 1)
        stored = truth(store, "requests")
        assert stored[newer.id] == (newer.updated_at, "failed")
        assert stored[request(2).id] == (request(2).updated_at, "pending")
        assert all(stored[record.id] == (record.updated_at, "succeeded") for record in fresh)
        # Each row got a key of its own, and reads back as it was written.
        with store.engine.connect() as connection:
            keys = connection.execute(select(TABLES["requests"].c.pk)).scalars().all()
        assert len(set(keys)) == len(keys) == 5
        assert get_record(store, "requests", fresh[0].id) == redact_record(fresh[0])

    def test_a_record_of_the_other_kind_is_refused(self, store: Store) -> None:
        with pytest.raises(TypeError):
            store.save_page("requests", [postback(1)], None)


class TestWatermark:
    def test_none_before_the_first_page(self, store: Store) -> None:
        assert store.watermark("requests") is None

    def test_it_only_moves_forward(self, store: Store) -> None:
        ahead, behind = Watermark(T0, "req_2"), Watermark(T0, "req_1")
        store.save_page("requests", [], ahead)
        store.save_page("requests", [], behind)
        assert store.watermark("requests") == ahead
        assert store.watermark("postbacks") is None
        later = Watermark(T0 + timedelta(seconds=1), "")
        store.save_page("requests", [], later)
        assert store.watermark("requests") == later

    def test_a_failure_mid_page_stores_neither_rows_nor_watermark(
        self, store: Store, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        def crash(*args: object) -> None:
            raise RuntimeError("power cut")

        monkeypatch.setattr(pages, "index_documents", crash)
        with pytest.raises(RuntimeError):
            store.save_page("requests", [request(1)], Watermark(T0, "req_000001"))
        assert truth(store, "requests") == {}
        assert store.watermark("requests") is None

    def test_it_survives_reopening(self, store_url: str) -> None:
        with Store.open(store_url) as first:
            first.save_page("postbacks", [postback(1)], Watermark(T0, "pb_000001"))
        with Store.open(store_url) as second:
            assert second.watermark("postbacks") == Watermark(T0, "pb_000001")
            assert set(truth(second, "postbacks")) == {"pb_000001"}


class TestOpening:
    def test_creates_the_folder_and_uses_wal(self, tmp_path: Path) -> None:
        path = tmp_path / "deep" / "er" / "store.db"
        with Store.open(path) as store, store.engine.connect() as connection:
            assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert connection.exec_driver_sql("PRAGMA busy_timeout").scalar() == 10_000
            assert connection.exec_driver_sql("PRAGMA page_size").scalar() == 16_384
        assert path.exists()

    def test_accepts_a_url(self, tmp_path: Path) -> None:
        with Store.open(f"sqlite:///{tmp_path}/via-url.db") as store:
            assert store.watermark("requests") is None
        assert (tmp_path / "via-url.db").exists()

    def test_a_file_that_is_not_a_database(self, tmp_path: Path) -> None:
        path = tmp_path / "notes.txt"
        path.write_text("these are my notes, not a database\n" * 100)
        with pytest.raises(StoreError, match="choose another --db"):
            Store.open(path)

    def test_a_database_of_something_else(self, store_url: str) -> None:
        with database(store_url) as other, other.begin() as connection:
            connection.exec_driver_sql("CREATE TABLE invoices (id INTEGER)")
        with pytest.raises(StoreError, match="not an orderdesk store"):
            Store.open(store_url)

    def test_a_server_that_does_not_answer_says_where_and_hides_the_password(self) -> None:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        url = f"postgresql+psycopg://agent:hunter2@127.0.0.1:{port}/orderdesk"
        with pytest.raises(StoreError, match="cannot open the store at") as caught:
            Store.open(url)
        assert f"127.0.0.1:{port}/orderdesk" in str(caught.value)
        assert "hunter2" not in str(caught.value)

    def test_a_printed_store_hides_the_password(self, postgres_cluster: PostgresCluster) -> None:
        with (
            postgres_cluster.database() as url,
            Store.open(url.replace("postgres@", "postgres:pw@")) as store,
        ):
            assert ":pw@" not in repr(store) and ":***@" in repr(store)

    def test_a_folder_that_cannot_be_created(self, tmp_path: Path) -> None:
        (tmp_path / "file").write_text("")
        with pytest.raises(StoreError, match="cannot create"):
            Store.open(tmp_path / "file" / "store.db")


def _set_version(target: str | Path, version: int) -> None:
    with database(str(target)) as other, other.begin() as connection:
        connection.exec_driver_sql(
            f"UPDATE meta SET value = '{version}' WHERE key = 'schema_version'"
        )


def _schema_version(target: str | Path) -> str:
    with database(str(target)) as other, other.connect() as connection:
        version = connection.exec_driver_sql(
            "SELECT value FROM meta WHERE key = 'schema_version'"
        ).scalar_one()
    return str(version)


class TestSchemaVersion:
    def test_a_store_from_a_newer_orderdesk_is_refused(self, store_url: str) -> None:
        Store.open(store_url).close()
        newer = migrations.SCHEMA_VERSION + 1
        _set_version(store_url, newer)
        with pytest.raises(SchemaVersionError) as caught:
            Store.open(store_url)
        message = str(caught.value)
        assert f"schema v{newer}" in message and f"knows v{migrations.SCHEMA_VERSION}" in message
        assert "pip install -U orderdesk" in message

    def test_a_failed_upgrade_leaves_the_store_as_it_was(
        self, store_url: str, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        Store.open(store_url).close()
        current = migrations.SCHEMA_VERSION

        def half_done(connection: Connection) -> None:
            connection.exec_driver_sql("ALTER TABLE requests ADD COLUMN note TEXT")
            connection.exec_driver_sql("SELECT * FROM no_such_table")

        monkeypatch.setattr(migrations, "SCHEMA_VERSION", current + 1)
        monkeypatch.setattr(migrations, "MIGRATIONS", {current: half_done})
        with pytest.raises(StoreError):
            Store.open(store_url)
        monkeypatch.undo()
        with Store.open(store_url) as unchanged, unchanged.engine.connect() as connection:
            columns = [column["name"] for column in inspect(connection).get_columns("requests")]
        assert "note" not in columns
        assert _schema_version(store_url) == str(current)

    def test_a_version_with_no_upgrade_path_is_refused(
        self, store_url: str, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        Store.open(store_url).close()
        monkeypatch.setattr(migrations, "SCHEMA_VERSION", migrations.SCHEMA_VERSION + 1)
        with pytest.raises(StoreError, match="cannot upgrade"):
            Store.open(store_url)


def _v1_records() -> list[LogRecord]:
    other_source = TemplateProcessing(
        name="Order Cancel Request", version=3, source="{{ cancel | tojson }}", output="{}"
    )
    broken = TemplateProcessing(
        name="Order Submit Request", version=8, source="{{ order", error="unexpected end"
    )
    return [
        request(1),
        failed_request(2),
        request(3, action="cancel", template=other_source),
        request(4, status="failed", template=broken, final=None, response=None),
        request(5, printer=None, template=None, final=None, response=None, status="pending"),
        postback(1),
        postback(2, template=None, attempts=[], response=None, status="pending"),
    ]


class TestUpgradeFromV1:
    def test_every_record_reads_back_unchanged(self, tmp_path: Path) -> None:
        path = tmp_path / "v1.db"
        records = _v1_records()
        write_v1_store(path, records)
        with Store.open(path) as store:
            for record in records:
                kind: Kind = "requests" if isinstance(record, RequestRecord) else "postbacks"
                assert get_record(store, kind, record.id) == redact_record(record)
            listed = [
                *list_records(store, RecordQuery("requests")),
                *list_records(store, RecordQuery("postbacks")),
            ]
            assert sorted(listed, key=lambda r: r.id) == sorted(
                (redact_record(r) for r in records), key=lambda r: r.id
            )
            assert store.watermark("requests") == Watermark(T0 + timedelta(seconds=2), "req_000003")
        assert _schema_version(path) == str(migrations.SCHEMA_VERSION)

    def test_an_upgraded_store_has_the_indexes_of_a_new_one(self, tmp_path: Path) -> None:
        write_v1_store(tmp_path / "v1.db", _v1_records())
        Store.open(tmp_path / "v1.db").close()
        Store.open(tmp_path / "new.db").close()

        def indexes(path: Path) -> dict[str, list[str]]:
            connection = sqlite3.connect(path)
            found = {}
            for kind in ("requests", "postbacks"):
                for _, name, *_ in connection.execute(f"PRAGMA index_list({kind})"):
                    info = connection.execute(f"PRAGMA index_info({name})").fetchall()
                    found[name] = [column for _, _, column in info]
            connection.close()
            return found

        upgraded = indexes(tmp_path / "v1.db")
        assert upgraded == indexes(tmp_path / "new.db")
        assert upgraded["ix_requests_customer"] == ["customer_id", "created_at", "id", "status"]

    def test_each_template_source_is_then_kept_once(self, tmp_path: Path) -> None:
        path = tmp_path / "v1.db"
        write_v1_store(path, _v1_records())
        Store.open(path).close()
        connection = sqlite3.connect(path)
        with connection:
            sources = connection.execute("SELECT count(*) FROM template_sources").fetchone()
            inline = connection.execute(
                "SELECT count(*) FROM requests WHERE template LIKE '%\"source\"%'"
            ).fetchone()
        connection.close()
        assert (sources, inline) == ((4,), (0,))

    def test_upgraded_records_are_searched_and_replaced_by_newer_versions(
        self, tmp_path: Path
    ) -> None:
        path = tmp_path / "v1.db"
        write_v1_store(path, [request(1), request(2)])
        with Store.open(path) as store:
            assert count(store, RecordQuery("requests", search=("ORD-1",))) == 1
            quiet = HttpMessage(at=T0, method="POST", url="https://x.example/", body="hello")
            newer = request(
                1,
                updated=timedelta(hours=1),
                order_reference_id="ORD-77",
                original=quiet,
                template=None,
                final=None,
                response=None,
            )
            assert store.save_page("requests", [newer], None) == SaveResult(0, 1, 0)
            assert count(store, RecordQuery("requests", search=("ORD-1",))) == 0
            assert count(store, RecordQuery("requests", search=("ORD-77",))) == 1
            assert get_record(store, "requests", newer.id) == redact_record(newer)

    def test_a_day_of_simulated_traffic_survives_the_upgrade(self, tmp_path: Path) -> None:
        simulation = Simulation(seed=3, history=timedelta(hours=2), history_rate=5.0, rate=0.0)
        kinds: tuple[Kind, ...] = ("requests", "postbacks")
        records = {kind: simulation.records(kind) for kind in kinds}
        path = tmp_path / "v1.db"
        write_v1_store(path, [*records["requests"], *records["postbacks"]])
        with Store.open(path) as store:
            for kind in kinds:
                for record in records[kind]:
                    assert get_record(store, kind, record.id) == redact_record(record)

    def test_an_upgrade_that_fails_on_a_row_leaves_a_v1_store(self, tmp_path: Path) -> None:
        path = tmp_path / "v1.db"
        write_v1_store(path, [request(1), request(2)])
        connection = sqlite3.connect(path)
        with connection:
            connection.execute("UPDATE requests SET template = '{\"cut\": ' WHERE pk = 2")
        connection.close()
        with pytest.raises(ValidationError):
            Store.open(path)
        assert _schema_version(path) == "1"
        connection = sqlite3.connect(path)
        with connection:
            tables = {row[0] for row in connection.execute("SELECT name FROM sqlite_master")}
            (first,) = connection.execute("SELECT template FROM requests WHERE pk = 1").fetchone()
        connection.close()
        assert "template_sources" not in tables
        assert '"source"' in first


class TestSharing:
    def test_a_reader_mid_transaction_does_not_block_a_page_save(self, store_url: str) -> None:
        with Store.open(store_url) as writer, Store.open(store_url) as reader:
            writer.save_page("requests", [request(1)], None)
            with reader.engine.connect() as connection:
                before = connection.exec_driver_sql("SELECT count(*) FROM requests").scalar()
                writer.save_page("requests", [request(2)], Watermark(T0, "req_000002"))
                during = connection.exec_driver_sql("SELECT count(*) FROM requests").scalar()
            assert (before, during) == (1, 1)  # a reader sees one consistent snapshot
            assert set(truth(reader, "requests")) == {"req_000001", "req_000002"}


def test_where_the_store_is_can_be_printed_without_its_password(store_url: str) -> None:
    if "://" in store_url:  # a database server: give the URL a password to hide
        store_url = store_url.replace("://postgres@", "://postgres:hunter2@")
    with Store.open(store_url) as opened:
        assert "hunter2" not in opened.shown_url
        assert "hunter2" not in repr(opened)
        if "://" in store_url:
            assert "***" in opened.shown_url


class TestLogApi11:
    def test_a_resubmit_keeps_its_link_to_the_request_it_sends_again(self, store: Store) -> None:
        original = request(1)
        again = request(2, resubmit_of=original.id, action_id="act_01")
        store.save_page("requests", [original, again], None)

        assert get_record(store, "requests", again.id) == redact_record(again)
        assert get_record(store, "requests", original.id).resubmit_of is None  # type: ignore[union-attr]

    def test_an_upgraded_store_has_the_tables_and_columns_of_a_new_one(
        self, tmp_path: Path
    ) -> None:
        write_v1_store(tmp_path / "v1.db", _v1_records())
        Store.open(tmp_path / "v1.db").close()
        Store.open(tmp_path / "new.db").close()

        def columns(path: Path) -> dict[str, list[str]]:
            engine = create_engine(f"sqlite:///{path}")
            try:
                found = inspect(engine)
                return {
                    name: sorted(column["name"] for column in found.get_columns(name))
                    for name in found.get_table_names()
                }
            finally:
                engine.dispose()

        upgraded = columns(tmp_path / "v1.db")
        assert upgraded == columns(tmp_path / "new.db")
        assert {"actions", "action_journal"} <= upgraded.keys()
        assert {"resubmit_of", "action_id"} <= set(upgraded["requests"])


class TestPostbackResponseKeptOnce:
    def test_a_response_that_is_the_last_attempt_is_kept_once_and_reads_back(
        self, store: Store
    ) -> None:
        usual = postback(1)
        assert usual.response is not None and usual.response == usual.attempts[-1]
        store.save_page("postbacks", [usual], None)

        with store.engine.connect() as connection:
            stored = connection.execute(
                select(TABLES["postbacks"].c.response).where(TABLES["postbacks"].c.id == usual.id)
            ).scalar_one()
        assert stored == rows.SAME_AS_LAST_ATTEMPT
        assert get_record(store, "postbacks", usual.id) == redact_record(usual)
        body = usual.response.body
        assert body and count(store, RecordQuery("postbacks", search=(body.split()[0],))) >= 1
        # Indexed again from its row (as an upgrade does), the marker is no body.
        row = {"response": stored, "attempts": '[{"body": "ok"}]', "id": usual.id}
        assert search.document(row) == (usual.id, "ok")

    def test_a_response_unlike_the_last_attempt_is_kept_as_it_is(self, store: Store) -> None:
        usual = postback(2)
        assert usual.response is not None
        other = usual.response.model_copy(update={"status_code": 599})
        unusual = postback(2, response=other)
        store.save_page("postbacks", [unusual], None)

        assert get_record(store, "postbacks", unusual.id) == redact_record(unusual)
