"""The command palette's commands, in the order the App gives them.

Textual's provider sorts the commands it offers before anything is typed by
title, which put "Last 15 minutes" before "Last 4 hours" and "Last hour"
last. The palette itself keeps the order of hits of equal score (a stable
sort), so a provider that does not sort keeps time ranges by length.
"""

from __future__ import annotations

from textual.command import DiscoveryHit, Hits
from textual.system_commands import SystemCommandsProvider

__all__ = ["OrderedCommands"]


class OrderedCommands(SystemCommandsProvider):
    """The App's system commands, offered in the order it yields them."""

    async def discover(self) -> Hits:
        """Every command that may be discovered, in the App's order."""
        for name, help_text, callback, discover in self.app.get_system_commands(self.screen):
            if discover:
                yield DiscoveryHit(name, callback, help=help_text)
