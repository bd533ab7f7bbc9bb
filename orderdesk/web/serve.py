"""``orderdesk serve``: the same console in a browser, through textual-serve.

Each browser tab gets its own console process, started with the interpreter
that runs the server. Secrets (the API key, a database URL with a password)
reach it through its environment, never its command line, so ``ps`` does not
show them. The page loads everything from this server: nothing from a CDN.

A tab's console may act (redeliver, resubmit) only as tab_actions.py allows,
and at most ``max_sessions`` consoles run at once: a tab beyond that is told
the server is full, and no process starts for it.
"""

from __future__ import annotations

import asyncio
import contextlib
import errno
import ipaddress
import shlex
import signal
import socket
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import SplitResult, urlsplit

import aiohttp_jinja2
from aiohttp import WSCloseCode, web
from textual_serve.app_service import AppService
from textual_serve.server import Server, to_int

from orderdesk import strings
from orderdesk.config import Settings
from orderdesk.core.errors import InputError
from orderdesk.web.tab_actions import TabActions

__all__ = [
    "ConsoleLaunch",
    "ConsoleServer",
    "check_host",
    "check_public_url",
    "console_command",
    "is_loopback",
    "serve_console",
]

TEMPLATES = Path(__file__).parent
# How long a console gets to quit by itself when the server stops, before it is killed.
QUIT_GRACE_SECONDS = 5.0
# Each tab is a process of its own: a few dozen megabytes, and the store opened once more.
DEFAULT_MAX_SESSIONS = 10


def is_loopback(host: str) -> bool:
    """Whether binding ``host`` keeps the server on this machine."""
    if host.lower().rstrip(".") == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        # Any other name may resolve to a public address: treat it as one.
        return False


def check_host(host: str, *, public: bool) -> str | None:
    """The warning to print for ``host``, or None; raises InputError when it needs --public."""
    if is_loopback(host):
        return None
    if not public:
        raise InputError(strings.SERVE_NEEDS_PUBLIC.format(host=host))
    return strings.SERVE_PUBLIC_WARNING.format(host=host)


@dataclass(frozen=True)
class ConsoleLaunch:
    """How each browser session starts its console: arguments, and secrets by environment."""

    arguments: tuple[str, ...] = ()
    environment: Mapping[str, str] = field(default_factory=dict)
    python: str = sys.executable

    def command(self) -> str:
        """The shell command textual-serve runs; ``exec`` so no shell stays in between."""
        return "exec " + shlex.join([self.python, "-m", "orderdesk", *self.arguments])


def console_command(
    settings: Settings,
    *,
    source_url: str | None,
    view: str | None = None,
    lang: str | None = None,
    views_path: Path | None = None,
) -> ConsoleLaunch:
    """The console ``orderdesk`` would open with these settings, checked once here.

    A wrong zone, view or store is reported when the server starts, not in each tab.
    """
    from orderdesk.core.store import Store
    from orderdesk.core.timerange import resolve_zone
    from orderdesk.views import default_views_path, find_view

    resolve_zone(settings.tz)
    if view is not None:
        find_view(views_path or default_views_path(), view)
    with Store.open(settings.db):
        pass
    arguments: list[str] = []
    if lang is not None:
        arguments += ["--lang", lang]
    if settings.tz is not None:
        arguments += ["--tz", settings.tz]
    if view is not None:
        arguments += ["--view", view]
    given = {
        "ORDERDESK_DB": settings.db,
        "ORDERDESK_API_URL": source_url,
        "ORDERDESK_API_KEY": settings.api_key_value() if source_url else None,
    }
    environment = {name: value for name, value in given.items() if value is not None}
    return ConsoleLaunch(tuple(arguments), environment)


def check_public_url(url: str | None) -> str | None:
    """``--public-url`` without a trailing slash; raises InputError when it is not http(s)."""
    if url is None:
        return None
    parsed = urlsplit(url)
    if parsed.scheme not in ("http", "https") or not parsed.netloc or parsed.query:
        raise InputError(strings.SERVE_BAD_PUBLIC_URL.format(url=url))
    return url.rstrip("/")


def same_address(url: str, other: str) -> bool:
    """Whether two URLs name the same host and port."""
    first, second = urlsplit(url), urlsplit(other)
    return (first.hostname, _port(first)) == (second.hostname, _port(second))


