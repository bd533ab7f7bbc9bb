"""What the writer's index knows of the references with no findings, and when it forgets it.

A reference it says has none is not deleted from the findings table again, so
what it says must hold for the store as committed: only after a commit, never
for one it no longer keeps, and not at all once another writer wrote.
"""

from __future__ import annotations

from orderdesk.core.records import Kind, LogRecord
from orderdesk.core.stored_findings import ReferenceIndex
from tests.record_factory import request


def _records(number: int) -> dict[tuple[Kind, str], LogRecord]:
    record = request(number)
    return {("requests", record.id): record}


def _committed(index: ReferenceIndex, generation: int, rows: dict[str, int]) -> None:
    index.begin(generation)
    for number, (reference, count) in enumerate(rows.items(), start=1):
        index.stage(reference, _records(number))
        index.stage_findings(reference, count)
    index.commit(generation)


def test_a_reference_is_known_clear_only_once_its_transaction_commits() -> None:
    index = ReferenceIndex()
    index.begin(1)
    index.stage("ORD-1", _records(1))
    index.stage_findings("ORD-1", 0)
    assert not index.has_no_findings("ORD-1")
    index.commit(1)
    assert index.has_no_findings("ORD-1")


def test_a_rolled_back_transaction_leaves_what_the_last_commit_said() -> None:
    index = ReferenceIndex()
    _committed(index, 1, {"ORD-1": 2})
    index.begin(2)
    index.stage("ORD-1", _records(1))
    index.stage_findings("ORD-1", 0)
    # No commit: the next transaction begins from what generation 1 left.
    index.begin(2)
    assert not index.has_no_findings("ORD-1")


def test_findings_found_later_make_a_reference_no_longer_clear() -> None:
    index = ReferenceIndex()
    _committed(index, 1, {"ORD-1": 0, "ORD-2": 0})
    _committed(index, 2, {"ORD-1": 1})
    assert not index.has_no_findings("ORD-1")
    assert index.has_no_findings("ORD-2")


def test_another_writers_generation_forgets_every_clear_reference() -> None:
    index = ReferenceIndex()
    _committed(index, 1, {"ORD-1": 0})
    index.begin(3)  # generation 2 was someone else's
    assert not index.has_no_findings("ORD-1")


def test_a_reference_pushed_out_of_the_index_is_no_longer_known_clear() -> None:
    index = ReferenceIndex(size=1)
    _committed(index, 1, {"ORD-1": 0})
    _committed(index, 2, {"ORD-2": 0})
    assert index.records("ORD-1") is None
    assert not index.has_no_findings("ORD-1")
    assert index.has_no_findings("ORD-2")
