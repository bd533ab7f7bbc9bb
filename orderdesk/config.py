"""Settings (from flags and ``ORDERDESK_*`` variables) and where files live.

Settings are read once at the edge (the CLI) and passed in; nothing below
reads the environment on its own.
"""

from __future__ import annotations

from pathlib import Path

from platformdirs import user_data_path
from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


def default_store_path() -> Path:
    """The SQLite file used when neither ``--db`` nor ``ORDERDESK_DB`` names one."""
    return user_data_path("orderdesk", appauthor=False) / "orderdesk.db"


class Settings(BaseSettings):
    """What orderdesk needs to know to reach its source and its store."""

    model_config = SettingsConfigDict(env_prefix="ORDERDESK_", extra="ignore")

    db: str = Field(default_factory=lambda: str(default_store_path()))
    """The store: a file path (SQLite) or a SQLAlchemy URL such as postgresql+psycopg://..."""

    api_url: str | None = None
    """The base URL of the order-intake service's log API, e.g. https://intake.example.com."""

    api_key: SecretStr | None = None
    """The key sent as X-API-KEY; kept secret in reprs and never written to the store."""

    interval: float = Field(default=5.0, gt=0)
    """Seconds between polls when following the source."""

    tz: str | None = None
    """The time zone times are shown and entered in: local when unset, or UTC, or an IANA name."""

    @classmethod
    def load(cls, **flags: object) -> Settings:
        """Settings from the environment, with the flags the user typed taking precedence."""
        given = {name: value for name, value in flags.items() if value is not None}
        return cls(**given)  # type: ignore[arg-type]

    def api_key_value(self) -> str | None:
        """The key itself, for the one place that sends it."""
        return self.api_key.get_secret_value() if self.api_key is not None else None
