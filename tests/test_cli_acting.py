"""``orderdesk redeliver``, ``resubmit``, ``actions resume``: the plan, the question, the refusals.

Against a live simulator over loopback and a store synced from it. What counts
is what the service was sent (``SimulatorServer.sent``): a refusal sends nothing.
"""

from __future__ import annotations

import io
import os
import pty
import select
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from orderdesk.cli.acting_report import ask_count, exit_code, tell_plan, tell_summary
from orderdesk.core.acting import ActionPlan, RunSummary
from orderdesk.core.action_journal import PlannedTarget
from orderdesk.core.records import RequestRecord
from orderdesk.core.store import Store
from tests.acting_world import ACTOR, READ_KEY, RESUME, World, answered, opened_world
from tests.cli_run import orderdesk_here, orderdesk_process
from tests.record_factory import journal_entry

REASON = "their endpoint is fixed (ticket 4411)"


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    db = str(tmp_path_factory.mktemp("acting") / "orderdesk.db")
    with opened_world(db, hours=6, seed=5, rate=8.0) as world:
        yield world


@pytest.fixture(scope="module")
def pool(world: World) -> list[str]:
    """The postbacks that had failed before any test acted (acting changes the world)."""
    return world.failed("postbacks")


@pytest.fixture
def untouched(pool: list[str]) -> list[str]:
    """Failed postbacks no other test of this module acts on, four at a time."""
    taken = pool[:4]
    del pool[:4]
    assert len(taken) == 4, "the simulated day has too few failed postbacks"
    return taken


class TestPlan:
    def test_a_dry_run_shows_the_plan_and_sends_nothing(
        self, world: World, untouched: list[str]
    ) -> None:
        done = orderdesk_here(
            "redeliver", *untouched, "--reason", REASON, "--dry-run", env=world.env()
        )
        assert done.returncode == 0, done.stderr
        assert f"postbacks to redeliver: 4, as {ACTOR}" in done.stdout
        assert f"reason: {REASON}" in done.stdout
        assert untouched[0] in done.stdout
        assert world.sent("postbacks", untouched) == dict.fromkeys(untouched, 0)
        without_source = {**world.env(), "ORDERDESK_API_URL": ""}
        again = orderdesk_here(
            "redeliver", *untouched, "--reason", REASON, "--dry-run", env=without_source
        )
        assert again.returncode == 0 and again.stdout == done.stdout

    def test_delivered_postbacks_are_skipped_unless_forced(self, world: World) -> None:
        delivered = sorted(r.id for r in world.sim.records("postbacks") if r.status == "delivered")
        done = orderdesk_here(
            "redeliver", *delivered[:2], "--reason", REASON, "--dry-run", env=world.env()
        )
        assert "2 skipped: already delivered, they need --force" in done.stdout
        forced = orderdesk_here(
            "redeliver", *delivered[:2], "--reason", REASON, "--dry-run", "--force", env=world.env()
        )
        assert "2 of them already delivered: sent again (--force)" in forced.stdout

    def test_a_query_selects_as_the_list_does(self, world: World) -> None:
        listed = orderdesk_here(
            "postbacks", "--query", "status:failed", "--format", "jsonl", env=world.env()
        )
        count = len(listed.stdout.splitlines())
        done = orderdesk_here(
            "redeliver", "--query", "status:failed", "--reason", REASON, "--dry-run",
            env=world.env(),
        )  # fmt: skip
        assert done.returncode == 0, done.stderr
        assert f"postbacks to redeliver: {count}," in done.stdout
        assert f"and {count - 5} more" in done.stdout

    def test_ids_the_store_does_not_hold_are_named(self, world: World) -> None:
        done = orderdesk_here(
            "redeliver", "pb_nope", "pb_gone", "--reason", REASON, "--dry-run", env=world.env()
        )
        assert done.returncode == 2
        assert "no postbacks with these ids: pb_gone, pb_nope" in done.stderr

    def test_no_selection_at_all_is_refused(self, world: World) -> None:
        done = orderdesk_here("redeliver", "--reason", REASON, "--yes", env=world.env())
        assert done.returncode == 2 and "say which records" in done.stderr


