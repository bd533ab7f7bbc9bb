"""Key descriptions in the language in use, wherever Textual shows them.

``Binding`` descriptions are class attributes, fixed when a module is
imported; tests switch language after that. Textual's footer and its help
panel both read a screen's ``active_bindings``, so each of orderdesk's
screens serves them through ``TranslatedKeys``, which translates each
description (and tooltip) as it is read. Keys themselves never change.
"""

from __future__ import annotations

from dataclasses import replace
from functools import cache

from textual.binding import ActiveBinding, Binding

from orderdesk.i18n import key_description, language

__all__ = ["TranslatedKeys", "translated_binding"]


@cache
def _translated(binding: Binding, lang: str) -> Binding:
    tooltip = key_description(binding.tooltip) if binding.tooltip else binding.tooltip
    description = binding.description and key_description(binding.description)
    return replace(binding, description=description, tooltip=tooltip)


def translated_binding(binding: Binding) -> Binding:
    """``binding`` with its description and tooltip in the language in use."""
    if language() == "en":
        return binding
    return _translated(binding, language())


class TranslatedKeys:
    """For a screen (listed before ``Screen``): its footer and help panel in the language."""

    @property
    def active_bindings(self) -> dict[str, ActiveBinding]:
        """Textual's active bindings, their descriptions translated."""
        active: dict[str, ActiveBinding] = super().active_bindings  # type: ignore[misc]
        if language() == "en":
            return active
        return {
            key: ActiveBinding(
                node, translated_binding(binding), enabled, tip and key_description(tip)
            )
            for key, (node, binding, enabled, tip) in active.items()
        }
