"""The line where the words to find in a stage are typed, under the drill-down's stages."""

from __future__ import annotations

from textual.widgets import Input

from orderdesk import strings

__all__ = ["StageSearch"]


class StageSearch(Input):
    """A one-line search box, shown by ``/`` and hidden again by enter or escape."""

    def __init__(self) -> None:
        """A hidden, empty search box."""
        super().__init__(placeholder=strings.STAGE_SEARCH_PROMPT, id="stage-search")

    def open(self, stage: str, value: str) -> None:
        """Show the box for ``stage``, holding the last words searched, and type in it."""
        self.placeholder = strings.STAGE_SEARCH_PROMPT_IN.format(stage=stage)
        self.value = value
        self.add_class("-shown")
        self.focus()

    def close(self) -> None:
        """Hide the box."""
        self.remove_class("-shown")

    @property
    def is_open(self) -> bool:
        """Whether the box is on screen."""
        return self.has_class("-shown")
