"""The log API over HTTP, from the standard library's threading HTTP server."""

from __future__ import annotations

import contextlib
import json
import re
import socket
import struct
import threading
import time
from collections.abc import Callable
from datetime import timedelta
from email.utils import formatdate
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any, Literal
from urllib.parse import parse_qs, unquote, urlsplit

from orderdesk import strings
from orderdesk.core.records import (
    KINDS,
    Watermark,
    format_timestamp,
    parse_timestamp,
)
from orderdesk.core.timerange import describe_duration, parse_duration
from orderdesk.sim.actions import ActionKind
from orderdesk.sim.faults import Faults
from orderdesk.sim.traffic import Simulation
from orderdesk.sim.wire import Listed

MAX_LIMIT = 1000
DEFAULT_LIMIT = 100
#: The log API version served: 1.1 adds actions (docs/log-api.md).
API_VERSION = "1.1"
#: The simulator's own endpoint, outside the contract: what actions really sent, per target.
SENT_PATH = "/_sim/sent"
#: An action's body is a few hundred bytes; anything near this is not one.
MAX_POST_BODY = 64 * 1024

_ONE = re.compile(r"^/v1/(requests|postbacks|actions)/([^/]+)$")
_LIST = re.compile(r"^/v1/(requests|postbacks|actions)/?$")
_ACT = re.compile(r"^/v1/(?:postbacks/([^/]+)/(redeliver)|requests/([^/]+)/(resubmit))$")

Role = Literal["act", "read"]
_RATE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*/\s*(s|sec|second|m|min|minute|h|hr|hour)s?\s*$")


def parse_rate(text: str | float) -> float:
    """Orders per minute from ``30/min``, ``2/s`` or ``100/h`` (a bare number is per minute)."""
    if isinstance(text, int | float):
        return float(text)
    stripped = text.strip()
    try:
        return float(stripped)
    except ValueError:
        pass
    match = _RATE.match(stripped.lower())
    if match is None:
        raise ValueError(strings.SIM_BAD_RATE.format(text=text))
    number, unit = float(match[1]), match[2][0]
    return {"s": number * 60, "m": number, "h": number / 60}[unit]


class _BadRequest(ValueError):
    """A query parameter the contract does not allow."""


def _json(payload: Any) -> bytes:
    return json.dumps(payload, separators=(",", ":")).encode()


def _page_query(query: str) -> tuple[Watermark, int]:
    params = parse_qs(query, keep_blank_values=True)
    for name, values in params.items():
        if len(values) > 1:
            raise _BadRequest(f"{name} is given {len(values)} times; give it once")
    after = Watermark(updated_at=parse_timestamp("1970-01-01T00:00:00Z"))
    if "updated_after" in params:
        raw = params["updated_after"][0]
        try:
            after = Watermark(updated_at=parse_timestamp(raw))
        except ValueError:
            raise _BadRequest(
                f"updated_after {raw!r} is not an RFC 3339 timestamp such as "
                "2026-11-23T10:15:02.123456Z"
            ) from None
    if "after_id" in params:
        after = Watermark(updated_at=after.updated_at, id=params["after_id"][0])
    limit = DEFAULT_LIMIT
    if "limit" in params:
        raw = params["limit"][0]
        try:
            limit = int(raw)
        except ValueError:
            raise _BadRequest(f"limit {raw!r} is not a whole number") from None
        if not 1 <= limit <= MAX_LIMIT:
            raise _BadRequest(f"limit must be between 1 and {MAX_LIMIT}, not {limit}")
    return after, limit


def _page_body(records: list[bytes], has_more: bool) -> bytes:
    return b"".join(
        (
            b'{"data":[',
            b",".join(records),
            b'],"has_more":',
            b"true" if has_more else b"false",
            b"}",
        )
    )


