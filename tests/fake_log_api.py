"""A log API in memory behind ``httpx.MockTransport``: the contract's keyset, and faults."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx

from orderdesk.core.records import (
    HttpMessage,
    Kind,
    LogRecord,
    Party,
    PostbackRecord,
    RequestRecord,
    format_timestamp,
    parse_timestamp,
)

T0 = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)
KEY = "test-key"

#: Answers one request in place of the fake; returning None lets the fake serve it.
Fault = Callable[[httpx.Request], httpx.Response | None]


def serve(request: httpx.Request) -> None:
    """A fault that is no fault: the fake answers as usual."""
    return None


def answer(status: int, **kwargs: Any) -> Fault:
    """A fault that answers with this status and body (httpx.Response's own keywords)."""
    return lambda request: httpx.Response(status, **kwargs)


def raising(error: type[httpx.TransportError]) -> Fault:
    """A fault that fails at the transport, as a dropped connection or timeout would."""

    def handle(request: httpx.Request) -> httpx.Response:
        raise error("boom", request=request)

    return handle


def request_record(record_id: str, updated_at: datetime, status: str = "pending") -> RequestRecord:
    """A small request record, as the service would list it."""
    return RequestRecord.model_validate(
        {
            "id": record_id,
            "action": "submit",
            "created_at": T0,
            "updated_at": updated_at,
            "order_reference_id": f"ref-{record_id}",
            "customer": Party(id="c1", name="Acme Shop"),
            "status": status,
            "original": HttpMessage(at=T0, method="POST", url="https://in.example/orders"),
        }
    )


def postback_record(
    record_id: str, updated_at: datetime, status: str = "pending"
) -> PostbackRecord:
    """A small postback record, as the service would list it."""
    return PostbackRecord.model_validate(
        {
            "id": record_id,
            "event": "shipped",
            "created_at": T0,
            "updated_at": updated_at,
            "customer": Party(id="c1", name="Acme Shop"),
            "printer": Party(id="p1", name="Print Co"),
            "status": status,
            "original": HttpMessage(at=T0, method="POST", url="https://hooks.example/p1"),
        }
    )


def at(seconds: float) -> datetime:
    """A moment ``seconds`` after the fake's epoch."""
    return T0 + timedelta(seconds=seconds)


class FakeLogApi:
    """The current version of each record, served by ``(updated_at, id)`` keyset pages."""

    def __init__(self) -> None:
        self.records: dict[str, dict[str, LogRecord]] = {"requests": {}, "postbacks": {}}
        self.faults: list[Fault] = []
        self.seen: list[httpx.Request] = []

    def put(self, *records: LogRecord) -> None:
        """Make records visible (a newer version replaces the old one)."""
        for record in records:
            kind = "requests" if isinstance(record, RequestRecord) else "postbacks"
            self.records[kind][record.id] = record

    def fail_next(self, *faults: Fault) -> None:
        """Answer the next requests with these faults, in order, before serving normally."""
        self.faults.extend(faults)

    def transport(self) -> httpx.MockTransport:
        return httpx.MockTransport(self.handle)

    def list_requests(self, kind: Kind) -> list[httpx.Request]:
        return [r for r in self.seen if r.url.path == f"/v1/{kind}"]

    def handle(self, request: httpx.Request) -> httpx.Response:
        self.seen.append(request)
        if self.faults:
            answer = self.faults.pop(0)(request)
            if answer is not None:
                return answer
        if request.headers.get("X-API-KEY") != KEY:
            return httpx.Response(401, json={"error": "unauthorized"})
        path = request.url.path
        if path == "/v1/health":
            return httpx.Response(200, json={"status": "ok", "time": format_timestamp(at(3600))})
        kind, _, record_id = path.removeprefix("/v1/").partition("/")
        if kind not in self.records:
            return httpx.Response(404, json={"error": "not found"})
        if record_id:
            record = self.records[kind].get(record_id)
            if record is None:
                return httpx.Response(404, json={"error": "not found"})
            return httpx.Response(200, json=record.model_dump(mode="json"))
        params = request.url.params
        after = (
            parse_timestamp(params["updated_after"])
            if "updated_after" in params
            else T0 - timedelta(days=30),
            params.get("after_id", "").encode(),
        )
        limit = int(params.get("limit", "100"))
        newer = sorted(
            (r for r in self.records[kind].values() if (r.updated_at, r.id.encode()) > after),
            key=lambda r: (r.updated_at, r.id.encode()),
        )
        page = {
            "data": [r.model_dump(mode="json") for r in newer[:limit]],
            "has_more": len(newer) > limit,
        }
        return httpx.Response(200, json=page)


@contextmanager
def over_http(api: FakeLogApi) -> Iterator[str]:
    """Serve the fake on a real local port, for tests that need another process; yields its URL."""

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            request = httpx.Request("GET", f"http://fake{self.path}", headers=dict(self.headers))
            response = api.handle(request)
            body = response.read()
            self.send_response(response.status_code)
            for name, value in response.headers.items():
                if name.lower() not in ("content-length", "transfer-encoding"):
                    self.send_header(name, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:
            """Quiet: the test's output is for failures."""

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
