"""``orderdesk serve`` without a browser: where it may listen, what each tab runs, the page."""

from __future__ import annotations

import re
import shlex
import socket
import sys
from pathlib import Path

import pytest
from aiohttp import WSServerHandshakeError
from aiohttp.test_utils import TestClient, TestServer

from orderdesk.cli import commands as cli
from orderdesk.config import Settings
from orderdesk.core.errors import InputError
from orderdesk.web import serve
from orderdesk.web.serve import (
    ConsoleLaunch,
    ConsoleServer,
    check_host,
    console_command,
    is_loopback,
    same_address,
)


class Served(list[ConsoleServer]):
    """Stands in for serving: remembers the server it was given, serves nothing."""

    def __call__(self, server: ConsoleServer) -> None:
        self.append(server)


@pytest.fixture
def served(monkeypatch: pytest.MonkeyPatch) -> Served:
    calls = Served()
    monkeypatch.setattr(serve, "serve_console", calls)
    return calls


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    """``orderdesk ARGS`` in this process: the exit code and what went to stderr."""
    code = cli.main(list(args))
    return code, capsys.readouterr().err


@pytest.mark.parametrize("host", ["127.0.0.1", "127.8.9.10", "::1", "[::1]", "localhost"])
def test_loopback_hosts_need_no_flag(host: str) -> None:
    assert is_loopback(host)
    assert check_host(host, public=False) is None


@pytest.mark.parametrize("host", ["0.0.0.0", "::", "192.168.1.20", "10.0.0.5", "desk.example.com"])
def test_other_hosts_are_not_loopback(host: str) -> None:
    assert not is_loopback(host)


def test_serving_listens_on_loopback_by_default_without_a_warning(
    capsys: pytest.CaptureFixture[str], served: Served, tmp_path: Path
) -> None:
    code, err = run(capsys, "serve", "--db", str(tmp_path / "store.db"))
    assert code == 0, err
    assert err == ""
    [server] = served
    assert (server.host, server.port, server.given_url) == ("127.0.0.1", 8000, None)


def test_the_language_asked_for_is_the_consoles_language(
    capsys: pytest.CaptureFixture[str], served: Served, tmp_path: Path
) -> None:
    code, err = run(capsys, "--lang", "fr", "serve", "--db", str(tmp_path / "store.db"))
    assert code == 0, err
    [server] = served
    assert server.launch.arguments[:2] == ("--lang", "fr")


def test_a_public_host_without_the_flag_is_refused_and_nothing_is_served(
    capsys: pytest.CaptureFixture[str], served: Served, tmp_path: Path
) -> None:
    code, err = run(capsys, "serve", "--host", "0.0.0.0", "--db", str(tmp_path / "store.db"))
    assert code == 2
    assert "--public" in err and "customer data" in err
    assert served == []


def test_a_public_host_with_the_flag_warns_about_customer_data(
    capsys: pytest.CaptureFixture[str], served: Served, tmp_path: Path
) -> None:
    code, err = run(
        capsys, "serve", "--host", "0.0.0.0", "--public", "--db", str(tmp_path / "store.db")
    )
    assert code == 0, err
    assert err.startswith("warning: ") and "customer data" in err
    assert "reverse proxy" in err
    assert served[0].host == "0.0.0.0"


@pytest.mark.parametrize("url", ["desk.example.com", "ftp://desk.example.com", "https://"])
def test_an_unusable_public_url_is_refused(
    capsys: pytest.CaptureFixture[str], served: Served, url: str, tmp_path: Path
) -> None:
    code, err = run(capsys, "serve", "--public-url", url, "--db", str(tmp_path / "store.db"))
    assert code == 2
    assert "--public-url" in err
    assert served == []


def test_a_wrong_zone_is_reported_at_start_not_in_each_tab(
    capsys: pytest.CaptureFixture[str], served: Served, tmp_path: Path
) -> None:
    code, err = run(capsys, "serve", "--tz", "Mars/Olympus", "--db", str(tmp_path / "store.db"))
    assert code == 2
    assert "unknown time zone" in err
    assert served == []


