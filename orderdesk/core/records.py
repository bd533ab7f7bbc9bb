"""The log API's records as pydantic models: the contract (docs/log-api.md) in code.

Both sides use these models: the simulator builds them and serves their JSON,
the client parses pages into them, and the store keeps them. Timestamps are
always timezone-aware UTC in memory and RFC 3339 with a ``Z`` on the wire.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, PlainSerializer

Kind = Literal["requests", "postbacks"]
KINDS: tuple[Kind, ...] = ("requests", "postbacks")

Action = Literal["submit", "cancel"]
RequestStatus = Literal["pending", "succeeded", "failed"]
PostbackStatus = Literal["pending", "delivered", "retrying", "failed"]
ErrorStage = Literal["template", "validation", "delivery", "printer"]
#: What made a delivery attempt (log API 1.1): the service's own retries, or an action.
Trigger = Literal["automatic", "manual"]
Event = Literal[
    "order_received",
    "production_update",
    "shipped",
    "in_transit",
    "delivered",
    "returned",
    "cancelled",
    "error",
]

REQUEST_STATUSES: tuple[RequestStatus, ...] = ("pending", "succeeded", "failed")
POSTBACK_STATUSES: tuple[PostbackStatus, ...] = ("pending", "delivered", "retrying", "failed")
EVENTS: tuple[Event, ...] = (
    "order_received",
    "production_update",
    "shipped",
    "in_transit",
    "delivered",
    "returned",
    "cancelled",
    "error",
)


def format_timestamp(moment: datetime) -> str:
    """The contract's timestamp form: UTC, microseconds, a ``Z`` suffix."""
    # isoformat, not strftime: a fourth of the time, and every stage's moment goes
    # through here each time a record is stored or served. Same text, to the digit.
    if moment.tzinfo is not UTC:
        moment = to_utc(moment)
    return moment.replace(tzinfo=None).isoformat(timespec="microseconds") + "Z"


def parse_timestamp(text: str) -> datetime:
    """Parse an RFC 3339 timestamp (``Z`` or an offset, any fraction) into aware UTC."""
    moment = datetime.fromisoformat(text.strip().replace("z", "Z"))
    if moment.tzinfo is None:
        raise ValueError(
            f"timestamp {text!r} has no time zone; the contract wants 'Z' or an offset"
        )
    return moment.astimezone(UTC)


def to_utc(moment: datetime) -> datetime:
    """Aware UTC; a naive datetime is taken to be UTC already (as the store keeps them)."""
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def _require_zone(moment: datetime) -> datetime:
    if moment.tzinfo is None:
        raise ValueError("timestamp has no time zone; the contract wants 'Z' or an offset")
    return moment.astimezone(UTC)


Timestamp = Annotated[
    datetime,
    AfterValidator(_require_zone),
    PlainSerializer(format_timestamp, return_type=str, when_used="json"),
]


class _Model(BaseModel):
    # Unknown fields are ignored so that a service may extend the contract
    # in backward-compatible ways without breaking older clients.
    model_config = ConfigDict(extra="ignore", frozen=True)


class Party(_Model):
    """A customer or a printer, as named on a record."""

    id: str
    name: str


class HttpMessage(_Model):
    """An HTTP request as it was received or sent: the Original and Final stages."""

    at: Timestamp
    method: str
    url: str
    headers: dict[str, str] = {}
    content_type: str | None = None
    body: str | None = None


class HttpResponse(_Model):
    """An answer, or its absence: the Response stage and each postback attempt."""

    at: Timestamp
    status_code: int | None = None
    headers: dict[str, str] = {}
    content_type: str | None = None
    body: str | None = None
    duration_ms: int | None = None
    error: str | None = None
    #: Version 1.1, on postback attempts: what made it, and the action's id when manual.
    trigger: Trigger | None = None
    action_id: str | None = None


class TemplateProcessing(_Model):
    """How the customer's template transformed a message: the Template stage."""

    name: str
    version: int
    engine: str = "jinja2"
    source: str
    output: str | None = None
    error: str | None = None
    duration_ms: int | None = None


class RecordError(_Model):
    """Why a request failed, and at which stage."""

    stage: ErrorStage
    code: str
    message: str


class Tracking(_Model):
    """A shipment's tracking code and link, on shipping events."""

    code: str
    url: str | None = None


class RequestRecord(_Model):
    """An order message from a customer's platform, transformed and sent to a printer."""

    id: str
    action: Action
    created_at: Timestamp
    updated_at: Timestamp
    order_reference_id: str | None = None
    order_id: str | None = None
    customer: Party
    printer: Party | None = None
    status: RequestStatus
    error: RecordError | None = None
    original: HttpMessage
    template: TemplateProcessing | None = None
    final: HttpMessage | None = None
    response: HttpResponse | None = None
    #: Version 1.1: the request this one sends again, and the action that asked for it.
    resubmit_of: str | None = None
    action_id: str | None = None


class PostbackRecord(_Model):
    """A printer's status notification, transformed and delivered to the customer."""

    id: str
    event: Event
    created_at: Timestamp
    updated_at: Timestamp
    order_reference_id: str | None = None
    order_id: str | None = None
    customer: Party
    printer: Party
    status: PostbackStatus
    tracking: Tracking | None = None
    original: HttpMessage
    template: TemplateProcessing | None = None
    final: HttpMessage | None = None
    attempts: list[HttpResponse] = []
    response: HttpResponse | None = None


LogRecord = RequestRecord | PostbackRecord

RECORD_TYPES: dict[Kind, type[RequestRecord] | type[PostbackRecord]] = {
    "requests": RequestRecord,
    "postbacks": PostbackRecord,
}


class RequestPage(_Model):
    """One page of ``GET /v1/requests``."""

    data: list[RequestRecord]
    has_more: bool


class PostbackPage(_Model):
    """One page of ``GET /v1/postbacks``."""

    data: list[PostbackRecord]
    has_more: bool


PAGE_TYPES: dict[Kind, type[RequestPage] | type[PostbackPage]] = {
    "requests": RequestPage,
    "postbacks": PostbackPage,
}


@dataclass(frozen=True, order=True)
class Watermark:
    """A position in a list endpoint: the pair ``(updated_at, id)`` a page starts after."""

    updated_at: datetime
    id: str = ""