class TestRefusals:
    def test_without_a_terminal_or_yes_nothing_is_sent(
        self, world: World, untouched: list[str]
    ) -> None:
        done = orderdesk_here("redeliver", *untouched, "--reason", REASON, env=world.env())
        assert done.returncode == 2
        assert "add --yes" in done.stderr and len(done.stderr.strip().splitlines()) == 1
        assert world.sent("postbacks", untouched) == dict.fromkeys(untouched, 0)

    def test_more_than_max_is_refused(self, world: World, untouched: list[str]) -> None:
        done = orderdesk_here(
            "redeliver", *untouched, "--reason", REASON, "--yes", "--max", "3", env=world.env()
        )
        assert done.returncode == 2
        assert "4 records would be acted on, more than the 3 allowed" in done.stderr
        assert world.sent("postbacks", untouched) == dict.fromkeys(untouched, 0)

    def test_a_read_only_key_says_so_in_one_line(self, world: World, untouched: list[str]) -> None:
        done = orderdesk_here(
            "redeliver", *untouched, "--reason", REASON, "--yes", env=world.env(key=READ_KEY)
        )
        assert done.returncode == 2
        assert (
            done.stderr.strip()
            .splitlines()[-1]
            .endswith("may only read: ask for a key that may act to redeliver or resubmit")
        )
        assert world.sent("postbacks", untouched) == dict.fromkeys(untouched, 0)

    def test_the_read_only_setting_refuses_before_anything(
        self, world: World, untouched: list[str]
    ) -> None:
        env = world.env(ORDERDESK_READ_ONLY="1")
        done = orderdesk_here("redeliver", *untouched, "--reason", REASON, "--yes", env=env)
        assert done.returncode == 2 and "ORDERDESK_READ_ONLY" in done.stderr

    def test_a_version_1_server_says_so_in_one_line(self, world: World, tmp_path: Path) -> None:
        from tests.fake_log_api import KEY as V1_KEY
        from tests.fake_log_api import FakeLogApi, over_http

        ids = world.failed("postbacks")[-1:]
        with over_http(FakeLogApi()) as url:
            env = {**world.env(key=V1_KEY), "ORDERDESK_API_URL": url}
            done = orderdesk_here("redeliver", *ids, "--reason", REASON, "--yes", env=env)
        assert done.returncode == 2
        assert "has no actions (it speaks version 1)" in done.stderr


