"""The ``/`` prompt of a list: the filter language, with completion and the session's history."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import ClassVar

from textual.binding import Binding, BindingType
from textual.content import Content
from textual.suggester import Suggester
from textual.widgets import Input

from orderdesk import strings
from orderdesk.core.filter_completion import completions
from orderdesk.core.records import Kind
from orderdesk.tui.safe_text import safe_plain

__all__ = ["QueryHistory", "QueryPrompt", "QuerySuggester"]


class QuerySuggester(Suggester):
    """Completes the term being typed, in a group or after OR too: fields, values, parties."""

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
    """A one-line filter query: tab takes a completion, again the next; up and down walk history."""

    BINDINGS: ClassVar[list[BindingType]] = [
        # Shown: while typing, the list's letter keys type letters, so these are the keys.
        Binding("tab", "complete", strings.KEY_COMPLETE),
        Binding("up", "history(-1)", strings.KEY_OLDER_QUERY),
        Binding("down", "history(1)", strings.KEY_NEWER_QUERY),
        Binding("enter", "submit", strings.KEY_APPLY, show=False),
        Binding("escape", "screen.close_prompt", strings.KEY_CANCEL),
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
        self._kind = kind
        self._parties = parties
        #: The completions tab steps through, and the one shown; empty once typing goes on.
        self.candidates: list[str] = []
        self._chosen = 0
        self._stem = ""

    def action_complete(self) -> None:
        """Take the first completion; pressed again at once, the next one, round and round."""
        if self.candidates and self.value == self.candidates[self._chosen]:
            self._chosen = (self._chosen + 1) % len(self.candidates)
        elif self.cursor_at_end:
            customers, printers = self._parties()
            found = completions(self.value, self._kind, customers=customers, printers=printers)
            self.candidates, self._chosen, self._stem = found, 0, self.value
            if not found:
                return
        else:
            return
        self.value = self.candidates[self._chosen]
        self.cursor_position = len(self.value)
        self._show_candidates()

    def _show_candidates(self) -> None:
        """The terms tab offers, under the prompt, the one taken in reverse."""
        if len(self.candidates) < 2:
            self.border_subtitle = None
            return
        # Each candidate is the typed text plus more: show from the word being completed.
        start = max(self._stem.rfind(mark) for mark in " :,(") + 1
        terms = [
            Content.styled(safe_plain(found[start:]), "reverse" if at == self._chosen else "")
            for at, found in enumerate(self.candidates)
        ]
        counted = Content(f"{self._chosen + 1}/{len(self.candidates)} ")
        self.border_subtitle = Content.assemble(counted, Content(" · ").join(terms))

    def _watch_value(self, value: str) -> None:
        super()._watch_value(value)
        if self.candidates and value != self.candidates[self._chosen]:
            self.candidates = []  # typing goes on: the next tab completes afresh
            self.border_subtitle = None

    def action_history(self, step: int) -> None:
        """Show an older (-1) or newer (1) query from this session."""
        entry = self.history.older() if step < 0 else self.history.newer()
        if entry is not None:
            self.value = entry
            self.cursor_position = len(entry)
