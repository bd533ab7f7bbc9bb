"""Acting on many records from the console: the plan, the typed count, the progress, the summary.

Against the simulator over real loopback HTTP, with a real store synced from
it. The simulator's own count of what it sent (``SimulatorServer.sent``) is
the proof that each record was sent once, and the cancelled ones never.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from textual.widgets import Checkbox, Input, OptionList, RadioButton

from orderdesk import strings
from orderdesk.core.actions_client import ActionsClient
from orderdesk.core.backoff import Backoff
from orderdesk.core.bulk_plan import ACTING_RULES
from orderdesk.core.client import LogApiClient
from orderdesk.core.queries import RecordQuery, list_summaries
from orderdesk.core.store import Store
from orderdesk.core.sync import sync_once
from orderdesk.core.sync_service import Source
from orderdesk.i18n import speaking
from orderdesk.sim import Faults, Simulation, SimulatorServer
from orderdesk.tui.acting import ConsoleActing
from orderdesk.tui.app import OrderdeskApp
from orderdesk.tui.list_filter import ListFilter
from orderdesk.tui.screens.bulk_action import BulkActionDialog
from orderdesk.tui.screens.problems import rule_label
from orderdesk.tui.screens.record import RecordScreen
from tests.tui.simulated_day import ANCHOR
from tests.tui.tui_console import console, record_list, screen_text, settled
from tests.twins import copy_store, simulation

KEY = "act-key"
READ_KEY = "read-key"
ACTOR = "alice@support"
FAILED = ListFilter(statuses=("failed",))
#: Actions a second where a test does not watch the pace.
FAST = 200.0


class World:
    """A simulated service on loopback, and a store synced from it, for one test."""

    def __init__(
        self, sim: Simulation, server: SimulatorServer, faults: Faults, store: Store
    ) -> None:
        self.sim = sim
        self.server = server
        self.faults = faults
        self.store = store

    def console(self, *, cap: int = 500, pace: float = FAST, **options: Any) -> OrderdeskApp:
        """The console over the store, acting on the simulator as ``ACTOR``; asked already."""
        # Retries a hundredth of a second apart: the product's half second, doubling, is
        # tested with the client (tests/test_actions_client.py).
        acting = ConsoleActing(
            self.store,
            Source(self.server.url, KEY),
            actor=ACTOR,
            cap=cap,
            pace=pace,
            backoff=Backoff(base=0.01, cap=0.05),
        )
        # The start-up check is the dialog branch's: here it is asked, blocking, before the keys.
        assert acting.check() is not None and acting.may_act
        options.setdefault("screen", "postbacks")
        return console(self.store, acting=acting, **options)

    def failed_postbacks(self) -> list[str]:
        """The ids of the postbacks the store holds as failed."""
        query = RecordQuery("postbacks", statuses=("failed",))
        return [summary.id for summary in list_summaries(self.store, query, limit=1000)]

    def sent(self, ids: list[str]) -> dict[str, int]:
        """How many times the simulator sent each of these postbacks again."""
        sent = self.server.sent
        return {record_id: sent.get(f"postbacks/{record_id}", 0) for record_id in ids}


def _three_hours() -> Simulation:
    return simulation(
        seed=9, history=timedelta(hours=3), history_rate=6.0, now=ANCHOR, tick_seconds=0.05
    )


@pytest.fixture(scope="module")
def synced(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store synced over loopback from the three simulated hours, copied for each test."""
    path = tmp_path_factory.mktemp("bulk") / "synced.db"
    with (
        SimulatorServer(_three_hours(), api_key=KEY, read_key=READ_KEY) as server,
        LogApiClient(server.url, KEY) as client,
        Store.open(path) as store,
    ):
        sync_once(client, store)
    return path


def _world(tmp_path: Path, synced: Path, *, frozen: bool = False) -> Iterator[World]:
    # A world of the test's own, as a sync of the same hours would have left it.
    sim = _three_hours()
    if frozen:
        sim.freeze()
    copy_store(synced, tmp_path / "orderdesk.db")
    faults = Faults(retry_after_seconds=0)
    with (
        SimulatorServer(sim, api_key=KEY, read_key=READ_KEY, faults=faults) as server,
        Store.open(tmp_path / "orderdesk.db") as store,
    ):
        yield World(sim, server, faults, store)


@pytest.fixture
def world(tmp_path: Path, synced: Path) -> Iterator[World]:
    """Three simulated hours, live: actions run and end."""
    yield from _world(tmp_path, synced)


