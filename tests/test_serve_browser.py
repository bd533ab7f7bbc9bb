"""``orderdesk serve`` in a real browser: headless Chromium opens the console and drills down.

The page draws the terminal on a canvas, so its text is not in the DOM. The
test reads xterm.js's own screen buffer instead: a script that runs before the
page's remembers each terminal the page opens.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from orderdesk.core.client import LogApiClient
from orderdesk.core.store import Store
from orderdesk.core.sync import sync_once
from orderdesk.sim import Simulation, SimulatorServer

pytestmark = pytest.mark.slow

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
# Read at import: the autouse fixture clears every ORDERDESK_* variable before a test runs.
REQUIRE_BROWSER = os.environ.get("ORDERDESK_REQUIRE_BROWSER") == "1"
ROOT = Path(__file__).resolve().parents[1]
STAGES = ("Original", "Template", "Final", "Response")

# Runs before the page's own scripts: the bundle marks each module's exports with
# Object.defineProperty(exports, "__esModule"), which is how xterm.js's Terminal
# class is found, so that each terminal it opens can be read.
REMEMBER_TERMINALS = r"""
window.moduleExports = [];
window.terminals = [];
const defineProperty = Object.defineProperty;
Object.defineProperty = function (target, name, descriptor) {
  if (name === "__esModule") window.moduleExports.push(target);
  return defineProperty.call(this, target, name, descriptor);
};
document.addEventListener("DOMContentLoaded", () => {
  for (const exports of window.moduleExports) {
    const Terminal = exports.Terminal;
    if (typeof Terminal !== "function" || !Terminal.prototype.open) continue;
    const open = Terminal.prototype.open;
    Terminal.prototype.open = function (...args) {
      window.terminals.push(this);
      return open.apply(this, args);
    };
  }
});
"""
READ_SCREEN = r"""
const terminal = window.terminals.find((t) => t.buffer && t.buffer.active);
if (!terminal) return null;
const rows = [];
for (let y = 0; y < terminal.rows; y++) {
  const line = terminal.buffer.active.getLine(y);
  rows.push(line ? line.translateToString(true) : "");
}
return rows.join("\n");
"""


def _browser_missing() -> str | None:
    missing = [str(path) for path in (CHROMIUM, CHROMEDRIVER) if not path.exists()]
    if missing:
        return f"{' and '.join(missing)} missing: apt-get install chromium chromium-driver"
    try:
        import selenium  # noqa: F401
    except ImportError:
        return "selenium missing: pip install -e '.[test]'"
    return None


@pytest.fixture
def browser(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """Debian's Chromium, headless, with a fresh profile and nothing fetched from outside."""
    if (missing := _browser_missing()) is not None:
        if REQUIRE_BROWSER:
            pytest.fail(f"ORDERDESK_REQUIRE_BROWSER=1 but {missing}", pytrace=False)
        pytest.skip(missing)
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    # Selenium Manager is skipped when the driver's path is given; offline, it could not help.
    monkeypatch.setenv("SE_OFFLINE", "true")
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for flag in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        # Wide enough for the four stages side by side.
        "--window-size=1600,1000",
        f"--user-data-dir={tmp_path / 'chromium-profile'}",
    ):
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(str(CHROMEDRIVER)), options=options)
    try:
        driver.execute_cdp_cmd(
            "Page.addScriptToEvaluateOnNewDocument", {"source": REMEMBER_TERMINALS}
        )
        yield driver
    finally:
        driver.quit()


