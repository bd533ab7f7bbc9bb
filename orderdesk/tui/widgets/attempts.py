"""A postback's delivery attempts, one line each: when, what came back, how long it took."""

from __future__ import annotations

from datetime import tzinfo

from textual.content import Content
from textual.widgets import Static

from orderdesk import strings
from orderdesk.core.records import HttpResponse
from orderdesk.tui.record_stages import format_moment
from orderdesk.tui.safe_text import safe

__all__ = ["AttemptList", "attempt_lines"]


def attempt_lines(attempts: list[HttpResponse], zone: tzinfo) -> Content:
    """Every attempt on its own line, failed ones marked so they survive a monochrome terminal."""
    lines = []
    for number, attempt in enumerate(attempts, start=1):
        ok = attempt.status_code is not None and 200 <= attempt.status_code < 300
        answer = " ".join(
            part for part in (str(attempt.status_code or ""), attempt.error or "") if part
        )
        duration = f"{attempt.duration_ms} ms" if attempt.duration_ms is not None else "-"
        line = strings.ATTEMPT_LINE.format(
            number=number,
            time=format_moment(attempt.at, zone),
            answer=answer or "-",
            duration=duration,
        )
        shown = Content("✓ ") + safe(line)
        if not ok:
            shown = (Content("✗ ") + safe(line)).stylize("$text-error")
        lines.append(shown)
    return Content("\n").join(lines)


class AttemptList(Static):
    """The delivery attempts of a postback, in the Response stage."""

    def __init__(self, attempts: list[HttpResponse], zone: tzinfo) -> None:
        """The attempts, times shown in ``zone``."""
        super().__init__(attempt_lines(attempts, zone))
        self.border_title = Content(strings.ATTEMPTS)
