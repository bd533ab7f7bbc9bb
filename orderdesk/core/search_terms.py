"""SQLite FTS5's ``unicode61`` tokenizer, redone in Python to build PostgreSQL's tsvectors.

PostgreSQL's own parser sees ``ORD-1234`` as one hyphenated word (and its parts),
an e-mail address as one token, ``1.5`` as a number: searches would not answer
as they do on SQLite. So on PostgreSQL the words are cut here, as ``unicode61``
with ``remove_diacritics 2`` cuts them, and handed to PostgreSQL as tsvector and
tsquery literals, which it takes as they are, with no parser in between.

How ``unicode61`` cuts text: a token is a run of letters, digits and private-use
characters (Unicode classes L*, N* and Co); anything else separates tokens,
the underscore included. Tokens are folded to lower case, and a Latin letter
loses its diacritics (``é`` is ``e``).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from functools import lru_cache

__all__ = ["phrase_query", "tokens", "tsvector_literal"]

_ASCII_TOKEN = re.compile(r"[a-z0-9]+")
# Runs of each class inside the outer run: the same tokens as one character
# at a time, at a fraction of the regex engine's work.
_TOKEN = re.compile(r"(?:[^\W_]+|[\ue000-\uf8ff\U000f0000-\U000ffffd\U00100000-\U0010fffd]+)+")
_NON_ASCII = re.compile(r"[^\x00-\x7f]")
#: Whether a character found outside ASCII is one a token is made of (``_TOKEN``).
_IN_TOKENS: dict[str, bool] = {}
#: Runs of ASCII letters and digits and of a text's own other token characters, by those.
_RUNS: dict[str, re.Pattern[str]] = {}
_MAX_KEPT = 4_096

# PostgreSQL's limits on a tsvector: what goes beyond them is left out of the
# index (and described in docs/postgresql.md).
_MAX_LEXEME_BYTES = 2_046
_MAX_POSITION = 16_383
_MAX_POSITIONS_PER_LEXEME = 256
_MAX_TSVECTOR_BYTES = 900_000  # of PostgreSQL's 1 MB, leaving room for its headers


@lru_cache(maxsize=65_536)
def _fold(token: str) -> str:
    lowered = token.lower()
    if lowered.isascii():
        return lowered
    folded = []
    for character in lowered:
        base = unicodedata.normalize("NFD", character)
        # unicode61 removes the diacritics of letters whose base is a Latin (ASCII) letter.
        folded.append(base[0] if base[0].isascii() and len(base) > 1 else character)
    return "".join(folded)


def tokens(text: str) -> list[str]:
    """The tokens of a text, folded, in order: what a search can match."""
    if text.isascii():
        # Lowered ASCII text's tokens are runs of these: cut once, fold once.
        return _ASCII_TOKEN.findall(text.lower())
    return [
        token.lower() if token.isascii() else _fold(token) for token in _runs(text).findall(text)
    ]


def _runs(text: str) -> re.Pattern[str]:
    """A pattern finding the same tokens in ``text`` as ``_TOKEN``, made for its characters.

    A body is mostly ASCII with a few accented letters, and ``_TOKEN`` asks
    Unicode's tables of every character: a character class of the few the text
    holds finds the same runs in a fraction of the time.
    """
    ours = []
    for character in set(_NON_ASCII.findall(text)):
        known = _IN_TOKENS.get(character)
        if known is None:
            if len(_IN_TOKENS) >= _MAX_KEPT:
                _IN_TOKENS.clear()
            known = _IN_TOKENS[character] = _TOKEN.fullmatch(character) is not None
        if known:
            ours.append(character)
    key = "".join(sorted(ours))
    runs = _RUNS.get(key)
    if runs is None:
        if len(_RUNS) >= _MAX_KEPT:
            _RUNS.clear()
        # Letters, digits and private-use characters: none is special in a class.
        runs = _RUNS[key] = re.compile(f"[A-Za-z0-9{key}]+")
    return runs


def _quoted(lexeme: str) -> str:
    return "'" + lexeme.replace("\\", "\\\\").replace("'", "''") + "'"


def tsvector_literal(columns: Sequence[str]) -> str:
    """A tsvector of the columns' tokens with their positions, as PostgreSQL reads it.

    A phrase cannot span two columns, as in an FTS5 table: a position is left
    unused between one column and the next.
    """
    # Every body of every record a sync stores on PostgreSQL passes through here,
    # token by token: it was most of a page's save there, hence the two paths.
    # Positions count from 1, and each column's tokens follow one unused position:
    # with an empty string (which no token is) in those places, a token's index
    # in the list is its position.
    cut = [""]
    for text in columns:
        cut.append("")
        cut += tokens(text)
    if len(cut) < _MAX_POSITION and _fits(columns, cut):
        return _small_literal(cut)
    return _literal(_bounded_positions(cut))


def _fits(columns: Sequence[str], cut: list[str]) -> bool:
    """Whether no lexeme and no tsvector of these tokens can reach PostgreSQL's limits."""
    longest = max(map(len, cut))
    # At most 4 UTF-8 bytes a character, and 10 bytes of overhead a token.
    most = 4 * sum(map(len, columns)) + 10 * len(cut)
    return 4 * longest <= _MAX_LEXEME_BYTES and most <= _MAX_TSVECTOR_BYTES


