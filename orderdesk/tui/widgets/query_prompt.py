"""The ``/`` prompt of a list: the filter language, with completion and the session's history."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import ClassVar

from textual.binding import Binding, BindingType
from textual.suggester import Suggester
from textual.widgets import Input

from orderdesk import strings
from orderdesk.core.filter_language import completions
from orderdesk.core.records import Kind

__all__ = ["QueryHistory", "QueryPrompt", "QuerySuggester"]


class QuerySuggester(Suggester):
    """Completes the term being typed: field names, statuses, events, customers, printers."""

    def __init__(self, kind: Kind, parties: Callable[[], tuple[Sequence[str], Sequence[str]]]):
        # Case matters: a suggestion must keep what was typed as it was typed.
        super().__init__(use_cache=False, case_sensitive=True)
        self.kind = kind
        self._parties = parties

    async def get_suggestion(self, value: str) -> str | None:
        """The first completion of ``value``, or None."""
        customers, printers = self._parties()
        found = completions(value, self.kind, customers=customers, printers=printers)
        return found[0] if found else None


class QueryHistory:
    """The queries applied this session, oldest first, each once, and a place in them."""

    def __init__(self, limit: int = 100) -> None:
        self.entries: list[str] = []
        self._limit = limit
        self._at = 0

    def add(self, text: str) -> None:
        """Remember a query that was applied (moving it to the end if it was there)."""
        if text in self.entries:
            self.entries.remove(text)
        self.entries = [*self.entries, text][-self._limit :]
        self.rewind()

    def rewind(self) -> None:
        """Start again after the newest entry."""
        self._at = len(self.entries)

    def older(self) -> str | None:
        """The entry before the current one, or None at the oldest."""
        if self._at == 0:
            return None
        self._at -= 1
        return self.entries[self._at]

    def newer(self) -> str | None:
        """The entry after the current one; "" past the newest (an empty prompt)."""
        if self._at >= len(self.entries):
            return None
        self._at += 1
        return self.entries[self._at] if self._at < len(self.entries) else ""


class QueryPrompt(Input):
    """A one-line filter query: tab takes the completion, up and down walk the history."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("tab", "complete", strings.KEY_COMPLETE, show=False),
        Binding("up", "history(-1)", strings.KEY_OLDER_QUERY, show=False),
        Binding("down", "history(1)", strings.KEY_NEWER_QUERY, show=False),
    ]

    def __init__(
        self,
        kind: Kind,
        parties: Callable[[], tuple[Sequence[str], Sequence[str]]],
        *,
        id: str | None = None,
    ) -> None:
        super().__init__(
            placeholder=strings.QUERY_PROMPT,
            suggester=QuerySuggester(kind, parties),
            id=id,
        )
        self.history = QueryHistory()

    def action_complete(self) -> None:
        """Take the completion shown after the cursor."""
        if self._suggestion and self.cursor_at_end:
            self.value = self._suggestion
            self.cursor_position = len(self.value)

    def action_history(self, step: int) -> None:
        """Show an older (-1) or newer (1) query from this session."""
        entry = self.history.older() if step < 0 else self.history.newer()
        if entry is not None:
            self.value = entry
            self.cursor_position = len(entry)