def test_a_taken_port_is_reported_in_one_line(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = str(taken.getsockname()[1])
        code, err = run(capsys, "serve", "--port", port, "--db", str(tmp_path / "store.db"))
    assert code == 2
    assert err.splitlines() == [
        f"orderdesk: port {port} on 127.0.0.1 is taken by another program: pick another with --port"
    ]


def test_each_tab_runs_the_same_console_with_this_python_and_the_key_out_of_sight(
    capsys: pytest.CaptureFixture[str], served: Served, tmp_path: Path
) -> None:
    store = tmp_path / "my store.db"
    code, err = run(
        capsys,
        "serve",
        "--db",
        str(store),
        "--api-url",
        "http://127.0.0.1:9/",
        "--api-key",
        "s3cret-key",
        "--tz",
        "Europe/Paris",
    )
    assert code == 0, err
    launch = served[0].launch
    command = launch.command()
    assert command.startswith("exec ")
    assert shlex.split(command.removeprefix("exec ")) == [
        sys.executable,
        "-m",
        "orderdesk",
        "--tz",
        "Europe/Paris",
    ]
    # A key or a database URL with a password on the command line is visible to `ps`.
    assert "s3cret" not in command and str(store) not in command
    assert launch.environment == {
        "ORDERDESK_DB": str(store),
        "ORDERDESK_API_URL": "http://127.0.0.1:9/",
        "ORDERDESK_API_KEY": "s3cret-key",
    }


def test_a_saved_view_is_checked_and_passed_on(tmp_path: Path) -> None:
    views = tmp_path / "views.toml"
    views.write_text('[views.late]\nscreen = "postbacks"\nsince = "24h"\n', encoding="utf-8")
    settings = Settings.load(db=str(tmp_path / "store.db"))
    launch = console_command(settings, source_url=None, view="late", views_path=views)
    assert launch.arguments == ("--view", "late")
    assert "ORDERDESK_API_KEY" not in launch.environment
    with pytest.raises(InputError, match="no saved view 'early'"):
        console_command(settings, source_url=None, view="early", views_path=views)


async def _page(server: ConsoleServer, path: str = "/") -> str:
    app = await server._make_app()
    async with TestClient(TestServer(app)) as client:
        response = await client.get(path)
        assert response.status == 200
        return await response.text()


def _server(public_url: str | None = None) -> ConsoleServer:
    return ConsoleServer(
        ConsoleLaunch(), host="127.0.0.1", port=8000, public_url=public_url, say=lambda line: None
    )


async def test_the_page_loads_nothing_from_another_site() -> None:
    page = await _page(_server())
    origin = re.search(r'data-session-websocket-url="ws://([^/"]+)/ws"', page)
    assert origin is not None, page
    addresses = set(re.findall(r"(?:https?|wss?)://([^/\"')\s]+)", page))
    assert addresses == {origin.group(1)}
    assert "/static/js/textual.js" in page and "/static/fonts/RobotoMono" in page
    assert "<title>orderdesk</title>" in page


async def test_behind_a_proxy_the_page_points_at_the_public_url() -> None:
    page = await _page(_server("https://desk.example.com/orderdesk"))
    assert 'data-session-websocket-url="wss://desk.example.com/orderdesk/ws"' in page
    assert 'src="https://desk.example.com/orderdesk/static/js/textual.js"' in page


async def test_the_page_serves_its_own_scripts_and_font() -> None:
    server = _server()
    app = await server._make_app()
    async with TestClient(TestServer(app)) as client:
        for path in ("/static/js/textual.js", "/static/fonts/RobotoMono-VariableFont_wght.ttf"):
            response = await client.get(path)
            assert response.status == 200, path
            assert len(await response.read()) > 10_000


@pytest.mark.parametrize(
    ("origin", "page", "same"),
    [
        ("https://desk.example.com", "https://desk.example.com/orderdesk", True),
        ("https://desk.example.com", "https://desk.example.com:443", True),
        ("http://127.0.0.1:8000", "http://127.0.0.1:8000", True),
        ("http://127.0.0.1:8000", "http://127.0.0.1:8001", False),
        ("http://desk.example.com", "https://desk.example.com", False),
        ("https://evil.example", "https://desk.example.com", False),
        ("null", "http://127.0.0.1:8000", False),
    ],
)
def test_same_address(origin: str, page: str, same: bool) -> None:
    assert same_address(origin, page) is same


async def test_another_sites_page_cannot_open_a_console() -> None:
    app = await _server()._make_app()
    async with TestClient(TestServer(app)) as client:
        with pytest.raises(WSServerHandshakeError) as refused:
            await client.ws_connect("/ws", headers={"Origin": "https://evil.example"})
        assert refused.value.status == 403


async def test_a_loopback_server_does_not_answer_to_another_name() -> None:
    # A name an attacker points at 127.0.0.1 makes its page same-origin with the console.
    app = await _server()._make_app()
    async with TestClient(TestServer(app)) as client:
        response = await client.get("/", headers={"Host": "rebound.evil.example:8000"})
        assert response.status == 421
        assert "--public-url" in await response.text()
