"""The store's tables for acting: the service's trail of actions, and the journal of intents.

Two different things, kept apart on purpose:

- ``actions`` is the trail the service keeps (``GET /v1/actions``), synced like
  records with its own watermark: everyone's actions, as the service saw them.
- ``action_journal`` is what orderdesk *meant* to send, written before it
  sends: one row per intended action with its idempotency key. After a crash
  the journal says what may or may not have been sent, and the key makes
  sending it again safe (``core/acting``).

Both live beside the records' tables in the schema's one metadata, so that
creating a store creates them.
"""

from __future__ import annotations

from sqlalchemy import Boolean, Column, Index, Integer, String, Table

from orderdesk.core.schema import META, StoreString, StoreText, UtcDateTime

__all__ = ["ACTIONS", "ACTION_JOURNAL", "JOURNAL_STATES", "JournalState"]

ACTIONS = Table(
    "actions",
    META.metadata,
    Column("pk", Integer, primary_key=True),
    Column("id", StoreString, nullable=False, unique=True),
    Column("kind", String, nullable=False),
    Column("target_kind", String, nullable=False),
    Column("target_id", StoreString, nullable=False),
    Column("order_reference_id", StoreString),
    Column("customer_id", StoreString),
    Column("customer_name", StoreString),
    Column("printer_id", StoreString),
    Column("printer_name", StoreString),
    Column("actor", StoreString, nullable=False),
    Column("status", String, nullable=False),
    Column("idempotency_key", StoreString, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
    #: The action record as the contract's JSON, so it reads back exactly.
    Column("body", StoreText, nullable=False),
    Index("ix_actions_created", "created_at", "id"),
    Index("ix_actions_reference", "order_reference_id", "created_at"),
    Index("ix_actions_target", "target_id"),
    Index("ix_actions_key", "idempotency_key"),
)

#: A journal entry's state. ``planned``: its key is written and it may have been
#: sent (a crash leaves it so); ``accepted``: the service answered with an action;
#: ``refused``: the service refused it, so nothing was done; ``cancelled``: the
#: user stopped the batch before it was sent; ``expired``: too old to send again
#: safely (its key may be forgotten by the service) and not in the trail.
JournalState = str
JOURNAL_STATES = ("planned", "accepted", "refused", "cancelled", "expired")

ACTION_JOURNAL = Table(
    "action_journal",
    META.metadata,
    Column("pk", Integer, primary_key=True),
    Column("idempotency_key", StoreString, nullable=False, unique=True),
    #: The entries planned together (one single action is a batch of one).
    Column("batch", String, nullable=False),
    Column("kind", String, nullable=False),
    Column("target_id", StoreString, nullable=False),
    Column("order_reference_id", StoreString),
    Column("actor", StoreString, nullable=False),
    Column("reason", StoreText, nullable=False),
    Column("mode", String),
    Column("force", Boolean, nullable=False),
    Column("planned_at", UtcDateTime, nullable=False),
    Column("state", String, nullable=False),
    Column("answered_at", UtcDateTime),
    Column("action_id", StoreString),
    #: Why the service refused it, one line.
    Column("error", StoreText),
    Index("ix_action_journal_state", "state", "actor", "planned_at"),
    Index("ix_action_journal_batch", "batch", "pk"),
)