@pytest.fixture
def store(tmp_path: Path) -> Path:
    """A small real store: six hours of simulated traffic synced over loopback HTTP."""
    sim = Simulation(seed=3, history=timedelta(hours=6), history_rate=1.0, rate=0.0)
    sim.freeze()
    path = tmp_path / "orderdesk.db"
    with (
        SimulatorServer(sim, api_key="browser-key", live=False) as server,
        LogApiClient(server.url, "browser-key") as client,
        Store.open(path) as opened,
    ):
        assert sync_once(client, opened).new > 100
    return path


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _wait_for_port(port: int, server: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            pytest.fail(f"orderdesk serve exited with {server.returncode}:\n{log.read_text()}")
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    pytest.fail(f"orderdesk serve did not listen on {port} within a minute:\n{log.read_text()}")


def _children(pid: int) -> list[int]:
    """The processes whose parent is ``pid``, from /proc."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        # The fields after the command name, which is in parentheses and may hold spaces.
        if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
            found.append(int(entry.name))
    return found


def _alive(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


def _wait_for(what: str, read: Callable[[], str | None], done: Callable[[str], bool]) -> str:
    deadline = time.monotonic() + 60
    text = None
    while time.monotonic() < deadline:
        text = read()
        if text is not None and done(text):
            return text
        time.sleep(0.1)
    pytest.fail(f"the page never showed {what}; the terminal read:\n{text}")


def test_the_console_opens_in_chromium_and_drills_down_to_the_four_stages(
    browser: Any, store: Path, tmp_path: Path
) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    port = _free_port()
    log = tmp_path / "serve.log"
    with log.open("wb") as output:
        server = subprocess.Popen(
            [sys.executable, "-m", "orderdesk", "serve", "--db", str(store), "--port", str(port)],
            cwd=ROOT,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        _wait_for_port(port, server, log)
        url = f"http://127.0.0.1:{port}/"
        started = time.monotonic()
        browser.get(url)

        def screen() -> str | None:
            text: str | None = browser.execute_script(READ_SCREEN)
            return text

        listed = _wait_for(
            "the Requests screen", screen, lambda text: "Requests" in text and "PRINTER" in text
        )
        print(
            f"\nthe Requests screen showed {time.monotonic() - started:.2f} s after the page opened"
        )
        assert not all(stage in listed for stage in STAGES), "the stages showed before enter"

        [console] = _children(server.pid)
        command = Path(f"/proc/{console}/cmdline").read_bytes().split(b"\0")
        assert command[:3] == [sys.executable.encode(), b"-m", b"orderdesk"]
        assert str(store).encode() not in b" ".join(command)

        browser.find_element(By.CSS_SELECTOR, ".xterm-helper-textarea").send_keys(Keys.ENTER)
        record = _wait_for(
            "the four stages", screen, lambda text: all(f"─ {stage} " in text for stage in STAGES)
        )
        assert "Request req_" in record

        # s saves the stage: in a browser, as a download to the user's own computer.
        downloads = tmp_path / "downloads"
        downloads.mkdir()
        browser.execute_cdp_cmd(
            "Browser.setDownloadBehavior", {"behavior": "allow", "downloadPath": str(downloads)}
        )
        browser.find_element(By.CSS_SELECTOR, ".xterm-helper-textarea").send_keys("s")
        deadline = time.monotonic() + 30
        while not list(downloads.glob("orderdesk-req_*.txt")) and time.monotonic() < deadline:
            time.sleep(0.1)
        [saved] = list(downloads.glob("orderdesk-req_*.txt"))
        assert "body" in saved.read_text(encoding="utf-8")
        assert not list(ROOT.glob("orderdesk-req_*")), "nothing is left where the server runs"

        # Everything the page loaded came from this server: no CDN, no font service.
        loaded = browser.execute_script(
            "return performance.getEntriesByType('resource').map((entry) => entry.name)"
        )
        assert loaded and all(name.startswith(url) for name in loaded), loaded
        browser.save_screenshot(str(tmp_path / "stages.png"))

        # Stopping the server ends the console of the tab that is still open.
        stopping = time.monotonic()
        server.send_signal(signal.SIGTERM)
        assert server.wait(timeout=30) == 0, log.read_text()
        print(f"the server stopped {time.monotonic() - stopping:.2f} s after SIGTERM")
        deadline = time.monotonic() + 10
        while _alive(console) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not _alive(console), "the tab's console outlived the server"
    finally:
        # The whole group: the server, and any console that outlived it.
        with contextlib.suppress(ProcessLookupError):
            os.killpg(server.pid, signal.SIGKILL)
        server.wait()


def _environment(pid: int) -> dict[str, str]:
    pairs = (
        entry.decode().split("=", 1)
        for entry in Path(f"/proc/{pid}/environ").read_bytes().split(b"\0")
        if b"=" in entry
    )
    return {name: value for name, value in pairs}


def test_a_full_server_turns_the_next_tab_away_until_the_first_closes(
    browser: Any, store: Path, tmp_path: Path
) -> None:
    from selenium.webdriver.common.by import By

    port = _free_port()
    log = tmp_path / "serve.log"
    with log.open("wb") as output:
        server = subprocess.Popen(
            [
                *(sys.executable, "-m", "orderdesk", "serve", "--db", str(store)),
                *("--port", str(port), "--max-sessions", "1", "--allow-actions"),
            ],
            cwd=ROOT,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        _wait_for_port(port, server, log)
        url = f"http://127.0.0.1:{port}/"

        def screen() -> str | None:
            text: str | None = browser.execute_script(READ_SCREEN)
            return text

        # The authenticating proxy's header, as this browser's requests carry it.
        browser.execute_cdp_cmd("Network.enable", {})
        browser.execute_cdp_cmd(
            "Network.setExtraHTTPHeaders", {"headers": {"X-Forwarded-User": "alice@support"}}
        )
        browser.get(url)
        _wait_for("the Requests screen", screen, lambda text: "Requests" in text)
        first = browser.current_window_handle
        [console] = _children(server.pid)
        environment = _environment(console)
        assert environment["ORDERDESK_ACTOR"] == "alice@support"
        assert environment["ORDERDESK_READ_ONLY"] == "0"

        browser.switch_to.new_window("tab")
        browser.execute_cdp_cmd(
            "Page.addScriptToEvaluateOnNewDocument", {"source": REMEMBER_TERMINALS}
        )
        browser.get(url)
        told = _wait_for(
            "that the server is full",
            lambda: str(browser.find_element(By.TAG_NAME, "body").text),
            lambda text: "This server is serving as many tabs as it may" in text,
        )
        assert "try again later" in told
        assert screen() is None, "the full server's page opened a terminal"
        assert _children(server.pid) == [console], "a second console started"

        second = browser.current_window_handle
        browser.switch_to.window(first)
        browser.close()
        browser.switch_to.window(second)
        deadline = time.monotonic() + 30
        while _alive(console) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not _alive(console), "the closed tab's console still runs"

        browser.find_element(By.TAG_NAME, "button").click()
        _wait_for("the Requests screen", screen, lambda text: "Requests" in text)
        [again] = _children(server.pid)
        # This tab sent no proxy header: it only reads.
        assert _environment(again)["ORDERDESK_READ_ONLY"] == "1"
        assert "ORDERDESK_ACTOR" not in _environment(again)
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(server.pid, signal.SIGKILL)
        server.wait()
