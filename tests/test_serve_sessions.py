"""``orderdesk serve``'s tabs: who each tab's console acts as, and how many consoles run.

A real server on loopback starts a real process for each WebSocket; the process
is a stand-in console (it speaks textual-serve's first line and waits for quit)
so that each test takes a moment, and what the server gave it is read from
/proc, as the kernel holds it.
"""

from __future__ import annotations

import asyncio
import html
import os
import shlex
import sys
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
from aiohttp import ClientWebSocketResponse, WSCloseCode, WSMsgType, web
from aiohttp.test_utils import TestClient, TestServer
from multidict import CIMultiDict, CIMultiDictProxy

from orderdesk import i18n
from orderdesk.cli import commands as cli
from orderdesk.web import serve
from orderdesk.web.serve import DEFAULT_MAX_SESSIONS, ConsoleLaunch, ConsoleServer
from orderdesk.web.tab_actions import (
    DEFAULT_ACTOR_HEADER,
    MAX_ACTOR_LENGTH,
    TabActions,
    check_header_name,
    check_proxy,
)

# Named in its own command line, so that the test finds its processes among the others.
MARK = "orderdesk-stand-in-console"
STAND_IN = f"""
import os, sys
# {MARK}
sys.stdout.write("__GANGLION__\\n")
sys.stdout.flush()
if os.environ.get("STAND_IN_ENDS") == "1":
    sys.exit(3)
while chunk := sys.stdin.buffer.read1(65536):
    if b'"quit"' in chunk:
        break
"""


@dataclass(frozen=True)
class StandIn(ConsoleLaunch):
    """Starts the stand-in console instead of orderdesk's, with the launch's environment."""

    def command(self) -> str:
        return "exec " + shlex.join([sys.executable, "-c", STAND_IN])


def _server(
    actions: TabActions | None = None, max_sessions: int = 10, *, ends: bool = False
) -> ConsoleServer:
    launch = StandIn(environment={"STAND_IN_ENDS": "1"} if ends else {})
    return ConsoleServer(
        launch,
        host="127.0.0.1",
        port=8000,
        public_url=None,
        say=lambda line: None,
        actions=actions,
        max_sessions=max_sessions,
    )


@asynccontextmanager
async def serving(server: ConsoleServer) -> AsyncIterator[TestClient[web.Request, web.Application]]:
    async with TestClient(TestServer(await server._make_app())) as client:
        yield client


def stand_ins() -> list[int]:
    """The stand-in consoles running now, children of this process."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            command = (entry / "cmdline").read_bytes()
        except OSError:
            continue
        fields = stat.rsplit(")", 1)[1].split()
        if int(fields[1]) == os.getpid() and fields[0] != "Z" and MARK.encode() in command:
            found.append(int(entry.name))
    return found


async def until(what: str, done: Callable[[], bool]) -> None:
    for _ in range(600):
        if done():
            return
        await asyncio.sleep(0.05)
    pytest.fail(f"never: {what}")


async def open_tab(
    client: TestClient[web.Request, web.Application], server: ConsoleServer, **headers: str
) -> tuple[ClientWebSocketResponse, dict[str, str]]:
    """A tab's WebSocket, once its console runs, and the environment that console has."""
    before = {session.process_id for session in server._sessions}
    websocket = await client.ws_connect("/ws", headers=headers)
    started: list[int] = []

    def console_started() -> bool:
        started[:] = [
            pid
            for session in server._sessions
            if (pid := session.process_id) is not None and pid not in before
        ]
        return bool(started) and started[0] in stand_ins()

    await until("the tab's console started", console_started)
    [pid] = started
    environ = Path(f"/proc/{pid}/environ").read_bytes().split(b"\0")
    pairs = (entry.decode().split("=", 1) for entry in environ if b"=" in entry)
    return websocket, {name: value for name, value in pairs}


# -- who a tab acts as ------------------------------------------------------------------


