"""Acting on one record from the console: r on the record screen, the dialog, the resume offer.

Against the simulator over real loopback HTTP and a real store the console
syncs itself, as the demo does. The simulator's count of what it sent
(``SimulatorServer.sent``) is the proof that one press sends once.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from textual.widgets import Input

from orderdesk.cli.demo import demo_app
from orderdesk.core.action_journal import ActionJournal, PlannedTarget
from orderdesk.core.actions_client import ActionIntent
from orderdesk.core.queries import get_record
from orderdesk.core.records import LogRecord, PostbackRecord, RequestRecord
from orderdesk.core.store import Store
from orderdesk.core.sync_service import Source
from orderdesk.sim import Simulation, SimulatorServer
from orderdesk.tui.acting import ConsoleActing
from orderdesk.tui.app import OrderdeskApp
from orderdesk.tui.messages import RecordWanted
from orderdesk.tui.screens.act import ActDialog
from orderdesk.tui.screens.record import RecordScreen
from orderdesk.tui.screens.resume_offer import ResumeOffer
from tests.tui.tui_console import console, screen_text, settled

KEY = "act-key"
READ_KEY = "read-key"
ACTOR = "alice@support"
REASON = "their endpoint is fixed (ticket 4411)"


@pytest.fixture(scope="module")
def sim() -> Simulation:
    return Simulation(
        seed=11, history=timedelta(hours=3), history_rate=2.0, rate=0.0, tick_seconds=0.05
    )


@pytest.fixture(scope="module")
def server(sim: Simulation) -> Iterator[SimulatorServer]:
    with SimulatorServer(sim, api_key=KEY, read_key=READ_KEY) as server:
        yield server


Take = Callable[[str, str], LogRecord]


@pytest.fixture(scope="module")
def take(sim: Simulation) -> Take:
    """A record of a kind and status no other test of the module acts on (acting changes them)."""
    used: set[str] = set()

    def taken(kind: str, status: str) -> LogRecord:
        for record in sim.records(kind):  # type: ignore[arg-type]
            if record.status == status and record.final is not None and record.id not in used:
                if record.order_reference_id is None:
                    continue
                used.add(record.id)
                return record
        raise AssertionError(f"the simulation has no {status} {kind} left")

    return taken


def _acting_console(
    store: Store, url: str, *, key: str = KEY, read_only: bool = False
) -> OrderdeskApp:
    source = Source(url, key, interval=0.5)
    acting = ConsoleActing(store, source, actor=ACTOR, cap=500, read_only=read_only, pace=1000)
    return console(store, source=source, acting=acting, now=lambda: datetime.now(UTC))


async def _until(pilot: Any, condition: Callable[[], object], seconds: float = 20.0) -> None:
    for _ in range(int(seconds / 0.05)):
        if condition():
            return
        await pilot.pause(0.05)
    assert condition(), "the console never got there"


def _ready(app: OrderdeskApp) -> bool:
    progress = app.freshness.progress
    acting = app.acting
    asked = acting is None or acting.read_only or acting.capability or acting.check_error
    return bool(progress is not None and progress.caught_up and asked)


async def _open(pilot: Any, app: OrderdeskApp, record: LogRecord) -> RecordScreen:
    kind = "postbacks" if isinstance(record, PostbackRecord) else "requests"
    app.post_message(RecordWanted(kind, record.id))
    await _until(pilot, lambda: isinstance(app.screen, RecordScreen))
    await settled(pilot)
    assert isinstance(app.screen, RecordScreen)
    return app.screen


async def _type(pilot: Any, text: str) -> None:
    await pilot.press(*["space" if c == " " else c for c in text])


def _notes(app: OrderdeskApp) -> list[str]:
    return [str(note.message) for note in app._notifications]


def _footer_keys(app: OrderdeskApp) -> list[str]:
    return [b.description for _, b, _, _ in app.screen.active_bindings.values() if b.show]


def _dialog(app: OrderdeskApp) -> ActDialog:
    assert isinstance(app.screen, ActDialog), f"in front: {app.screen!r}"
    return app.screen


async def _sent(pilot: Any, app: OrderdeskApp) -> ActDialog:
    dialog = _dialog(app)
    await _until(pilot, lambda: dialog.state == "done", seconds=70)
    await settled(pilot)
    return dialog


class TestRedeliver:
    async def test_a_failed_postback_is_sent_once_with_a_reason_and_shows_its_result(
        self, tmp_path: Path, server: SimulatorServer, take: Take
    ) -> None:
        target = take("postbacks", "failed")
        with Store.open(tmp_path / "s.db") as store:
            app = _acting_console(store, server.url)
            async with app.run_test(size=(80, 24)) as pilot:
                await _until(pilot, lambda: _ready(app))
                screen = await _open(pilot, app, target)
                assert "Redeliver" in _footer_keys(app)
                await pilot.press("r")
                await settled(pilot)
                dialog = _dialog(app)
                text = screen_text(app)
                assert f"Redeliver postback {target.id}" in text
                assert target.final is not None and target.final.url in text
                assert f"now failed" in text and f"as {ACTOR}" in text

                await pilot.press("enter")  # no reason yet: refused, nothing sent
                await settled(pilot)
                assert "a reason is required" in screen_text(app)
                assert dialog.state == "idle" and f"postbacks/{target.id}" not in server.sent

                await _type(pilot, REASON)
                await pilot.press("enter")
                dialog = await _sent(pilot, app)
                assert dialog.outcome is not None
                assert dialog.outcome.state in ("succeeded", "failed"), dialog.outcome
                assert dialog.outcome.line.split(":")[0] in screen_text(app)
                assert server.sent[f"postbacks/{target.id}"] == 1
                assert ActionJournal(store).pending(ACTOR) == []  # answered, not left planned
                await pilot.press("escape")
                await settled(pilot)
                assert app.screen is screen

                # The sync brings the manual attempt, and the record screen shows it.
                def manual_attempt() -> bool:
                    record = screen.record
                    assert isinstance(record, PostbackRecord)
                    return any(a.trigger == "manual" for a in record.attempts)

                await _until(pilot, manual_attempt)
            assert server.sent[f"postbacks/{target.id}"] == 1
