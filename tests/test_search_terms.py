"""PostgreSQL's documents are cut as unicode61 cuts them, by the fast paths as by the slow."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from orderdesk.core import search_terms
from orderdesk.core.search_terms import tokens, tsvector_literal

TEXTS = st.text(alphabet=st.characters(codec="utf-8"), max_size=300) | st.text(
    alphabet="aZ09 _-'\\.é\ue000", max_size=300
)


def _one_token_at_a_time(text: str) -> list[str]:
    """The tokens as the general path cuts them: each token found, then folded."""
    return [
        token.lower() if token.isascii() else search_terms._fold(token)
        for token in search_terms._TOKEN.findall(text)
    ]


@given(text=TEXTS)
def test_ascii_text_is_cut_as_any_text_is(text: str) -> None:
    assert tokens(text) == _one_token_at_a_time(text)


@given(columns=st.lists(TEXTS, min_size=1, max_size=3))
def test_a_small_document_has_the_positions_the_bounded_path_gives(columns: list[str]) -> None:
    cut = [""]
    for text in columns:
        cut.append("")
        cut += tokens(text)
    fast = search_terms._small_literal(cut)
    assert fast == search_terms._literal(search_terms._bounded_positions(cut))
    assert tsvector_literal(columns) == fast


def test_positions_start_at_two_and_skip_one_between_columns() -> None:
    assert tsvector_literal(["ORD-12 x", "x"]) == "'ord':2 '12':3 'x':4,6"


def test_a_word_repeated_past_the_limits_keeps_its_first_positions_only() -> None:
    literal = tsvector_literal(["a " * 20_000])
    spots = literal.removeprefix("'a':").split(",")
    assert len(spots) == 256 and spots[:2] == ["2", "3"]


def test_the_patterns_kept_for_texts_outside_ascii_stay_few_and_cut_alike(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Each text holds other letters, so each asks a pattern of its own; only two are kept.
    monkeypatch.setattr(search_terms, "_MAX_KEPT", 2)
    monkeypatch.setattr(search_terms, "_RUNS", {})
    monkeypatch.setattr(search_terms, "_IN_TOKENS", {})
    texts = ["Crème brûlée", "Straße 5·7", "Ærø—Ελλάδα", "naïve_café", "ORD\u20101 İstanbul"]
    for text in texts * 2:
        assert tokens(text) == _one_token_at_a_time(text)
        assert len(search_terms._RUNS) <= 2
        assert len(search_terms._IN_TOKENS) <= 2
