"""orderdesk's exceptions.

OrderdeskError
├── StoreError               the store cannot be opened, read or upgraded
│   ├── SchemaVersionError   the store was written by a newer orderdesk
│   └── StoreFull            the store's disk is full: a page could not be saved
├── SourceError              the log API could not be used
│   ├── AuthenticationError  401/403: the key is missing or wrong (not retried)
│   ├── NotALogApiError      the URL answers, but not as a log API (not retried)
│   └── TransientSourceError 429, 5xx, resets, timeouts, malformed pages (retried)
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
