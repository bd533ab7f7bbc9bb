"""Marks: m marks the highlighted record, M shows the marked ones only, marks outlive filters."""

from __future__ import annotations

import pytest

from orderdesk import strings
from orderdesk.core.queries import RecordQuery, count, list_summaries
from orderdesk.core.records import RequestRecord
from orderdesk.core.store import Store
from orderdesk.sim import Simulation
from tests.tui.tui_console import (
    console,
    held_row,
    record_list,
    records_screen,
    screen_text,
    settled,
)


def test_a_query_by_ids_finds_exactly_those_records_newest_first(store: Store) -> None:
    some = list_summaries(store, RecordQuery("requests"), limit=40)[::13]
    ids = tuple(summary.id for summary in reversed(some))
    found = list_summaries(store, RecordQuery("requests", ids=ids))
    assert [summary.id for summary in found] == [summary.id for summary in some]
    assert count(store, RecordQuery("requests", ids=ids)) == len(some)
    assert count(store, RecordQuery("requests").only(())) == 0


async def test_marked_records_show_a_mark_and_can_be_shown_alone(store: Store) -> None:
    app = console(store)
    async with app.run_test(size=(80, 24)) as pilot:
        await settled(pilot)
        records = record_list(app)
        everything = records.total
        first = records.highlighted
        await pilot.press("m", "j", "j", "m")
        await settled(pilot)
        third = records.highlighted
        assert first is not None and third is not None
        assert records.marks == {first.id, third.id}
        rows = screen_text(app).splitlines()
        marked_rows = [row for row in rows if row.startswith("●")]
        assert len(marked_rows) == 2
        assert "2 marked" in screen_text(app)

        await pilot.press("M")
        await settled(pilot)
        assert records.total == 2
        assert {held_row(records._window, i).id for i in range(2)} == {first.id, third.id}
        assert "marked only (2)" in screen_text(app)

        await pilot.press("M")
        await settled(pilot)
        assert records.total == everything


async def test_marks_outlive_a_filter_change_and_unmarking_leaves_the_marked_list(
    store: Store,
) -> None:
    app = console(store)
    async with app.run_test(size=(120, 30)) as pilot:
        await settled(pilot)
        records = record_list(app)
        await pilot.press("m", "j", "m", "j", "m")
        await pilot.press("e")
        await settled(pilot)
        assert len(records.marks) == 3
        await pilot.press("e", "M")
        await settled(pilot)
        assert records.total == 3
        await pilot.press("m")  # unmark the newest marked one
        await settled(pilot)
        assert records.total == 2
        assert len(records_screen(app).marks) == 2


async def test_marked_only_with_nothing_marked_says_how_to_mark(store: Store) -> None:
    app = console(store)
    async with app.run_test(size=(80, 24)) as pilot:
        await settled(pilot)
        everything = record_list(app).total
        await pilot.press("M")
        await settled(pilot)
        assert record_list(app).total == everything
        assert not records_screen(app).marked_only
        said = [notification.message for notification in app._notifications]
        assert strings.NOTHING_MARKED in said


@pytest.mark.slow
async def test_marked_only_over_a_million_records_reads_only_the_marked(
    simulation: Simulation, tmp_path_factory: pytest.TempPathFactory
) -> None:
    from tests.tui.big_store import build_big_store

    path = tmp_path_factory.mktemp("million-marks") / "big.db"
    first = simulation.records("requests")[0]
    assert isinstance(first, RequestRecord)
    build_big_store(path, first, 1_000_000)
    with Store.open(path) as big:
        app = console(big)
        async with app.run_test(size=(120, 40)) as pilot:
            await settled(pilot)
            records = record_list(app)
            await pilot.press("m", "pagedown", "m", "G", "m")
            await settled(pilot)
            marked = set(records.marks)
            assert "req_big_0000000" in marked and len(marked) == 3
            before = records.rows_read
            await pilot.press("M")
            await settled(pilot)
            assert records.total == 3
            assert records.rows_read - before == 3, "the marked rows, found by id, and no others"
            assert {held_row(records._window, i).id for i in range(3)} == marked