class TestSending:
    def test_each_target_is_sent_once_and_the_summary_says_so(
        self, world: World, untouched: list[str]
    ) -> None:
        done = orderdesk_here("redeliver", *untouched, "--reason", REASON, "--yes", env=world.env())
        assert done.returncode in (0, 1), done.stderr  # a redelivery may fail: the endpoint
        assert "sent 4 of 4" in done.stderr
        assert "succeeded: " in done.stderr or "every action succeeded: 4" in done.stderr
        assert world.wait_sent("postbacks", untouched) == dict.fromkeys(untouched, 1)

    def test_a_target_the_service_does_not_have_is_refused_and_the_rest_sent(
        self, world: World, untouched: list[str]
    ) -> None:
        # A record the store holds and the service does not (gone out of its 30 days).
        first = world.sim.get("postbacks", untouched[0])
        assert first is not None
        gone = first.model_copy(update={"id": "pb_gone_from_the_service"})
        with Store.open(world.db) as store:
            store.save_page("postbacks", [gone], store.watermark("postbacks"))
        ids = [gone.id, *untouched[:2]]
        done = orderdesk_here("redeliver", *ids, "--reason", REASON, "--yes", env=world.env())
        assert done.returncode == 1, done.stderr
        assert "refused by the service, nothing done: 1" in done.stderr
        assert "has no postback pb_gone_from_the_service" in done.stderr
        assert world.wait_sent("postbacks", untouched[:2]) == dict.fromkeys(untouched[:2], 1)

    @pytest.mark.slow
    def test_ctrl_c_lets_the_send_under_way_finish_and_cancels_the_rest(
        self, world: World, pool: list[str]
    ) -> None:
        targets, pool[:12] = pool[:12], []
        env = {**os.environ, **world.env(ORDERDESK_ACTION_PACE="10")}
        before = answered(world.db)
        run = subprocess.Popen(
            [sys.executable, "-m", "orderdesk", "redeliver", *targets, "--reason", REASON, "--yes"],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
        )
        deadline = time.monotonic() + 60
        while answered(world.db) < before + 3 and time.monotonic() < deadline:
            if run.poll() is not None:
                break
            time.sleep(0.01)
        run.send_signal(signal.SIGINT)
        _, err = run.communicate(timeout=120)

        assert run.returncode == 130, err
        cancelled = _states(world.db, targets)["cancelled"]
        accepted = _states(world.db, targets)["accepted"]
        assert cancelled and accepted and len(cancelled) + len(accepted) == len(targets)
        assert f"cancelled, not sent: {len(cancelled)}" in err
        assert "stopped: cancelled" in err
        assert world.wait_sent("postbacks", accepted) == dict.fromkeys(accepted, 1)
        assert world.sent("postbacks", cancelled) == dict.fromkeys(cancelled, 0)

    def test_an_answer_lost_every_try_is_unknown_until_resumed_and_then_sent_once(
        self, world: World, untouched: list[str]
    ) -> None:
        # The second POST is taken by the service every time, and its answer lost
        # every time: the run stops there, not knowing, and the rest wait with it.
        world.faults.next(None, "reset", "reset", "reset", "reset", "reset")
        done = orderdesk_here("redeliver", *untouched, "--reason", REASON, "--yes", env=world.env())
        assert done.returncode == 3, done.stderr
        assert "may or may not have been sent: 1; orderdesk actions resume" in done.stderr
        assert "not sent, left for orderdesk actions resume: 2" in done.stderr

        resumed = orderdesk_here(*RESUME, env=world.env())
        assert resumed.returncode in (0, 1), resumed.stderr
        assert f"actions of {ACTOR} left unsent: 3;" in resumed.stderr
        assert "may or may not" not in resumed.stderr
        assert world.wait_sent("postbacks", untouched) == dict.fromkeys(untouched, 1)
        again = orderdesk_here(*RESUME, env=world.env())
        assert "nothing to resume" in again.stderr

    def test_a_request_resubmitted_with_its_fixed_template_succeeds(self, world: World) -> None:
        broken = [
            record
            for record in world.sim.records("requests")
            if isinstance(record, RequestRecord) and record.customer.id == "cus_maplethreads"
            if record.error is not None and record.error.code == "invalid_product"
        ]
        assert broken, "the simulated day has no request Maple Threads' old template broke"
        target = broken[0].id
        done = orderdesk_here(
            "resubmit", target, "--mode", "reprocess", "--reason", "lookup table fixed", "--yes",
            env=world.env(),
        )  # fmt: skip
        assert done.returncode == 0, done.stderr
        assert "requests to resubmit (reprocess): 1," in done.stdout
        assert "every action succeeded: 1" in done.stderr
        assert world.sent("requests", [target]) == {target: 1}

    def test_a_resubmit_needs_a_mode(self, world: World) -> None:
        done = orderdesk_here("resubmit", "req_x", "--reason", REASON, env=world.env())
        assert done.returncode == 2 and "--mode" in done.stderr

    def test_resume_with_nothing_left_says_so(self, world: World) -> None:
        done = orderdesk_here(*RESUME, env=world.env())
        assert done.returncode == 0
        assert f"nothing to resume: {ACTOR} has no action left unsent" in done.stderr


class TestLoading:
    @pytest.mark.parametrize("args", [("--version",), ("postbacks", "--format", "jsonl")])
    def test_the_version_and_a_read_import_none_of_the_acting_commands(
        self, world: World, args: tuple[str, ...]
    ) -> None:
        script = (
            "import sys\n"
            "from orderdesk.cli.commands import main\n"
            "code = main(sys.argv[1:])\n"
            "print(sorted(m for m in sys.modules if 'acting' in m), file=sys.stderr)\n"
        )
        done = subprocess.run(
            [sys.executable, "-c", script, *args],
            capture_output=True,
            text=True,
            timeout=120,
            env={**os.environ, **world.env()},
        )
        assert done.stderr.splitlines()[-1] == "[]"

    def test_the_help_lists_the_acting_commands_and_their_exit_codes(self) -> None:
        listed = orderdesk_here("--help")
        assert "redeliver" in listed.stdout and "resubmit" in listed.stdout
        english = {"ORDERDESK_LANG": "en"}
        resumed = orderdesk_process(*RESUME, "--help", env=english)
        assert "Exit codes as for orderdesk redeliver" in resumed.stdout
        # A process of its own: in this one, a French test may have imported the command
        # first, and a command imported lazily keeps the help of the language it came in.
        helped = orderdesk_process("redeliver", "--help", env=english)
        assert "3    some may not have been sent: run orderdesk actions resume" in helped.stdout


