"""How each action of a bulk run ended: one list, a heading per outcome, a line per record.

The outcomes that need the user come first (failed, unknown, refused), the
ones that went well last. Each line names the record and its order, and why
an action failed when the service said; enter posts ``Chosen``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from textual import on
from textual.content import Content
from textual.message import Message
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from orderdesk import strings
from orderdesk.core.acting import RunSummary
from orderdesk.core.action_journal import JournalEntry, PlannedTarget
from orderdesk.tui.safe_text import safe, safe_plain

__all__ = ["ActionOutcomes", "Outcome"]

#: How a record's action ended, in the order the list shows them.
Outcome = Literal[
    "failed", "unknown", "held", "refused", "skipped", "sent", "cancelled", "succeeded"
]  # fmt: skip
_OUTCOMES: tuple[Outcome, ...] = (
    "failed", "unknown", "held", "refused", "skipped", "sent", "cancelled", "succeeded",
)  # fmt: skip


@dataclass(frozen=True)
class _Listed:
    """One line of the list that opens a record."""

    target: PlannedTarget
    error: str | None = None


class ActionOutcomes(OptionList):
    """Every record of a run under the heading of how its action ended."""

    @dataclass
    class Chosen(Message):
        """The user chose a record of the list."""

        record_id: str

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._listed: list[_Listed] = []

    def show(
        self, summary: RunSummary, targets: list[PlannedTarget], skipped: list[PlannedTarget]
    ) -> None:
        """List ``summary``'s records in the plan's order (``targets``), and those ``skipped``."""
        # Actions end in any order: each list keeps the plan's, newest record first.
        order = {target.id: at for at, target in enumerate(targets)}
        for entries in (summary.succeeded, summary.failed, summary.sent):
            entries.sort(key=lambda entry: order.get(entry.target_id, len(order)))
        groups: dict[Outcome, list[_Listed]] = {
            "failed": [_Listed(_target(e), _action_error(summary, e)) for e in summary.failed],
            "unknown": [_Listed(_target(e)) for e in summary.unknown],
            "held": [_Listed(_target(e)) for e in summary.held],
            "refused": [_Listed(_target(e), e.error) for e in summary.refused],
            "skipped": [_Listed(target) for target in skipped],
            "sent": [_Listed(_target(e)) for e in summary.sent],
            "cancelled": [_Listed(_target(e)) for e in summary.cancelled],
            "succeeded": [_Listed(_target(e)) for e in summary.succeeded],
        }
        self.clear_options()
        self._listed = []
        for outcome in _OUTCOMES:
            listed = groups[outcome]
            if not listed:
                continue
            heading = strings.BULK_SECTION[outcome].format(count=len(listed))
            self.add_option(Option(Content.styled(heading, "bold"), disabled=True))
            for item in listed:
                self.add_option(Option(_line(item), id=str(len(self._listed))))
                self._listed.append(item)
        if self._listed:
            self.highlighted = 1  # the first record, under its heading

    @on(OptionList.OptionSelected)
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        if event.option_id is not None:
            self.post_message(self.Chosen(self._listed[int(event.option_id)].target.id))


def _line(item: _Listed) -> Content:
    """A record's id and order reference (store text: never markup), and why it failed."""
    parts: list[Content | str] = [
        "  ",
        safe(item.target.id),
        " · ",
        safe(item.target.order_reference_id or "-"),
    ]
    if item.error:
        parts += [" · ", Content.styled(safe_plain(item.error), "$text-error")]
    return Content.assemble(*parts)


def _target(entry: JournalEntry) -> PlannedTarget:
    return PlannedTarget(entry.target_id, entry.order_reference_id)


def _action_error(summary: RunSummary, entry: JournalEntry) -> str | None:
    """Why a failed action failed, as the service said."""
    action = summary.actions.get(entry.idempotency_key)
    if action is None or action.result is None:
        return entry.error
    return action.result.error
