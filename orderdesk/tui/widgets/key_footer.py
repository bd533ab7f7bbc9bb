"""The footer of keys, rebuilt only when the keys it shows change.

Textual's Footer rebuilds every key widget whenever a screen's bindings are
refreshed: on each focus change, and each time a screen comes back from
under another. Each key restyles itself as it is built, so a rebuild costs
tens of milliseconds, and opening a drill-down used to pay for several.
Most of those rebuilds would show exactly the same keys.
"""

from __future__ import annotations

from textual.screen import Screen
from textual.widgets import Footer

__all__ = ["KeyFooter"]

_Shown = tuple[tuple[str, str, str, bool], ...]


def _shown_keys(screen: Screen[object]) -> _Shown:
    return tuple(
        (binding.key, binding.action, binding.description, enabled)
        for _, binding, enabled, _ in screen.active_bindings.values()
        if binding.show
    )


class KeyFooter(Footer):
    """A Footer that skips rebuilds which would show the keys it already shows."""

    _shown: _Shown | None = None

    def bindings_changed(self, screen: Screen[object]) -> None:
        """Rebuild when the keys on offer are not the ones on show."""
        rebuilding = screen.app.app_focus and self.is_attached and screen is self.screen
        if rebuilding:
            shown = _shown_keys(screen)
            if shown == self._shown and self._bindings_ready:
                return
            self._shown = shown
        super().bindings_changed(screen)
