"""Starting ``orderdesk``: a command imports only what it needs, and a read ends cleanly.

How fast is measured in ``benchmarks/startup.py``, never here; these tests pin
the reasons it is fast, so that a stray import at the top of a module cannot
quietly bring the console, the simulator or the settings' validation back into
``orderdesk --version``. And since a command that only reads ends its process
without the interpreter's teardown, they check what that path must keep: the
bytes written, the exit codes, a pipe closed early, and Ctrl-C.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from orderdesk import __version__
from orderdesk.cli import collector
from orderdesk.config import ReadSettings, Settings
from orderdesk.core.store import Store
from tests.record_factory import failed_request, request

#: What no read of the store needs: the console, the web page, the simulator, the
#: log API's HTTP client, and the settings' validation.
NEVER_ON_THE_READ_PATH = (
    "textual",
    "httpx",
    "pydantic_settings",
    "orderdesk.tui",
    "orderdesk.web",
    "orderdesk.sim",
    "orderdesk.config.settings",
)
#: And what ``--version`` does not need either: the store and the models.
NEVER_FOR_THE_VERSION = (*NEVER_ON_THE_READ_PATH, "sqlalchemy", "sqlmodel", "pydantic", "babel")

_IMPORTED_AFTER = """
import json, sys
from orderdesk.cli.commands import main
code = main(sys.argv[1:])
print(json.dumps({"code": code, "modules": sorted(sys.modules)}), file=sys.stderr)
"""


def _imported_by(*args: str) -> tuple[int, set[str]]:
    """The exit code of ``orderdesk ARGS`` run in a fresh Python, and the modules it imported."""
    done = subprocess.run(
        [sys.executable, "-c", _IMPORTED_AFTER, *args],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "LANG": "C.UTF-8"},
    )
    report = json.loads(done.stderr.splitlines()[-1])
    return report["code"], set(report["modules"])


def _loaded(modules: set[str], packages: tuple[str, ...]) -> list[str]:
    return sorted(
        name for name in modules for top in packages if name == top or name.startswith(top + ".")
    )


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite store of 300 orders' requests: more JSON lines than a pipe holds."""
    path = tmp_path_factory.mktemp("startup") / "orderdesk.db"
    now = datetime.now(UTC)
    records = [
        (failed_request if number % 3 == 0 else request)(number, at=now - timedelta(minutes=number))
        for number in range(1, 301)
    ]
    with Store.open(path) as opened:
        opened.save_page("requests", records, None)
    return path


def _orderdesk(*args: str, **popen: object) -> subprocess.Popen[bytes]:
    return subprocess.Popen([sys.executable, "-m", "orderdesk", *args], **popen)  # type: ignore[call-overload, no-any-return]


_ENTRY_VERSION = """
import sys
from orderdesk.cli.entry import main
sys.argv = ["orderdesk", "--version"]
code = main()
print(sorted(sys.modules), file=sys.stderr)
sys.exit(code)
"""


def test_the_process_says_its_version_as_click_would_without_importing_click() -> None:
    done = subprocess.run(
        [sys.executable, "-c", _ENTRY_VERSION], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0
    assert "'click'" not in done.stderr and "'orderdesk.cli.commands'" not in done.stderr
    through_click = subprocess.run(
        [sys.executable, "-c", _IMPORTED_AFTER, "--version"],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "LANG": "fr_FR.UTF-8"},
    )
    assert done.stdout == through_click.stdout == f"orderdesk, version {__version__}\n"


_ENTRY_THRESHOLDS = """
import gc, sys
import orderdesk.cli.commands as commands
print(gc.get_threshold())
commands.main = lambda: print(gc.get_threshold()) or 0
from orderdesk.cli.entry import main
sys.argv = ["orderdesk", "sync", "--once"]
sys.exit(main())
"""


