"""The virtual list: newest first, only what is on screen read, the cursor kept on its record."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, timedelta
from itertools import pairwise
from pathlib import Path

import pytest
from textual.content import Content
from textual.widgets import Static

from orderdesk.core.queries import Cursor, RecordQuery, RecordSummary, list_summaries
from orderdesk.core.records import Kind, LogRecord, RequestRecord
from orderdesk.core.store import Store
from orderdesk.sim import Simulation
from orderdesk.tui.row_window import RowWindow
from orderdesk.tui.widgets import columns
from orderdesk.tui.widgets.filter_bar import FilterBar
from orderdesk.tui.widgets.status_line import StatusLine
from tests.tui.simulated_day import ANCHOR
from tests.tui.tui_console import console, held_row, record_list, records_screen, settled


async def test_the_list_shows_the_newest_requests_first(store: Store) -> None:
    app = console(store)
    async with app.run_test(size=(120, 30)) as pilot:
        await settled(pilot)
        records = record_list(app)
        newest = list_summaries(store, RecordQuery(kind="requests"), limit=3)
        assert [held_row(records._window, i).id for i in range(3)] == [s.id for s in newest]
        assert records.highlighted is not None and records.highlighted.id == newest[0].id
        assert records.total == len(list_summaries(store, RecordQuery("requests"), limit=10**6))


async def test_opening_reads_one_page_and_paging_down_reads_at_most_one_more(store: Store) -> None:
    app = console(store)
    async with app.run_test(size=(80, 24)) as pilot:
        await settled(pilot)
        records = record_list(app)
        assert records.pages_read == 1
        for _ in range(4):
            # The line under the list grows with a long error: each page is the height of its own.
            page, before = records.scrollable_content_region.height - 1, records.cursor
            await pilot.press("pagedown")
            await pilot.pause()
            assert records.cursor == before + page
        assert records.pages_read == 1, "four screens fit in the first page of 100 rows"
        for _ in range(2):
            await pilot.press("pagedown")
        await pilot.pause()
        assert records.pages_read == 2


async def test_moving_the_cursor_redraws_a_bar_only_when_it_says_something_new(
    sqlite_store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Each needless update was a layout pass and two more frames after every key.
    updates: list[tuple[str, str]] = []
    for bar in (FilterBar, StatusLine):
        original = bar.update

        def counted(
            self: Static,
            content: Content,
            _original: Callable[..., None] = original,
            **kwargs: object,
        ) -> None:
            updates.append((type(self).__name__, content.plain))
            _original(self, content, **kwargs)

        monkeypatch.setattr(bar, "update", counted)
    app = console(sqlite_store)
    async with app.run_test(size=(120, 30)) as pilot:
        await settled(pilot)
        await pilot.press("j", "j", "pagedown", "k", "j")
        await settled(pilot)
        assert record_list(app).cursor > 1
    for name in ("FilterBar", "StatusLine"):
        said = [text for widget, text in updates if widget == name]
        assert said, name
        assert all(new != old for old, new in pairwise(said)), said


async def test_a_failed_row_carries_a_symbol_as_well_as_a_colour(store: Store) -> None:
    failed = list_summaries(store, RecordQuery("requests", statuses=("failed",)), limit=1)[0]
    text = columns.line(columns.cells(failed, UTC), columns.layout("requests", 80), 80)
    assert "✗ failed" in text
    assert str(failed.http_status) in text


@pytest.mark.parametrize("kind", ["requests", "postbacks"])
def test_at_80_columns_the_key_columns_stay_and_the_rest_give_way(kind: Kind) -> None:
    shown = [column.key for column, _ in columns.layout(kind, 79)]
    assert {"time", "reference"} <= set(shown)
    assert ("status" if kind == "requests" else "delivery") in shown
    wide = [column.key for column, _ in columns.layout(kind, 200)]
    assert wide == [column.key for column in columns.COLUMNS[kind]], "all fit at 200"
    assert len(shown) < len(wide)
    assert sum(width for _, width in columns.layout(kind, 79)) + len(shown) - 1 <= 79


@pytest.mark.parametrize("kind", ["requests", "postbacks"])
def test_at_200_columns_the_fill_column_takes_what_the_others_leave(kind: Kind) -> None:
    wide = columns.layout(kind, 200)
    assert sum(width for _, width in wide) + len(wide) - 1 == 200, "no blank band on the right"
    for column, width in wide:
        assert width > column.maximum if column.fill else width == column.maximum


def test_columns_cut_long_text_with_an_ellipsis_and_never_overflow() -> None:
    assert columns.fit("Southern Cross Print Sydney", 10) == "Southern …"
    assert columns.fit("7", 4, right=True) == "   7"


# -- the window over keyset pages, with a list in memory --------------------------------


def _summaries(n: int) -> list[RecordSummary]:
    return [
        RecordSummary(
            kind="requests",
            id=f"req_{i:07d}",
            created_at=ANCHOR - timedelta(seconds=i),
            updated_at=ANCHOR,
            order_reference_id=f"R{i}",
            order_id=None,
            customer_id="c",
            customer_name="C",
            printer_id=None,
            printer_name=None,
            status="succeeded",
            subject="submit",
            http_status=201,
            duration_ms=1,
            attempts=1,
            error_summary=None,
        )
        for i in range(n)
    ]


class _MemoryPages:
    """``list_summaries`` over a list held in memory, counting what it is asked."""

    def __init__(self, rows: list[RecordSummary]) -> None:
        self.rows = rows
        self.calls = 0

    def __call__(
        self,
        query: RecordQuery,
        *,
        after: Cursor | None = None,
        limit: int = 100,
        newest_first: bool = True,
    ) -> list[RecordSummary]:
        self.calls += 1
        ordered = self.rows if newest_first else self.rows[::-1]
        if after is not None:
            key = (after.created_at, after.id)
            ordered = [
                r
                for r in ordered
                if ((r.created_at, r.id) < key if newest_first else (r.created_at, r.id) > key)
            ]
        return ordered[:limit]


def test_the_window_walks_page_by_page_and_forgets_far_pages() -> None:
    pages = _MemoryPages(_summaries(5_000))
    window = RowWindow(pages, RecordQuery("requests"), page_size=100, keep_pages=3)
    window.ensure(0, 20)
    assert pages.calls == 1
    for top in range(0, 1_000, 20):
        window.ensure(top, top + 20)
        assert held_row(window, top).id == f"req_{top:07d}"
    assert pages.calls == 10
    assert len(window.rows) <= 300


def test_the_end_is_read_directly_and_a_far_jump_lands_near_its_position() -> None:
    pages = _MemoryPages(_summaries(100_000))
    window = RowWindow(pages, RecordQuery("requests"), page_size=100)
    window.total = 100_000
    window.load_tail()
    assert held_row(window, 99_999).id == "req_0099999"
    assert pages.calls == 1
    window.ensure(50_000, 50_020)
    row = window.row(50_000)
    assert row is not None and abs(int(row.id[4:]) - 50_000) <= 1
    assert pages.calls <= 4


def test_anchoring_finds_a_record_moved_down_by_new_rows() -> None:
    rows = _summaries(1_000)
    pages = _MemoryPages(rows)
    window = RowWindow(pages, RecordQuery("requests"), page_size=100)
    window.ensure(0, 20)
    anchor = window.row(5)
    assert anchor is not None
    pages.rows = _summaries(1_000)  # same records...
    newer = [
        RecordSummary(
            **{**vars(rows[0]), "id": f"new_{i}", "created_at": ANCHOR + timedelta(i + 1)}
        )
        for i in range(3)
    ]
    pages.rows = newer[::-1] + rows
    assert window.anchor(anchor, lambda: pytest.fail("the first page tells")) == 8
    assert held_row(window, 8).id == anchor.id


# -- new records never move the row under the cursor --------------------------------------


def _later_requests(simulation: Simulation, count: int) -> list[LogRecord]:
    models = simulation.records("requests")[:count]
    return [
        record.model_copy(
            update={
                "id": f"req_late_{n}",
                "created_at": ANCHOR + timedelta(minutes=n + 1),
                "updated_at": ANCHOR + timedelta(minutes=n + 1),
            }
        )
        for n, record in enumerate(models)
    ]


async def test_new_records_never_move_the_row_under_the_cursor(
    writable_store: Store, simulation: Simulation
) -> None:
    app = console(writable_store)
    async with app.run_test(size=(100, 30)) as pilot:
        await settled(pilot)
        records = record_list(app)
        await pilot.press("j", "j", "j")
        await pilot.pause()
        before = records.highlighted
        on_screen = records.cursor - int(records.scroll_offset.y)
        writable_store.save_page("requests", _later_requests(simulation, 5), None)
        records_screen(app).records_arrived()
        await settled(pilot)
        assert before is not None
        assert records.highlighted is not None and records.highlighted.id == before.id
        assert records.cursor == 3 + 5
        assert records.cursor - int(records.scroll_offset.y) == on_screen


async def test_follow_keeps_the_newest_row_under_the_cursor(
    writable_store: Store, simulation: Simulation
) -> None:
    app = console(writable_store)
    async with app.run_test(size=(100, 30)) as pilot:
        await settled(pilot)
        await pilot.press("j", "F")
        writable_store.save_page("requests", _later_requests(simulation, 2), None)
        records_screen(app).records_arrived()
        await settled(pilot)
        records = record_list(app)
        assert records.cursor == 0
        assert records.highlighted is not None and records.highlighted.id == "req_late_1"


# -- a million records -------------------------------------------------------------------

MILLION = 1_000_000


@pytest.fixture(scope="module")
def million_requests(simulation: Simulation, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store of 1,000,000 requests (built in about 20 s, once per run)."""
    from tests.tui.big_store import build_big_store

    path = tmp_path_factory.mktemp("million") / "big.db"
    first = simulation.records("requests")[0]
    assert isinstance(first, RequestRecord)
    build_big_store(path, first, MILLION)
    return path


