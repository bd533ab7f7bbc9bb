"""safe(): store text shown literally, with every control character made visible."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from textual.content import Content

from orderdesk.tui.safe_text import safe, safe_plain

HOSTILE = {
    "OSC 52 clipboard write": "\x1b]52;c;cHduZWQ=\x07",
    "OSC 0 window title": "\x1b]0;pwned\x07",
    "CSI colour": "\x1b[31mred",
    "8-bit CSI": "\x9b2J",
    "bidi override": "abc\u202edef",
}


@pytest.mark.parametrize("markup", ["[bold]loud[/bold]", "[TODO]", "[/]", "[@click=app.quit]x[/]"])
def test_markup_in_data_is_shown_exactly(markup: str) -> None:
    content = safe(markup)
    assert content.plain == markup
    assert content.spans == []


@pytest.mark.parametrize("text", HOSTILE.values(), ids=HOSTILE.keys())
def test_escape_sequences_are_shown_as_visible_escapes(text: str) -> None:
    plain = safe(text).plain
    assert not any(ord(char) < 0x20 or 0x7F <= ord(char) <= 0x9F for char in plain)
    assert "\\x" in plain or "\\u" in plain


def test_layout_survives_only_when_asked() -> None:
    body = '{\n\t"a": "\x1b[2J"\n}'
    assert safe(body, keep_layout=True).plain == '{\n\t"a": "\\x1b[2J"\n}'
    assert safe(body).plain == '{\\x0a\\x09"a": "\\x1b[2J"\\x0a}'


def test_nothing_becomes_empty_content() -> None:
    assert safe(None) == Content("")
    assert safe("") == Content("")


@given(st.text())
def test_any_text_reaches_the_screen_without_a_control_character(text: str) -> None:
    content = safe(text)
    assert content.spans == []
    assert not any(ord(char) < 0x20 or 0x7F <= ord(char) <= 0x9F for char in content.plain)


@given(st.text(alphabet=st.characters(blacklist_categories=("Cc", "Cs"))))
def test_printable_text_is_unchanged(text: str) -> None:
    plain = safe(text, keep_layout=True).plain
    bidi = {chr(code) for code in [*range(0x202A, 0x202F), *range(0x2066, 0x206A)]}
    if not set(text) & bidi:
        assert plain == text


@given(st.one_of(st.none(), st.text()), st.booleans())
def test_safe_plain_is_the_plain_text_of_safe(text: str | None, keep_layout: bool) -> None:
    assert safe_plain(text, keep_layout=keep_layout) == safe(text, keep_layout=keep_layout).plain
