"""Settings (from flags and ``ORDERDESK_*`` variables) and where files live.

Settings are read once at the edge (the CLI) and passed in; nothing below
reads the environment on its own.

Most commands read every setting through :class:`Settings`, which
pydantic-settings validates; a command that only reads the store needs two of
them (where the store is, and the zone to show times in), and reads those as
:class:`ReadSettings`, without importing pydantic-settings: a tenth of a second
of start-up that a one-shot command in a script would pay on every run.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from orderdesk import strings
from orderdesk.core.errors import InputError, StoreError

if TYPE_CHECKING:
    from orderdesk.config.settings import Settings

__all__ = [
    "ReadSettings",
    "Settings",
    "default_store_path",
    "environment_setting",
    "prepare_store",
    "require_store",
    "store_file",
]

PREFIX = "ORDERDESK_"


def __getattr__(name: str) -> object:
    # Settings is imported when first named, so a command that never uses it
    # never imports pydantic-settings.
    if name == "Settings":
        from orderdesk.config.settings import Settings

        return Settings
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def default_store_path() -> Path:
    """The SQLite file used when neither ``--db`` nor ``ORDERDESK_DB`` names one."""
    from platformdirs import user_data_path

    return user_data_path("orderdesk", appauthor=False) / "orderdesk.db"


def environment_setting(name: str, environ: Mapping[str, str] = os.environ) -> str | None:
    """The ``ORDERDESK_<NAME>`` variable as :class:`Settings` reads it (in any case), unchecked."""
    wanted = PREFIX + name.upper()
    if wanted in environ:
        return environ[wanted]
    for variable, value in environ.items():
        if variable.upper() == wanted:
            return value
    return None


@dataclass(frozen=True)
class ReadSettings:
    """What a command that only reads the store needs: the store, and the zone for times."""

    db: str
    """The store: a file path (SQLite) or a SQLAlchemy URL, as in :class:`Settings`."""

    tz: str | None = None
    """The time zone times are shown and entered in: local when unset."""

    @classmethod
    def load(
        cls,
        *,
        db: str | None = None,
        tz: str | None = None,
        environ: Mapping[str, str] = os.environ,
    ) -> ReadSettings:
        """The flags the user typed, else the environment's, else the defaults."""
        if db is None:
            db = environment_setting("db", environ)
        if tz is None:
            tz = environment_setting("tz", environ)
        return cls(db=str(default_store_path()) if db is None else db, tz=tz)


def store_file(db: str) -> Path | None:
    """The file of a SQLite store given as a path or a URL; None for a server or memory."""
    if "://" not in db:
        return Path(db).expanduser().absolute()
    # Imported here: every command reads its settings, few open a URL.
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    try:
        url = make_url(db)
    except ArgumentError:
        return None  # Store.open says what is wrong with it.
    if url.get_backend_name() != "sqlite" or url.database in (None, "", ":memory:"):
        return None
    return Path(url.database).expanduser().absolute()


def require_store(db: str) -> None:
    """Refuse a SQLite store that does not exist, so a mistyped path is not read as empty."""
    path = store_file(db)
    if path is not None and not path.exists():
        raise InputError(strings.NO_STORE.format(path=path))


def prepare_store(db: str) -> None:
    """Make room for a store that a sync may create: only in a folder that exists.

    A mistyped folder is refused rather than created; the default location's
    folder is orderdesk's own, and is created.
    """
    path = store_file(db)
    if path is None or path.parent.is_dir():
        return
    if path != default_store_path():
        raise InputError(strings.NO_STORE_FOLDER.format(folder=path.parent))
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise StoreError(
            strings.STORE_NO_FOLDER.format(folder=path.parent, error=error.strerror)
        ) from None