@pytest.fixture
def frozen_world(tmp_path: Path, synced: Path) -> Iterator[World]:
    """Three simulated hours, frozen: actions are taken and never end."""
    yield from _world(tmp_path, synced, frozen=True)


def dialog(app: OrderdeskApp) -> BulkActionDialog:
    """The bulk action dialog in front."""
    screen = app.screen
    assert isinstance(screen, BulkActionDialog), f"in front: {screen!r}"
    return screen


async def _wait_for(pilot: Any, condition: Callable[[], bool], seconds: float = 30.0) -> None:
    for _ in range(int(seconds / 0.05)):
        if condition():
            return
        await pilot.pause(0.05)
    assert condition(), "the dialog never got there"


async def _summarised(pilot: Any, screen: BulkActionDialog) -> None:
    """Wait for the run's summary, and for the screen to be drawn with it.

    The summary's lines are set when the run ends, and laid out at the next
    refresh: a screen read at once can be the frame before, where the follow
    line still has the height of its one line (seen once, under a busy loop).
    """
    await _wait_for(pilot, lambda: screen.phase == "done", 90)
    await settled(pilot)


async def _planned(pilot: Any) -> BulkActionDialog:
    """Press R and wait for the plan."""
    await settled(pilot)
    await pilot.press("R")
    await _wait_for(pilot, lambda: dialog(pilot.app).phase == "plan")
    return dialog(pilot.app)


async def _confirm(pilot: Any, reason: str, typed: str) -> None:
    screen = dialog(pilot.app)
    screen.query_one("#bulk-reason", Input).value = reason
    screen.query_one("#bulk-confirm", Input).value = typed
    screen.query_one("#bulk-confirm", Input).focus()
    await pilot.press("enter")
    await pilot.pause()


def _dialog_text(app: OrderdeskApp) -> str:
    """What the screen says, its lines joined and the dialog's borders dropped."""
    return " ".join(screen_text(app).replace("│", " ").split())


class TestRedeliverAList:
    async def test_every_failed_postback_is_sent_once_after_the_count_is_typed(
        self, world: World
    ) -> None:
        failed = world.failed_postbacks()
        assert 8 <= len(failed) <= 30, "a dozen or so failed postbacks"
        app = world.console(list_filter=FAILED)
        async with app.run_test(size=(80, 24)) as pilot:
            screen = await _planned(pilot)
            bulk = screen.bulk
            assert bulk is not None and bulk.plan is not None
            assert bulk.count == len(failed) and bulk.needs_force == 0
            assert f"{len(failed)} to send" in _dialog_text(app)

            await _confirm(pilot, "their endpoint is fixed (ticket 4411)", "3")
            assert screen.phase == "plan"
            said = strings.BULK_WRONG_COUNT.format(count=len(failed))
            assert said in _dialog_text(app)
            assert world.sent(failed) == dict.fromkeys(failed, 0), "nothing sent on a wrong count"

            await _confirm(pilot, "their endpoint is fixed (ticket 4411)", str(len(failed)))
            await _summarised(pilot, screen)
            summary = screen.summary
            assert summary is not None
            text = _dialog_text(app)

        assert world.sent(failed) == dict.fromkeys(failed, 1)
        ended = {e.target_id for e in [*summary.succeeded, *summary.failed, *summary.sent]}
        assert ended == set(failed)
        assert f"{len(summary.succeeded)} succeeded" in text
        journal = app.acting.journal.batch(summary.batch) if app.acting else []
        assert {entry.actor for entry in journal} == {ACTOR}
        assert {entry.reason for entry in journal} == {"their endpoint is fixed (ticket 4411)"}

    async def test_a_missing_reason_sends_nothing(self, world: World) -> None:
        failed = world.failed_postbacks()
        app = world.console(list_filter=FAILED)
        async with app.run_test(size=(80, 24)) as pilot:
            screen = await _planned(pilot)
            await _confirm(pilot, "  ", str(len(failed)))
            assert screen.phase == "plan"
            assert strings.BULK_NO_REASON in _dialog_text(app)
        assert world.sent(failed) == dict.fromkeys(failed, 0)

    async def test_the_summary_opens_a_record(self, world: World) -> None:
        failed = world.failed_postbacks()
        app = world.console(list_filter=FAILED)
        async with app.run_test(size=(120, 40)) as pilot:
            screen = await _planned(pilot)
            await _confirm(pilot, "retry", str(len(failed)))
            await _summarised(pilot, screen)
            # The summary takes the focus as it is shown, a message later than the phase.
            await settled(pilot)
            options = screen.query_one("#bulk-summary", OptionList)
            assert options.has_focus and options.highlighted == 1
            await pilot.press("enter")
            await settled(pilot)
            front = app.screen
            assert isinstance(front, RecordScreen)
            assert front.record_id in failed
            await pilot.press("escape")
            await settled(pilot)
            assert app.screen is screen


