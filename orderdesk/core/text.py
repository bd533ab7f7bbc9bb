"""Untrusted text made visible: control characters become escapes like ``\\x1b``.

Bodies and references come from customers' platforms and printers. A raw
ESC, CSI or OSC in them would be interpreted by the terminal that prints
them (OSC 52 writes the user's clipboard), so every output path of orderdesk
passes store text through ``show_controls`` first. The TUI adds markup
safety on top of this, in its own module.
"""

from __future__ import annotations

import re

# C0 controls, DEL, C1 controls (8-bit CSI is U+009B), bidirectional
# overrides and isolates (they reorder what is shown), and lone surrogates
# (they cannot be encoded for the terminal at all).
_INVISIBLE = re.compile("[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ud800-\udfff]")
_INVISIBLE_EXCEPT_LAYOUT = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ud800-\udfff]"
)


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def show_controls(text: str, *, keep_layout: bool = False) -> str:
    """``text`` with every control character shown as an escape.

    With ``keep_layout``, newlines and tabs are kept as they are (for bodies
    shown over several lines); everything else invisible is escaped.
    """
    pattern = _INVISIBLE_EXCEPT_LAYOUT if keep_layout else _INVISIBLE
    return pattern.sub(_escape, text)
