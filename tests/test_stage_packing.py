"""Stages packed with the store's dictionaries: smaller, and every record reads back exactly."""

from __future__ import annotations

import zlib
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from orderdesk.core.errors import StoreError
from orderdesk.core.queries import get_record
from orderdesk.core.records import Kind, LogRecord
from orderdesk.core.redact import redact_record
from orderdesk.core.rows import STAGE_COLUMNS
from orderdesk.core.schema import TABLES
from orderdesk.core.stage_codec import PACK_FROM, TRAIN_FROM, StageBook, train, unpack
from orderdesk.core.stage_dictionaries import STAGE_DICTIONARIES
from orderdesk.core.store import Store
from orderdesk.sim.traffic import Simulation
from tests.record_factory import request

KINDS: tuple[Kind, ...] = ("requests", "postbacks")


@pytest.fixture(scope="module")
def traffic() -> dict[Kind, list[LogRecord]]:
    """A few hours of simulated traffic: enough stages of each kind to make a dictionary."""
    simulation = Simulation(seed=5, history=timedelta(hours=6), history_rate=4.0, rate=0.0)
    return {kind: simulation.records(kind) for kind in KINDS}


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    with Store.open(tmp_path / "store.db") as opened:
        yield opened


def _stored_stages(store: Store, kind: Kind) -> list[str | bytes]:
    table = TABLES[kind]
    columns = [table.c[name] for name in STAGE_COLUMNS if name in table.c]
    with store.engine.connect() as connection:
        rows = connection.exec_driver_sql(
            f"SELECT {', '.join(column.name for column in columns)} FROM {kind}"
        ).all()
    return [value for row in rows for value in row if value is not None]


def _dictionaries(store: Store) -> list[str]:
    with store.engine.connect() as connection:
        return list(
            connection.execute(
                select(STAGE_DICTIONARIES.c.kind).order_by(STAGE_DICTIONARIES.c.id)
            ).scalars()
        )


def _save(store: Store, kind: Kind, records: list[LogRecord]) -> None:
    for start in range(0, len(records), 500):
        store.save_page(kind, records[start : start + 500], None)


class TestPacking:
    def test_each_kind_gets_one_dictionary_and_every_record_reads_back_exactly(
        self, store: Store, traffic: dict[Kind, list[LogRecord]]
    ) -> None:
        for kind in KINDS:
            assert len(traffic[kind]) >= TRAIN_FROM
            _save(store, kind, traffic[kind])
        assert _dictionaries(store) == ["requests", "postbacks"]
        for kind in KINDS:
            for record in traffic[kind]:
                assert get_record(store, kind, record.id) == redact_record(record)

    def test_packed_stages_keep_under_a_third_of_their_text(
        self, store: Store, traffic: dict[Kind, list[LogRecord]]
    ) -> None:
        for kind in KINDS:
            _save(store, kind, traffic[kind])
            stored = _stored_stages(store, kind)
            packed = [value for value in stored if isinstance(value, bytes)]
            assert packed and all(value[:1] == b"d" for value in packed)
            texts = [value for value in stored if isinstance(value, str)]
            assert all(len(text) < PACK_FROM for text in texts), "only short stages stay text"
            book = store._pages.book
            assert book is not None
            unpacked = sum(len(book.unpack(value).encode()) for value in packed)
            assert sum(map(len, packed)) < unpacked / 3

    def test_a_store_opened_again_packs_with_the_dictionaries_it_has(
        self, tmp_path: Path, traffic: dict[Kind, list[LogRecord]]
    ) -> None:
        path = tmp_path / "store.db"
        requests = traffic["requests"]
        half = len(requests) // 2
        with Store.open(path) as first:
            _save(first, "requests", requests[:half])
        with Store.open(path) as second:
            _save(second, "requests", requests[half:])
            assert _dictionaries(second) == ["requests"]
            assert all(
                get_record(second, "requests", record.id) == redact_record(record)
                for record in requests
            )


