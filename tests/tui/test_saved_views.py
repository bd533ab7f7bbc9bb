"""Saved views in the console: saved and opened from the command palette, and opened by --view."""

from __future__ import annotations

from pathlib import Path

from textual.command import CommandPalette
from textual.pilot import Pilot

from orderdesk.core.store import Store
from orderdesk.tui.launch import start_view
from orderdesk.tui.saved_views import view_filter
from orderdesk.tui.screens.prompt import Prompt
from orderdesk.views import SavedView, load_views, save_view
from tests.tui.tui_console import console, record_list, records_screen, screen_text, settled

FAILED_SHIPPING = SavedView(screen="postbacks", since="24h", statuses=("failed",))


async def _run_command(pilot: Pilot[None], typed: str) -> None:
    await pilot.press("ctrl+p")
    await settled(pilot)
    assert isinstance(pilot.app.screen, CommandPalette)
    await pilot.press(*typed)
    await pilot.pause(0.5)  # the palette searches as the user types
    await pilot.press("enter")
    await settled(pilot)


async def test_the_list_in_front_is_saved_as_a_view_from_the_palette(
    store: Store, tmp_path: Path
) -> None:
    path = tmp_path / "views.toml"
    app = console(store, views_path=path)
    async with app.run_test(size=(100, 30)) as pilot:
        await settled(pilot)
        await pilot.press("2", "e")
        await settled(pilot)
        await _run_command(pilot, "Save current view")
        assert isinstance(app.screen, Prompt)
        await pilot.press(*"stuck deliveries", "enter")
        await settled(pilot)
    assert load_views(path) == {
        "stuck deliveries": SavedView(screen="postbacks", since="all", errors_only=True)
    }


async def test_a_saved_view_opens_from_the_palette_on_its_screen(
    store: Store, tmp_path: Path
) -> None:
    path = tmp_path / "views.toml"
    save_view(path, "failed-shipping", FAILED_SHIPPING)
    app = console(store, views_path=path)
    async with app.run_test(size=(100, 30)) as pilot:
        await settled(pilot)
        assert records_screen(app).kind == "requests"
        await _run_command(pilot, "View: failed-shipping")
        screen = records_screen(app)
        assert screen.kind == "postbacks"
        assert screen.list_filter == view_filter(FAILED_SHIPPING)
        assert record_list(app).record_query.statuses == ("failed",)
        assert "status: failed" in screen_text(app)
        assert "last 24h" in screen_text(app)


async def test_dash_dash_view_opens_the_console_on_the_view(store: Store, tmp_path: Path) -> None:
    path = tmp_path / "views.toml"
    save_view(path, "failed-shipping", FAILED_SHIPPING)
    screen, list_filter = start_view("failed-shipping", path, since=None, statuses=())
    app = console(store, screen=screen, list_filter=list_filter, views_path=path)
    async with app.run_test(size=(100, 30)) as pilot:
        await settled(pilot)
        assert records_screen(app).kind == "postbacks"
        assert record_list(app).record_query.statuses == ("failed",)
        assert "status: failed" in screen_text(app)
        assert "last 24h" in screen_text(app)


async def test_a_broken_views_file_is_named_in_the_palette(store: Store, tmp_path: Path) -> None:
    path = tmp_path / "views.toml"
    path.write_text("[views.x\n")
    app = console(store, views_path=path)
    async with app.run_test(size=(100, 30)) as pilot:
        await settled(pilot)
        await _run_command(pilot, "Views: the views file")
        said = [notification.message for notification in app._notifications]
        assert any(message.startswith(f"{path}, line 1") for message in said), said
