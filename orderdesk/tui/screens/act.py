"""The dialog that redelivers one postback or resubmits one request, after saying what will happen.

It shows where the message goes, what it carries, the record's status and
who acts; asks for a reason (the service's trail keeps it), and, when the
record already did its job, for the order reference typed out, since the
customer gets a second notice or the printer may produce the order twice.
Then it sends through the console's runner in a thread: the journal first,
then the send, then the wait for the service's answer.

Escape while sending does not cancel: the send goes on, and its result comes
as a notification. Everything from the store is shown as literal text.
"""

from __future__ import annotations

import threading
from typing import ClassVar

from textual import on
from textual.app import App, ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.notifications import SeverityLevel
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, RadioButton, RadioSet, Static

from orderdesk import strings
from orderdesk.core.action_records import Mode
from orderdesk.tui.acting import ConsoleActing
from orderdesk.tui.action_preview import ActionPreview
from orderdesk.tui.keys import TranslatedKeys
from orderdesk.tui.one_action import ActionOutcome, Stage, send_one
from orderdesk.tui.safe_text import safe

__all__ = ["ActDialog"]

#: The contract's bound on a reason.
REASON_MAX = 500


def _body(text: str | None) -> Static:
    return Static(safe(text, keep_layout=True) if text else Content("—"), classes="act-body")


