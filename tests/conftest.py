"""Fixtures shared by every test: keep the developer's own settings out of them."""

from __future__ import annotations

from pathlib import Path

import pytest

# The store fixtures, parametrised over SQLite and PostgreSQL: see engines.py.
pytest_plugins = ["engines"]


@pytest.fixture(autouse=True)
def _isolated_settings(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No ORDERDESK_* variable or user data folder of the machine leaks into a test."""
    import os

    for name in list(os.environ):
        if name.startswith("ORDERDESK_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg-data"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg-config"))