class TestReaders:
    def test_a_reader_opened_before_the_dictionary_was_made_reads_what_it_packs(
        self, tmp_path: Path, traffic: dict[Kind, list[LogRecord]]
    ) -> None:
        # The console opens the store, then the sync service makes the dictionary.
        path = tmp_path / "store.db"
        with Store.open(path) as reader, Store.open(path) as writer:
            assert _dictionaries(reader) == []
            _save(writer, "postbacks", traffic["postbacks"])
            record = traffic["postbacks"][-1]
            assert get_record(reader, "postbacks", record.id) == redact_record(record)

    def test_stages_stored_before_the_dictionary_still_read(
        self, store: Store, traffic: dict[Kind, list[LogRecord]]
    ) -> None:
        from orderdesk.core.records import HttpMessage
        from tests.record_factory import T0

        long = HttpMessage(at=T0, method="POST", url="https://x.example/", body="order " * 500)
        early = request(1, original=long)
        store.save_page("requests", [early], None)  # too few stages: no dictionary yet
        assert _dictionaries(store) == []
        _save(store, "requests", traffic["requests"])
        assert _dictionaries(store) == ["requests"]
        stored = _stored_stages(store, "requests")
        assert any(isinstance(value, bytes) and value[:1] == b"z" for value in stored)
        assert get_record(store, "requests", early.id) == redact_record(early)

    def test_a_stage_naming_a_dictionary_the_store_lacks_is_an_error(
        self, store: Store, traffic: dict[Kind, list[LogRecord]]
    ) -> None:
        _save(store, "requests", traffic["requests"])
        record = traffic["requests"][0]
        with store.engine.begin() as connection:
            connection.exec_driver_sql(
                "UPDATE requests SET original = x'64002a0000' WHERE id = ?", (record.id,)
            )
        with pytest.raises(StoreError, match="dictionary 42"):
            get_record(store, "requests", record.id)


class TestCodec:
    def test_a_value_packs_and_unpacks_with_its_dictionary(self) -> None:
        stages = [
            f'{{"order":"ORD-{n}","customer":"Acme GmbH","street":"Hauptstr. {n}","lines":[{n}]}}'
            for n in range(300)
        ]
        dictionary = train(stages)
        book = StageBook(lambda _: None)
        book.add(7, "requests", dictionary)
        packed = book.pack("requests", stages[5])
        assert isinstance(packed, bytes) and packed[:3] == b"d\x00\x07"
        assert unpack(packed, {7: dictionary}.__getitem__) == stages[5]
        # A stream made with one dictionary reads wrong with any other: ids are never reused.
        with pytest.raises(zlib.error):
            unpack(packed, lambda _: b"another dictionary entirely")

    def test_the_book_reads_every_value_as_unpack_does_and_a_damaged_one_is_an_error(
        self,
    ) -> None:
        stages = [
            f'{{"at":"2026-12-06T10:{n % 60:02d}:00Z","customer":"Acme GmbH","lines":[{n}]}}'
            for n in range(300)
        ]
        book = StageBook(lambda _: None)
        book.add(7, "requests", train(stages))
        packed = [book.pack("requests", stage) for stage in stages]
        assert all(isinstance(value, bytes) for value in packed)
        assert [book.unpack(value) for value in packed] == stages  # type: ignore[arg-type]
        assert [book.unpack_start(value, 10) for value in packed] == [s[:10] for s in stages]
        value = packed[5]
        assert isinstance(value, bytes)
        # The last bytes are the text's checksum: changed, the value is an error, not a text.
        with pytest.raises(zlib.error):
            book.unpack(value[:-4] + bytes(byte ^ 0xFF for byte in value[-4:]))
        # A book whose dictionary 7 is another: the checksum in the value's header says so.
        other = StageBook(lambda _: None)
        other.add(7, "requests", b"another dictionary entirely")
        with pytest.raises(zlib.error):
            other.unpack(value)

    def test_short_stages_and_kinds_without_a_dictionary_stay_as_before(self) -> None:
        book = StageBook(lambda _: None)
        book.add(1, "requests", train(["x" * 100] * 3))
        assert book.pack("requests", "{}") == "{}"
        assert book.pack("postbacks", "y" * 100) == "y" * 100
        assert isinstance(book.pack("postbacks", "y" * 2000), bytes)


def test_postgresql_keeps_stages_as_text(store_url: str) -> None:
    # PostgreSQL compresses long text itself; orderdesk makes no dictionary there.
    simulation = Simulation(seed=5, history=timedelta(hours=6), history_rate=4.0, rate=0.0)
    records = simulation.records("requests")
    with Store.open(store_url) as store:
        _save(store, "requests", records)
        if store.engine.dialect.name == "sqlite":
            assert _dictionaries(store) == ["requests"]
        else:
            assert store._pages.book is None
            assert _dictionaries(store) == []
            assert all(isinstance(value, str) for value in _stored_stages(store, "requests"))
        with store.engine.connect() as connection:
            count = connection.execute(select(func.count()).select_from(TABLES["requests"]))
            assert count.scalar() == len({record.id for record in records})