class TestCancel:
    async def test_a_cancel_mid_run_sends_none_of_the_rest(self, world: World) -> None:
        failed = world.failed_postbacks()
        app = world.console(list_filter=FAILED, pace=4.0)
        async with app.run_test(size=(80, 24)) as pilot:
            screen = await _planned(pilot)
            await _confirm(pilot, "retry", str(len(failed)))
            await _wait_for(pilot, lambda: sum(world.sent(failed).values()) >= 2)
            await pilot.press("escape")
            await _summarised(pilot, screen)
            summary = screen.summary
            assert summary is not None
            text = _dialog_text(app)
            # Whatever was under way has finished; nothing more will go.
            await pilot.pause(1.0)

        counts = world.sent(failed)
        cancelled = {entry.target_id for entry in summary.cancelled}
        assert cancelled and len(cancelled) < len(failed) - 1
        assert all(counts[record_id] == 0 for record_id in cancelled)
        assert all(counts[record_id] == 1 for record_id in set(failed) - cancelled)
        assert f"{len(cancelled)} cancelled" in text
        assert strings.ACTING_CANCELLED in text


class TestUnknown:
    async def test_a_send_whose_outcome_is_unknown_stops_the_run_and_resume_sends_none_twice(
        self, world: World
    ) -> None:
        failed = world.failed_postbacks()
        app = world.console(list_filter=FAILED)
        async with app.run_test(size=(80, 24)) as pilot:
            screen = await _planned(pilot)
            # The first send goes through; every try of the second is taken, then reset.
            world.faults.next(None, "reset", "reset", "reset", "reset", "reset")
            await _confirm(pilot, "retry", str(len(failed)))
            await _summarised(pilot, screen)
            summary = screen.summary
            text = _dialog_text(app)
        assert summary is not None
        # The second may have been taken; the rest were never sent, and say so.
        assert len(summary.unknown) == 1 and len(summary.held) == len(failed) - 2
        assert strings.BULK_UNKNOWN_HINT.format(count=1) in text
        assert strings.BULK_HELD_HINT.format(count=len(failed) - 2) in text
        held = strings.BULK_OUTCOME["held"].format(count=len(failed) - 2)
        assert f" · 1 unknown · {held}" in text
        counts = world.sent(failed)
        assert sum(counts.values()) == 2, "the first, and the second the service took"
        acting = app.acting
        assert acting is not None
        with acting.runner() as runner:
            runner.follow(runner.resume(ACTOR), poll=0.1)
        assert world.sent(failed) == dict.fromkeys(failed, 1)


class TestRefused:
    async def test_over_the_cap_nothing_can_be_sent(self, world: World) -> None:
        failed = world.failed_postbacks()
        app = world.console(list_filter=FAILED, cap=5)
        async with app.run_test(size=(80, 24)) as pilot:
            screen = await _planned(pilot)
            assert screen.bulk is not None and screen.bulk.over_cap
            said = strings.BULK_OVER_CAP.format(count=len(failed), cap=5)
            assert said in _dialog_text(app)
            for box in ("#bulk-reason", "#bulk-confirm", "#bulk-send"):
                assert screen.query_one(box).disabled
            await _confirm(pilot, "retry", str(len(failed)))
            assert screen.phase == "plan"
        assert world.sent(failed) == dict.fromkeys(failed, 0)

    async def test_without_a_source_the_key_says_why(self, world: World) -> None:
        app = console(world.store, screen="postbacks")
        async with app.run_test(size=(80, 24)) as pilot:
            await settled(pilot)
            await pilot.press("R")
            await settled(pilot)
            assert not isinstance(app.screen, BulkActionDialog)
            said = [notification.message for notification in app._notifications]
        assert strings.ACTING_NO_SOURCE in said

    async def test_a_key_the_source_says_may_only_read_says_why(self, world: World) -> None:
        acting = ConsoleActing(
            world.store, Source(world.server.url, READ_KEY), actor=ACTOR, cap=500
        )
        app = console(world.store, acting=acting, screen="postbacks")
        async with app.run_test(size=(80, 24)) as pilot:
            await settled(pilot)
            await pilot.press("R")
            await settled(pilot)
            assert not isinstance(app.screen, BulkActionDialog)
            said = [notification.message for notification in app._notifications]
        assert strings.ACTING_READ_KEY in said


