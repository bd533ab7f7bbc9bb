"""What acting on one record will do, said before anything is sent.

The dialog shows where the message goes, what it carries, the record's
status now, and the risk when the record has already done its job. It never
pretends to know more than the store does: a reprocess runs the customer's
*current* template inside the service, so orderdesk names that template's
version only when the store has seen it, and never renders it itself.
"""

from __future__ import annotations

from dataclasses import dataclass

from orderdesk import strings
from orderdesk.core.acting import FORCE_STATUS, action_kind
from orderdesk.core.action_records import ActionKind
from orderdesk.core.diagnosis import record_diagnosis
from orderdesk.core.queries import RecordQuery, get_record, list_summaries
from orderdesk.core.records import Kind, LogRecord, PostbackRecord, RequestRecord
from orderdesk.core.store import Store

__all__ = ["ActionPreview", "current_template", "preview_action"]


@dataclass(frozen=True)
class ActionPreview:
    """One record's action, before it is sent: every text here came from the store (untrusted)."""

    kind: Kind
    action: ActionKind
    record: LogRecord
    #: The record's status now, with its last answer's code or error.
    status: str
    #: Where the message goes: the customer's webhook (postback) or the printer (request).
    url: str | None
    #: The recorded Final body, what a redelivery or a ``final`` resubmit sends.
    final_body: str | None
    #: The recorded Original body, what a ``reprocess`` renders again.
    original_body: str | None
    #: Acting again on a record that did its job needs ``force`` and a confirmation.
    needs_force: bool

    @property
    def reference(self) -> str:
        """The order reference the user types to confirm a forced action."""
        return self.record.order_reference_id or self.record.id

    @property
    def risk(self) -> str | None:
        """What may go wrong twice when ``force`` is needed; None when nothing does."""
        if not self.needs_force:
            return None
        return strings.ACT_RISK_POSTBACK if self.kind == "postbacks" else strings.ACT_RISK_REQUEST


def _status(record: LogRecord) -> str:
    answer = record_diagnosis(record).last_answer
    if answer is None:
        return record.status
    code = answer.status_code if answer.status_code is not None else answer.error
    return record.status if code is None else f"{record.status} {code}"


def preview_action(record: LogRecord) -> ActionPreview:
    """What redelivering (a postback) or resubmitting (a request) ``record`` will do."""
    kind: Kind = "postbacks" if isinstance(record, PostbackRecord) else "requests"
    final = record.final
    return ActionPreview(
        kind=kind,
        action=action_kind(kind),
        record=record,
        status=_status(record),
        # Both the customer's webhook and the printer's endpoint are where the
        # recorded Final went: the service sends there again.
        url=final.url if final is not None else None,
        final_body=final.body if final is not None else None,
        original_body=record.original.body,
        needs_force=record.status == FORCE_STATUS[kind],
    )


def current_template(store: Store, record: RequestRecord) -> str:
    """The customer's template as the store last saw it used, or that the store does not know."""
    newest = list_summaries(
        store, RecordQuery("requests", customers=(record.customer.id,)), limit=5
    )
    for summary in newest:
        found = get_record(store, "requests", summary.id)
        if (
            isinstance(found, RequestRecord)
            and found.customer.id == record.customer.id
            and found.template is not None
        ):
            return strings.ACT_TEMPLATE_KNOWN.format(
                name=found.template.name,
                version=found.template.version,
                customer=record.customer.name,
            )
    return strings.ACT_TEMPLATE_UNKNOWN