def _port(url: SplitResult) -> int | None:
    try:
        return url.port or {"http": 80, "ws": 80, "https": 443, "wss": 443}.get(url.scheme)
    except ValueError:
        return None


def public_url_for(host: str, port: int) -> str:
    """The URL a browser on this machine uses to reach ``host:port``."""
    shown = f"[{host}]" if ":" in host else host
    return f"http://{shown}:{port}"


class ConsoleSession(AppService):
    """One browser tab's console: a process of its own, ended with the tab or the server."""

    def __init__(
        self, launch: ConsoleLaunch, tab_environment: Mapping[str, str], **service: Any
    ) -> None:
        super().__init__(launch.command(), **service)
        self._launch = launch
        self._tab_environment = dict(tab_environment)
        self._ending: asyncio.Future[None] | None = None

    @property
    def process_id(self) -> int | None:
        """The console process's id, once started."""
        return None if self._process is None else self._process.pid

    def _build_environment(self, width: int = 80, height: int = 24) -> dict[str, str]:
        environment = super()._build_environment(width=width, height=height)
        environment.update(self._launch.environment)
        # Who acts is this tab's own business: never the server's ORDERDESK_ACTOR.
        environment.pop("ORDERDESK_ACTOR", None)
        environment.update(self._tab_environment)
        return environment

    async def run(self) -> None:
        """Relay the console's screen; when its process ends, by itself too, close the tab."""
        try:
            await super().run()
        finally:
            # Otherwise a console that crashed would leave its tab open, and its place taken.
            # A tab gone already is no error: the process's end must not fail on it.
            with contextlib.suppress(ConnectionError, RuntimeError):
                await self.remote_close()

    def ending(self) -> asyncio.Future[None]:
        """The console's end, started once however many ask for it.

        The tab's handler and the server's shutdown may both ask at once; textual-serve's
        ``stop`` run twice together fails on the task the first one cleared.
        """
        if self._ending is None:
            self._ending = asyncio.ensure_future(self._end())
        return self._ending

    async def end(self) -> None:
        """Ask the console to quit, and kill it if it has not within the grace period."""
        await asyncio.shield(self.ending())

    async def _end(self) -> None:
        try:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(asyncio.shield(self.stop()), QUIT_GRACE_SECONDS)
        finally:
            # However asking went, the process is gone before its place is given back.
            process = self._process
            if process is not None and process.returncode is None:
                with contextlib.suppress(ProcessLookupError):  # it ended just now
                    process.kill()
                await process.wait()


