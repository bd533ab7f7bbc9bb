"""The language orderdesk speaks: which one, its catalog, and its numbers and dates.

The language is chosen once, at the edge (the command line), before any screen
is built; ``strings`` asks this module for each sentence when it is read.
English is the source text, so it needs no catalog; French comes from
``locale/fr/LC_MESSAGES/orderdesk.mo``, compiled from the ``.po`` beside it.
"""

from __future__ import annotations

import gettext as _gettext
import os
import re
import string
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import Any

__all__ = [
    "DOMAIN",
    "LANGUAGES",
    "LOCALE_DIR",
    "N_",
    "P_",
    "Text",
    "activate",
    "choose",
    "format_moment",
    "format_number",
    "gettext",
    "key_description",
    "language",
    "pgettext",
    "speaking",
]

DOMAIN = "orderdesk"
LOCALE_DIR = Path(__file__).parent / "locale"
#: The languages orderdesk ships, English first (the source text).
LANGUAGES = ("en", "fr")

# Every date orderdesk shows is numeric, so both languages keep one width;
# English keeps the ISO-like order it always had (_STRFTIME), French writes day first.
_MOMENTS = {
    "fr": {
        "seconds": "dd/MM/yyyy HH:mm:ss",
        "minutes": "dd/MM/yyyy HH:mm",
        "day_seconds": "dd/MM HH:mm:ss",
        "day_minutes": "dd/MM HH:mm",
        "clock": "HH:mm:ss",
        "clock_minutes": "HH:mm",
    },
}
# The format specs the sentences use for numbers.
_NUMBER_SPECS = frozenset({",", ",d", "g", ".1f", ",.1f"})

# The locale names nearly every system sets, read without Babel: its import costs a
# command's start-up more than the rest of choosing the language (issue 15).
_PLAIN_LOCALE = re.compile(r"(?:(C|POSIX)|(en|fr)(?:_[A-Z]{2})?)(?:\.[\w-]+)?(?:@\w+)?")

_current = "en"
_catalog: _gettext.NullTranslations = _gettext.NullTranslations()


def N_(message: str) -> str:
    """Mark ``message`` for the catalog without translating it (it is read later)."""
    return message


class InContext(str):
    """A msgid with its context (``msgctxt``): the same English can read two ways in French."""

    context: str


def P_(context: str, message: str) -> str:
    """Mark ``message`` for the catalog under ``context``; ``strings`` translates it with it."""
    marked = InContext(message)
    marked.context = context
    return marked


def language() -> str:
    """The language in use: ``en`` or ``fr``."""
    return _current


def _normalise(value: str | None) -> str | None:
    """``fr_FR.UTF-8``, ``fr_CA``, ``fr`` -> ``fr``; an unknown or empty value -> None."""
    if not value:
        return None
    plain = _PLAIN_LOCALE.fullmatch(value)
    if plain is not None:
        return plain[2]
    from babel.core import get_locale_identifier, negotiate_locale, parse_locale

    try:
        # Babel reads the locale name (dropping the encoding and the @modifier), then
        # picks the shipped language it names, falling back from fr_CA to fr.
        language, territory = parse_locale(value.split(":")[0].replace("-", "_"))[:2]
    except ValueError:
        return None
    return negotiate_locale([get_locale_identifier((language, territory))], LANGUAGES)


def choose(explicit: str | None, setting: str | None, environ: Mapping[str, str]) -> str:
    """The language: ``--lang``, then ``ORDERDESK_LANG``, then the locale, else English.

    Of the locale variables the first one set decides, as in C's setlocale:
    ``LC_ALL=C LANG=fr_FR`` is English.
    """
    for value in (explicit, setting):
        chosen = _normalise(value)
        if chosen is not None:
            return chosen
    for name in ("LC_ALL", "LC_MESSAGES", "LANG"):
        if environ.get(name):
            return _normalise(environ[name]) or "en"
    return "en"


