"""One stage of a record's drill-down: its facts in the title, error first, headers, bodies."""

from __future__ import annotations

from datetime import tzinfo

from rich.cells import cell_len, set_cell_size
from textual import events
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.content import Content
from textual.widgets import Static

from orderdesk import strings
from orderdesk.core.occurrences import MAX_HITS, Hit, find_occurrences
from orderdesk.tui.record_stages import Stage
from orderdesk.tui.safe_text import safe
from orderdesk.tui.widgets.attempts import AttemptList
from orderdesk.tui.widgets.body_view import BodyView, body_view
from orderdesk.tui.widgets.large_body import LargeBodyView

__all__ = ["StagePane", "headers_text", "pane_title", "stage_text"]


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
        parts.append(strings.STAGE_FAILED_MARK + stage.error.plain)
    if stage.note is not None:
        parts.append(stage.note.plain)
    if stage.headers:
        parts.append(headers_text(stage.headers).plain)
    for body, text in zip(stage.bodies, shown_bodies, strict=True):
        parts.append(f"--- {body.label} ---\n{text}")
    return "\n\n".join(parts) + "\n"


#: A fact cut shorter than this says nothing.
_LEAST_OF_A_FACT = 8


def _shortened(facts: tuple[str, ...], room: int) -> list[str]:
    """The facts in ``room`` cells: the last ones dropped first, then the first cut in its middle.

    The first fact says the most (method and host, template and version, status
    code); a cut keeps both its ends, so a host keeps its domain and a template
    its version.
    """
    shown = list(facts)
    while len(shown) > 1 and cell_len(" · ".join(shown)) > room:
        shown.pop()
    first = shown[0] if shown else ""
    if cell_len(first) <= room:
        return shown
    keep = max(room, _LEAST_OF_A_FACT) - 1
    head = set_cell_size(first, keep - keep // 2)
    tail = first[len(first) - keep // 2 :] if keep // 2 else ""
    return [head + "…" + tail]


def pane_title(stage: Stage, width: int) -> Content:
    """The title of a pane ``width`` cells wide: the stage's name whole, its facts fitted."""
    mark = Content.styled("✗ ", "bold") if stage.failed else Content("")
    # The border and its corners take four cells, the title's padding two more.
    room = width - 6 - mark.cell_length
    if stage.title.cell_length <= room:
        return mark + stage.title
    name = strings.STAGE_TABS[stage.name]
    facts = _shortened(stage.facts, room - cell_len(name + " · "))
    return mark + Content(name) + (safe(" · " + " · ".join(facts)) if facts else Content(""))


class StagePane(Vertical):
    """A stage of the drill-down; the failing one is marked and says why at its top."""

    ALLOW_MAXIMIZE = True

    def __init__(self, stage: Stage, zone: tzinfo) -> None:
        """A pane for ``stage``; attempt times are shown in ``zone``."""
        super().__init__(id=f"stage-{stage.name}", classes="-failed" if stage.failed else None)
        self.stage = stage
        self.zone = zone
        self.border_title = pane_title(stage, 1000)
        self.searched: str | None = None
        """The words last searched for in this stage, while their hits are shown."""
        self._hits: list[tuple[BodyView | LargeBodyView, Hit]] = []
        self._current_hit = 0

    def on_resize(self, event: events.Resize) -> None:
        """A title that fits the pane: the facts shortened, never the stage's name."""
        self.border_title = pane_title(self.stage, event.size.width)

    def compose(self) -> ComposeResult:
        """Error first, then what is missing, attempts, headers, and the bodies."""
        stage = self.stage
        if stage.error is not None:
            yield Static(Content(strings.STAGE_FAILED_MARK) + stage.error, classes="stage--error")
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

    def _views(self) -> list[BodyView | LargeBodyView]:
        return [child for child in self.children if isinstance(child, BodyView | LargeBodyView)]

    def search(self, needle: str) -> int:
        """Find ``needle`` in every body of the stage, highlight it, and show the first hit."""
        self.searched = needle
        self._hits = []
        found: dict[BodyView | LargeBodyView, list[Hit]] = {}
        for view in self._views():
            found[view] = find_occurrences(view.searchable_lines(), needle)
            self._hits.extend((view, hit) for hit in found[view])
        self._current_hit = 0
        for view, hits in found.items():
            view.mark_hits(hits, None)
        if self._hits:
            self.show_hit(0)
        else:
            self._show_count()
        return len(self._hits)

    def show_hit(self, number: int) -> None:
        """Make hit ``number`` (from 0, round at either end) current and bring it in view."""
        if not self._hits:
            return
        self._current_hit = number % len(self._hits)
        current_view, current = self._hits[self._current_hit]
        for view in self._views():
            hits = [hit for owner, hit in self._hits if owner is view]
            index = hits.index(current) if view is current_view else None
            view.mark_hits(hits, index)
        self._show_count()

    def on_large_body_view_reformatted(self) -> None:
        """A body was re-indented under a search: find its hits again in the new lines."""
        if self.searched is not None:
            self.search(self.searched)

    def step_hit(self, offset: int) -> None:
        """Move to the next hit (``offset`` 1) or the previous one (-1), round at either end."""
        self.show_hit(self._current_hit + offset)

    def clear_search(self) -> None:
        """Forget the search: no hit is highlighted any more."""
        self.searched = None
        self._hits = []
        for view in self._views():
            view.mark_hits([], None)
        self.border_subtitle = ""

    @property
    def hit_count(self) -> int:
        """How many hits the last search found (at most MAX_HITS per body)."""
        return len(self._hits)

    @property
    def current_hit(self) -> int:
        """The current hit, counted from 0."""
        return self._current_hit

    def _show_count(self) -> None:
        needle = safe(self.searched).plain
        if not self._hits:
            status = strings.SEARCH_NO_HITS.format(needle=needle)
        else:
            more = any(
                sum(1 for owner, _ in self._hits if owner is view) >= MAX_HITS
                for view in self._views()
            )
            template = strings.SEARCH_HIT_OF_MORE if more else strings.SEARCH_HIT_OF
            status = template.format(
                number=self._current_hit + 1, count=len(self._hits), needle=needle
            )
        self.border_subtitle = Content(status)

    def as_text(self) -> str:
        """The stage as plain text, as shown (bodies pretty-printed), for copy and save."""
        shown = []
        views = iter(
            child for child in self.children if isinstance(child, BodyView | LargeBodyView)
        )
        for body in self.stage.bodies:
            shown.append(next(views).text if body.text else "")
        return stage_text(self.stage, shown)
