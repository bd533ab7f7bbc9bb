"""The console's stylesheet, each CSS source parsed once per process instead of at every switch.

Textual parses every source again, from nothing, whenever it refreshes the
CSS: twice each time the console switches between the requests, the
postbacks and the problems (``App.switch_mode`` refreshes it while making the
mode and after), and once more whenever a kind of widget is met for the
first time. ``orderdesk.tcss`` alone is some 10 kB, so `4` spent most of its
first paint tokenizing CSS it had already read. The parsed rules depend only
on the source and the CSS variables (the theme), so they are kept per process
under exactly that key, and a refresh reads them from there.
"""

from __future__ import annotations

from textual.cache import LRUCache
from textual.css.model import RuleSet
from textual.css.stylesheet import Stylesheet
from textual.css.types import CSSLocation

__all__ = ["SharedParseStylesheet"]

#: The sources of one console are a few dozen; two themes, and tests' many apps, fit.
_PARSED: LRUCache[tuple[object, ...], list[RuleSet]] = LRUCache(512)


class SharedParseStylesheet(Stylesheet):
    """A stylesheet whose sources are parsed once per process for one set of variables."""

    def _parse_rules(
        self,
        css: str,
        read_from: CSSLocation,
        is_default_rules: bool = False,
        tie_breaker: int = 0,
        scope: str = "",
    ) -> list[RuleSet]:
        # The variables are substituted while parsing: they are part of what was parsed.
        variables = tuple(sorted(self._variables.items()))
        key = (css, read_from, is_default_rules, tie_breaker, scope, variables)
        try:
            return _PARSED[key]
        except KeyError:
            pass
        rules = super()._parse_rules(css, read_from, is_default_rules, tie_breaker, scope)
        _PARSED[key] = rules
        return rules

    def reparse(self) -> None:
        """Parse the sources again, for new variables, each from the cache when it was parsed.

        Textual's own parses into a fresh stylesheet so that an error leaves this
        one as it was; ``parse`` does the same (it replaces the rules only once
        every source has parsed), so no fresh stylesheet, and no fresh cache, is needed.
        """
        self.parse()
