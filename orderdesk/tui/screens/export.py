"""The export dialog: a format, a file, all matching records or the marked ones, and a progress bar.

The export runs in a thread: it counts first, so the bar knows its end, then
streams the records a page at a time. Escape stops it between pages, and
the half-written file is removed.
"""

from __future__ import annotations

import threading
from datetime import datetime, tzinfo
from pathlib import Path
from typing import ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Button, Checkbox, Input, Label, ProgressBar, RadioButton, RadioSet
from textual.worker import Worker, WorkerState

from orderdesk import strings
from orderdesk.core.queries import RecordQuery, count
from orderdesk.core.store import Store
from orderdesk.export import (
    Exported,
    ExportFormat,
    default_export_path,
    export_records,
)
from orderdesk.tui.keys import TranslatedKeys
from orderdesk.tui.safe_text import safe_plain

__all__ = ["ExportDialog"]


class ExportDialog(TranslatedKeys, ModalScreen[Exported | None]):
    """Export a list to a file; dismisses with how it ended, or None when closed before starting."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", strings.KEY_CANCEL)]
    # The file is what most often changes, and enter there exports at once.
    AUTO_FOCUS = "#export-path"

    def __init__(
        self,
        store: Store,
        query: RecordQuery,
        marks: frozenset[str],
        *,
        zone: tzinfo,
        now: datetime,
        folder: Path | None = None,
    ) -> None:
        super().__init__()
        self._store = store
        self._query = query
        self._marks = marks
        self._zone = zone
        self._now = now
        self._folder = folder if folder is not None else Path.cwd()
        self._format: ExportFormat = "jsonl"
        self._stop = threading.Event()
        self.running = False

    def compose(self) -> ComposeResult:
        """Format, which records, the file, then the bar once started."""
        kind = self._query.kind
        with Vertical(id="export", classes="dialog"):
            yield Label(strings.EXPORT_TITLE[kind], classes="title")
            with RadioSet(id="export-format"):
                yield RadioButton(strings.EXPORT_JSONL, value=True, id="jsonl")
                yield RadioButton(strings.EXPORT_CSV, id="csv")
            yield Checkbox(
                strings.EXPORT_MARKED_ONLY.format(count=len(self._marks)),
                value=False,
                disabled=not self._marks,
                id="export-marked",
            )
            yield Label(strings.EXPORT_FILE)
            yield Input(self._default_name(), id="export-path")
            yield Button(strings.EXPORT_START, id="export-start", variant="primary")
            yield ProgressBar(id="export-progress", show_eta=False)
            yield Label("", id="export-error", classes="error")

    def _default_name(self) -> str:
        # Shown relative to the folder it will be written in, so it fits the dialog.
        path = default_export_path(self._query.kind, self._format, self._now, self._folder)
        return path.name

    @on(RadioSet.Changed, "#export-format")
    def _format_chosen(self, event: RadioSet.Changed) -> None:
        path = self.query_one("#export-path", Input)
        untouched = path.value == self._default_name()
        chosen = event.pressed.id
        self._format = "csv" if chosen == "csv" else "jsonl"
        if untouched:
            path.value = self._default_name()

    @on(Input.Submitted, "#export-path")
    @on(Button.Pressed, "#export-start")
    def start(self) -> None:
        """Start writing the file, unless it is already being written."""
        if self.running:
            return
        typed = self.query_one("#export-path", Input).value.strip()
        if not typed:
            self._say(strings.EXPORT_NO_PATH)
            return
        path = Path(typed).expanduser()
        path = path if path.is_absolute() else self._folder / path
        query = self._query
        if self.query_one("#export-marked", Checkbox).value:
            # The marks, whatever the filter now shows: they were chosen one by one.
            query = RecordQuery(query.kind).only(sorted(self._marks))
        self.running = True
        self._stop.clear()
        self._say("")
        self.add_class("-running")
        for widget in self.query("#export-format, #export-marked, #export-path, #export-start"):
            widget.disabled = True
        self._export(query, path, self._format)

    @work(thread=True, exclusive=True, group="export", name="export", exit_on_error=False)
    def _export(self, query: RecordQuery, path: Path, fmt: ExportFormat) -> Exported | None:
        total = count(self._store, query)
        if total == 0:
            self.app.call_from_thread(self._failed, strings.EXPORT_NOTHING)
            return None
        self.app.call_from_thread(self._progressed, 0, total)
        try:
            exported = export_records(
                self._store,
                query,
                path,
                fmt,
                zone=self._zone,
                on_progress=lambda done: self.app.call_from_thread(self._progressed, done, total),
                stop=self._stop,
            )
        except OSError as error:
            message = strings.EXPORT_FAILED.format(path=path, error=error.strerror or error)
            self.app.call_from_thread(self._failed, message)
            return None
        return exported

    @on(Worker.StateChanged)
    def _worker_changed(self, event: Worker.StateChanged) -> None:
        if event.worker.group != "export":
            return
        # The dialog closes once its worker has finished: closing it from inside the
        # worker would cancel the worker on its last line, after the file was written.
        if event.state is WorkerState.SUCCESS and event.worker.result is not None:
            self.dismiss(event.worker.result)
        # A worker's failure stays with the screen that ran it: say it here, never hang.
        if event.state is WorkerState.ERROR:
            error = safe_plain(str(event.worker.error) or repr(event.worker.error))
            self._failed(strings.EXPORT_BROKE.format(error=error))

    def _progressed(self, done: int, total: int) -> None:
        self.query_one(ProgressBar).update(total=total, progress=done)

    def _failed(self, message: str) -> None:
        self.running = False
        self.remove_class("-running")
        for widget in self.query("#export-format, #export-path, #export-start"):
            widget.disabled = False
        self.query_one("#export-marked", Checkbox).disabled = not self._marks
        self._say(message)

    def _say(self, message: str) -> None:
        self.query_one("#export-error", Label).update(Content(message))

    def action_cancel(self) -> None:
        """Stop the export between two pages (removing the half file), or close the dialog."""
        if self.running:
            self._stop.set()
        else:
            self.dismiss(None)
