"""Untrusted text to the screen, through one function.

Every string from the store (bodies, headers, references, names, errors)
came from a customer's platform or a printer. On Textual 8.2.8 raw escape
sequences in data reach the terminal through Static, Content, DataTable,
Log and RichLog (OSC 52 would write the user's clipboard), and Rich markup
in data would be interpreted by anything that parses markup. So the screen
never sees store text except as the ``Content`` this module makes.
"""

from __future__ import annotations

from textual.content import Content

from orderdesk.core.text import show_controls

__all__ = ["safe", "safe_plain"]


def safe(text: str | None, *, keep_layout: bool = False) -> Content:
    """Store text as literal Content: no markup interpreted, control characters shown as escapes.

    With ``keep_layout`` newlines and tabs survive (for bodies over several
    lines); every other control character becomes a visible ``\\x..`` escape.
    :func:`safe_plain` gives the same text as a string, for widgets that take
    one (TextArea, the clipboard, a saved file).
    """
    if not text:
        return Content("")
    # Content(...) never parses markup; show_controls leaves no byte the
    # terminal could act on.
    return Content(show_controls(text, keep_layout=keep_layout))


def safe_plain(text: str | None, *, keep_layout: bool = False) -> str:
    """``safe(text).plain`` without building the Content: a megabyte body costs 0.1 s less."""
    return show_controls(text, keep_layout=keep_layout) if text else ""
