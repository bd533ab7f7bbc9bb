"""Saved views: views.toml read, written and checked, and ``orderdesk --view NAME``."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from orderdesk.views import (
    SavedView,
    ViewsError,
    default_views_path,
    find_view,
    load_views,
    save_view,
    views_toml,
)

FAILED_SHIPPING = SavedView(
    screen="postbacks", since="24h", statuses=("failed", "retrying"), customer="Maple Threads"
)
MONDAY = SavedView(
    screen="requests",
    start="2026-11-23 08:00",
    end="2026-11-23 12:00",
    errors_only=True,
    search='productUid "" \\ [bold]',
)


def test_views_saved_one_by_one_read_back_equal(tmp_path: Path) -> None:
    path = tmp_path / "config" / "views.toml"
    save_view(path, "failed-shipping", FAILED_SHIPPING)
    save_view(path, "monday morning", MONDAY)
    assert load_views(path) == {"failed-shipping": FAILED_SHIPPING, "monday morning": MONDAY}
    save_view(path, "failed-shipping", MONDAY)
    assert load_views(path)["failed-shipping"] == MONDAY, "saving a name again replaces it"
    assert list(path.parent.iterdir()) == [path], "no partial file is left behind"


_text = st.text(st.characters(blacklist_categories=["Cs"]), max_size=20)


@given(name=_text.filter(bool), search=_text, customer=st.none() | _text)
def test_any_name_and_text_survive_the_file(name: str, search: str, customer: str | None) -> None:
    import tomllib

    view = SavedView(screen="requests", since="7d", search=search, customer=customer)
    document = tomllib.loads(views_toml({name: view}))
    assert document["views"][name]["search"] == search
    assert document["views"][name].get("customer") == customer


def test_the_default_file_is_in_the_config_folder_the_tests_isolate(tmp_path: Path) -> None:
    assert default_views_path() == tmp_path / "xdg-config" / "orderdesk" / "views.toml"


def test_no_file_means_no_views(tmp_path: Path) -> None:
    assert load_views(tmp_path / "views.toml") == {}


def test_broken_toml_names_the_file_and_the_line(tmp_path: Path) -> None:
    path = tmp_path / "views.toml"
    path.write_text('[views.ok]\nscreen = "requests"\n\n[views.bad]\nsince = 24h\n')
    with pytest.raises(ViewsError) as raised:
        load_views(path)
    assert str(raised.value).startswith(f"{path}, line 5: ")


@pytest.mark.parametrize(
    ("body", "says"),
    [
        ('screen = "orders"', "screen must be"),
        ('statuses = ["lost"]', "status 'lost' is not one of"),
        ('since = "soon"', "since:"),
        ('colour = "red"', "unknown key 'colour'"),
        ("errors_only = 1", "errors_only must be true or false"),
        ('since = "1h"\nfrom = "-2h"', "either since or from/to"),
    ],
)
def test_a_view_that_does_not_make_sense_is_named(tmp_path: Path, body: str, says: str) -> None:
    path = tmp_path / "views.toml"
    path.write_text(f"[views.mine]\n{body}\n")
    with pytest.raises(ViewsError, match=says) as raised:
        load_views(path)
    assert str(raised.value).startswith(f"{path}, view 'mine': ")


def test_an_unknown_view_lists_the_known_ones(tmp_path: Path) -> None:
    path = tmp_path / "views.toml"
    save_view(path, "failed-shipping", FAILED_SHIPPING)
    save_view(path, "monday", MONDAY)
    assert find_view(path, "monday") == MONDAY
    with pytest.raises(ViewsError, match="known views: failed-shipping, monday"):
        find_view(path, "tuesday")


def test_the_views_module_needs_no_textual() -> None:
    probe = "import sys, orderdesk.views, orderdesk.export\nprint('textual' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True)
    assert result.stdout.strip() == "False", result.stderr


def test_orderdesk_with_an_unknown_view_says_which_exist_and_exits_2(tmp_path: Path) -> None:
    save_view(default_views_path(), "failed-shipping", FAILED_SHIPPING)
    result = subprocess.run(
        [sys.executable, "-m", "orderdesk", "--view", "nope", "--db", str(tmp_path / "s.db")],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    [line] = result.stderr.strip().splitlines()
    assert "no saved view 'nope'" in line and "known views: failed-shipping" in line
    assert "Traceback" not in result.stderr


def test_orderdesk_with_a_broken_views_file_says_where(tmp_path: Path) -> None:
    default_views_path().parent.mkdir(parents=True)
    default_views_path().write_text("[views.x\n")
    result = subprocess.run(
        [sys.executable, "-m", "orderdesk", "--view", "x", "--db", str(tmp_path / "s.db")],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    assert f"{default_views_path()}, line 1" in result.stderr