class TestSummary:
    def test_actions_still_running_are_named_and_the_code_says_not_all(self) -> None:
        entries = [journal_entry(f"pb_{n}") for n in range(7)]
        summary = RunSummary(batch="b", succeeded=entries[:2], sent=entries[2:])
        err = io.StringIO()
        tell_summary(summary, 1, err)
        lines = err.getvalue().splitlines()
        assert lines[0] == "succeeded: 2"
        assert "skipped, they need --force: 1" in lines
        assert lines[-1] == (
            "still running when the wait ended: 5 (pb_2, pb_3, pb_4, pb_5, pb_6); "
            "the trail shows how they end"
        )
        assert exit_code(summary, skipped=1) == 1
        assert exit_code(RunSummary(batch="b", succeeded=entries)) == 0
        assert exit_code(RunSummary(batch="b", succeeded=entries), skipped=1) == 1
        assert exit_code(RunSummary(batch="b", unknown=entries)) == 3
        assert exit_code(RunSummary(batch="b", held=entries)) == 3
        assert exit_code(summary, interrupted=True) == 130

    def test_ids_and_errors_from_the_service_show_their_control_characters(self) -> None:
        entry = replace(journal_entry("pb_\x1b[31mred"), error="no\x07pe")
        err = io.StringIO()
        tell_summary(RunSummary(batch="b", refused=[entry]), 0, err)
        assert "\x1b" not in err.getvalue() and "\x07" not in err.getvalue()
        assert "1: no\\x07pe" in err.getvalue()
        plan = ActionPlan("redeliver", (PlannedTarget(entry.target_id),), (), ())
        out = io.StringIO()
        tell_plan(plan, "eve\x1b]0;owned\x07", "why", None, out)
        assert "\x1b" not in out.getvalue() and "\x07" not in out.getvalue()
        assert "pb_\\x1b[31mred" in out.getvalue() and "as eve\\x1b]0;owned" in out.getvalue()


class TestConfirmation:
    def test_only_the_count_typed_confirms(self) -> None:
        assert ask_count(4, read=lambda question: " 4 ")
        assert not ask_count(4, read=lambda question: "y")
        assert not ask_count(4, read=lambda question: "")

    @pytest.mark.slow
    def test_on_a_terminal_the_count_typed_sends_and_anything_else_stops(
        self, world: World, untouched: list[str]
    ) -> None:
        first, second = untouched[:2], untouched[2:]
        declined, output = _on_a_terminal(world, first, typed="yes")
        assert declined == 1, output
        assert "Type 2 to send them" in output and "nothing was sent" in output
        assert world.sent("postbacks", first) == dict.fromkeys(first, 0)

        confirmed, output = _on_a_terminal(world, second, typed="2")
        assert confirmed in (0, 1), output
        assert "sent 2 of 2" in output
        assert world.wait_sent("postbacks", second) == dict.fromkeys(second, 1)


def _states(db: str, ids: list[str]) -> dict[str, list[str]]:
    """The journal's entries for ``ids``, their target ids by state."""
    connection = sqlite3.connect(db)
    try:
        rows = connection.execute("SELECT target_id, state FROM action_journal").fetchall()
    finally:
        connection.close()
    states: dict[str, list[str]] = {"accepted": [], "cancelled": [], "planned": []}
    for target, state in rows:
        if target in ids:
            states.setdefault(state, []).append(target)
    return states


def _on_a_terminal(world: World, ids: list[str], *, typed: str) -> tuple[int, str]:
    """Run ``redeliver`` with a pseudo-terminal for its streams, answering its question."""
    main, child = pty.openpty()
    process = subprocess.Popen(
        [sys.executable, "-m", "orderdesk", "redeliver", *ids, "--reason", REASON],
        stdin=child,
        stdout=child,
        stderr=child,
        env={**os.environ, **world.env()},
    )
    os.close(child)
    seen = b""
    answered = False
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        ready, _, _ = select.select([main], [], [], 0.1)
        if ready:
            try:
                chunk = os.read(main, 4096)
            except OSError:  # the terminal closed: the process ended
                break
            if not chunk:
                break
            seen += chunk
        if not answered and b"anything else stops" in seen:
            os.write(main, typed.encode() + b"\r")
            answered = True
        if process.poll() is not None and not ready:
            break
    code = process.wait(timeout=30)
    os.close(main)
    return code, seen.decode(errors="replace")
