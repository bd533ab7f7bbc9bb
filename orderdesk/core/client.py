"""The log API over httpx: pages, single records, and failures mapped to the exception tree.

Every failure leaves this module as a ``SourceError``: the ones the contract says
to retry as ``TransientSourceError`` (with the server's ``Retry-After``), the rest
as permanent errors whose one-line message says what to do. Retrying is the
caller's business (see ``orderdesk.core.sync``).

A malformed page is ambiguous: a real log API having a bad moment (transient),
or a URL that is not a log API at all (permanent). ``/v1/health`` decides: once
it has answered as the contract says, malformed pages are transient; before
that, the first malformed answer makes the client ask it.

Version 1.1's actions are asked through ``actions_client.ActionsClient``, which
sends its ``POST``s and reads ``/v1/actions`` pages through this client, so that
both map transport failures, statuses and malformed bodies the same way.
"""

from __future__ import annotations

import functools
import re
import socket
import ssl
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from types import TracebackType
from typing import Any, TypeVar
from urllib.parse import quote

import httpx
from pydantic import BaseModel, ValidationError

from orderdesk import __version__, strings
from orderdesk.core.errors import (
    AuthenticationError,
    InputError,
    NotALogApiError,
    SourceError,
    TransientSourceError,
)
from orderdesk.core.records import (
    PAGE_TYPES,
    RECORD_TYPES,
    Kind,
    PostbackPage,
    PostbackRecord,
    RequestPage,
    RequestRecord,
    Watermark,
    format_timestamp,
    parse_timestamp,
)

__all__ = ["MAX_PAGE_SIZE", "Health", "LogApiClient", "parse_retry_after"]

#: The contract's largest ``limit``.
MAX_PAGE_SIZE = 1000

# Statuses the contract (or plain HTTP) says will pass if we wait.
_TRANSIENT_STATUSES = frozenset({408, 429, 500, 502, 503, 504})

_Parsed = TypeVar("_Parsed", bound=BaseModel)

_UNPRINTABLE = re.compile(r"[\x00-\x1f\x7f-\x9f]+")


def _connect_brief(error: httpx.ConnectError) -> str:
    """What stopped the connection, in a few words: refused, unknown host, or unreachable."""
    cause: BaseException | None = error
    while cause is not None:
        if isinstance(cause, ConnectionRefusedError):
            return strings.BRIEF_REFUSED
        if isinstance(cause, socket.gaierror):
            return strings.BRIEF_UNKNOWN_HOST
        cause = cause.__cause__ or cause.__context__
    return strings.BRIEF_UNREACHABLE


def parse_retry_after(value: str | None, now: datetime | None = None) -> float | None:
    """Seconds to wait from a ``Retry-After`` value (delta-seconds or an HTTP-date), or None."""
    if value is None or not value.strip():
        return None
    text = value.strip()
    if text.isdigit():
        return float(text)
    try:
        moment = parsedate_to_datetime(text)
    except (TypeError, ValueError):
        return None
    if moment.tzinfo is None:  # RFC 9110 dates are GMT; "-0000" parses as naive
        moment = moment.replace(tzinfo=UTC)
    return max(0.0, (moment - (now or datetime.now(UTC))).total_seconds())


@dataclass(frozen=True)
class Health:
    """What ``/v1/health`` says: the time, the contract version, whether the key may act."""

    time: datetime
    #: ``"1"`` when the service does not say: version 1 had no ``version`` field.
    version: str = "1"
    #: True only when the service says so (version 1.1 and a key that may act).
    actions: bool = False


def _one_line(text: str, limit: int = 200) -> str:
    """Server-sent text made safe for a one-line message: no control characters, bounded."""
    flat = _UNPRINTABLE.sub(" ", text).strip()
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


@functools.cache
def _trusted_roots() -> ssl.SSLContext:
    """The certificates a client trusts, as httpx would load them, loaded once per process.

    Loading them reads the whole bundle of certificate authorities, 50 ms of CPU,
    and the console opens a client for each check and each send.
    """
    return httpx.create_ssl_context()


