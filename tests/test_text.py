"""Control characters from the store are shown, never sent to the terminal."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from orderdesk.core.text import show_controls


def test_escape_sequences_become_visible() -> None:
    osc52 = "\x1b]52;c;ZWNobyBwd25lZA==\x07"
    assert show_controls(osc52) == "\\x1b]52;c;ZWNobyBwd25lZA==\\x07"
    assert show_controls("\x9b31m") == "\\x9b31m"  # 8-bit CSI
    assert show_controls("a\x00b") == "a\\x00b"
    assert show_controls("\u202eevil") == "\\u202eevil"


def test_layout_is_kept_only_when_asked() -> None:
    assert show_controls("a\nb\tc") == "a\\x0ab\\x09c"
    assert show_controls("a\nb\tc\r", keep_layout=True) == "a\nb\tc\\x0d"


def test_ordinary_text_is_untouched() -> None:
    text = "ORD-123 [bold]Müller[/] 東京 🚚"
    assert show_controls(text) == text


@given(st.text())
def test_no_control_character_survives(text: str) -> None:
    shown = show_controls(text)
    assert not any(ord(c) < 0x20 or 0x7F <= ord(c) <= 0x9F for c in shown)