class _Handler(BaseHTTPRequestHandler):
    server: _LogApiHttpServer
    protocol_version = "HTTP/1.1"  # keep-alive: a sync reads many pages in a row
    server_version = "order-intake-sim/1"

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: a sync makes thousands of requests."""

    def setup(self) -> None:
        super().setup()
        self.server.track(self.connection, open_=True)

    def finish(self) -> None:
        try:
            super().finish()
        finally:
            self.server.track(self.connection, open_=False)

    def do_GET(self) -> None:
        url = urlsplit(self.path)
        path = url.path
        role = self.server.role(self.headers.get("X-API-KEY"))
        if path == "/v1/health":
            health = {
                "status": "ok",
                "time": format_timestamp(self.server.sim.now()),
                "version": API_VERSION,
                "actions": role == "act",
            }
            self._send(HTTPStatus.OK, health)
            return
        if role is None:
            self._send(HTTPStatus.UNAUTHORIZED, {"error": "unauthorized"})
            return
        if path == SENT_PATH:
            self._send(HTTPStatus.OK, {"sent": self.server.sim.actions.sent()})
            return
        one, listing = _ONE.match(path), _LIST.match(path)
        if one is None and listing is None:
            self._send(HTTPStatus.NOT_FOUND, {"error": f"no such endpoint: {path}"})
            return
        fault = self.server.faults.draw()
        if fault is not None and self._misbehave(fault):
            return
        if one is not None:
            kind: Listed = one[1]  # type: ignore[assignment]
            record = self.server.sim.get_json(kind, one[2])
            if record is None:
                self._send(HTTPStatus.NOT_FOUND, {"error": "not found"})
            else:
                self._send_bytes(HTTPStatus.OK, record)
            return
        assert listing is not None
        try:
            after, limit = _page_query(url.query)
        except _BadRequest as error:
            self._send(HTTPStatus.BAD_REQUEST, {"error": str(error)})
            return
        records, has_more = self.server.sim.page_json(listing[1], after, limit)  # type: ignore[arg-type]
        body = _page_body(records, has_more)
        if fault == "malformed":
            body = self._malformed(body)
        self._send_bytes(HTTPStatus.OK, body)

    def do_POST(self) -> None:
        path = urlsplit(self.path).path
        length = int(self.headers.get("Content-Length") or 0)
        if not 0 <= length <= MAX_POST_BODY:
            self.close_connection = True  # the body is left unread
            self._send(HTTPStatus.BAD_REQUEST, {"error": "the body is too large for an action"})
            return
        body = self.rfile.read(length)
        key = self.headers.get("X-API-KEY")
        role = self.server.role(key)
        if role is None:
            self._send(HTTPStatus.UNAUTHORIZED, {"error": "unauthorized"})
            return
        if role == "read":
            self._send(HTTPStatus.FORBIDDEN, {"error": "forbidden: this key may only read"})
            return
        act = _ACT.match(path)
        if act is None:
            self._send(HTTPStatus.NOT_FOUND, {"error": f"no such endpoint: {path}"})
            return
        fault = self.server.faults.draw()
        if fault in ("429", "5xx"):  # refused before the action is taken
            self._misbehave(fault)
            return
        kind: ActionKind = act[2] or act[4]  # type: ignore[assignment]
        answer = self.server.sim.actions.ask(
            kind,
            unquote(act[1] or act[3]),
            body,
            self.headers.get("Idempotency-Key"),
            caller=key or "",
        )
        if fault is not None and self._misbehave(fault):
            return  # reset: the action was taken, its answer is lost
        payload = _json(answer.payload)
        if fault == "malformed" and answer.status < 300:
            payload = self._malformed(payload)
        self._send_bytes(HTTPStatus(answer.status), payload)

    def _misbehave(self, fault: str) -> bool:
        """Act out a fault; True when the request has been answered (or dropped)."""
        faults = self.server.faults
        if fault == "429":
            retry_after = str(faults.retry_after_seconds)
            if faults.choice((False, False, True)):
                retry_after = formatdate(time.time() + faults.retry_after_seconds, usegmt=True)
            self._send(
                HTTPStatus.TOO_MANY_REQUESTS,
                {"error": "rate limit exceeded"},
                headers={"Retry-After": retry_after},
            )
            return True
        if fault == "5xx":
            status = faults.choice((500, 502, 503, 504))
            if status == 502:
                self._send_bytes(
                    HTTPStatus.BAD_GATEWAY,
                    b"<html><body><h1>502 Bad Gateway</h1></body></html>",
                    content_type="text/html",
                )
            else:
                self._send(HTTPStatus(status), {"error": HTTPStatus(status).phrase.lower()})
            return True
        if fault == "reset":
            # SO_LINGER with a zero timeout makes close() send RST instead of FIN.
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.server.reset_on_close(self.connection)
            self.close_connection = True
            return True
        if fault == "slow":
            self.server.stopping.wait(faults.slow_seconds)
        return False

    def _malformed(self, body: bytes) -> bytes:
        shape = self.server.faults.choice(("truncated", "not json", "wrong shape", "list"))
        if shape == "truncated":
            return body[: max(1, len(body) // 2)]
        if shape == "not json":
            return b"<html><body>Service temporarily overloaded</body></html>"
        if shape == "wrong shape":
            return b'{"records":[],"more":"maybe"}'
        return b"[]"

    def _send(
        self, status: HTTPStatus, payload: Any, *, headers: dict[str, str] | None = None
    ) -> None:
        self._send_bytes(status, _json(payload), headers=headers)

    def _send_bytes(
        self,
        status: HTTPStatus,
        body: bytes,
        *,
        content_type: str = "application/json",
        headers: dict[str, str] | None = None,
    ) -> None:
        self.send_response(status)
        self.send_header("Content-Type", f"{content_type}; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)


class _LogApiHttpServer(ThreadingHTTPServer):
    daemon_threads = True
    # The default backlog of 5 refuses connections when a benchmark opens many at once.
    request_queue_size = 128

    def __init__(
        self,
        address: tuple[str, int],
        sim: Simulation,
        api_key: str | None,
        faults: Faults,
        read_key: str | None = None,
    ) -> None:
        super().__init__(address, _Handler)
        self.sim = sim
        self.api_key = api_key
        self.read_key = read_key
        self.faults = faults
        self.stopping = threading.Event()
        self._connections: set[socket.socket] = set()
        self._resets: set[socket.socket] = set()
        self._connections_lock = threading.Lock()

    def role(self, key: str | None) -> Role | None:
        """What a request's key may do: act, only read, or nothing (a missing or wrong key)."""
        if key is not None and key == self.read_key:
            return "read"
        if self.api_key is None or key == self.api_key:
            return "act"
        return None

    def reset_on_close(self, connection: socket.socket) -> None:
        """Close this connection without the polite shutdown, so that the peer sees a reset."""
        with self._connections_lock:
            self._resets.add(connection)

    def shutdown_request(self, request: Any) -> None:
        with self._connections_lock:
            reset = request in self._resets
            self._resets.discard(request)
        if reset:
            self.close_request(request)  # no shutdown(SHUT_WR): that would send FIN first
        else:
            super().shutdown_request(request)

    def track(self, connection: socket.socket, *, open_: bool) -> None:
        """Remember open connections, so that stopping can end idle keep-alive ones."""
        with self._connections_lock:
            if open_:
                self._connections.add(connection)
            else:
                self._connections.discard(connection)

    def drop_connections(self) -> None:
        """Shut every open connection so that handler threads return promptly."""
        with self._connections_lock:
            connections = list(self._connections)
        for connection in connections:
            with contextlib.suppress(OSError):  # already closed by the peer
                connection.shutdown(socket.SHUT_RDWR)