async def test_without_allow_actions_a_tab_reads_only_whatever_the_servers_environment_says(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("ORDERDESK_READ_ONLY", "0")
    monkeypatch.setenv("ORDERDESK_ACTOR", "the-server's-own")
    server = _server()
    async with serving(server) as client:
        websocket, environment = await open_tab(
            client, server, **{"X-Forwarded-User": "alice@support"}
        )
        await websocket.close()
    assert environment["ORDERDESK_READ_ONLY"] == "1"
    assert "ORDERDESK_ACTOR" not in environment


async def test_with_allow_actions_a_tab_acts_as_the_person_its_request_names(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("ORDERDESK_READ_ONLY", "1")
    monkeypatch.setenv("ORDERDESK_ACTOR", "the-server's-own")
    server = _server(TabActions(allowed=True))
    async with serving(server) as client:
        alice, as_alice = await open_tab(client, server, **{"X-Forwarded-User": "alice@support"})
        bob, as_bob = await open_tab(client, server, **{"X-Forwarded-User": "bob"})
        await alice.close()
        await bob.close()
    assert (as_alice["ORDERDESK_READ_ONLY"], as_alice["ORDERDESK_ACTOR"]) == ("0", "alice@support")
    assert (as_bob["ORDERDESK_READ_ONLY"], as_bob["ORDERDESK_ACTOR"]) == ("0", "bob")


async def test_the_header_is_the_one_the_operator_named() -> None:
    server = _server(TabActions(allowed=True, actor_header="Remote-User"))
    async with serving(server) as client:
        websocket, environment = await open_tab(
            client, server, **{"X-Forwarded-User": "mallory", "remote-user": "alice"}
        )
        await websocket.close()
    assert (environment["ORDERDESK_READ_ONLY"], environment["ORDERDESK_ACTOR"]) == ("0", "alice")


@pytest.mark.parametrize(
    "headers",
    [{}, {"X-Forwarded-User": "x" * (MAX_ACTOR_LENGTH + 1)}, {"X-Forwarded-User": "   "}],
    ids=["no header", "too long", "blank"],
)
async def test_with_allow_actions_a_tab_without_a_usable_name_reads_only(
    headers: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ORDERDESK_READ_ONLY", "0")
    monkeypatch.setenv("ORDERDESK_ACTOR", "the-server's-own")
    server = _server(TabActions(allowed=True))
    async with serving(server) as client:
        websocket, environment = await open_tab(client, server, **headers)
        await websocket.close()
    assert environment["ORDERDESK_READ_ONLY"] == "1"
    assert "ORDERDESK_ACTOR" not in environment


#: The peer of a request that came through the proxy, on this machine by default.
PROXY = "127.0.0.1"


def _headers(*pairs: tuple[str, str]) -> CIMultiDictProxy[str]:
    return CIMultiDictProxy(CIMultiDict(pairs))


@pytest.mark.parametrize(
    "value",
    [
        "",
        "x" * (MAX_ACTOR_LENGTH + 1),
        "alice\x1b[2Jroot",
        "alice\x00",
        "alice\tbob",
        "alice\u202eroot",  # a direction override would show another name in the trail
        "alice\udcff",  # a byte that is not UTF-8, as aiohttp hands it on
    ],
)
def test_a_name_that_cannot_be_an_actor_is_refused(value: str) -> None:
    actions = TabActions(allowed=True)
    assert actions.actor(_headers(("X-Forwarded-User", value)), PROXY) is None
    assert actions.environment(_headers(("X-Forwarded-User", value)), PROXY) == {
        "ORDERDESK_READ_ONLY": "1"
    }


def test_a_usable_name_is_taken_as_it_is() -> None:
    actions = TabActions(allowed=True)
    longest = "é" * MAX_ACTOR_LENGTH
    assert actions.actor(_headers(("x-forwarded-user", longest)), PROXY) == longest
    named = _headers(("X-Forwarded-User", "Zoé Martin <zoe@example.com>"))
    assert actions.actor(named, PROXY) == ("Zoé Martin <zoe@example.com>")


def test_a_header_sent_twice_is_refused() -> None:
    # A proxy that appends its header instead of replacing it passes the browser's on too.
    actions = TabActions(allowed=True)
    both = _headers(("X-Forwarded-User", "mallory"), ("X-Forwarded-User", "alice"))
    assert actions.actor(both, PROXY) is None


def test_without_allow_actions_no_header_makes_a_tab_act() -> None:
    assert TabActions().actor(_headers(("X-Forwarded-User", "alice")), PROXY) is None


@pytest.mark.parametrize(
    "peer",
    ["10.0.0.6", "192.168.1.9", "::ffff:10.0.0.6", "2001:db8::1", "", None, "not an address"],
)
def test_a_header_from_anywhere_but_the_trusted_proxy_is_not_believed(peer: str | None) -> None:
    # A browser that reaches the port directly, not through the proxy, cannot name itself.
    actions = TabActions(allowed=True, proxies=(check_proxy("10.0.0.5"), check_proxy("::1")))
    named = _headers(("X-Forwarded-User", "mallory"))
    assert actions.actor(named, peer) is None
    assert actions.actor(named, "10.0.0.5") == "mallory"
    assert actions.actor(named, "::ffff:10.0.0.5") == "mallory"
    assert actions.actor(named, "::1") == "mallory"


def test_by_default_only_this_machine_is_the_trusted_proxy() -> None:
    named = _headers(("X-Forwarded-User", "alice"))
    actions = TabActions(allowed=True)
    assert actions.actor(named, "127.0.0.1") == "alice"
    assert actions.actor(named, "::1") == "alice"
    assert actions.actor(named, "10.0.0.5") is None


async def test_a_tab_from_an_untrusted_address_reads_only(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ORDERDESK_READ_ONLY", "0")
    server = _server(TabActions(allowed=True, proxies=(check_proxy("10.0.0.0/24"),)))
    async with serving(server) as client:  # the test client comes from 127.0.0.1
        websocket, environment = await open_tab(
            client, server, **{"X-Forwarded-User": "alice@support"}
        )
        await websocket.close()
    assert environment["ORDERDESK_READ_ONLY"] == "1"
    assert "ORDERDESK_ACTOR" not in environment


@pytest.mark.parametrize(
    ("flag", "value", "said"),
    [
        *(
            ("--actor-header", name, "is not a header name")
            for name in ("", "X Forwarded User", "X-User:", "X-Üser")
        ),
        *(
            ("--trusted-proxy", text, "is not an address")
            for text in ("", "proxy.example.com", "10.0.0.300", "::1/129")
        ),
    ],
)
def test_an_option_that_cannot_be_read_is_a_usage_error(
    flag: str, value: str, said: str, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    check = check_header_name if flag == "--actor-header" else check_proxy
    with pytest.raises(Exception, match=said):
        check(value)
    code = cli.main(["serve", flag, value, "--db", str(tmp_path / "store.db")])
    assert code == 2
    error = capsys.readouterr().err
    assert flag in error and said in error


# -- the options on the command line ----------------------------------------------------


class Served(list[ConsoleServer]):
    def __call__(self, server: ConsoleServer) -> None:
        self.append(server)


@pytest.fixture
def served(monkeypatch: pytest.MonkeyPatch) -> Served:
    calls = Served()
    monkeypatch.setattr(serve, "serve_console", calls)
    return calls


def test_by_default_no_tab_acts_and_ten_tabs_are_served(served: Served, tmp_path: Path) -> None:
    assert cli.main(["serve", "--db", str(tmp_path / "store.db")]) == 0
    [server] = served
    assert server.actions == TabActions(allowed=False, actor_header=DEFAULT_ACTOR_HEADER)
    assert server.max_sessions == DEFAULT_MAX_SESSIONS == 10


def test_the_options_reach_the_server(
    served: Served, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    code = cli.main(
        [
            "serve",
            "--allow-actions",
            "--actor-header",
            "Remote-User",
            "--max-sessions",
            "3",
            "--db",
            str(tmp_path / "store.db"),
        ]
    )
    assert code == 0
    # On loopback, the proxy is on this machine: no warning.
    assert capsys.readouterr().err == ""
    [server] = served
    assert server.actions == TabActions(allowed=True, actor_header="Remote-User")
    assert server.max_sessions == 3


def test_acting_on_a_public_host_warns_that_the_proxy_must_set_the_header(
    served: Served, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    args = ["serve", "--host", "0.0.0.0", "--public", "--db", str(tmp_path / "store.db")]
    assert cli.main([*args, "--allow-actions"]) == 0
    warnings = capsys.readouterr().err.splitlines()
    assert len(warnings) == 2, warnings
    assert warnings[1].startswith("warning: ") and "X-Forwarded-User" in warnings[1]
    # It names whom the header is believed from: this machine, unless told otherwise.
    assert "in a request from 127.0.0.0/8, ::1/128:" in warnings[1]
    assert "remove any the browser sent" in warnings[1]
    assert cli.main(args) == 0
    assert len(capsys.readouterr().err.splitlines()) == 1
    proxies = ["--trusted-proxy", "10.0.0.5", "--trusted-proxy", "10.1.0.0/16"]
    assert cli.main([*args, "--allow-actions", *proxies]) == 0
    assert "in a request from 10.0.0.5/32, 10.1.0.0/16:" in capsys.readouterr().err
    assert served[-1].actions.proxies == (check_proxy("10.0.0.5"), check_proxy("10.1.0.0/16"))


@pytest.mark.parametrize("count", ["0", "-1"])
def test_max_sessions_below_one_is_a_usage_error(
    count: str, served: Served, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    code = cli.main(["serve", "--max-sessions", count, "--db", str(tmp_path / "store.db")])
    assert code == 2
    assert "--max-sessions" in capsys.readouterr().err
    assert served == []


def test_the_help_names_the_three_options(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["serve", "--help"]) == 0
    english = capsys.readouterr().out
    assert all(name in english for name in ("--allow-actions", "--actor-header", "--max-sessions"))
    assert "X-Forwarded-User" in english
    assert cli.main(["--lang", "fr", "serve", "--help"]) == 0
    french = capsys.readouterr().out
    assert "au nom de la personne que le proxy" in french
    assert "le serveur est plein" in french


# -- how many tabs ----------------------------------------------------------------------


async def _refused(websocket: ClientWebSocketResponse) -> int | None:
    # The server pings every 15 s, and each ping restarts receive()'s own timeout.
    message = await asyncio.wait_for(websocket.receive(), 30)
    assert message.type in (WSMsgType.CLOSE, WSMsgType.CLOSED), message
    return websocket.close_code


async def test_a_full_server_starts_no_console_until_a_tab_closes() -> None:
    server = _server(max_sessions=1)
    async with serving(server) as client:
        first, _ = await open_tab(client, server)
        [running] = stand_ins()

        page = await client.get("/")
        assert page.status == 503
        text = await page.text()
        assert "serving as many tabs as it may" in text and "try again later" in text
        assert "textual.js" not in text, "a full server's page opens no terminal"

        second = await client.ws_connect("/ws")
        assert await _refused(second) == WSCloseCode.TRY_AGAIN_LATER
        assert stand_ins() == [running], "a second console started"
        assert len(server._sessions) == 1

        await first.close()
        await until("the first tab's console ended", lambda: not stand_ins())
        await until("its place freed", lambda: not server._sessions)

        page = await client.get("/")
        assert page.status == 200 and "textual.js" in await page.text()
        third, _ = await open_tab(client, server)
        assert len(stand_ins()) == 1
        await third.close()


async def test_a_console_that_ends_by_itself_closes_its_tab_and_frees_its_place() -> None:
    server = _server(max_sessions=1, ends=True)
    async with serving(server) as client:
        first = await client.ws_connect("/ws")
        assert await _refused(first) != WSCloseCode.TRY_AGAIN_LATER
        await until("its place freed", lambda: not server._sessions)
        # The next tab is served: its console starts (and ends at once, like the first).
        second = await client.ws_connect("/ws")
        assert await _refused(second) != WSCloseCode.TRY_AGAIN_LATER
        await until("the second place freed", lambda: not server._sessions)


async def test_tabs_opened_together_never_run_more_consoles_than_allowed() -> None:
    server = _server(max_sessions=2)
    async with serving(server) as client:
        tabs = await asyncio.gather(*(client.ws_connect("/ws") for _ in range(5)))
        await until("two consoles started", lambda: len(stand_ins()) == 2)
        refused = [tab for tab in tabs if tab.closed or await _closes_soon(tab)]
        assert len(refused) == 3
        assert all(tab.close_code == WSCloseCode.TRY_AGAIN_LATER for tab in refused)
        assert len(stand_ins()) == 2 and len(server._sessions) == 2
        for tab in tabs:
            await tab.close()
        await until("every place freed", lambda: not server._sessions and not stand_ins())


async def _closes_soon(websocket: ClientWebSocketResponse) -> bool:
    try:
        message = await asyncio.wait_for(websocket.receive(), 1)
    except TimeoutError:
        return False
    return message.type in (WSMsgType.CLOSE, WSMsgType.CLOSED)


async def test_the_full_page_speaks_the_servers_language() -> None:
    server = _server(max_sessions=1)
    with i18n.speaking("fr"):
        async with serving(server) as client:
            first, _ = await open_tab(client, server)
            page = await client.get("/")
            text = html.unescape(await page.text())
            await first.close()
    assert page.status == 503
    assert "Ce serveur sert déjà autant d'onglets qu'il le peut" in text
    assert "Réessayer" in text


async def test_the_terminals_page_carries_the_full_message_for_a_refused_websocket() -> None:
    async with serving(_server()) as client:
        text = await (await client.get("/")).text()
    assert 'data-full-message="This server is serving as many tabs as it may.' in text
    assert "event.code !== 1013" in text


async def test_a_console_asked_to_end_twice_at_once_ends_once() -> None:
    # The tab's handler and the server's shutdown both end a tab closed as the server stops,
    # the second a moment after the first: neither may fail, nor leave the console running.
    server = _server()
    async with serving(server) as client:
        for moment in range(10):
            websocket, _ = await open_tab(client, server)
            session = next(s for s in server._sessions if s.process_id in stand_ins())
            first = asyncio.ensure_future(session.end())
            await asyncio.sleep(moment / 1000)
            await asyncio.gather(first, session.end())
            assert not stand_ins()
            await websocket.close()
            await until("its place freed", lambda: not server._sessions)


async def test_a_request_that_is_no_websocket_takes_no_place() -> None:
    server = _server(max_sessions=1)
    async with serving(server) as client:
        for _ in range(3):
            answer = await client.get("/ws")
            assert answer.status == 400
        await until("no place taken", lambda: not server._sessions)
        websocket, _ = await open_tab(client, server)
        assert len(stand_ins()) == 1
        await websocket.close()