def activate(lang: str) -> None:
    """Speak ``lang`` from now on (English for a language orderdesk does not ship)."""
    global _current, _catalog
    lang = lang if lang in LANGUAGES else "en"
    if lang == "en":
        _catalog = _gettext.NullTranslations()
    else:
        _catalog = _gettext.translation(DOMAIN, LOCALE_DIR, languages=[lang])
    _current = lang
    # Click translates its own words ("Usage:", its errors) through the process's
    # gettext domain, which picks the language from LANGUAGE: point both at ours.
    _gettext.bindtextdomain(DOMAIN, str(LOCALE_DIR))
    _gettext.textdomain(DOMAIN)
    os.environ["LANGUAGE"] = lang


@contextmanager
def speaking(lang: str) -> Iterator[None]:
    """Speak ``lang`` inside the block, and the language before it afterwards (for tests)."""
    before, variable = _current, os.environ.get("LANGUAGE")
    activate(lang)
    try:
        yield
    finally:
        activate(before)
        if variable is None:
            os.environ.pop("LANGUAGE", None)
        else:
            os.environ["LANGUAGE"] = variable


class _NumberFormatter(string.Formatter):
    """``str.format`` that writes ``{n:,}`` and ``{x:.1f}`` the way ``locale`` does.

    Python lays the digits out (grouping by three, as every shipped language
    does); the locale's own group and decimal symbols from Babel's CLDR data
    replace Python's. Babel's ``format_decimal`` would do the same at ten
    times the cost, on every row of a repainted list.
    """

    def __init__(self, locale: str) -> None:
        self.locale = locale
        if locale == "en":
            # Python's own symbols: loading Babel's data for them cost the first
            # screen that shows a number 50 ms (the Problems screen's first paint).
            self._symbols: dict[int, str] = {}
            return
        from babel.numbers import get_decimal_symbol, get_group_symbol

        self._symbols = str.maketrans(
            {",": get_group_symbol(locale=locale), ".": get_decimal_symbol(locale=locale)}
        )

    def format_field(self, value: Any, format_spec: str) -> str:
        number = isinstance(value, int | float) and not isinstance(value, bool)
        if number and format_spec in _NUMBER_SPECS:
            return format(value, format_spec).translate(self._symbols)
        return super().format_field(value, format_spec)  # type: ignore[no-any-return]


@cache
def _formatter(lang: str) -> _NumberFormatter:
    return _NumberFormatter(lang)


class Text(str):
    """A translated sentence: its ``format`` writes numbers the way its language does."""

    __slots__ = ()

    def format(self, /, *args: object, **kwargs: object) -> str:
        """Fill the placeholders, numbers formatted for the language in use."""
        return _formatter(_current).vformat(self, args, kwargs)


def gettext(message: str) -> str:
    """``message`` in the language in use (a plain ``str`` in English)."""
    if _current == "en":
        return message
    return Text(_catalog.gettext(message))


def pgettext(context: str, message: str) -> str:
    """``message`` as translated under ``context``, in the language in use."""
    if _current == "en":
        return str(message)
    return Text(_catalog.pgettext(context, message))


def key_description(description: str) -> str:
    """What a key does, as the footer and the help panel say it.

    orderdesk's own keys have terse translations under the ``key`` context
    (a footer is narrow); Textual's own keys are translated as they are.
    """
    if _current == "en":
        return description
    terse = _catalog.pgettext("key", description)
    return Text(terse) if terse != description else gettext(description)


def format_number(value: float, spec: str = ",") -> str:
    """``value`` as ``{value:spec}`` would write it, in the language in use."""
    return _formatter(_current).format_field(value, spec)


def format_moment(moment: datetime, style: str = "seconds") -> str:
    """A time, already in the zone to show it in, written numerically for the language.

    Styles: ``seconds``, ``minutes``, ``day_seconds``, ``day_minutes``, ``clock``,
    ``clock_minutes``.
    """
    if _current == "en":
        # The pattern Babel would follow, without its cost on every list row.
        return moment.strftime(_STRFTIME[style])
    from babel.dates import format_datetime as _babel_datetime

    return _babel_datetime(moment, _MOMENTS[_current][style], tzinfo=moment.tzinfo, locale=_current)


_STRFTIME = {
    "seconds": "%Y-%m-%d %H:%M:%S",
    "minutes": "%Y-%m-%d %H:%M",
    "day_seconds": "%m-%d %H:%M:%S",
    "day_minutes": "%m-%d %H:%M",
    "clock": "%H:%M:%S",
    "clock_minutes": "%H:%M",
}