class ActDialog(TranslatedKeys, ModalScreen[str | None]):
    """Act on one record; dismisses with a new record's id to open, or None."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "close", strings.KEY_CLOSE)]
    AUTO_FOCUS = "#act-reason"

    def __init__(
        self, acting: ConsoleActing, preview: ActionPreview, *, template: str | None = None
    ) -> None:
        """``template`` names the customer's current template (requests), as the store knows it."""
        super().__init__()
        self._acting = acting
        self.preview = preview
        self._template = template or strings.ACT_TEMPLATE_UNKNOWN
        self._stop = threading.Event()
        #: ``idle``, ``sending`` or ``done``.
        self.state = "idle"
        self._warned = False
        #: How the send ended, once it has.
        self.outcome: ActionOutcome | None = None
        #: The console the send runs in, which outlives this dialog.
        self._app_of_send: App[object] | None = None

    @property
    def title_line(self) -> str:
        """What this dialog does, to which record."""
        preview = self.preview
        title = (
            strings.ACT_TITLE_REDELIVER
            if preview.kind == "postbacks"
            else strings.ACT_TITLE_RESUBMIT
        )
        return title.format(id=preview.record.id)

    def compose(self) -> ComposeResult:
        """What will happen, the reason, the confirmation if forced, the send and its result."""
        preview = self.preview
        facts = strings.ACT_FACTS.format(
            reference=preview.record.order_reference_id or "-",
            status=preview.status,
            actor=self._acting.actor,
        )
        to = strings.ACT_TO_CUSTOMER if preview.kind == "postbacks" else strings.ACT_TO_PRINTER
        with Vertical(id="act", classes="dialog"):
            yield Label(safe(self.title_line), classes="title")
            yield Static(safe(facts), id="act-facts")
            if preview.url is not None:
                yield Static(safe(to.format(url=preview.url)), id="act-url")
            else:
                yield Static(safe(strings.ACT_NO_FINAL), id="act-url", classes="error")
            if preview.kind == "requests":
                with RadioSet(id="act-mode", compact=True):
                    yield RadioButton(strings.ACT_MODE_FINAL, value=True, id="final")
                    yield RadioButton(strings.ACT_MODE_REPROCESS, id="reprocess")
            yield Static(safe(strings.ACT_BODY_FINAL), id="act-final-label")
            reprocess = strings.ACT_REPROCESS_NOTE.format(template=self._template)
            yield Static(safe(reprocess), id="act-reprocess-label")
            with VerticalScroll(id="act-final-body", classes="act-pane"):
                yield _body(preview.final_body)
            with Horizontal(id="act-both"):
                with VerticalScroll(id="act-original", classes="act-pane") as original:
                    original.border_title = strings.ACT_ORIGINAL
                    yield _body(preview.original_body)
                with VerticalScroll(id="act-final", classes="act-pane") as final:
                    final.border_title = strings.ACT_FINAL
                    yield _body(preview.final_body)
            if preview.risk is not None:
                yield Static(safe("⚠ " + preview.risk), id="act-risk", classes="error")
            yield Label(strings.ACT_REASON)
            yield Input(
                placeholder=strings.ACT_REASON_PLACEHOLDER,
                max_length=REASON_MAX,
                compact=True,
                id="act-reason",
            )
            if preview.needs_force:
                confirm = strings.ACT_CONFIRM_REFERENCE.format(reference=preview.reference)
                yield Label(safe(confirm), id="act-confirm-label")
                yield Input(compact=True, id="act-confirm")
            with Horizontal(id="act-buttons"):
                yield Button(strings.KEY_SEND, id="act-send", variant="primary", compact=True)
                yield Button(strings.ACT_OPEN_NEW, id="act-open", compact=True)
                yield Button(strings.ACT_CLOSE, id="act-close", compact=True)
            yield Static(strings.ACT_KEYS, id="act-line")

    def on_mount(self) -> None:
        """Start on the recorded Final: the one body every action but a reprocess sends."""
        self.query_one("#act-open").display = False
        self.query_one("#act-close").display = False

    @property
    def mode(self) -> Mode | None:
        """The resubmit's mode as chosen; None for a redelivery."""
        if self.preview.kind != "requests":
            return None
        chosen = self.query_one("#act-mode", RadioSet).pressed_button
        return "reprocess" if chosen is not None and chosen.id == "reprocess" else "final"

    @on(RadioSet.Changed, "#act-mode")
    def _mode_chosen(self) -> None:
        self.set_class(self.mode == "reprocess", "-reprocess")

    def _say(self, text: str, *, error: bool = False, done: bool = False) -> None:
        line = self.query_one("#act-line", Static)
        line.update(safe(text))
        line.set_class(error, "error")
        line.set_class(done and not error, "-done")

    @on(Input.Submitted, "#act-reason")
    @on(Input.Submitted, "#act-confirm")
    @on(Button.Pressed, "#act-send")
    def send(self) -> None:
        """Send, once a reason is given and, when forced, the reference typed; refuse otherwise."""
        if self.state != "idle":
            return
        reason = self.query_one("#act-reason", Input).value.strip()
        if not reason:
            self._say(strings.ACT_NEED_REASON, error=True)
            self.query_one("#act-reason", Input).focus()
            return
        if self.preview.needs_force:
            typed = self.query_one("#act-confirm", Input).value.strip()
            if typed != self.preview.reference:
                reference = self.preview.reference
                self._say(strings.ACT_NEED_CONFIRM.format(reference=reference), error=True)
                self.query_one("#act-confirm", Input).focus()
                return
        self.state = "sending"
        for widget in self.query("#act-mode, #act-reason, #act-confirm, #act-send"):
            widget.disabled = True
        self._say(strings.ACT_SENDING)
        mode = self.mode
        app = self._app_of_send = self.app
        # The App runs it, not this dialog: closing the dialog must not orphan a send.
        app.run_worker(
            lambda: self._send_in_thread(app, reason, mode),
            thread=True,
            group="acting",
            name=self.preview.action,
            exit_on_error=False,
        )

    def _send_in_thread(self, app: App[object], reason: str, mode: Mode | None) -> None:
        def stage(now: Stage) -> None:
            app.call_from_thread(self._stage, now)

        try:
            outcome = send_one(
                self._acting, self.preview, reason=reason, mode=mode, stage=stage, stop=self._stop
            )
        except BaseException:
            app.call_from_thread(self._broke)
            raise
        app.call_from_thread(self._finished, outcome)

    def _stage(self, now: Stage) -> None:
        if self.is_attached and not self._warned:
            self._say(strings.ACT_SENDING if now == "sending" else strings.ACT_WAITING)

    def _broke(self) -> None:
        # The App says what broke (every worker's failure is shown); here, stop waiting.
        self.state = "done"
        if self.is_attached:
            self._show_close()

    def _finished(self, outcome: ActionOutcome) -> None:
        self.state = "done"
        self.outcome = outcome
        if not self.is_attached:
            # Closed while sending: the result was promised as a notification.
            text = strings.ACT_RESULT_LATER.format(title=self.title_line, result=outcome.line)
            fine = outcome.state in ("succeeded", "running")
            severity: SeverityLevel = "information" if fine else "error"
            app = self._app_of_send
            assert app is not None
            if app.screen_stack:  # not when the console itself has closed since
                app.notify(safe(text).plain, markup=False, severity=severity, timeout=15)
            return
        line = outcome.line
        if outcome.state == "succeeded" and self.preview.kind == "postbacks":
            line = f"{line} · {strings.ACT_SYNC_BRINGS}"
        self._say(line, error=outcome.state not in ("succeeded", "running"), done=True)
        self._show_close()
        if outcome.record_id is not None:
            self.query_one("#act-open").display = True
            self.query_one("#act-open", Button).focus()

    def _show_close(self) -> None:
        self.query_one("#act-send").display = False
        close = self.query_one("#act-close", Button)
        close.display = True
        close.focus()

    @on(Button.Pressed, "#act-close")
    def _close_pressed(self) -> None:
        self.dismiss(None)

    @on(Button.Pressed, "#act-open")
    def _open_pressed(self) -> None:
        self.dismiss(self.outcome.record_id if self.outcome is not None else None)

    def action_close(self) -> None:
        """Close; while sending, first say that the send goes on and how its result comes."""
        if self.state == "sending" and not self._warned:
            self._warned = True
            self._say(strings.ACT_CLOSING_WHILE_SENDING, error=True)
            return
        self.dismiss(None)