class LogApiClient:
    """A client for one order-intake log API (docs/log-api.md, version 1)."""

    def __init__(
        self,
        base_url: str,
        api_key: str | None,
        *,
        timeout: float = 10.0,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        url = httpx.URL(base_url.rstrip("/"))
        if url.scheme not in ("http", "https") or not url.host:
            raise InputError(strings.API_NOT_HTTP.format(url=base_url))
        #: The base URL as shown in messages: without any credentials it embedded.
        self.url = str(url.copy_with(username=None, password=None))
        self._has_key = bool(api_key)
        self._timeout = timeout
        self._confirmed = False
        self._http = httpx.Client(
            base_url=url,
            headers=self._headers(api_key),
            timeout=timeout,
            transport=transport,
            verify=_trusted_roots(),
        )

    @staticmethod
    def _headers(api_key: str | None) -> dict[str, str]:
        # The service's own logs then say which client and version was asking.
        headers = {"User-Agent": f"orderdesk/{__version__}"}
        if api_key:
            headers["X-API-KEY"] = api_key
        return headers

    def __enter__(self) -> LogApiClient:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        """Close the connection pool."""
        self._http.close()

    @property
    def confirmed(self) -> bool:
        """True once ``/v1/health`` has answered as a log API does."""
        return self._confirmed

    def health(self) -> datetime:
        """The server's time; raises ``NotALogApiError`` if the URL does not serve a log API."""
        return self.check_health().time

    def check_health(self) -> Health:
        """All ``/v1/health`` says; raises ``NotALogApiError`` if the URL serves no log API."""
        path = "/v1/health"
        response = self._get(path)
        if response.status_code == 404:
            raise NotALogApiError(
                strings.API_NO_HEALTH.format(url=self.url, path=path),
                brief=strings.BRIEF_NOT_A_LOG_API,
            )
        self.raise_for_status(response, path)
        try:
            body = response.json()
        except ValueError:
            raise self._not_a_log_api(path, strings.API_NOT_JSON) from None
        if not isinstance(body, dict) or "status" not in body:
            raise self._not_a_log_api(path, strings.API_NO_STATUS)
        if body["status"] != "ok":
            raise TransientSourceError(
                strings.API_STATUS.format(url=self.url, status=_one_line(str(body["status"]), 40)),
                brief=strings.BRIEF_NOT_OK,
            )
        try:
            server_time = parse_timestamp(str(body.get("time", "")))
        except ValueError:
            raise self._not_a_log_api(path, strings.API_NO_TIME) from None
        self._confirmed = True
        version, actions = body.get("version"), body.get("actions")
        return Health(
            time=server_time,
            version=version if isinstance(version, str) and version else "1",
            actions=actions is True,
        )

    def fetch_page(
        self, kind: Kind, after: Watermark | None, limit: int = MAX_PAGE_SIZE
    ) -> RequestPage | PostbackPage:
        """One page of ``kind`` strictly after ``after`` (from the start of retention if None)."""
        path = f"/v1/{kind}"
        page = self.read_page(path, PAGE_TYPES[kind], after, limit)
        if page is None:
            raise NotALogApiError(
                strings.API_NO_PAGES.format(url=self.url, path=path),
                brief=strings.BRIEF_NOT_A_LOG_API,
            )
        return page

    def read_page(
        self, path: str, model: type[_Parsed], after: Watermark | None, limit: int = MAX_PAGE_SIZE
    ) -> _Parsed | None:
        """One keyset page of any list endpoint, as ``model``; None when it answers 404."""
        if not 1 <= limit <= MAX_PAGE_SIZE:
            raise ValueError(f"limit must be 1 to {MAX_PAGE_SIZE}, not {limit}")
        params: dict[str, str | int] = {}
        if after is not None:
            params["updated_after"] = format_timestamp(after.updated_at)
            params["after_id"] = after.id
        params["limit"] = limit
        response = self._get(path, params)
        if response.status_code == 404:
            return None
        self.raise_for_status(response, path)
        return self.parse(model, response, path)

    def get_record(self, kind: Kind, record_id: str) -> RequestRecord | PostbackRecord | None:
        """The current version of one record, or None if the service does not know it."""
        return self.read_one(f"/v1/{kind}/{quote(record_id, safe='')}", RECORD_TYPES[kind])

    def read_one(self, path: str, model: type[_Parsed]) -> _Parsed | None:
        """One record of any kind at ``path``, as ``model``; None when it answers 404."""
        response = self._get(path)
        if response.status_code == 404:
            return None
        self.raise_for_status(response, path)
        return self.parse(model, response, path)

    def post(self, path: str, body: dict[str, Any], headers: dict[str, str]) -> httpx.Response:
        """Send one ``POST`` as is, whatever it answers; transport failures become errors."""
        return self._send("POST", path, body=body, headers=headers)

    def _get(self, path: str, params: dict[str, str | int] | None = None) -> httpx.Response:
        return self._send("GET", path, params=params)

    def _send(
        self,
        method: str,
        path: str,
        *,
        params: dict[str, str | int] | None = None,
        body: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
    ) -> httpx.Response:
        """Send one request; transport failures become ``SourceError``s."""
        try:
            return self._http.request(method, path, params=params, json=body, headers=headers)
        except httpx.TimeoutException as error:
            raise TransientSourceError(
                strings.API_TIMEOUT.format(
                    url=self.url, path=path, seconds=self._timeout, error=type(error).__name__
                ),
                brief=strings.BRIEF_TIMEOUT,
            ) from error
        except httpx.ConnectError as error:
            if self._confirmed:
                raise TransientSourceError(
                    strings.API_CONNECTION_LOST.format(url=self.url, error=error),
                    brief=_connect_brief(error),
                ) from error
            raise TransientSourceError(
                strings.API_UNREACHABLE.format(url=self.url, error=error),
                brief=_connect_brief(error),
            ) from error
        except httpx.UnsupportedProtocol as error:
            raise InputError(strings.API_URL_UNUSABLE.format(url=self.url, error=error)) from error
        except httpx.TransportError as error:
            raise TransientSourceError(
                strings.API_BROKE.format(
                    url=self.url, path=path, error=f"{type(error).__name__}: {error}"
                ),
                brief=strings.BRIEF_BROKEN,
            ) from error

    def raise_for_status(self, response: httpx.Response, path: str) -> None:
        """Raise the ``SourceError`` a non-2xx status means; return on success."""
        status = response.status_code
        if response.is_success:
            return
        brief = strings.BRIEF_HTTP.format(status=status)
        if status in (401, 403):
            if self._has_key:
                raise AuthenticationError(
                    strings.API_KEY_REFUSED.format(url=self.url, status=status),
                    brief=strings.BRIEF_KEY_REFUSED.format(status=status),
                )
            raise AuthenticationError(
                strings.API_KEY_WANTED.format(url=self.url, status=status),
                brief=strings.BRIEF_KEY_WANTED.format(status=status),
            )
        if status in _TRANSIENT_STATUSES or status >= 500:
            retry_after = parse_retry_after(response.headers.get("Retry-After"))
            if status == 429 and retry_after is None:
                message = strings.API_RATE_LIMITED.format(url=self.url)
            elif status == 429:
                message = strings.API_RATE_LIMITED_WAIT.format(url=self.url, seconds=retry_after)
            else:
                message = strings.API_FAILED.format(
                    url=self.url, path=path, status=f"{status} {response.reason_phrase}"
                )
            raise TransientSourceError(message, retry_after=retry_after, brief=brief)
        if response.is_redirect:
            location = _one_line(response.headers.get("Location", "elsewhere"))
            raise SourceError(
                strings.API_REDIRECTS.format(
                    url=self.url, path=path, location=location, status=status
                ),
                brief=brief,
            )
        raise SourceError(
            strings.API_REJECTED.format(
                url=self.url, path=path, status=status, error=self.error_text(response)
            ),
            brief=brief,
        )

    def parse(self, model: type[_Parsed], response: httpx.Response, path: str) -> _Parsed:
        """Validate a 200 body against ``model``; a malformed one is transient or not-a-log-API."""
        try:
            return model.model_validate_json(response.content)
        except ValidationError as error:
            first = error.errors()[0]
            if first["type"] == "json_invalid":
                detail = strings.API_BODY_NOT_JSON
            else:
                where = ".".join(str(part) for part in first["loc"]) or "body"
                detail = f"{where}: {first['msg']}"
            self._confirm_or_raise()
            raise TransientSourceError(
                strings.API_MALFORMED.format(
                    url=self.url, path=path, detail=_one_line(detail, 120)
                ),
                brief=strings.BRIEF_MALFORMED,
            ) from error

    def _confirm_or_raise(self) -> None:
        """Ask ``/v1/health`` once, so a URL that isn't a log API fails for good."""
        if not self._confirmed:
            self.health()

    def _not_a_log_api(self, path: str, what: str) -> NotALogApiError:
        return NotALogApiError(
            strings.API_NOT_A_LOG_API.format(where=f"{self.url}{path}", what=what),
            brief=strings.BRIEF_NOT_A_LOG_API,
        )

    @staticmethod
    def error_text(response: httpx.Response) -> str:
        """The server's ``{"error": ...}`` text, or the start of its body."""
        try:
            body = response.json()
        except ValueError:
            return _one_line(response.text) or strings.API_NO_EXPLANATION
        if isinstance(body, dict) and isinstance(body.get("error"), str):
            return _one_line(body["error"])
        return _one_line(response.text)
