"""orderdesk's exceptions.

OrderdeskError
├── StoreError               the store cannot be opened, read or upgraded
│   ├── SchemaVersionError   the store was written by a newer orderdesk
│   └── StoreFull            the store's disk is full: a page could not be saved
├── SourceError              the log API could not be used
│   ├── AuthenticationError  401/403: the key is missing or wrong (not retried)
│   │   └── ReadOnlyKeyError      the key may read but not act (version 1.1)
│   ├── NotALogApiError      the URL answers, but not as a log API (not retried)
│   ├── TransientSourceError 429, 5xx, resets, timeouts, malformed pages (retried)
│   │   └── ActionOutcomeUnknown  an action's retries ran out: taken or not, nobody knows
│   └── ActionRefused        the service will not take this action (not retried)
│       ├── ActionsUnsupported    the service speaks version 1: it has no actions
│       ├── InvalidAction         400: the body or key is not what the contract allows
│       ├── TargetNotFound        404: no such postback or request
│       ├── NeedsForce            409: already delivered or succeeded; force to do it again
│       └── IdempotencyMismatch   422: the key was used for another action
└── InputError               a flag or a value the user typed is not understood
    ├── UnknownStatus        no record of the kind has that status (see statuses)
    └── FilterSyntaxError    a filter query is wrong at a position (see filter_language)

Every message says what is wrong and, where the user can act, what to do:
the CLI prints it as one line and the TUI shows it as it is.
"""

from __future__ import annotations


class OrderdeskError(Exception):
    """Base of every error orderdesk raises on purpose."""


class StoreError(OrderdeskError):
    """The store cannot be opened, read or upgraded."""


class SchemaVersionError(StoreError):
    """The store's schema is newer than this orderdesk understands."""


class StoreFull(StoreError):
    """The store's disk (or its size limit) is full; what was committed stays whole."""


class SourceError(OrderdeskError):
    """The log API could not be used."""

    def __init__(self, message: str, *, brief: str | None = None) -> None:
        super().__init__(message)
        #: The failure in a few words ("connection refused", "HTTP 503"), for a status line.
        self.brief = brief


class AuthenticationError(SourceError):
    """The log API refused the key (401 or 403); retrying will not help."""


class NotALogApiError(SourceError):
    """The URL answers, but not as an order-intake log API; retrying will not help."""


class TransientSourceError(SourceError):
    """A failure the contract says to retry: 429, 5xx, resets, timeouts, malformed pages."""

    def __init__(
        self, message: str, *, retry_after: float | None = None, brief: str | None = None
    ) -> None:
        super().__init__(message, brief=brief)
        #: Seconds the server asked us to wait (from ``Retry-After``), if it said.
        self.retry_after = retry_after


class ReadOnlyKeyError(AuthenticationError):
    """The key may read the log API but not act on it (``403`` to a ``POST``, version 1.1)."""


class ActionOutcomeUnknown(TransientSourceError):
    """An action's ``POST`` failed every retry: it may or may not have been taken.

    Sending it again with the same ``idempotency_key`` is safe: the service answers
    with the first answer instead of acting twice.
    """

    def __init__(self, message: str, *, idempotency_key: str, brief: str | None = None) -> None:
        super().__init__(message, brief=brief)
        #: The key to send again.
        self.idempotency_key = idempotency_key


class ActionRefused(SourceError):
    """The service will not take this action as asked; sending it again will not help."""


class ActionsUnsupported(ActionRefused):
    """The service speaks version 1 of the log API, which has no actions."""


class InvalidAction(ActionRefused):
    """The action's body or key is not what the contract allows (``400``, or caught before)."""


class TargetNotFound(ActionRefused):
    """The postback or request to act on is unknown to the service (``404``)."""


class NeedsForce(ActionRefused):
    """The postback was delivered or the request succeeded: only ``force`` acts again (409)."""


class IdempotencyMismatch(ActionRefused):
    """The idempotency key was used for another target or body (422): a new action, a new key."""


class InputError(OrderdeskError):
    """A flag or value typed by the user is not understood."""


class UnknownStatus(InputError):
    """A status the user named is none a record of the kind can have."""

    def __init__(self, message: str, status: str, allowed: tuple[str, ...]) -> None:
        super().__init__(message)
        #: The status named, and the ones a record of the kind can have.
        self.status = status
        self.allowed = allowed


class FilterSyntaxError(InputError):
    """A filter query (the ``/`` prompt, ``--query``) is wrong at a position."""

    def __init__(self, message: str, position: int) -> None:
        super().__init__(message)
        #: Where in the query the mistake is, counted from 0.
        self.position = position