@pytest.mark.slow
async def test_a_million_records_open_page_and_filter_without_loading_the_range(
    million_requests: Path,
) -> None:
    with Store.open(million_requests) as big:
        app = console(big)
        async with app.run_test(size=(120, 40)) as pilot:
            await settled(pilot)
            records = record_list(app)
            assert records.total == MILLION
            assert (records.pages_read, records.rows_read) == (1, 100)

            for _ in range(5):
                await pilot.press("pagedown")
            await pilot.pause()
            assert records.cursor == 5 * (records.scrollable_content_region.height - 1)
            assert records.rows_read <= 300, "paging reads a page only when it crosses one"

            before = records.pages_read
            await pilot.press("G")
            await pilot.pause()
            assert records.cursor == MILLION - 1
            assert records.highlighted is not None and records.highlighted.id == "req_big_0000000"
            assert records.pages_read - before == 1, "the end is read directly, not walked to"

            before = records.pages_read
            records.scroll_to(y=MILLION // 2, animate=False)
            await pilot.pause()
            shown = records._window.row(MILLION // 2)
            assert shown is not None and abs(int(shown.id[-7:]) - MILLION // 2) <= 2
            assert records.pages_read - before <= 4, "a far jump reads one page near its moment"

            before = records.rows_read
            await pilot.press("e")
            await settled(pilot)
            assert records.total == MILLION // 20
            assert records.highlighted is not None and records.highlighted.status == "failed"
            assert records.rows_read - before <= 200
            assert len(records._window.rows) <= 600, "the window never holds the range"


async def test_a_failing_count_is_shown_not_swallowed(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*_: object) -> int:
        raise RuntimeError("disk I/O error")

    monkeypatch.setattr("orderdesk.tui.widgets.record_list.count", broken)
    app = console(store)
    async with app.run_test(size=(120, 30)) as pilot:
        await settled(pilot)
        said = [notice.message for notice in app._notifications]
        assert any("count records failed" in line and "disk I/O error" in line for line in said)