class ConsoleServer(Server):
    """textual-serve's server, starting the orderdesk console for each browser tab."""

    def __init__(
        self,
        launch: ConsoleLaunch,
        *,
        host: str,
        port: int,
        public_url: str | None,
        say: Callable[[str], None],
        actions: TabActions | None = None,
        max_sessions: int = DEFAULT_MAX_SESSIONS,
    ) -> None:
        # Brackets belong in URLs, not in the address to bind.
        host = host.strip("[]")
        super().__init__(
            launch.command(),
            host=host,
            port=port,
            title=strings.SERVE_PAGE_TITLE,
            public_url=public_url or public_url_for(host, port),
            templates_path=TEMPLATES,
        )
        self.launch = launch
        self.given_url = public_url
        self._say = say
        self.actions = actions or TabActions()
        self.max_sessions = max_sessions
        # Every console started and not yet ended: what --max-sessions counts.
        self._sessions: set[ConsoleSession] = set()

    def full(self) -> bool:
        """Whether as many consoles run as --max-sessions allows."""
        return len(self._sessions) >= self.max_sessions

    def listen(self) -> socket.socket:
        """The listening socket; raises InputError when the address cannot be had."""
        try:
            family = socket.getaddrinfo(self.host, self.port, type=socket.SOCK_STREAM)[0][0]
            return socket.create_server((self.host, self.port), family=family)
        except OSError as error:
            if error.errno == errno.EADDRINUSE:
                message = strings.SERVE_PORT_TAKEN
            else:
                message = strings.SERVE_CANNOT_LISTEN
            why = error.strerror or str(error)
            raise InputError(message.format(host=self.host, port=self.port, why=why)) from None

    def run(self, loop: asyncio.AbstractEventLoop, listening: socket.socket) -> None:
        """Serve on ``loop`` until ``request_exit``; the caller installs the signal handlers."""
        self.initialize_logging()
        web.run_app(
            self._make_app(),
            sock=listening,
            handle_signals=False,
            loop=loop,
            print=lambda *args: None,
            shutdown_timeout=QUIT_GRACE_SECONDS + 1,
        )

    async def on_startup(self, app: web.Application) -> None:
        """Say where to point the browser (textual-serve's banner would print the command)."""
        self._say(strings.SERVE_LISTENING.format(url=self.public_url))

    async def on_shutdown(self, app: web.Application) -> None:
        """End every console before the server goes."""
        await asyncio.gather(*(session.end() for session in list(self._sessions)))
        self._say(strings.SERVE_STOPPED)

    def base_url(self, request: web.Request) -> str:
        """The page's own address: --public-url, or the address the browser used.

        Refuses a request for another name on a loopback server: a web page
        whose name an attacker points at 127.0.0.1 must not read the console.
        """
        if self.given_url is not None:
            return self.given_url
        named = urlsplit(f"//{request.host}").hostname or ""
        if is_loopback(self.host) and not is_loopback(named):
            raise web.HTTPMisdirectedRequest(text=strings.SERVE_WRONG_HOST.format(host=named))
        return f"{request.scheme}://{request.host}"

    async def handle_index(self, request: web.Request) -> web.Response:
        """The page: the terminal, its scripts and font from this server, and our words.

        When the server is full, a page that says so instead, with no terminal.
        """
        base = self.base_url(request)
        scheme, rest = base.split(":", 1)
        context = {
            "font_size": to_int(request.query.get("fontsize", "16"), 16),
            "app_websocket_url": ("wss:" if scheme == "https" else "ws:") + rest + "/ws",
            "config": {"static": {"url": base + "/static/"}},
            "application": {"name": self.title},
            "words": {
                "start": strings.SERVE_PAGE_START,
                "ended": strings.SERVE_PAGE_ENDED,
                "restart": strings.SERVE_PAGE_RESTART,
                "full": strings.SERVE_PAGE_FULL,
                "try_again": strings.SERVE_PAGE_TRY_AGAIN,
            },
        }
        if self.full():
            return aiohttp_jinja2.render_template(
                "full.html", request, context, status=web.HTTPServiceUnavailable.status_code
            )
        return aiohttp_jinja2.render_template("app_index.html", request, context)

    async def handle_websocket(self, request: web.Request) -> web.WebSocketResponse:
        """One browser tab: start its console and relay keys and screen until either ends."""
        # Any page may open a WebSocket to any address: only this server's own page may here.
        origin = request.headers.get("Origin")
        if origin is not None and not same_address(origin, self.base_url(request)):
            raise web.HTTPForbidden(text=strings.SERVE_WRONG_ORIGIN.format(origin=origin))
        websocket = web.WebSocketResponse(heartbeat=15)
        width = to_int(request.query.get("width", "80"), 80)
        height = to_int(request.query.get("height", "24"), 24)
        if self.full():
            # The page knows this code, and says the server is full in its own words.
            await websocket.prepare(request)
            await websocket.close(code=WSCloseCode.TRY_AGAIN_LATER, message=b"server full")
            return websocket
        # The WebSocket's upgrade is the request that starts this tab's console: who
        # may act is read from it, so no other tab's request decides for this one.
        session = ConsoleSession(
            self.launch,
            self.actions.environment(request.headers, request.remote),
            write_bytes=websocket.send_bytes,
            write_str=websocket.send_str,
            close=websocket.close,
            download_manager=self.download_manager,
            debug=self.debug,
        )
        # Counted from before the first await, so two tabs at once cannot both take the last place.
        self._sessions.add(session)
        try:
            await websocket.prepare(request)
            await session.start(width, height)
            await self._process_messages(websocket, session)
        finally:
            # The place is given back once the process has ended, even when this handler
            # is cancelled while it ends: not before, so the cap counts every process.
            ending = session.ending()
            ending.add_done_callback(lambda _: self._sessions.discard(session))
            try:
                await asyncio.shield(ending)
            finally:
                # A request that was no WebSocket is answered 400 by prepare() itself.
                if websocket.prepared:
                    await websocket.close()
        return websocket


def serve_console(server: ConsoleServer) -> None:
    """Serve until SIGINT or SIGTERM; every console the server started ends with it."""
    listening = server.listen()
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    for stop_signal in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(stop_signal, server.request_exit)
    try:
        server.run(loop, listening)
    finally:
        loop.close()
        asyncio.set_event_loop(None)
