"""Every setting, from flags and ``ORDERDESK_*`` variables, checked by pydantic-settings."""

from __future__ import annotations

from datetime import timedelta

from pydantic import Field, SecretStr, ValidationInfo, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from orderdesk.config import default_store_path
from orderdesk.core.errors import InputError
from orderdesk.core.timeline_rules import DEFAULT_RULES, TimelineRules
from orderdesk.core.timerange import parse_duration

__all__ = ["Settings"]


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

    lang: str | None = None
    """The language of the console and messages, en or fr; unset, LC_ALL, LC_MESSAGES or LANG."""

    tz: str | None = None
    """The time zone times are shown and entered in: local when unset, or UTC, or an IANA name."""

    bell: bool = False
    """Ring the terminal's bell when the console alerts about a new or growing problem (1 or 0)."""

    receipt_within: timedelta = DEFAULT_RULES.receipt_within
    """Order timeline: a printer must say order_received this soon after accepting (30m)."""

    delivery_within: timedelta = DEFAULT_RULES.delivery_within
    """Order timeline: a postback not delivered to the customer this long after it came (10m)."""

    retrying_after: timedelta = DEFAULT_RULES.retrying_after
    """Order timeline: a postback still retrying after this long is a problem, not a notice (1m)."""

    duplicate_within: timedelta = DEFAULT_RULES.duplicate_within
    """Order timeline: two submits of one reference this close together are a duplicate (30d)."""

    actor: str | None = None
    """Who acts (redeliver, resubmit), as the service's trail records it; unset, user@host."""

    read_only: bool = False
    """Hide every action (redeliver, resubmit) even when the source's key may act (1 or 0)."""

    max_actions: int = Field(default=500, gt=0)
    """The most records one redelivery or resubmit may send to, so a mistyped filter stops."""

    retention: timedelta | None = None
    """How long the store keeps records, by when they last changed (e.g. 90d); unset, for ever.

    The sync applies it once it has caught up, at most once an hour (``orderdesk prune``
    does the same at once)."""

    @field_validator(
        "receipt_within",
        "delivery_within",
        "retrying_after",
        "duplicate_within",
        "retention",
        mode="before",
    )
    @classmethod
    def _duration(cls, value: object, info: ValidationInfo) -> object:
        # People write 30m or 2h, as everywhere else in orderdesk; numbers stay seconds.
        if isinstance(value, str):
            if info.field_name == "retention" and not value.strip():
                return None  # ORDERDESK_RETENTION= : kept for ever, as when unset
            if value.strip().isdigit():
                return timedelta(seconds=int(value))
            try:
                return parse_duration(value.strip())
            except InputError as error:
                name = f"ORDERDESK_{(info.field_name or '').upper()}"
                raise InputError(f"{name}: {error}") from None
        return value

    @field_validator("retention")
    @classmethod
    def _keeps_a_day(cls, value: timedelta | None) -> timedelta | None:
        if value is None:
            return None
        # Imported here: the store's modules come with it, which most commands never open.
        from orderdesk.core.retention import check_age

        try:
            return check_age(value)
        except InputError as error:
            raise InputError(f"ORDERDESK_RETENTION: {error}") from None

    @classmethod
    def load(cls, **flags: object) -> Settings:
        """Settings from the environment, with the flags the user typed taking precedence."""
        given = {name: value for name, value in flags.items() if value is not None}
        return cls(**given)  # type: ignore[arg-type]

    def timeline_rules(self) -> TimelineRules:
        """The order timeline's thresholds, as these settings set them."""
        return TimelineRules(
            receipt_within=self.receipt_within,
            delivery_within=self.delivery_within,
            retrying_after=self.retrying_after,
            duplicate_within=self.duplicate_within,
        )

    def api_key_value(self) -> str | None:
        """The key itself, for the one place that sends it."""
        return self.api_key.get_secret_value() if self.api_key is not None else None

    def actor_name(self) -> str:
        """Who acts, as the trail records it: the setting, or ``user@host``."""
        if self.actor and self.actor.strip():
            return self.actor.strip()
        import getpass
        import socket

        try:
            user = getpass.getuser()
        except (KeyError, OSError):  # no name for this uid, as in some containers
            user = "unknown"
        return f"{user}@{socket.gethostname()}"