class TestSelections:
    async def test_only_the_marked_records_are_sent(self, world: World) -> None:
        failed = world.failed_postbacks()
        app = world.console(list_filter=FAILED)
        async with app.run_test(size=(80, 24)) as pilot:
            await settled(pilot)
            await pilot.press("m", "j", "j", "m")
            marked = set(record_list(app).marks)
            screen = await _planned(pilot)
            assert screen.query_one("#bulk-marked", Checkbox).value
            assert screen.bulk is not None and screen.bulk.count == 2
            await _confirm(pilot, "retry", "2")
            await _summarised(pilot, screen)
        counts = world.sent(failed)
        assert {record_id for record_id, n in counts.items() if n} == marked
        assert all(counts[record_id] == 1 for record_id in marked)

    async def test_delivered_postbacks_are_skipped_unless_forced(self, world: World) -> None:
        app = world.console()
        async with app.run_test(size=(80, 24)) as pilot:
            screen = await _planned(pilot)
            bulk = screen.bulk
            assert bulk is not None and bulk.plan is not None
            assert bulk.needs_force > 100 and bulk.count == len(world.failed_postbacks())
            force = strings.BULK_NEEDS_FORCE.format(count=bulk.needs_force)
            # Painted once the plan is: on a busy machine, a frame or a passing toast later.
            await _wait_for(pilot, lambda: force in _dialog_text(app), 20)
            screen.query_one("#bulk-force", Checkbox).value = True
            await _wait_for(pilot, lambda: screen.phase == "plan" and screen.bulk is not bulk)
            assert screen.bulk is not None and screen.bulk.over_cap
            assert screen.bulk.count == bulk.total

    async def test_a_problem_groups_records_are_its_own(self, world: World) -> None:
        app = world.console(screen="requests")
        async with app.run_test(size=(120, 40)) as pilot:
            await settled(pilot)
            await pilot.press("4")
            await settled(pilot)
            problems = app.screen
            groups = problems.groups  # type: ignore[attr-defined]
            row = next(i for i, g in enumerate(groups) if g.rule == "undelivered")
            for _ in range(row):
                await pilot.press("down")
            await pilot.press("R")
            await _wait_for(pilot, lambda: dialog(app).phase == "plan")
            bulk = dialog(app).bulk
        group = groups[row]
        assert bulk is not None and bulk.plan is not None
        targets = {target.id for target in bulk.plan.targets}
        assert targets and targets <= set(world.failed_postbacks())
        customers = {
            s.customer_id
            for s in list_summaries(world.store, RecordQuery("postbacks").only(targets))
        }
        assert customers == {group.customer.id}

    async def test_a_failed_request_groups_records_are_resubmitted_reprocessed_once(
        self, world: World
    ) -> None:
        app = world.console(screen="requests")
        async with app.run_test(size=(120, 40)) as pilot:
            await settled(pilot)
            await pilot.press("4")
            await settled(pilot)
            groups = app.screen.groups  # type: ignore[attr-defined]
            row = next(i for i, g in enumerate(groups) if g.rule == "request_failed")
            for _ in range(row):
                await pilot.press("down")
            await pilot.press("R")
            await _wait_for(pilot, lambda: dialog(app).phase == "plan")
            screen = dialog(app)
            assert screen.bulk is not None and screen.bulk.plan is not None
            targets = [target.id for target in screen.bulk.plan.targets]
            assert strings.BULK_FROM_GROUP.split("{")[0] in _dialog_text(app)
            screen.query_one("#reprocess", RadioButton).value = True
            await _confirm(pilot, "the template is fixed", str(len(targets)))
            await _summarised(pilot, screen)
            summary = screen.summary
        assert summary is not None and targets
        # A reprocess the template still refuses reaches no printer: the service's own
        # trail, not its count of messages sent, says each was taken once.
        with LogApiClient(world.server.url, KEY) as log_api:
            trail = ActionsClient(log_api).fetch_page(None).data
        taken = Counter(action.target.id for action in trail)
        assert {record_id: taken[record_id] for record_id in targets} == dict.fromkeys(targets, 1)
        assert {action.mode for action in trail} == {"reprocess"}
        assert all(world.server.sent.get(f"requests/{r}", 0) <= 1 for r in targets)
        journal = app.acting.journal.batch(summary.batch) if app.acting else []
        assert {(entry.kind, entry.mode) for entry in journal} == {("resubmit", "reprocess")}

    async def test_a_problem_no_action_remedies_says_so(self, world: World) -> None:
        app = world.console(screen="requests")
        async with app.run_test(size=(120, 40)) as pilot:
            await settled(pilot)
            await pilot.press("4")
            await settled(pilot)
            groups = app.screen.groups  # type: ignore[attr-defined]
            row = next(i for i, g in enumerate(groups) if g.rule not in ACTING_RULES)
            for _ in range(row):
                await pilot.press("down")
            await pilot.press("R")
            await settled(pilot)
            front = app.screen
            said = [notification.message for notification in app._notifications]
        assert not isinstance(front, BulkActionDialog)
        assert strings.BULK_NO_REMEDY.format(rule=rule_label(groups[row].rule)) in said


