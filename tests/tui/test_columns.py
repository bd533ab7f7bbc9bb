"""The lists use the room there is: names whole when it allows, the error whole under the list."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from textual.widgets import Static

from orderdesk.core.queries import RecordQuery, list_summaries
from orderdesk.core.records import Kind, Party, RecordError
from orderdesk.core.store import Store
from orderdesk.tui.widgets import columns
from tests.record_factory import T0, request
from tests.tui.tui_console import console, record_list, screen_text, settled

LONG_CUSTOMER = "Craftly Marketplace"
LONG_PRINTER = "Inkwell Press Chicago"
LONG_ERROR = (
    "validation: file_unreachable: File https://uploads.example/tmp/6f62717f42c4d1ff.png"
    "?X-Amz-Expires=3600 could not be downloaded: HTTP 403 Forbidden"
)


def long_names_store(path: Path) -> Store:
    """Three failed requests with names and errors longer than any column at 80."""
    records = [
        request(
            number,
            at=T0 - timedelta(minutes=number),
            status="failed",
            customer=Party(id="cus_craftly", name=LONG_CUSTOMER),
            printer=Party(id="prn_inkwell", name=LONG_PRINTER),
            error=RecordError(stage="validation", code="file_unreachable", message=message),
        )
        for number, message in (
            (1, LONG_ERROR.removeprefix("validation: file_unreachable: ")),
            (2, "the second row's own error, which the column cuts at 80 columns too"),
            (3, "[bold]loud[/bold] \x1b]52;c;cHduZWQ=\x07 from the store"),
        )
    ]
    store = Store.open(path)
    store.save_page("requests", records, None)
    return store


@pytest.mark.parametrize("kind", ["requests", "postbacks"])
def test_at_120_columns_customer_and_printer_names_have_room_for_20_cells(kind: Kind) -> None:
    widths = {column.key: width for column, width in columns.layout(kind, 119)}
    assert widths["customer"] >= len(LONG_CUSTOMER)
    assert widths["printer"] >= len(LONG_PRINTER)


async def test_at_120_columns_the_list_shows_long_names_whole(tmp_path: Path) -> None:
    with long_names_store(tmp_path / "names.db") as store:
        app = console(store, now=lambda: T0 + timedelta(hours=1))
        async with app.run_test(size=(120, 30)) as pilot:
            await settled(pilot)
            rows = [line for line in screen_text(app).splitlines() if "ORD-1 " in line]
            assert rows, screen_text(app)
            assert LONG_CUSTOMER in rows[0] and LONG_PRINTER in rows[0]


async def test_the_line_under_the_list_shows_the_highlighted_rows_whole_error(
    tmp_path: Path,
) -> None:
    with long_names_store(tmp_path / "errors.db") as store:
        app = console(store, now=lambda: T0 + timedelta(hours=1))
        async with app.run_test(size=(80, 24)) as pilot:
            await settled(pilot)
            detail = app.screen.query_one("#record-detail", Static)
            # Wrapped over the lines it needs, every word of it is on screen.
            shown = " ".join(screen_text(app).split())
            assert LONG_ERROR in shown, shown
            assert f"{LONG_CUSTOMER} → {LONG_PRINTER}" in shown
            reads = record_list(app).pages_read + record_list(app).counts_made
            await pilot.press("j")
            await pilot.pause()
            assert "the second row's own error" in str(detail.content)
            assert LONG_ERROR not in str(detail.content)
            assert record_list(app).pages_read + record_list(app).counts_made == reads
            await pilot.press("j")
            await pilot.pause()
            text = screen_text(app)
            assert "[bold]loud[/bold] \\x1b]52;c;cHduZWQ=\\x07 from the store" in text
            assert "\x1b" not in text


def test_a_postbacks_detail_names_its_event_then_the_printer_first_as_its_header_does(
    sqlite_store: Store,
) -> None:
    # At 80 columns the event column cuts production_update; the line under the list does not.
    summary = list_summaries(sqlite_store, RecordQuery("postbacks"), limit=1)[0]
    expected = f"{summary.subject} · {summary.printer_name} → {summary.customer_name}"
    assert columns.detail(summary).plain == expected
