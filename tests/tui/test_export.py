"""Export: the list or the marked records to JSON lines or CSV, read back from the file."""

from __future__ import annotations

import csv
import json
import threading
from datetime import UTC
from pathlib import Path

import pytest
from textual.pilot import Pilot
from textual.widgets import Checkbox, Input, Label

from orderdesk.core.queries import RecordQuery, iter_records
from orderdesk.core.store import Store
from orderdesk.export import ExportFormat, export_records
from orderdesk.tui.screens.export import ExportDialog
from tests.tui.tui_console import console, record_list, records_screen, settled


async def _export_from_dialog(
    pilot: Pilot[None], path: Path, *, csv_format: bool = False, marked: bool = False
) -> ExportDialog:
    await pilot.press("X")
    await settled(pilot)
    dialog = pilot.app.screen
    assert isinstance(dialog, ExportDialog)
    if csv_format:
        await pilot.click("#csv")
    if marked:
        await pilot.click("#export-marked")
        assert dialog.query_one("#export-marked", Checkbox).value
    await pilot.click("#export-path")
    dialog.query_one("#export-path", Input).value = str(path)
    await pilot.press("enter")
    await settled(pilot)
    return dialog


async def test_the_failed_requests_export_to_json_lines_equal_to_the_store(
    store: Store, tmp_path: Path
) -> None:
    app = console(store)
    async with app.run_test(size=(100, 30)) as pilot:
        await settled(pilot)
        await pilot.press("e")
        await settled(pilot)
        shown = record_list(app).record_query
        out = tmp_path / "failed.jsonl"
        await _export_from_dialog(pilot, out)
        assert not isinstance(app.screen, ExportDialog), "the dialog closes when done"
        lines = out.read_text(encoding="utf-8").splitlines()
        expected = [record.model_dump(mode="json") for record in iter_records(store, shown)]
        assert len(expected) > 10
        assert [json.loads(line) for line in lines] == expected
        said = [notification.message for notification in app._notifications]
        assert f"wrote {len(expected):,} records to {out}" in said


async def test_in_a_browser_the_export_goes_on_as_a_download(
    store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = console(store)
    delivered: list[tuple[Path, str | None]] = []
    monkeypatch.setattr(type(app), "is_web", property(lambda _: True))
    monkeypatch.setattr(
        app,
        "deliver_binary",
        lambda path, *, save_filename=None, **_: delivered.append((path, save_filename)),
    )
    async with app.run_test(size=(100, 30)) as pilot:
        await settled(pilot)
        out = tmp_path / "all.jsonl"
        await _export_from_dialog(pilot, out)
        assert delivered == [(out, "all.jsonl")]
        assert out.read_text(encoding="utf-8").count("\n") > 10
        said = [notification.message for notification in app._notifications]
        assert any("sent it to your browser as a download" in line for line in said)


async def test_only_the_marked_postbacks_export_to_csv(store: Store, tmp_path: Path) -> None:
    app = console(store, screen="postbacks")
    async with app.run_test(size=(100, 30)) as pilot:
        await settled(pilot)
        await pilot.press("m", "j", "j", "m", "j", "m")
        await settled(pilot)
        marks = set(records_screen(app).marks)
        out = tmp_path / "marked.csv"
        await _export_from_dialog(pilot, out, csv_format=True, marked=True)
        with out.open(encoding="utf-8", newline="") as file:
            rows = list(csv.reader(file))
        assert rows[0][0] == "time" and rows[0][-1] == "id"
        assert len(rows) == 1 + 3
        assert {row[-1] for row in rows[1:]} == marks


async def test_an_existing_file_is_not_replaced_and_the_dialog_says_so(
    store: Store, tmp_path: Path
) -> None:
    out = tmp_path / "taken.jsonl"
    out.write_text("mine\n")
    app = console(store)
    async with app.run_test(size=(100, 30)) as pilot:
        await settled(pilot)
        dialog = await _export_from_dialog(pilot, out)
        assert app.screen is dialog
        error = str(dialog.query_one("#export-error", Label).render())
        assert "could not write" in error and str(out) in error
        assert out.read_text() == "mine\n"
        await pilot.press("escape")
        await settled(pilot)
        assert not isinstance(app.screen, ExportDialog)


@pytest.mark.parametrize("fmt", ["jsonl", "csv"])
def test_a_stopped_export_leaves_no_file(store: Store, tmp_path: Path, fmt: ExportFormat) -> None:
    stop = threading.Event()
    out = tmp_path / f"all.{fmt}"
    reports: list[int] = []

    def progressed(done: int) -> None:
        reports.append(done)
        stop.set()  # the user pressed escape after the first page

    exported = export_records(
        store, RecordQuery("requests"), out, fmt, zone=UTC, on_progress=progressed, stop=stop
    )
    assert exported.cancelled
    assert reports == [500]
    assert list(tmp_path.iterdir()) == []


async def test_the_palette_opens_the_export(store: Store) -> None:
    app = console(store)
    async with app.run_test(size=(100, 30)) as pilot:
        await settled(pilot)
        await pilot.press("ctrl+p")
        await settled(pilot)
        await pilot.press(*"Export the list")
        await pilot.pause(0.5)
        await pilot.press("enter")
        await settled(pilot)
        assert isinstance(app.screen, ExportDialog)
