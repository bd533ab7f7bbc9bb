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

from orderdesk.cli.commands import main
from orderdesk.cli.demo import demo_app
from orderdesk.core.acting import RunSummary
from orderdesk.core.action_journal import ActionJournal, PlannedTarget
from orderdesk.core.actions_client import ActionIntent
from orderdesk.core.client import LogApiClient
from orderdesk.core.lease import Lease
from orderdesk.core.progress import SyncProgress
from orderdesk.core.queries import RecordQuery, list_records
from orderdesk.core.records import (
    HttpMessage,
    Kind,
    LogRecord,
    PostbackRecord,
    RequestRecord,
    Watermark,
)
from orderdesk.core.store import Store
from orderdesk.core.sync import sync_once
from orderdesk.core.sync_service import Source
from orderdesk.i18n import speaking
from orderdesk.sim import Simulation, SimulatorServer
from orderdesk.tui.acting import ConsoleActing
from orderdesk.tui.acting_desk import resume_line
from orderdesk.tui.action_preview import current_template, preview_action
from orderdesk.tui.app import OrderdeskApp
from orderdesk.tui.messages import RecordWanted
from orderdesk.tui.one_action import ActionOutcome
from orderdesk.tui.screens.act import ActDialog
from orderdesk.tui.screens.record import RecordScreen
from orderdesk.tui.screens.resume_offer import ResumeOffer
from tests.record_factory import journal_entry
from tests.record_factory import postback as postback_record
from tests.tui.tui_console import ScreenHost, console, screen_text, settled
from tests.twins import copy_store

KEY = "act-key"
READ_KEY = "read-key"
ACTOR = "alice@support"
REASON = "their endpoint is fixed (ticket 4411)"


@pytest.fixture(scope="module")
def sim() -> Simulation:
    return Simulation(
        seed=11, history=timedelta(hours=4), history_rate=4.0, rate=0.0, tick_seconds=0.05
    )


@pytest.fixture(scope="module")
def server(sim: Simulation) -> Iterator[SimulatorServer]:
    with SimulatorServer(sim, api_key=KEY, read_key=READ_KEY) as server:
        yield server