class SimulatorServer:
    """The log API for a simulation, served from background threads while it runs."""

    def __init__(
        self,
        sim: Simulation,
        host: str = "127.0.0.1",
        port: int = 0,
        *,
        api_key: str | None = None,
        read_key: str | None = None,
        faults: Faults | None = None,
        live: bool = True,
    ) -> None:
        """Serve ``sim``; ``api_key`` may read and act, ``read_key`` may only read (1.1)."""
        self.sim = sim
        self.faults = faults or Faults()
        self._live = live
        self._http = _LogApiHttpServer((host, port), sim, api_key, self.faults, read_key)
        self._thread: threading.Thread | None = None
        if self.faults.late:
            sim.make_late(
                self.faults.late,
                timedelta(seconds=self.faults.late_max_seconds),
                seed=self.faults.seed,
            )

    @property
    def url(self) -> str:
        """The base URL, with the port actually bound."""
        host, port = self._http.server_address[:2]
        return f"http://{host!s}:{port}"

    @property
    def sent(self) -> dict[str, int]:
        """What actions really sent per target, ``{"postbacks/pb_...": 1}``; also ``/_sim/sent``."""
        return self.sim.actions.sent()

    def start(self) -> SimulatorServer:
        """Serve in a background thread, and let the world run live."""
        if self._thread is None:
            self._thread = threading.Thread(
                target=self._http.serve_forever,
                kwargs={"poll_interval": 0.1},
                name="sim-http",
                daemon=True,
            )
            self._thread.start()
            if self._live:
                self.sim.start()
        return self

    def stop(self) -> None:
        """Stop serving and ticking, and close every socket."""
        self._http.stopping.set()
        self.sim.stop()
        if self._thread is not None:
            self._http.shutdown()
            self._thread.join(timeout=5)
            self._thread = None
        self._http.drop_connections()
        self._http.server_close()

    def __enter__(self) -> SimulatorServer:
        return self.start()

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.stop()


def run_simulator(
    *,
    host: str = "127.0.0.1",
    port: int = 8765,
    seed: int = 0,
    history: timedelta | str = timedelta(days=7),
    history_rate: float | str = 2.0,
    rate: float | str = 30.0,
    api_key: str | None = None,
    read_key: str | None = None,
    faults: Faults | str | None = None,
    out: Callable[[str], None] = print,
) -> None:
    """Serve a simulated order-intake service until interrupted (``orderdesk simulate``)."""
    if not isinstance(faults, Faults):
        faults = Faults.parse(faults)
    if not isinstance(history, timedelta):
        history = parse_duration(history)
    out(strings.SIM_GENERATING.format(span=describe_duration(history)))
    started = time.perf_counter()
    sim = Simulation(
        seed=seed,
        history=history,
        history_rate=parse_rate(history_rate),
        rate=parse_rate(rate),
    )
    counts = {kind: len(sim.records(kind)) for kind in KINDS}
    took = time.perf_counter() - started
    with SimulatorServer(
        sim, host, port, api_key=api_key, read_key=read_key, faults=faults
    ) as server:
        out(
            strings.SIM_SERVING.format(
                requests=counts["requests"],
                postbacks=counts["postbacks"],
                seconds=took,
                url=server.url,
            )
        )
        out(strings.SIM_STOP_HINT)
        try:
            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            out(strings.SIM_STOPPED)
