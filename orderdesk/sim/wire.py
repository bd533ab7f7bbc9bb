"""Record versions in the log API's wire form: JSON-ready dicts while an order plays out,
JSON bytes once published.

Building pydantic models for every version, and serializing them on every page,
cost more than the rest of the simulator put together. The simulator builds plain
dicts in the contract's field order instead, encodes each published version once,
and builds a model only when someone asks for one (``Simulation.get``); a test
checks that the bytes are exactly what the models would serve.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any, Literal, NamedTuple

from pydantic_core import to_json

from orderdesk.core.records import Party

#: A record version as a JSON-ready dict, keys in the contract's order.
Draft = dict[str, Any]
#: What a list endpoint lists: the two kinds of record, and (version 1.1) actions.
Listed = Literal["requests", "postbacks", "actions"]

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICROSECOND = timedelta(microseconds=1)


def micros(moment: datetime) -> int:
    """Microseconds since the epoch: a cheap, exact sort key for a timestamp."""
    return (moment - _EPOCH) // _MICROSECOND


def from_micros(value: int) -> datetime:
    """The aware UTC datetime of a ``micros`` value."""
    return _EPOCH + timedelta(microseconds=value)


def stamp(moment: datetime) -> str:
    """The contract's timestamp (as ``format_timestamp``) for an aware UTC datetime, faster."""
    return moment.isoformat(timespec="microseconds")[:26] + "Z"


def kind_of(draft: Draft) -> Listed:
    """Which list endpoint serves a draft."""
    if "event" in draft:
        return "postbacks"
    return "actions" if "target" in draft else "requests"


_PARTIES: dict[str, Draft] = {}


def party(named: Party) -> Draft:
    """A customer or printer as a record names it (one shared dict per party: never mutated)."""
    found = _PARTIES.get(named.id)
    if found is None:
        found = _PARTIES[named.id] = {"id": named.id, "name": named.name}
    return found


def http_message(
    at: datetime, url: str, headers: dict[str, str], content_type: str, body: str | None
) -> Draft:
    """An HTTP message: the Original and Final stages (every simulated one is a POST)."""
    return {
        "at": stamp(at),
        "method": "POST",
        "url": url,
        "headers": headers,
        "content_type": content_type,
        "body": body,
    }


def answer(at: datetime, code: int, took: float, content_type: str, body: str) -> Draft:
    """An HTTP answer that took ``took`` seconds."""
    return {
        "at": stamp(at),
        "status_code": code,
        "headers": {"Content-Type": content_type},
        "content_type": content_type,
        "body": body,
        "duration_ms": int(took * 1000),
        "error": None,
        "trigger": None,
        "action_id": None,
    }


def no_answer(at: datetime, error: str, duration_ms: int) -> Draft:
    """No HTTP answer at all: ``error`` names why."""
    return {
        "at": stamp(at),
        "status_code": None,
        "headers": {},
        "content_type": None,
        "body": None,
        "duration_ms": duration_ms,
        "error": error,
        "trigger": None,
        "action_id": None,
    }


def attempt(response: Draft, action_id: str | None = None) -> Draft:
    """A response as a postback's delivery attempt: automatic, or made by an action."""
    return {**response, "trigger": "manual" if action_id else "automatic", "action_id": action_id}


def failure(stage: str, code: str, message: str) -> Draft:
    """Why a request failed, and at which stage."""
    return {"stage": stage, "code": code, "message": message}


class Published(NamedTuple):
    """One published version: its keyset position, its status, and its JSON in pieces."""

    at: int
    id: str
    status: str
    pieces: tuple[bytes, ...]

    @property
    def json(self) -> bytes:
        """The record's JSON, as the list and record endpoints serve it."""
        pieces = self.pieces
        return pieces[0] if len(pieces) == 1 else b"".join(pieces)


#: Each template source's JSON string, shared by every record that shows it.
_SOURCES: dict[str, bytes] = {}


def publish(draft: Draft, at: int) -> Published:
    """Encode a version updated at ``at`` (micros) once, for every page that will serve it."""
    data = to_json(draft)
    pieces: tuple[bytes, ...] = (data,)
    template = draft.get("template")  # actions have none
    if template is not None:
        # The template source is a third of a record; a week holds a hundred
        # thousand copies of a dozen texts, so each record points at one.
        source = template["source"]
        shared = _SOURCES.get(source)
        if shared is None:
            shared = _SOURCES[source] = to_json(source)
        head, found, tail = data.partition(shared)
        if found:
            pieces = (head, shared, tail)
    return Published(at, draft["id"], draft["status"], pieces)
