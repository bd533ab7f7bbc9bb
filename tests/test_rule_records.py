"""Records read back for the findings lead the rules to exactly what whole records do."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from pydantic import ValidationError
from sqlalchemy import select

from orderdesk.core.finding_spans import finding_spans
from orderdesk.core.records import (
    KINDS,
    HttpMessage,
    Kind,
    LogRecord,
    Party,
    PostbackRecord,
    RequestRecord,
)
from orderdesk.core.rows import record_from_row, whole_rows
from orderdesk.core.rule_records import rule_copy, rule_records
from orderdesk.core.schema import TABLES
from orderdesk.core.stage_codec import StageBook, pack_alone, train, unpack_start
from orderdesk.core.store import Store
from orderdesk.core.timeline_rules import DEFAULT_RULES
from orderdesk.sim.traffic import Simulation
from tests.record_factory import T0, failed_request, postback, request


@pytest.fixture(scope="module")
def simulated() -> Simulation:
    # A few hours at a busy rate: enough stages to pack with a dictionary, and
    # every kind of trouble (failures, retries, error events, late receipts).
    return Simulation(seed=5, history=timedelta(hours=2), history_rate=12.0, rate=0.0)


def _by_reference(
    records: dict[Kind, list[LogRecord]],
) -> dict[str, tuple[list[RequestRecord], list[PostbackRecord]]]:
    found: dict[str, tuple[list[RequestRecord], list[PostbackRecord]]] = {}
    for kind in KINDS:
        for record in sorted(records[kind], key=lambda r: (r.created_at, r.id)):
            if record.order_reference_id is None:
                continue
            requests, postbacks = found.setdefault(record.order_reference_id, ([], []))
            if isinstance(record, RequestRecord):
                requests.append(record)
            else:
                assert isinstance(record, PostbackRecord)
                postbacks.append(record)
    return found


def test_every_orders_findings_read_the_same_from_rule_records_and_copies_as_from_whole_ones(
    store_url: str, simulated: Simulation
) -> None:
    with Store.open(store_url) as store:
        for kind in KINDS:
            records = simulated.records(kind)
            for start in range(0, len(records), 500):
                store.save_page(kind, records[start : start + 500], None)
        whole: dict[Kind, list[LogRecord]] = {}
        slim: dict[Kind, list[LogRecord]] = {}
        with store.asking() as connection:
            for kind in KINDS:
                rows = connection.execute(whole_rows(kind)).mappings().all()
                whole[kind] = [record_from_row(kind, row) for row in rows]
                pks = connection.execute(select(TABLES[kind].c.pk)).scalars().all()
                slim[kind] = list(rule_records(connection, kind, pks))
    assert len(slim["requests"]) == len(whole["requests"]) > 200
    expected, read = _by_reference(whole), _by_reference(slim)
    # What a writer keeps of the records it saved (``rule_copy``) reads the same way.
    parties: dict[tuple[str, str], Party] = {}
    copied = _by_reference({kind: [rule_copy(r, parties) for r in whole[kind]] for kind in KINDS})
    assert read.keys() == expected.keys() == copied.keys()
    told: Counter[str] = Counter()
    for reference, (requests, postbacks) in expected.items():
        spans = finding_spans(reference, requests, postbacks, DEFAULT_RULES)
        assert finding_spans(reference, *read[reference], DEFAULT_RULES) == spans, reference
        assert finding_spans(reference, *copied[reference], DEFAULT_RULES) == spans, reference
        told.update(span.finding.rule for span in spans if span.finding.detail is not None)
    # The history had each kind of trouble whose detail comes from what rule records
    # keep: the request's error, the last answer, the printer's message in its body.
    for rule in ("request_failed", "undelivered", "error_postback"):
        assert told[rule] > 0, told


@pytest.mark.parametrize("record", [failed_request(1), postback(2)], ids=["request", "postback"])
def test_a_copy_is_a_whole_frozen_model_that_shares_only_what_nothing_changes(
    record: LogRecord,
) -> None:
    parties: dict[tuple[str, str], Party] = {}
    kept = rule_copy(record, parties)
    # Every field there, each of a type the model accepts: it validates back to itself.
    assert type(kept).model_validate(kept.model_dump()) == kept
    assert kept.created_at == record.created_at and kept.status == record.status
    everything = set(type(record).model_fields)
    assert kept.model_fields_set == everything
    with pytest.raises(ValidationError):
        kept.order_id = "changed"  # type: ignore[misc]
    # A copy of a copy gets a set of its own: the one the copies share stays whole.
    changed = kept.model_copy(update={"order_id": "changed"})
    assert changed.order_id == "changed" and kept.order_id == record.order_id != "changed"
    assert kept.model_fields_set == everything
    assert rule_copy(record, parties).model_fields_set is kept.model_fields_set
    if isinstance(record, PostbackRecord):
        assert isinstance(kept, PostbackRecord)
        assert kept.attempts == record.attempts and kept.attempts is not record.attempts
        assert kept.response is kept.attempts[-1]


def test_a_stage_is_unpacked_only_as_far_as_asked() -> None:
    text = '{"at":"2026-12-06T10:44:26.583378Z","method":"POST","body":"' + "x" * 5000 + '"}'
    book = StageBook(lambda _: None)
    book.add(1, "requests", train([text] * 300))
    packed = book.pack("requests", text)
    assert isinstance(packed, bytes)
    assert book.unpack_start(packed, 40) == text[:40]
    alone = pack_alone(text)
    assert isinstance(alone, bytes)
    assert unpack_start(alone, lambda _: b"", 40) == text[:40]
    assert unpack_start(text, lambda _: b"", 40) == text[:40]


def test_a_message_written_another_way_still_gives_its_moment(tmp_path: Path) -> None:
    at = datetime(2026, 12, 6, 10, 44, 26, 583378, tzinfo=UTC)
    original = HttpMessage(at=at, method="POST", url="https://example.test/orders", body="{}")
    record = request(1, order_reference_id="ORD-1", original=original, at=T0)
    with Store.open(f"sqlite:///{tmp_path}/store.db") as store:
        store.save_page("requests", [record], None)
        table = TABLES["requests"]
        with store.writing() as connection:
            # The same message, its keys in another order: the moment is not first.
            stage = '{"method":"POST","url":"https://example.test/orders","at":"' + (
                "2026-12-06T10:44:26.583378Z" + '","body":"{}"}'
            )
            connection.execute(table.update().values(original=stage))
        with store.asking() as connection:
            pk = connection.execute(select(table.c.pk)).scalar_one()
            (read,) = rule_records(connection, "requests", [pk])
    assert isinstance(read, RequestRecord)
    assert read.original.at == at
