"""The last look at the Problems, kept between consoles: per store, and never in the way."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from orderdesk.problems_looked import LastLooked, default_looked_path

T0 = datetime(2026, 12, 6, 9, 0, tzinfo=UTC)


def test_a_look_is_kept_per_store(tmp_path: Path) -> None:
    path = tmp_path / "state" / "problems-looked.json"
    LastLooked.kept(path, "sqlite:///a.db").saw(T0)
    LastLooked.kept(path, "postgresql://me@team/orderdesk").saw(T0 + timedelta(hours=1))
    assert LastLooked.kept(path, "sqlite:///a.db").at == T0
    assert LastLooked.kept(path, "postgresql://me@team/orderdesk").at == T0 + timedelta(hours=1)
    assert LastLooked.kept(path, "sqlite:///b.db").at is None


def test_only_the_newest_stores_are_remembered(tmp_path: Path) -> None:
    path = tmp_path / "problems-looked.json"
    for n in range(60):
        LastLooked.kept(path, f"store {n}").saw(T0 + timedelta(minutes=n))
    LastLooked.kept(path, "store 0").saw(T0 + timedelta(hours=2))  # looked at again: kept
    kept = json.loads(path.read_text())
    assert len(kept) == 50
    assert "store 0" in kept and "store 59" in kept and "store 10" not in kept


@pytest.mark.parametrize(
    "content",
    ["", "not json", "[1, 2]", '{"s": 12}', '{"s": "yesterday"}', '{"s": "2026-12-06T09:00"}'],
)
def test_a_file_that_cannot_be_read_counts_as_never_looked(tmp_path: Path, content: str) -> None:
    path = tmp_path / "problems-looked.json"
    path.write_text(content)
    looked = LastLooked.kept(path, "s")
    assert looked.at is None
    looked.saw(T0)  # and the next look replaces it
    assert LastLooked.kept(path, "s").at == T0


def test_a_look_that_cannot_be_written_stays_with_the_console(tmp_path: Path) -> None:
    blocked = tmp_path / "a file"
    blocked.write_text("")
    looked = LastLooked.kept(blocked / "problems-looked.json", "s")
    looked.saw(T0)
    assert looked.at == T0


def test_without_a_file_the_look_lasts_as_long_as_the_console(tmp_path: Path) -> None:
    looked = LastLooked()
    looked.saw(T0)
    assert looked.at == T0 and not list(tmp_path.iterdir())


def test_the_file_lives_in_the_users_data_folder(tmp_path: Path) -> None:
    # tests/conftest.py points XDG_DATA_HOME into the test's folder
    assert default_looked_path() == tmp_path / "xdg-data" / "orderdesk" / "problems-looked.json"
