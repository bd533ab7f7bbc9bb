"""The console in French: the main screens at 80x24 and 200x50, nothing cut that English shows."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from textual.app import App

from orderdesk import strings
from orderdesk.core.store import Store
from orderdesk.i18n import key_description, speaking
from tests.tui.simulated_day import template_failure, undelivered_shipping
from tests.tui.tui_console import console, drill_down, order_view, screen_text, settled

SIZES = [(80, 24), (200, 50)]
SnapCompare = Callable[..., bool]
Opener = Callable[[Store], App[Any]]


def _requests(store: Store) -> App[Any]:
    return console(store)


def _postbacks(store: Store) -> App[Any]:
    return console(store, screen="postbacks")


def _record(store: Store) -> App[Any]:
    return drill_down(store, template_failure(store))


def _order(store: Store) -> App[Any]:
    reference = undelivered_shipping(store).order_reference_id
    assert reference is not None
    return order_view(store, reference)


SCREENS: dict[str, Opener] = {
    "requests": _requests,
    "postbacks": _postbacks,
    "record": _record,
    "order": _order,
}


@pytest.fixture
def french() -> Iterator[None]:
    """The test speaks French; English comes back after it."""
    with speaking("fr"):
        yield


async def _ready(pilot: Any) -> None:
    await settled(pilot)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
@pytest.mark.parametrize("screen", list(SCREENS))
def test_main_screens_in_french(
    snap_compare: SnapCompare, sqlite_store: Store, french: None, screen: str, size: tuple[int, int]
) -> None:
    app = SCREENS[screen](sqlite_store)
    assert snap_compare(app, terminal_size=size, run_before=_ready)


async def _shown(app: App[Any], keys: tuple[str, ...] = ()) -> tuple[str, list[str]]:
    """The screen's text at 80x24 after ``keys``, and the key descriptions its footer offers."""
    async with app.run_test(size=(80, 24)) as pilot:
        await settled(pilot)
        for key in keys:
            await pilot.press(key)
            await settled(pilot)
        offered = [
            binding.description
            for _, binding, _, _ in app.screen.active_bindings.values()
            if binding.show and binding.description
        ]
        return screen_text(app), offered


def _labels(screen: str) -> list[str]:
    """The column heads and count of a list, or a record's stage tabs, in the language in use."""
    if screen == "record":
        return list(strings.STAGE_TABS.values())
    counted = strings.ROWS_EXACT.format(count=0).split()[-1]
    return [*strings.COLUMN_HEADERS.values(), counted]


@pytest.mark.parametrize(
    ("screen", "keys"),
    [
        *((screen, ()) for screen in SCREENS),
        ("requests", ("e",)),
        ("postbacks", ("e",)),
        ("record", ("d",)),
    ],
)
async def test_what_english_shows_whole_french_shows_whole(
    sqlite_store: Store, screen: str, keys: tuple[str, ...]
) -> None:
    english_text, english_keys = await _shown(SCREENS[screen](sqlite_store), keys)
    # The template changes (record, then d) name the stages in sentences, not tabs.
    labelled = not (screen == "record" and keys)
    english_labels = _labels(screen) if labelled else []
    with speaking("fr"):
        french_text, french_keys = await _shown(SCREENS[screen](sqlite_store), keys)
        french_labels = _labels(screen) if labelled else []
    english_footer, french_footer = english_text.splitlines()[-1], french_text.splitlines()[-1]
    assert english_keys and len(english_keys) == len(french_keys)
    cut = [
        (english, french)
        for english, french in zip(english_keys, french_keys, strict=True)
        if f" {english} " in english_footer + " " and f" {french} " not in french_footer + " "
    ]
    body = english_text.splitlines()[:-1], french_text.splitlines()[:-1]
    cut += [
        (english, french)
        for english, french in zip(english_labels, french_labels, strict=True)
        if any(english in line for line in body[0]) and not any(french in line for line in body[1])
    ]
    assert not cut, f"whole in English, cut in French:\n{cut}\n{french_text}"
    assert english_text != french_text


async def test_the_help_and_the_palette_speak_french(sqlite_store: Store, french: None) -> None:
    app = console(sqlite_store)
    async with app.run_test(size=(120, 40)) as pilot:
        await settled(pilot)
        await pilot.press("question_mark")
        await settled(pilot)
        panel = screen_text(app)
        assert key_description(strings.KEY_SEARCH) == "Chercher"
        assert "Se déplacer" in panel and "Filtrer par mots" in panel and "Scroll" not in panel
        assert "Fermer" in panel.splitlines()[-1]
        await pilot.press("question_mark", "ctrl+p")
        await settled(pilot)
        palette = screen_text(app)
        assert "Chercher une commande…" in palette
        assert "Quitter l'application dès que possible" in palette
        assert "Search for commands" not in palette


async def test_the_time_range_dialog_in_french(sqlite_store: Store, french: None) -> None:
    app = console(sqlite_store)
    async with app.run_test(size=(80, 24)) as pilot:
        await settled(pilot)
        await pilot.press("t")
        await settled(pilot)
        text = screen_text(app)
        assert "Période (heures en UTC)" in text and "24 dernières heures" in text
        assert "Last" not in text


@pytest.mark.parametrize("keys", [("4",), ("4", "enter")], ids=["problems", "problem-orders"])
async def test_the_problems_in_french_keep_what_english_shows(
    sqlite_store: Store, keys: tuple[str, ...]
) -> None:
    english_text, english_keys = await _shown(console(sqlite_store, watch_problems=True), keys)
    with speaking("fr"):
        french_text, french_keys = await _shown(console(sqlite_store, watch_problems=True), keys)
        heads = [strings.PROBLEM_HEADS[h] for h in ("state", "trend", "orders", "problem")]
        said = [strings.PROBLEM_RULES["request_failed"], strings.PROBLEM_STATES["new"]]
    footer = french_text.splitlines()[-1] + " "
    assert len(english_keys) == len(french_keys)
    assert all(f" {key} " in footer for key in french_keys), footer
    if keys == ("4",):
        assert all(text in french_text for text in [*heads, *said, "problèmes ouverts"])
        assert "request failed" in english_text and "request failed" not in french_text
    else:
        assert "Commandes d'un problème" in french_text and "RÉFÉRENCE COMMANDE" in french_text
