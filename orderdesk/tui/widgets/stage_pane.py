"""One stage of a record's drill-down: its facts in the title, error first, headers, bodies."""

from __future__ import annotations

from datetime import tzinfo

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.content import Content
from textual.widgets import Static

from orderdesk import strings
from orderdesk.tui.record_stages import Stage
from orderdesk.tui.safe_text import safe
from orderdesk.tui.widgets.attempts import AttemptList
from orderdesk.tui.widgets.body_view import BodyView, body_view
from orderdesk.tui.widgets.large_body import LargeBodyView

__all__ = ["StagePane", "headers_text", "stage_text"]


def headers_text(headers: dict[str, str]) -> Content:
    """Headers one per line, names dimmed, values literal (the store already redacted secrets)."""
    if not headers:
        return Content.styled(strings.NO_HEADERS, "$text-muted")
    lines = [
        Content.styled(safe(name).plain + ": ", "$text-muted") + safe(value)
        for name, value in headers.items()
    ]
    return Content("\n").join(lines)


def stage_text(stage: Stage, shown_bodies: list[str]) -> str:
    """The stage as plain text, as copied or saved: title, error, headers, then each body."""
    parts = [stage.title.plain]
    if stage.error is not None:
        parts.append(f"{strings.STAGE_FAILED_MARK}: {stage.error.plain}")
    if stage.note is not None:
        parts.append(stage.note.plain)
    if stage.headers:
        parts.append(headers_text(stage.headers).plain)
    for body, text in zip(stage.bodies, shown_bodies, strict=True):
        parts.append(f"--- {body.label} ---\n{text}")
    return "\n\n".join(parts) + "\n"


class StagePane(Vertical):
    """A stage of the drill-down; the failing one is marked and says why at its top."""

    ALLOW_MAXIMIZE = True

    def __init__(self, stage: Stage, zone: tzinfo) -> None:
        """A pane for ``stage``; attempt times are shown in ``zone``."""
        super().__init__(id=f"stage-{stage.name}", classes="-failed" if stage.failed else None)
        self.stage = stage
        self.zone = zone
        title = stage.title
        if stage.failed:
            title = Content.styled("✗ ", "bold") + title
        self.border_title = title

    def compose(self) -> ComposeResult:
        """Error first, then what is missing, attempts, headers, and the bodies."""
        stage = self.stage
        if stage.error is not None:
            yield Static(
                Content(strings.STAGE_FAILED_MARK + ": ") + stage.error, classes="stage--error"
            )
        if stage.note is not None:
            yield Static(stage.note, classes="stage--note")
        if stage.attempts:
            yield AttemptList(stage.attempts, self.zone)
        if stage.headers:
            yield Static(headers_text(stage.headers), classes="stage--headers")
        for body in stage.bodies:
            if len(stage.bodies) > 1 or body.label != strings.BODY:
                yield Static(Content(body.label), classes="stage--label")
            if body.text:
                yield body_view(body.text, body.content_type, raw=body.raw)
            else:
                yield Static(Content(strings.NO_BODY), classes="stage--note")

    def focus_body(self) -> None:
        """Put the keyboard in the pane: on its first body, or on the pane if it has none."""
        views = [child for child in self.children if isinstance(child, BodyView | LargeBodyView)]
        if views:
            views[0].focus()
        else:
            self.focus()

    @property
    def can_focus(self) -> bool:  # type: ignore[override]
        """A pane without a body takes focus itself, so tab can still land on it."""
        return not any(isinstance(child, BodyView | LargeBodyView) for child in self.children)

    def set_wrap(self, wrap: bool) -> None:
        """Wrap long lines in every body of the pane, or scroll sideways."""
        for child in self.children:
            if isinstance(child, BodyView | LargeBodyView):
                child.soft_wrap = wrap

    def as_text(self) -> str:
        """The stage as plain text, as shown (bodies pretty-printed), for copy and save."""
        shown = []
        views = iter(
            child for child in self.children if isinstance(child, BodyView | LargeBodyView)
        )
        for body in self.stage.bodies:
            shown.append(next(views).text if body.text else "")
        return stage_text(self.stage, shown)
