"""The record-read benchmark times both reads of each kind on a real store."""

from __future__ import annotations

from pathlib import Path

from benchmarks.record_reads import measure
from orderdesk.core.store import Store
from tests.record_factory import T0, postback, request


def test_each_kind_is_read_whole_and_as_the_rules_read_it(tmp_path: Path) -> None:
    path = tmp_path / "store.db"
    with Store.open(path) as store:
        store.save_page("requests", [request(n, at=T0) for n in range(1, 8)], None)
        store.save_page("postbacks", [postback(n, at=T0) for n in range(1, 6)], None)
    figures = measure(str(path), records=100, repeat=1)
    assert figures.keys() == {"requests", "postbacks"}
    assert figures["requests"]["records"] == 7
    assert figures["postbacks"]["records"] == 5
    for timed in figures.values():
        assert timed["whole_us"] > 0 and timed["as_the_rules_read_us"] > 0
