"""Hostile text from the store reaches neither the screen's markup nor the terminal.

A record's body and order reference may hold OSC 52 (writes the user's
clipboard), OSC 0 (retitles the window), CSI and 8-bit CSI sequences.
They must show as visible escapes, at the widget level and in the bytes a
running app writes to a real pseudo-terminal.
"""

from __future__ import annotations

import fcntl
import os
import select
import signal
import struct
import subprocess
import sys
import termios
import time
from pathlib import Path

import pytest

from orderdesk.core.records import HttpMessage, HttpResponse, Party, RecordError
from orderdesk.core.store import Store
from tests.record_factory import T0, postback, request
from tests.tui.tui_console import drill_down, order_view, screen_text

OSC_52 = "\x1b]52;c;cHduZWQ=\x07"
OSC_0 = "\x1b]0;pwned\x07"
CSI = "\x1b[5;31m"
CSI_8BIT = "\x9b2J"
MARKUP = "[bold]loud[/bold] [TODO] [/]"
HOSTILE = f"{OSC_52}{OSC_0}{CSI}{CSI_8BIT}{MARKUP}"
REFERENCE = f"ORD-{OSC_52}{CSI_8BIT}"


def hostile_store(path: Path) -> Path:
    """A store whose records carry escape sequences everywhere the source controls."""
    body = '{"note": "' + HOSTILE + '"}'  # raw controls: not valid JSON, shown raw
    sent = request(
        1,
        order_reference_id=REFERENCE,
        customer=Party(id="cus_evil", name=f"Evil {CSI}Shop"),
        status="failed",
        error=RecordError(stage="printer", code="bad", message=f"refused {OSC_0}{MARKUP}"),
        original=HttpMessage(
            at=T0,
            method="POST",
            url="https://intake.example.com/v1/orders",
            headers={"X-Note": HOSTILE},
            content_type="application/json",
            body=body,
        ),
        response=HttpResponse(at=T0, status_code=400, body=HOSTILE, duration_ms=5),
    )
    notified = postback(1, order_reference_id=REFERENCE, status="failed")
    with Store.open(path) as store:
        store.save_page("requests", [sent], None)
        store.save_page("postbacks", [notified], None)
    return path


def assert_shown_literally(text: str) -> None:
    assert "\x1b" not in text and "\x9b" not in text and "\x07" not in text
    assert "\\x1b]52;c;cHduZWQ=\\x07" in text
    assert "\\x9b2J" in text


async def test_the_drill_down_shows_every_sequence_as_visible_text(tmp_path: Path) -> None:
    with Store.open(hostile_store(tmp_path / "hostile.db")) as store:
        app = drill_down(store, "req_000001")
        async with app.run_test(size=(200, 50)) as pilot:
            await pilot.pause()
            text = screen_text(app)
            assert_shown_literally(text)
            assert "[bold]loud[/bold] [TODO] [/]" in text
            assert "\\x1b]0;pwned\\x07" in text
            assert "Evil \\x1b[5;31mShop" in text
            svg = app.export_screenshot()
            assert "\x1b" not in svg


async def test_the_order_view_shows_every_sequence_as_visible_text(tmp_path: Path) -> None:
    with Store.open(hostile_store(tmp_path / "hostile.db")) as store:
        app = order_view(store, REFERENCE)
        async with app.run_test(size=(120, 30)) as pilot:
            await pilot.pause()
            text = screen_text(app)
            assert_shown_literally(text)
            assert "[TODO]" in text


async def test_copy_puts_no_sequence_on_the_clipboard(tmp_path: Path) -> None:
    with Store.open(hostile_store(tmp_path / "hostile.db")) as store:
        app = drill_down(store, "req_000001")
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.press("y")
            assert_shown_literally(app.clipboard)


_RUN_DRILL_DOWN = """
import sys
from datetime import UTC
from textual.app import App
from orderdesk.core.store import Store
from orderdesk.tui.app import stylesheet_path
from orderdesk.tui.screens.record import RecordScreen

class Host(App):
    CSS_PATH = stylesheet_path()

    def on_mount(self):
        self.animation_level = "none"
        self.push_screen(RecordScreen(store, "requests", "req_000001", UTC))

with Store.open(sys.argv[1]) as store:
    Host().run()
"""


def _read_for(fd: int, seconds: float) -> bytes:
    output = b""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        ready, _, _ = select.select([fd], [], [], 0.1)
        if ready:
            try:
                chunk = os.read(fd, 65536)
            except OSError:  # the child closed the terminal
                break
            if not chunk:
                break
            output += chunk
    return output


@pytest.mark.slow
@pytest.mark.skipif(sys.platform == "win32", reason="needs a POSIX pseudo-terminal")
def test_a_running_app_writes_no_sequence_from_the_store_to_its_terminal(tmp_path: Path) -> None:
    database = hostile_store(tmp_path / "hostile.db")
    leader, follower = os.openpty()
    fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", 50, 200, 0, 0))
    environment = {**os.environ, "TERM": "xterm-256color", "COLUMNS": "200", "LINES": "50"}
    environment.pop("TEXTUAL", None)
    child = subprocess.Popen(
        [sys.executable, "-c", _RUN_DRILL_DOWN, str(database)],
        stdin=follower,
        stdout=follower,
        stderr=follower,
        env=environment,
        start_new_session=True,
        close_fds=True,
    )
    os.close(follower)
    try:
        written = _read_for(leader, 4.0)
        os.write(leader, b"\x11")  # ctrl+q quits a Textual app
        written += _read_for(leader, 2.0)
    finally:
        if child.poll() is None:
            os.killpg(child.pid, signal.SIGTERM)
        child.wait(timeout=10)
        os.close(leader)
    text = written.decode("utf-8", errors="replace")
    assert "Original" in text, "the app never painted its screen"
    assert "\x1b]52;c;cHduZWQ=" not in text
    assert "\x1b]0;pwned" not in text
    assert "\x1b[5;31m" not in text
    assert "\x9b" not in text  # the character U+009B, not a UTF-8 continuation byte
    assert "\\x1b]52;c;cHduZWQ=" in text
    assert "\\x9b2J" in text
