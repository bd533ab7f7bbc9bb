"""One backend object per store engine, picked from the engine or the store's URL."""

from __future__ import annotations

from sqlalchemy import Connection, Dialect, Engine
from sqlalchemy.engine import URL

from orderdesk.core.backends.base import WRITES, Backend, Space
from orderdesk.core.backends.postgresql import PostgreSQLBackend
from orderdesk.core.backends.sqlite import SQLiteBackend

__all__ = [
    "WRITES",
    "Backend",
    "PostgreSQLBackend",
    "SQLiteBackend",
    "Space",
    "backend_for",
]

_BACKENDS: dict[str, Backend] = {
    backend.name: backend for backend in (SQLiteBackend(), PostgreSQLBackend())
}
# Any other database SQLAlchemy speaks: stored and listed, but not searched.
_ANY_OTHER = Backend()


def backend_for(target: Engine | Connection | Dialect | URL) -> Backend:
    """The backend of the engine that an engine, a connection, a dialect or a URL names."""
    # A dialect first: the store's column types ask for each value they convert.
    if isinstance(target, Dialect):
        name = target.name
    elif isinstance(target, URL):
        name = target.get_backend_name()
    else:
        name = target.dialect.name
    return _BACKENDS.get(name, _ANY_OTHER)