@pytest.fixture(scope="module")
def synced(server: SimulatorServer, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store synced from the simulator as the module starts."""
    path = tmp_path_factory.mktemp("acting") / "synced.db"
    with LogApiClient(server.url, KEY) as client, Store.open(path) as store:
        sync_once(client, store)
    return path


@pytest.fixture
def synced_copy(synced: Path, tmp_path: Path) -> Path:
    """A copy of ``synced`` for one test: its console syncs whatever the module's tests changed
    since, as a console opened on an older store does."""
    copy_store(synced, tmp_path / "s.db")
    return tmp_path / "s.db"


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
    kind: Kind = "postbacks" if isinstance(record, PostbackRecord) else "requests"
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
        self, synced_copy: Path, server: SimulatorServer, take: Take
    ) -> None:
        target = take("postbacks", "failed")
        with Store.open(synced_copy) as store:
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
                assert "now failed" in text and f"as {ACTOR}" in text

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
                # A redelivery makes no new record: nothing to open.
                assert dialog.outcome.record_id is None
                assert "Open the new request" not in screen_text(app)
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
                # Closed mid-redraw, the console would only test its own closing.
                await _until(pilot, lambda: not screen.redrawing)
            assert server.sent[f"postbacks/{target.id}"] == 1

    async def test_a_delivered_postback_needs_its_reference_typed_before_a_second_notice(
        self, synced_copy: Path, server: SimulatorServer, take: Take
    ) -> None:
        target = take("postbacks", "delivered")
        reference = target.order_reference_id
        assert reference is not None
        with Store.open(synced_copy) as store:
            app = _acting_console(store, server.url)
            async with app.run_test(size=(80, 24)) as pilot:
                await _until(pilot, lambda: _ready(app))
                await _open(pilot, app, target)
                # From the palette, as r does.
                await pilot.press("ctrl+p")
                await _type(pilot, "Redeliver this postback")
                await pilot.press("enter")
                await _until(pilot, lambda: isinstance(app.screen, ActDialog))
                await settled(pilot)
                text = screen_text(app)
                assert "already delivered: the customer gets a second notice" in text
                assert f"type the order reference {reference}" in text
                await _type(pilot, REASON)
                await pilot.press("enter")  # the reference not typed: refused
                await settled(pilot)
                assert f"type the order reference {reference} exactly" in screen_text(app)
                assert isinstance(app.focused, Input) and app.focused.id == "act-confirm"
                await _type(pilot, reference[:-1])  # one character short: still refused
                await pilot.press("enter")
                await settled(pilot)
                assert _dialog(app).state == "idle"
                assert f"postbacks/{target.id}" not in server.sent
                await pilot.press(reference[-1], "enter")
                dialog = await _sent(pilot, app)
                assert dialog.outcome is not None
                assert dialog.outcome.state in ("succeeded", "failed"), dialog.outcome
            assert server.sent[f"postbacks/{target.id}"] == 1

    async def test_closing_while_sending_says_the_send_goes_on_and_its_result_comes_later(
        self, synced_copy: Path, server: SimulatorServer, take: Take
    ) -> None:
        target = take("postbacks", "failed")
        with Store.open(synced_copy) as store:
            app = _acting_console(store, server.url)
            async with app.run_test(size=(80, 24)) as pilot:
                await _until(pilot, lambda: _ready(app))
                screen = await _open(pilot, app, target)
                await pilot.press("r")
                await settled(pilot)
                await _type(pilot, REASON)
                await pilot.press("enter")
                # The service takes a few hundred milliseconds to run the action.
                assert _dialog(app).state == "sending"
                await pilot.press("escape")
                assert "closing does not cancel it" in screen_text(app)
                await pilot.press("escape")
                await pilot.pause()
                assert app.screen is screen
                title = f"Redeliver postback {target.id}: "
                await _until(pilot, lambda: any(n.startswith(title) for n in _notes(app)), 70)
            assert server.sent[f"postbacks/{target.id}"] == 1


class TestResubmit:
    async def test_a_request_asks_the_mode_and_offers_the_new_record(
        self, synced_copy: Path, server: SimulatorServer, take: Take
    ) -> None:
        target = take("requests", "failed")
        with Store.open(synced_copy) as store:
            app = _acting_console(store, server.url)
            async with app.run_test(size=(80, 24)) as pilot:
                await _until(pilot, lambda: _ready(app))
                await _open(pilot, app, target)
                assert "Resubmit" in _footer_keys(app) and "Redeliver" not in _footer_keys(app)
                await pilot.press("r")
                await settled(pilot)
                dialog = _dialog(app)
                text = screen_text(app)
                assert "final: the recorded Final again" in text
                assert "reprocess: current template" in text
                modes: list[object] = [dialog.mode]
                await pilot.click("#reprocess")
                await settled(pilot)
                modes.append(dialog.mode)
                assert modes == ["final", "reprocess"]
                text = screen_text(app)
                assert "renders the customer's current template" in text
                assert "recorded Original" in text and "recorded Final" in text
                dialog.query_one("#act-reason", Input).focus()
                await _type(pilot, REASON)
                await pilot.press("enter")
                dialog = await _sent(pilot, app)
                outcome = dialog.outcome
                assert outcome is not None and outcome.state in ("succeeded", "failed"), outcome
                assert server.sent[f"requests/{target.id}"] == 1
                assert outcome.record_id is not None
                assert f"the new request is {outcome.record_id}" in " ".join(
                    screen_text(app).split()
                )
                await pilot.press("enter")  # the offer has the focus
                await _until(pilot, lambda: isinstance(app.screen, RecordScreen))
                screen = app.screen
                assert isinstance(screen, RecordScreen) and screen.record_id == outcome.record_id
                # Opened before the sync brought it, it shows once it arrives.
                await _until(pilot, lambda: screen.record is not None)
                record = screen.record
                assert isinstance(record, RequestRecord) and record.resubmit_of == target.id


class TestWhoMayAct:
    async def _refused(self, app: OrderdeskApp, target: LogRecord, why: str) -> None:
        async with app.run_test(size=(80, 24)) as pilot:
            await _until(pilot, lambda: _ready(app))
            await _open(pilot, app, target)
            assert "Redeliver" not in _footer_keys(app)
            await pilot.press("r")
            await settled(pilot)
            assert isinstance(app.screen, RecordScreen)
            assert _notes(app)[-1] == why
            assert "\n" not in why

    async def test_a_read_only_key_says_why_and_opens_nothing(
        self, synced_copy: Path, server: SimulatorServer, take: Take
    ) -> None:
        target = take("postbacks", "failed")
        with Store.open(synced_copy) as store:
            app = _acting_console(store, server.url, key=READ_KEY)
            await self._refused(app, target, "no actions: the source says this key may only read")
        assert f"postbacks/{target.id}" not in server.sent

    async def test_read_only_says_why_and_opens_nothing(
        self, synced_copy: Path, server: SimulatorServer, take: Take
    ) -> None:
        target = take("postbacks", "failed")
        with Store.open(synced_copy) as store:
            app = _acting_console(store, server.url, read_only=True)
            why = "actions are hidden: read-only (--read-only or ORDERDESK_READ_ONLY)"
            await self._refused(app, target, why)

    async def test_a_viewer_without_a_source_says_why(
        self, tmp_path: Path, server: SimulatorServer, take: Take
    ) -> None:
        target = take("postbacks", "failed")
        with Store.open(tmp_path / "s.db") as store:
            store.save_page("postbacks", [target], None)
            app = console(store, now=lambda: datetime.now(UTC))
            async with app.run_test(size=(80, 24)) as pilot:
                await _open(pilot, app, target)
                assert "Redeliver" not in _footer_keys(app)
                await pilot.press("r")
                await settled(pilot)
                assert isinstance(app.screen, RecordScreen)
                assert _notes(app)[-1].startswith("no actions: this console has no source")
                # The palette offers it too, and says the same. The first note goes after
                # six seconds, which typing in the palette may take on a busy machine.
                app.clear_notifications()
                await pilot.press("ctrl+p")
                await _type(pilot, "Redeliver this postback")
                await pilot.press("enter")
                await settled(pilot)
                assert isinstance(app.screen, RecordScreen)
                [note] = _notes(app)
                assert note.startswith("no actions: this console has no source")


class TestStart:
    async def test_the_demo_asks_its_source_once_it_is_up(self, tmp_path: Path) -> None:
        with Store.open(tmp_path / "demo.db") as store:
            app = demo_app(
                store, seed=3, history=timedelta(hours=1), history_rate=2, rate=0, zone=UTC
            )
            app.animation_level = "none"
            async with app.run_test(size=(80, 24)) as pilot:
                acting = app.acting
                assert acting is not None
                await _until(pilot, lambda: acting.may_act, seconds=30)
                assert acting.why_not is None

    async def test_actions_a_crash_left_are_offered_and_finished_once(
        self, synced_copy: Path, server: SimulatorServer, take: Take
    ) -> None:
        targets = [take("postbacks", "failed"), take("postbacks", "failed")]
        with Store.open(synced_copy) as store:
            intent = ActionIntent(actor=ACTOR, reason=REASON)
            planned = [PlannedTarget(t.id, t.order_reference_id) for t in targets]
            ActionJournal(store).plan("redeliver", planned, intent, now=datetime.now(UTC))
            app = _acting_console(store, server.url)
            async with app.run_test(size=(80, 24)) as pilot:
                await _until(pilot, lambda: isinstance(app.screen, ResumeOffer))
                await settled(pilot)
                assert "2 of your actions (as alice@support)" in " ".join(screen_text(app).split())
                await pilot.press("enter")
                await _until(
                    pilot, lambda: any("unfinished actions: " in n for n in _notes(app)), 70
                )
                said = next(n for n in _notes(app) if "unfinished actions: " in n)
                assert said.endswith("0 still unknown, 0 not sent"), said
                assert ActionJournal(store).pending(ACTOR) == []
        for target in targets:
            assert server.sent[f"postbacks/{target.id}"] == 1


def test_a_resume_counts_what_it_did_not_send_apart_from_what_may_have_gone() -> None:
    summary = RunSummary(
        batch="b",
        succeeded=[journal_entry("pb_1")],
        unknown=[journal_entry("pb_2")],
        held=[journal_entry("pb_3"), journal_entry("pb_4")],
        cancelled=[journal_entry("pb_5")],
    )
    assert resume_line(summary) == (
        "unfinished actions: 1 succeeded, 0 failed, 0 refused, 0 still running, "
        "1 still unknown, 3 not sent"
    )


def _dialog_over(store: Store, kind: Kind, status: str) -> ScreenHost:
    """The dialog for the frozen day's first record of ``kind`` in ``status``, on its own."""
    record = list_records(store, RecordQuery(kind, statuses=(status,)), limit=1)[0]
    template = current_template(store, record) if isinstance(record, RequestRecord) else None
    acting = ConsoleActing(store, None, actor=ACTOR, cap=500)
    return ScreenHost(lambda: ActDialog(acting, preview_action(record), template=template))


async def _still(pilot: Any) -> None:
    """No blinking cursor: a snapshot taken half a second later would differ."""
    for box in pilot.app.screen.query(Input):
        box.cursor_blink = False
    await pilot.pause()


def _outcome(pilot: Any) -> None:
    dialog = pilot.app.screen
    assert isinstance(dialog, ActDialog)
    line = "succeeded: HTTP 201; the new request is req_01NEWREQUEST"
    dialog._finished(ActionOutcome("succeeded", line, "req_01NEWREQUEST"))


class TestSnapshots:
    @pytest.mark.parametrize("size", [(80, 24), (200, 50)])
    def test_a_failed_postback(
        self, snap_compare: Any, sqlite_store: Store, size: tuple[int, int]
    ) -> None:
        async def shown(pilot: Any) -> None:
            await settled(pilot)
            assert "what will be sent, byte for byte" in screen_text(pilot.app)
            await _still(pilot)

        app = _dialog_over(sqlite_store, "postbacks", "failed")
        assert snap_compare(app, terminal_size=size, run_before=shown)

    @pytest.mark.parametrize("lang", ["en", "fr"])
    def test_a_delivered_postback_asks_for_its_reference(
        self, snap_compare: Any, sqlite_store: Store, lang: str
    ) -> None:
        async def refused(pilot: Any) -> None:
            await settled(pilot)
            await _type(pilot, "customer lost it")
            await pilot.press("enter")
            await settled(pilot)
            dialog = pilot.app.screen
            assert isinstance(dialog, ActDialog) and dialog.state == "idle"
            assert dialog.query_one("#act-line").has_class("error")
            await _still(pilot)

        with speaking(lang):
            app = _dialog_over(sqlite_store, "postbacks", "delivered")
            assert snap_compare(app, terminal_size=(80, 24), run_before=refused)

    def test_a_request_to_reprocess_shows_both_bodies(
        self, snap_compare: Any, sqlite_store: Store
    ) -> None:
        async def reprocess(pilot: Any) -> None:
            await settled(pilot)
            await pilot.click("#reprocess")
            await settled(pilot)
            assert "recorded Original" in screen_text(pilot.app)
            await _still(pilot)

        app = _dialog_over(sqlite_store, "requests", "succeeded")
        assert snap_compare(app, terminal_size=(80, 24), run_before=reprocess)

    @pytest.mark.parametrize("size", [(80, 24), (200, 50)])
    def test_the_result_offers_the_new_request(
        self, snap_compare: Any, sqlite_store: Store, size: tuple[int, int]
    ) -> None:
        async def done(pilot: Any) -> None:
            await settled(pilot)
            _outcome(pilot)
            await settled(pilot)
            assert "Open the new request" in screen_text(pilot.app)
            await _still(pilot)

        app = _dialog_over(sqlite_store, "requests", "failed")
        assert snap_compare(app, terminal_size=size, run_before=done)

    def test_the_resume_offer(self, snap_compare: Any) -> None:
        app = ScreenHost(lambda: ResumeOffer(3, ACTOR))
        assert snap_compare(app, terminal_size=(80, 24))


class TestCommandLine:
    def test_read_only_on_the_console_command_hides_actions(
        self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        import orderdesk.tui.launch

        opened: list[Any] = []
        monkeypatch.delenv("ORDERDESK_READ_ONLY", raising=False)
        monkeypatch.setattr(
            orderdesk.tui.launch, "open_console", lambda settings, **_: opened.append(settings)
        )
        db = str(tmp_path / "s.db")
        assert main(["--db", db, "--read-only"]) == 0
        assert main(["--db", db]) == 0
        assert [settings.read_only for settings in opened] == [True, False]

    def test_the_demo_acts_as_the_settings_actor_and_may_be_read_only(
        self, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        import orderdesk.cli.demo

        ran: list[dict[str, Any]] = []
        monkeypatch.setenv("ORDERDESK_ACTOR", "bob@support")
        monkeypatch.delenv("ORDERDESK_READ_ONLY", raising=False)
        monkeypatch.setattr(orderdesk.cli.demo, "run_demo", lambda **options: ran.append(options))
        assert main(["demo", "--read-only"]) == 0
        assert main(["demo"]) == 0
        assert [(r["actor"], r["read_only"]) for r in ran] == [
            ("bob@support", True),
            ("bob@support", False),
        ]


async def test_the_dialog_shows_store_text_literally(tmp_path: Path) -> None:
    hostile = "[bold red]x[/bold red]\x1b]52;c;aGk=\x07"
    record = postback_record(
        7,
        order_reference_id="ORD-[b]7[/b]",
        final=HttpMessage(
            at=datetime(2026, 1, 1, tzinfo=UTC),
            method="POST",
            url=f"https://hooks.example/{hostile}",
            body=f"body {hostile}",
        ),
    )
    with Store.open(tmp_path / "s.db") as store:
        acting = ConsoleActing(store, None, actor=f"eve {hostile}", cap=500)
        app = ScreenHost(lambda: ActDialog(acting, preview_action(record)))
        async with app.run_test(size=(120, 30)) as pilot:
            await settled(pilot)
            text = screen_text(app)
    assert "\x1b" not in text and "\x07" not in text
    assert "[bold red]x[/bold red]" in text  # shown, never interpreted
    assert "order reference ORD-[b]7[/b]" in text
    assert "\\x1b]52;c;aGk=\\x07" in text


class TestOutcomes:
    async def _send(self, app: OrderdeskApp, pilot: Any, record: LogRecord) -> ActDialog:
        await _open(pilot, app, record)
        await pilot.press("r")
        await settled(pilot)
        await _type(pilot, REASON)
        await pilot.press("enter")
        return await _sent(pilot, app)

    async def test_a_record_the_service_does_not_know_is_refused_in_one_line(
        self, synced_copy: Path, server: SimulatorServer
    ) -> None:
        stranger = postback_record(
            991, status="failed", order_reference_id="ORD-991", updated=timedelta(days=-400)
        )
        with Store.open(synced_copy) as store:
            app = _acting_console(store, server.url)
            async with app.run_test(size=(80, 24)) as pilot:
                await _until(pilot, lambda: _ready(app))
                store.save_page("postbacks", [stranger], None)
                dialog = await self._send(app, pilot, stranger)

                assert dialog.outcome is not None and dialog.outcome.state == "refused"
                assert dialog.outcome.line.startswith("refused: ")
                assert "\n" not in dialog.outcome.line
                assert dialog.outcome.line in " ".join(screen_text(app).split()) or (
                    dialog.outcome.line[:40] in screen_text(app)
                )
        assert f"postbacks/{stranger.id}" not in server.sent

    async def test_a_source_gone_while_sending_leaves_it_for_a_resume(
        self, synced_copy: Path, server: SimulatorServer, take: Take
    ) -> None:
        target = take("postbacks", "failed")
        with Store.open(synced_copy) as store:
            app = _acting_console(store, server.url)
            async with app.run_test(size=(80, 24)) as pilot:
                await _until(pilot, lambda: _ready(app))
                acting = app.acting
                assert acting is not None and acting.may_act
                # Nothing listens on port 9 of loopback: every try is refused.
                acting.source = Source("http://127.0.0.1:9", KEY)
                dialog = await self._send(app, pilot, target)

                assert dialog.outcome is not None and dialog.outcome.state == "unknown"
                assert "orderdesk actions resume" in dialog.outcome.line
                [left] = ActionJournal(store).pending(ACTOR)
                assert left.target_id == target.id and left.reason == REASON
        assert f"postbacks/{target.id}" not in server.sent


async def test_an_open_record_shows_the_version_another_process_synced(tmp_path: Path) -> None:
    # A viewer beside a sync service: the new attempt of a redelivery (made by
    # anyone) reaches the open record screen through the service's sync.
    first = postback_record(5, status="failed")
    later = first.updated_at + timedelta(minutes=5)
    newer = postback_record(5, status="delivered", updated=timedelta(minutes=5, seconds=3))
    with Store.open(tmp_path / "s.db") as service, Store.open(tmp_path / "s.db") as store:
        service.save_page("postbacks", [first], Watermark(first.updated_at, first.id))
        with Lease.acquire(service, holder="sync-host:7") as lease:
            lease.report(SyncProgress(caught_up=True, last_success_at=later))
            app = console(store, service_poll=0.1)
            async with app.run_test(size=(80, 24)) as pilot:
                screen = await _open(pilot, app, first)
                assert "✗ failed" in screen_text(app)
                service.save_page("postbacks", [newer], Watermark(newer.updated_at, newer.id))
                lease.report(SyncProgress(caught_up=True, last_success_at=later))

                def delivered() -> bool:
                    return screen.record is not None and screen.record.status == "delivered"

                await _until(pilot, delivered, seconds=10)
                await settled(pilot)
                assert "✓ delivered" in " ".join(screen_text(app).split())
                assert app.screen is screen
