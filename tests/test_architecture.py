"""The layout is the architecture: the core and the simulator never import textual."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import orderdesk

PACKAGE = Path(orderdesk.__file__).parent
HEADLESS = ("core", "sim")


def _modules(folder: str) -> list[str]:
    root = PACKAGE / folder
    return sorted(
        "orderdesk." + ".".join(path.relative_to(PACKAGE).with_suffix("").parts)
        for path in root.rglob("*.py")
    )


def test_core_and_simulator_import_without_textual() -> None:
    modules = [name for folder in HEADLESS for name in _modules(folder)]
    assert "orderdesk.core.records" in modules
    probe = (
        "import importlib, sys\n"
        f"for name in {modules!r}:\n"
        "    importlib.import_module(name.removesuffix('.__init__'))\n"
        "loaded = sorted(m for m in sys.modules if m == 'textual' or m.startswith('textual.'))\n"
        "print(','.join(loaded))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "", f"the core pulled in textual: {result.stdout.strip()}"


def test_the_probe_would_notice_textual() -> None:
    """Guard against a probe that can never fail: importing textual is seen."""
    probe = "import sys, textual\nprint('textual' in sys.modules)"
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "True"