def test_a_command_runs_with_orderdesks_collector_thresholds() -> None:
    done = subprocess.run(
        [sys.executable, "-c", _ENTRY_THRESHOLDS], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    before, running = done.stdout.splitlines()
    # Before orderdesk sets them, the interpreter's own (700, 10, 10 in Python 3.11).
    assert before != running
    assert running == str((collector.YOUNG_EVERY, collector.OLDER_EVERY, collector.OLDER_EVERY))


def test_the_version_imports_no_store_no_models_and_no_console() -> None:
    code, modules = _imported_by("--version")
    assert code == 0
    assert _loaded(modules, NEVER_FOR_THE_VERSION) == []


@pytest.mark.parametrize(
    "args",
    [
        ("requests", "--order", "ORD-7", "--format", "jsonl"),
        ("postbacks", "--format", "csv"),
        ("problems",),
        ("orders", "--finding", "not_received"),
    ],
)
def test_a_read_of_the_store_imports_no_console_no_client_and_no_settings_model(
    store: Path, args: tuple[str, ...]
) -> None:
    code, modules = _imported_by(*args, "--db", str(store))
    assert code == 0
    assert "orderdesk.core.store" in modules  # it did read the store
    assert _loaded(modules, NEVER_ON_THE_READ_PATH) == []


def test_the_process_writes_every_line_and_exits_zero(store: Path) -> None:
    done = _orderdesk("requests", "--format", "jsonl", "--db", str(store), stdout=-1, stderr=-1)
    out, err = done.communicate(timeout=120)
    assert done.returncode == 0, err
    lines = out.decode().splitlines()
    assert len(lines) == 300
    assert json.loads(lines[0])["order_reference_id"] == "ORD-1"
    assert json.loads(lines[-1])["order_reference_id"] == "ORD-300"


def test_a_failing_check_still_exits_with_its_own_code(store: Path) -> None:
    done = _orderdesk("problems", "--check", "--db", str(store), stdout=-1, stderr=-1)
    out, err = done.communicate(timeout=120)
    assert (done.returncode, err) == (1, b"")
    assert out  # one line per open group


def test_a_pipe_closed_after_the_first_line_ends_the_list_quietly(store: Path) -> None:
    # As `orderdesk requests --format jsonl | head -1` does.
    with _orderdesk(
        "requests", "--format", "jsonl", "--db", str(store), stdout=-1, stderr=-1
    ) as done:
        assert done.stdout is not None and done.stderr is not None
        first = done.stdout.readline()
        done.stdout.close()
        err = done.stderr.read()
        assert done.wait(timeout=120) == 1
    assert json.loads(first)["order_reference_id"] == "ORD-1"
    assert b"Traceback" not in err and b"Exception" not in err


def _wait_blocked_on_the_pipe(pid: int) -> None:
    """Wait until the process waits for room in its output pipe (Linux tells, in wchan)."""
    deadline = time.monotonic() + 60
    while "pipe_write" not in Path(f"/proc/{pid}/wchan").read_text():
        assert time.monotonic() < deadline, "the process never filled its pipe"
        time.sleep(0.05)


@pytest.mark.skipif(not Path("/proc/self/wchan").exists(), reason="needs Linux's /proc")
def test_ctrl_c_while_the_list_is_written_exits_130_with_the_lines_so_far(store: Path) -> None:
    done = _orderdesk("requests", "--format", "jsonl", "--db", str(store), stdout=-1, stderr=-1)
    assert done.stdout is not None
    first = done.stdout.readline()
    # Ctrl-C while the rest waits in a full pipe, as when a person stops a long list.
    _wait_blocked_on_the_pipe(done.pid)
    done.send_signal(signal.SIGINT)
    rest, err = done.communicate(timeout=120)
    assert done.returncode == 130
    assert b"Traceback" not in err
    assert json.loads(first)["order_reference_id"] == "ORD-1"
    assert 0 < len((first + rest).splitlines()) <= 300


@pytest.mark.parametrize(
    ("environment", "flags"),
    [
        ({}, {}),
        ({"ORDERDESK_DB": "/data/od.db", "ORDERDESK_TZ": "Europe/Paris"}, {}),
        ({"orderdesk_db": "/data/lower.db"}, {"tz": "UTC"}),
        ({"ORDERDESK_DB": "/data/od.db"}, {"db": "/flag.db"}),
    ],
)
def test_a_read_reads_the_store_and_zone_as_the_settings_do(
    monkeypatch: pytest.MonkeyPatch, environment: dict[str, str], flags: dict[str, str]
) -> None:
    for name in ("ORDERDESK_DB", "ORDERDESK_TZ"):
        monkeypatch.delenv(name, raising=False)
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    read = ReadSettings.load(db=flags.get("db"), tz=flags.get("tz"))
    full = Settings.load(**flags)
    assert (read.db, read.tz) == (full.db, full.tz)