@lru_cache(maxsize=1)
def _position_texts() -> tuple[str, ...]:
    """Each position a small document's token can have, as the literal writes it.

    Made at the first document, not at import: a process that only reads never needs them.
    """
    return tuple(str(position) for position in range(_MAX_POSITION))


def _small_literal(cut: list[str]) -> str:
    """The literal of tokens none of which is beyond PostgreSQL's limits but their count.

    The same text as ``_literal(_bounded_positions(cut))`` there. Each position
    is kept as its text, made once for the process: writing the numbers out
    again for every document was a fifth of this.
    """
    positions: dict[str, list[str]] = {}
    get = positions.get
    for token, spot in zip(cut, _position_texts(), strict=False):
        spots = get(token)
        if spots is None:
            positions[token] = [spot]
        else:
            spots.append(spot)
    del positions[""]
    most = _MAX_POSITIONS_PER_LEXEME
    return " ".join(
        f"'{lexeme}':{','.join(spots if len(spots) <= most else spots[:most])}"
        for lexeme, spots in positions.items()
    )


def _bounded_positions(cut: list[str]) -> dict[str, list[int]]:
    """Each lexeme's positions, within every limit PostgreSQL sets on a tsvector."""
    positions: dict[str, list[int]] = {}
    size = 0
    for position, token in enumerate(cut):
        if not token:
            continue
        at = position if position < _MAX_POSITION else _MAX_POSITION
        spots = positions.get(token)
        if spots is None:
            cost = len(token.encode("utf-8")) + 8
            if cost - 8 > _MAX_LEXEME_BYTES or size + cost > _MAX_TSVECTOR_BYTES:
                continue
            size += cost + 2
            positions[token] = [at]
        elif len(spots) < _MAX_POSITIONS_PER_LEXEME and spots[-1] != at:
            spots.append(at)
            size += 2
    return positions


def _literal(positions: dict[str, list[int]]) -> str:
    # A token is letters and digits only (``_TOKEN``): it holds no quote or backslash to escape.
    return " ".join(
        f"'{lexeme}':{','.join(map(str, spots))}" for lexeme, spots in positions.items()
    )


def phrase_query(words: Iterable[tuple[str, bool]]) -> str | None:
    """A tsquery literal: each (word, prefix) a phrase of its tokens, all of them required."""
    phrases = []
    for word, prefix in words:
        lexemes = [_quoted(token) for token in tokens(word)]
        if not lexemes:
            continue
        if prefix:
            lexemes[-1] += ":*"
        phrases.append("(" + " <-> ".join(lexemes) + ")")
    return " & ".join(phrases) or None
