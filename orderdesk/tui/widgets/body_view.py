"""A message body, pretty-printed and highlighted when it is JSON or XML, raw when not.

Bodies can be 5 MB. Pretty-printing JSON is fast (the C parser), XML through
minidom is not, and highlighting builds a map of the whole document; so each
step has a size above which the body is shown as it came. A body is never
reformatted on the way in beyond indentation: what is shown is what was sent.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from importlib.metadata import PackageNotFoundError, version
from typing import Literal
from xml.dom import minidom
from xml.parsers.expat import ExpatError

from textual.strip import Strip
from textual.widgets import TextArea
from textual.widgets.text_area import DocumentNavigator, Selection

from orderdesk.core.occurrences import Hit
from orderdesk.tui.safe_text import safe_plain
from orderdesk.tui.widgets.body_wrap import HangingWrap
from orderdesk.tui.widgets.large_body import LargeBodyView

__all__ = ["BodyView", "PresentedBody", "body_view", "present_body"]

Language = Literal["json", "xml"]

#: Above these sizes (characters), a body is shown as it came, or unhighlighted.
#: minidom takes about a second per megabyte; json.dumps a tenth of that.
PRETTY_JSON_LIMIT = 2_000_000
PRETTY_XML_LIMIT = 200_000
#: Above this, a body goes to LargeBodyView: TextArea re-wraps the whole
#: document on every resize, which freezes the screen on megabyte bodies.
TEXT_AREA_LIMIT = 50_000


#: Names of the search's highlights among TextArea's syntax highlights.
_HIT = "orderdesk.hit"
_CURRENT_HIT = "orderdesk.current-hit"


@cache
def highlighting_is_safe() -> bool:
    """Whether the installed tree-sitter can highlight without crashing the process."""
    # tree-sitter 0.26.1's binding corrupted the heap as soon as TextArea was
    # built with language="json" (a segfault moments later, reproduced with
    # Textual 8.2.8 alone); 0.25.2 did not. Without a safe one, bodies are
    # shown plain rather than risk the user's session.
    try:
        installed = version("tree-sitter")
    except PackageNotFoundError:
        return False
    major, minor = (int(part) for part in installed.split(".")[:2])
    return (major, minor) < (0, 26)


@dataclass(frozen=True)
class PresentedBody:
    """A body as it will be shown: its text, its language, and what was done to it."""

    text: str
    language: Language | None
    pretty: bool
    """Whether the text was re-indented (it parsed)."""
    highlighted: bool


def _sniff(body: str, content_type: str | None) -> Language | None:
    kind = (content_type or "").lower()
    if "json" in kind:
        return "json"
    if "xml" in kind:
        return "xml"
    start = body.lstrip()[:1]
    if start in ("{", "["):
        return "json"
    if start == "<":
        return "xml"
    return None


def _pretty_json(body: str) -> str | None:
    try:
        parsed = json.loads(body)
    except ValueError:
        return None
    return json.dumps(parsed, indent=2, ensure_ascii=False)


def _pretty_xml(body: str) -> str | None:
    try:
        document = minidom.parseString(body.encode("utf-8"))
    except (ExpatError, ValueError):
        return None
    lines = document.toprettyxml(indent="  ").splitlines()[1:]
    # minidom writes a declaration of its own (and blank lines around text
    # that had newlines): show the body's own declaration, as it was sent.
    start = body.lstrip()
    if start.startswith("<?xml") and "?>" in start:
        lines.insert(0, start[: start.index("?>") + 2])
    return "\n".join(line for line in lines if line.strip())


def present_body(body: str | None, content_type: str | None) -> PresentedBody:
    """How a body should be shown: pretty and highlighted when it parses and is not huge."""
    if not body:
        return PresentedBody("", None, pretty=False, highlighted=False)
    language = _sniff(body, content_type)
    pretty: str | None = None
    if language == "json" and len(body) <= PRETTY_JSON_LIMIT:
        pretty = _pretty_json(body)
    elif language == "xml" and len(body) <= PRETTY_XML_LIMIT:
        pretty = _pretty_xml(body)
    text = safe_plain(pretty if pretty is not None else body, keep_layout=True)
    # A body that claims JSON but does not parse is still mostly JSON-looking;
    # highlight it only if it parsed, so broken bodies do not look valid.
    highlight = pretty is not None and len(text) <= TEXT_AREA_LIMIT and highlighting_is_safe()
    return PresentedBody(
        text,
        language if highlight else None,
        pretty=pretty is not None,
        highlighted=highlight,
    )


class BodyView(TextArea):
    """A read-only, scrollable view of one body or template text."""

    COMPONENT_CLASSES = TextArea.COMPONENT_CLASSES | {"body-view--hit", "body-view--current-hit"}

    # Class-level defaults: TextArea builds its theme and highlights before
    # __init__ returns, and both look at the hits.
    _hits: Sequence[Hit] = ()
    _current_hit: int | None = None

    def __init__(
        self, presented: PresentedBody, *, id: str | None = None, classes: str | None = None
    ) -> None:
        """A view of a presented body."""
        super().__init__(
            presented.text,
            language=presented.language,
            read_only=True,
            soft_wrap=True,
            show_line_numbers=False,
            highlight_cursor_line=False,
            id=id,
            classes=classes,
        )
        self.presented = presented
        # A viewer's cursor only marks where the keys scroll from; blinking
        # would draw the eye (and make screenshots differ).
        self.cursor_blink = False

    def searchable_lines(self) -> Sequence[str]:
        """The lines as shown, in which a search finds its hits."""
        return self.document.lines

    def _rewrap_and_refresh_virtual_size(self) -> None:
        # Each new document comes with Textual's wrapping, which leaves a row of
        # indentation alone and cuts tags in two: ours breaks like a pretty-printer.
        if not isinstance(self.wrapped_document, HangingWrap):
            self.wrapped_document = HangingWrap(self.document, tab_width=self.indent_width)
            self.navigator = DocumentNavigator(self.wrapped_document)
        super()._rewrap_and_refresh_virtual_size()

    def _render_line(self, y: int) -> Strip:
        strip = super()._render_line(y)
        wrapped = self.wrapped_document
        if not self.soft_wrap or not isinstance(wrapped, HangingWrap):
            return strip
        rows = wrapped._offset_to_line_info
        row = y + self.scroll_offset.y
        if row >= len(rows) or rows[row][1] == 0 or not wrapped.hangs[rows[row][0]]:
            return strip
        # A continuation row starts under its line's content, a little further in.
        inset = wrapped.hangs[rows[row][0]]
        blank = Strip.blank(inset, self.rich_style)
        return Strip.join([blank, strip]).crop(0, strip.cell_length)

    def mark_hits(self, hits: Sequence[Hit], current: int | None) -> None:
        """Highlight every hit, the current one apart, and bring the current one into view."""
        self._hits = hits
        self._current_hit = current
        self._build_highlight_map()
        self.refresh()
        if current is not None:
            hit = hits[current]
            self.selection = Selection.cursor((hit.line, hit.start))
            self.scroll_cursor_visible(center=True, animate=False)

    def _set_theme(self, theme: str) -> None:
        super()._set_theme(theme)
        if self._hits and self.is_mounted:
            self._add_hit_styles()

    def _add_hit_styles(self) -> None:
        # Search hits ride on TextArea's syntax highlights, whose styles come
        # from its theme: the theme gets two more, read from the stylesheet.
        styles = dict(self._theme.syntax_styles)
        styles[_HIT] = self.get_component_rich_style("body-view--hit", partial=True)
        styles[_CURRENT_HIT] = self.get_component_rich_style("body-view--current-hit", partial=True)
        self._theme = dataclasses.replace(self._theme, syntax_styles=styles)

    def _build_highlight_map(self) -> None:
        super()._build_highlight_map()
        hits = self._hits
        if not hits:
            return
        self._add_hit_styles()
        lines = self.document.lines
        for number, hit in enumerate(hits):
            # TextArea's highlights count bytes of UTF-8, not characters.
            line = lines[hit.line]
            start = len(line[: hit.start].encode("utf-8", "surrogatepass"))
            end = start + len(line[hit.start : hit.end].encode("utf-8", "surrogatepass"))
            name = _CURRENT_HIT if number == self._current_hit else _HIT
            self._highlights[hit.line].append((start, end, name))


def body_view(
    text: str | None,
    content_type: str | None = None,
    *,
    raw: bool = False,
    id: str | None = None,
    classes: str | None = None,
) -> BodyView | LargeBodyView:
    """The view that suits a body: highlighted in a TextArea, or line by line when huge.

    ``raw`` shows the text as it is, never re-indented (a template's source).
    """
    shown = safe_plain(text, keep_layout=True)
    if len(shown) > TEXT_AREA_LIMIT:
        # Too big to wait for: shown as it came at once, re-indented when ready.
        language = None if raw or not text else _sniff(text, content_type)
        reformat = None
        if language is not None:
            body = text or ""
            reformat = lambda: present_body(body, content_type).text  # noqa: E731
        return LargeBodyView(shown, reformat=reformat, id=id, classes=classes)
    if raw:
        presented = PresentedBody(shown, None, pretty=False, highlighted=False)
    else:
        presented = present_body(text, content_type)
    if len(presented.text) > 2 * TEXT_AREA_LIMIT:  # a compact body that indenting tripled
        return LargeBodyView(presented.text, id=id, classes=classes)
    return BodyView(presented, id=id, classes=classes)
