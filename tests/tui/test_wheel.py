"""The built wheel carries orderdesk.tcss, and the app installed from it starts with its styles."""

from __future__ import annotations

import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SOURCES = ("pyproject.toml", "setup.py", "MANIFEST.in", "README.md", "orderdesk.tcss")

HEADLESS_RUN = """
import asyncio, pathlib, tempfile
import orderdesk
from orderdesk.core.store import Store
from orderdesk.tui.app import OrderdeskApp, stylesheet_path
from orderdesk.tui.widgets.record_list import RecordList

package = pathlib.Path(orderdesk.__file__).parent
assert "site-packages" in str(package), package
assert stylesheet_path() == package / "orderdesk.tcss", stylesheet_path()

async def main():
    with tempfile.TemporaryDirectory() as folder, Store.open(folder + "/s.db") as store:
        app = OrderdeskApp(store, screen="postbacks")
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.pause()
            app.pop_screen()  # the first-run screen of an empty store
            await pilot.pause()
            # The stylesheet narrows the list's scrollbar to 1 (Textual's default is 2).
            assert app.screen.query_one(RecordList).styles.scrollbar_size_vertical == 1
    print("styled")

asyncio.run(main())
"""


@pytest.mark.slow
def test_the_wheel_installs_and_the_app_starts_styled_from_it(tmp_path: Path) -> None:
    source = tmp_path / "source"
    source.mkdir()
    for name in SOURCES:
        shutil.copy(ROOT / name, source / name)
    shutil.copytree(
        ROOT / "orderdesk", source / "orderdesk", ignore=shutil.ignore_patterns("__pycache__")
    )
    wheels = tmp_path / "wheels"
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", str(wheels), str(source)],
        check=True,
    )
    (wheel,) = wheels.glob("orderdesk-*.whl")

    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    python = venv / "bin" / "python"
    subprocess.run(
        [str(python), "-m", "pip", "install", "-q", "--no-deps", "--no-index", str(wheel)],
        check=True,
    )
    # The dependencies come from the test environment, after the venv's own packages,
    # so the orderdesk imported is the one from the wheel.
    site = Path(
        subprocess.run(
            [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    )
    (site / "test-environment.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")

    helped = subprocess.run(
        [str(venv / "bin" / "orderdesk"), "--help"], capture_output=True, text=True, check=True
    )
    assert "demo" in helped.stdout
    ran = subprocess.run(
        [str(python), "-c", HEADLESS_RUN], capture_output=True, text=True, cwd=tmp_path
    )
    assert ran.returncode == 0, ran.stderr
    assert ran.stdout.strip().endswith("styled")