class TestLanguages:
    async def test_the_plan_speaks_french(self, world: World) -> None:
        with speaking("fr"):
            app = world.console(list_filter=FAILED, cap=5)
            async with app.run_test(size=(80, 24)) as pilot:
                await _planned(pilot)
                text = _dialog_text(app)
            title = strings.BULK_TITLE["redeliver"]
            over = strings.BULK_OVER_CAP.format(count=len(world.failed_postbacks()), cap=5)
        assert title == "Relivrer des postbacks" and title in text
        assert "ORDERDESK_MAX_ACTIONS" in over and over in text

    @pytest.mark.parametrize("lang", ["en", "fr"])
    async def test_the_help_of_a_list_says_what_r_does(self, world: World, lang: str) -> None:
        with speaking(lang):
            app = world.console()
            async with app.run_test(size=(120, 40)) as pilot:
                await settled(pilot)
                await pilot.press("question_mark")
                await settled(pilot)
                text = _dialog_text(app)
            said = " ".join(strings.HELP_KEYS["act_on_many"].split())
        assert said in text


async def _plan_with_force(pilot: Any) -> None:
    """Every postback of the list: most were delivered and need force."""
    await _planned(pilot)
    # The boxes and the button are enabled as the plan comes: their styles follow a frame later.
    await settled(pilot)


async def _waiting_for_results(pilot: Any) -> None:
    """Two marked postbacks sent to a frozen service: taken, and never ending."""
    await settled(pilot)
    await pilot.press("m", "j", "m")
    screen = await _planned(pilot)
    await _confirm(pilot, "their endpoint is fixed (ticket 4411)", "2")
    await _wait_for(pilot, lambda: screen.phase == "following")
    # The run goes on waiting: a frame or two for the line it last said.
    await pilot.pause(0.1)
    await pilot.pause()


async def _summed_up(pilot: Any) -> None:
    """Two delivered and two failed postbacks marked: the failed ones redelivered, to their end."""
    await settled(pilot)
    await pilot.press("m", "j", "m", "e")
    await settled(pilot)
    await pilot.press("m", "j", "m")
    screen = await _planned(pilot)
    await _confirm(pilot, "their endpoint is fixed (ticket 4411)", "2")
    await _wait_for(pilot, lambda: screen.phase == "done", 90)
    # The note "errors only" leaves on a timer the snapshot cannot wait for.
    pilot.app.clear_notifications()
    await settled(pilot)


SIZES = pytest.mark.parametrize("size", [(80, 24), (200, 50)], ids=["80x24", "200x50"])


class TestSnapshots:
    @SIZES
    def test_the_plan_with_force_needed(
        self, snap_compare: Any, world: World, size: tuple[int, int]
    ) -> None:
        app = world.console(pace=5.0)
        assert snap_compare(app, terminal_size=size, run_before=_plan_with_force)

    @SIZES
    def test_the_progress_waiting_for_results(
        self, snap_compare: Any, frozen_world: World, size: tuple[int, int]
    ) -> None:
        app = frozen_world.console(list_filter=FAILED)
        assert snap_compare(app, terminal_size=size, run_before=_waiting_for_results)

    @SIZES
    def test_the_summary(self, snap_compare: Any, world: World, size: tuple[int, int]) -> None:
        # Every endpoint is back five hours on, so each redelivery succeeds: the
        # simulator words a failure at random, which a snapshot could not hold.
        world.sim.skip(timedelta(hours=5))
        app = world.console()
        assert snap_compare(app, terminal_size=size, run_before=_summed_up)
