"""`orderdesk watch`: one alert per problem group, to a real script and a real HTTP receiver.

Most scenarios run the watch's pass in-process on a test clock; one runs the
command as its own process against the simulator, and stops it with SIGTERM.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text

from orderdesk import i18n
from orderdesk.cli.alert_delivery import CommandSink, WebhookSink, alert_sentence, shown_webhook
from orderdesk.cli.watch import Sink, Watch, run_watch
from orderdesk.core.backoff import Backoff
from orderdesk.core.errors import StoreError
from orderdesk.core.lease import Lease
from orderdesk.core.records import Party
from orderdesk.core.store import Store
from orderdesk.core.watch_state import WatchState, due_alerts
from orderdesk.sim.server import SimulatorServer
from orderdesk.sim.traffic import Simulation
from tests.engines import PostgresCluster
from tests.record_factory import T0, failed_request

SECRET = "T000/B000/s3cr3t-webhook-token"
OTHER = Party(id="cus_other", name="Other <!channel> Ltd")


class Receiver:
    """A webhook on 127.0.0.1 that answers each post with the next status given."""

    def __init__(self, statuses: list[int]) -> None:
        self.statuses = statuses
        self.bodies: list[dict[str, Any]] = []
        self.paths: list[str] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", "0"))
                receiver.bodies.append(json.loads(self.rfile.read(length)))
                receiver.paths.append(self.path)
                status = receiver.statuses.pop(0) if receiver.statuses else 200
                self.send_response(status)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"ok")

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/services/{SECRET}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> Receiver:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join()


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with Receiver([]) as running:
        yield running


@pytest.fixture
def script(tmp_path: Path) -> tuple[str, Path]:
    """A real command that appends its standard input to a file."""
    log = tmp_path / "alerts.jsonl"
    path = tmp_path / "alert.sh"
    path.write_text(f'#!/bin/sh\ncat >> "{log}"\n')
    path.chmod(0o755)
    return str(path), log


def _no_wait(seconds: float) -> bool:
    return False


def _hook(url: str, lines: list[str]) -> WebhookSink:
    return WebhookSink(
        url, backoff=Backoff(uniform=lambda low, high: 0.0), wait=_no_wait, say=lines.append
    )


def _failures(store: Store, start: datetime, count: int, first: int = 1, **fields: Any) -> None:
    records = [
        failed_request(first + n, at=start + timedelta(minutes=n), **fields) for n in range(count)
    ]
    store.save_page("requests", records, None)


class Clock:
    """The test's time, which only moves when the test moves it; counts the passes that read it."""

    def __init__(self, now: datetime) -> None:
        self.now = now
        self.calls = 0

    def __call__(self) -> datetime:
        self.calls += 1
        return self.now


def _watch(store: Store, sinks: list[Sink], clock: Clock, lines: list[str]) -> Watch:
    state = WatchState.open(store, now=clock())
    return Watch(store, state, sinks, say=lines.append, out=lines.append, clock=clock)


def test_one_alert_per_group_to_the_webhook_and_the_script(
    tmp_path: Path, receiver: Receiver, script: tuple[str, Path]
) -> None:
    command, log = script
    lines: list[str] = []
    clock = Clock(T0 + timedelta(minutes=10))
    with Store.open(tmp_path / "orderdesk.db") as store:
        _failures(store, T0, 3)
        _failures(store, T0, 2, first=100, customer=OTHER)
        hook = _hook(receiver.url, lines)
        watch = _watch(store, [CommandSink(command, timeout=10), hook], clock, lines)
        assert len(watch.check()) == 2
        clock.now += timedelta(minutes=5)
        assert watch.check() == []
        hook.close()
    alerts = [json.loads(line) for line in log.read_text().splitlines()]
    assert len(alerts) == 2 and len(receiver.bodies) == 2
    by_customer = {alert["customer"]["id"]: alert for alert in alerts}
    acme = by_customer["cus_acme"]
    assert acme == {
        "rule": "request_failed",
        "severity": "problem",
        "customer": {"id": "cus_acme", "name": "Acme Prints"},
        "printer": {"id": "prn_berlin", "name": "Berlin Print Works"},
        "cause": "printer: unknown productUid",
        "orders": 3,
        "findings": 3,
        "first_seen": "2026-11-23T10:15:04.123456Z",
        "last_seen": "2026-11-23T10:17:04.123456Z",
        "state": "new",
        "why": ["appeared"],
        "last_hour": 3,
        "hour_before": 0,
        "sentence": acme["sentence"],
    }
    assert "request_failed for Acme Prints" in acme["sentence"]
    texts = sorted(body["text"] for body in receiver.bodies)
    assert list(receiver.bodies[0]) == ["text"]
    # Slack would read <!channel> in a customer's name as a mention of everyone.
    assert any("Other &lt;!channel&gt; Ltd" in text for text in texts)
    assert not any("<!channel>" in text for text in texts)


def _run_until(watch: Watch, clock: Clock, passes: int) -> None:
    """Run the watch loop in a thread, as the command does, and stop it after ``passes``."""
    stop = threading.Event()
    runner = threading.Thread(target=run_watch, args=(watch, stop, 0.01))
    start = clock.calls
    runner.start()
    deadline = time.monotonic() + 30
    while clock.calls - start < passes and time.monotonic() < deadline:
        time.sleep(0.01)
    stop.set()
    runner.join()
    assert clock.calls - start >= passes


def test_no_alert_again_after_a_restart(store_url: str, script: tuple[str, Path]) -> None:
    command, log = script
    lines: list[str] = []
    clock = Clock(T0 + timedelta(minutes=10))
    with Store.open(store_url) as store:
        _failures(store, T0, 3)
        first = _watch(store, [CommandSink(command, timeout=10)], clock, lines)
        _run_until(first, clock, 3)
        assert first.sent == 1
    clock.now += timedelta(minutes=1)
    with Store.open(store_url) as store:
        again = _watch(store, [CommandSink(command, timeout=10)], clock, lines)
        _run_until(again, clock, 3)
        assert again.sent == 0
        assert again.open_episodes() == 1
    assert len(log.read_text().splitlines()) == 1


def test_a_quiet_group_alerts_again_when_it_comes_back(
    store_url: str, script: tuple[str, Path]
) -> None:
    command, log = script
    lines: list[str] = []
    clock = Clock(T0 + timedelta(minutes=10))
    with Store.open(store_url) as store:
        _failures(store, T0, 3)
        watch = _watch(store, [CommandSink(command, timeout=10)], clock, lines)
        assert len(watch.check()) == 1
        clock.now = T0 + timedelta(minutes=25)
        _failures(store, T0 + timedelta(minutes=20), 1, first=10)
        assert watch.check() == [], "still the same episode: no second alert"
        clock.now = T0 + timedelta(minutes=55)
        assert watch.check() == [], "quiet now: the episode ends, nothing to send"
        assert watch.open_episodes() == 0
        # Back an hour later, six in the last hour against one in the hour before.
        _failures(store, T0 + timedelta(minutes=118), 6, first=20)
        clock.now = T0 + timedelta(minutes=125)
        [back] = watch.check()
    assert back.why == ("returned", "rate_jump")
    alerts = [json.loads(line) for line in log.read_text().splitlines()]
    assert [alert["why"] for alert in alerts] == [["appeared"], ["returned", "rate_jump"]]
    assert alerts[1]["state"] == "ongoing" and alerts[1]["last_hour"] == 6
    assert alerts[1]["hour_before"] == 1
    assert "back after going quiet" in alerts[1]["sentence"]


def test_a_group_older_than_the_watch_alerts_only_when_its_rate_jumps(
    tmp_path: Path, script: tuple[str, Path]
) -> None:
    command, log = script
    lines: list[str] = []
    with Store.open(tmp_path / "orderdesk.db") as store:
        # Failing every ten minutes for two hours before the watch first looks.
        for n in range(12):
            _failures(store, T0 + timedelta(minutes=10 * n), 1, first=n + 1)
        clock = Clock(T0 + timedelta(minutes=115))
        watch = _watch(store, [CommandSink(command, timeout=10)], clock, lines)
        assert watch.check() == [], "going on before the watch began: a baseline, not news"
        clock.now += timedelta(minutes=5)
        assert watch.check() == []
        # Then a burst: thirty in the last hour against six in the hour before.
        _failures(store, T0 + timedelta(minutes=121), 30, first=100)
        clock.now = T0 + timedelta(minutes=155)
        [worse] = watch.check()
        clock.now += timedelta(minutes=5)
        assert watch.check() == [], "once per episode"
    assert worse.why == ("rate_jump",) and worse.last_hour == 32 and worse.hour_before == 6
    [sent] = [json.loads(line) for line in log.read_text().splitlines()]
    assert sent["why"] == ["rate_jump"] and sent["state"] == "ongoing"
    assert "rate jumped" in sent["sentence"]


def test_a_failing_webhook_is_retried_and_its_secret_never_shown(tmp_path: Path) -> None:
    lines: list[str] = []
    clock = Clock(T0 + timedelta(minutes=10))
    with Receiver([500, 200]) as flaky, Store.open(tmp_path / "orderdesk.db") as store:
        _failures(store, T0, 2)
        hook = _hook(flaky.url, lines)
        assert len(_watch(store, [hook], clock, lines).check()) == 1
        hook.close()
        assert len(flaky.bodies) == 2 and flaky.paths == [f"/services/{SECRET}"] * 2
    assert any("HTTP 500" in line for line in lines)
    assert not any("s3cr3t" in line for line in lines)


def test_a_webhook_that_keeps_failing_is_given_up_without_its_secret(tmp_path: Path) -> None:
    lines: list[str] = []
    with Receiver([503] * 10) as down:
        hook = _hook(down.url, lines)
        problem = hook.deliver({"sentence": "hello"})
        hook.close()
        assert len(down.bodies) == 4
    # Nothing listens there any more: a network error, retried, and still no secret.
    closed = _hook(down.url, lines)
    network = closed.deliver({"sentence": "hello"})
    closed.close()
    assert problem is not None and "HTTP 503" in problem
    assert network is not None and "ConnectError" in network
    shown = shown_webhook(down.url)
    assert shown in problem and shown in network and "[redacted len=" in shown
    for line in [*lines, problem, network]:
        assert "s3cr3t" not in line


def test_a_hanging_command_is_timed_out_and_the_watch_goes_on(
    tmp_path: Path, receiver: Receiver
) -> None:
    hang = tmp_path / "hang.sh"
    hang.write_text("#!/bin/sh\nsleep 60\n")
    hang.chmod(0o755)
    lines: list[str] = []
    clock = Clock(T0 + timedelta(minutes=10))
    with Store.open(tmp_path / "orderdesk.db") as store:
        _failures(store, T0, 2)
        hook = _hook(receiver.url, lines)
        watch = _watch(store, [CommandSink(str(hang), timeout=0.5), hook], clock, lines)
        assert len(watch.check()) == 1, "the webhook took it, so it counts as sent"
        hook.close()
    assert any("was still running after 0.5 s and was killed" in line for line in lines)
    assert len(receiver.bodies) == 1


def test_the_command_never_gets_the_watch_s_key_or_webhook(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen = tmp_path / "environment"
    script = tmp_path / "env.sh"
    script.write_text(f"#!/bin/sh\nenv > {seen}\n")
    script.chmod(0o755)
    monkeypatch.setenv("ORDERDESK_API_KEY", "k3y-s3cr3t")
    monkeypatch.setenv("ORDERDESK_WEBHOOK", "https://hooks.example/T0/B0/w3bh00k")
    monkeypatch.setenv("ORDERDESK_DB", str(tmp_path / "orderdesk.db"))
    assert CommandSink(str(script), timeout=10).deliver({"sentence": "x"}) is None
    environment = seen.read_text()
    assert "k3y-s3cr3t" not in environment and "w3bh00k" not in environment
    assert f"ORDERDESK_DB={tmp_path / 'orderdesk.db'}" in environment
    assert "PATH=" in environment


def test_an_alert_nothing_took_is_tried_again(tmp_path: Path) -> None:
    failing = tmp_path / "fail.sh"
    failing.write_text("#!/bin/sh\necho 'no route to pager' >&2\nexit 3\n")
    failing.chmod(0o755)
    lines: list[str] = []
    clock = Clock(T0 + timedelta(minutes=10))
    with Store.open(tmp_path / "orderdesk.db") as store:
        _failures(store, T0, 2)
        watch = _watch(store, [CommandSink(str(failing), timeout=10)], clock, lines)
        assert watch.check() == []
        assert watch.check() == []
    assert sum("exit code 3: no route to pager" in line for line in lines) == 2


def _wait_for_lines(path: Path, count: int, process: subprocess.Popen[str]) -> list[str]:
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if path.exists() and len(lines := path.read_text().splitlines()) >= count:
            return lines
        if process.poll() is not None:
            break
        time.sleep(0.2)
    process.kill()
    _, err = process.communicate()
    raise AssertionError(f"no alert came; stderr:\n{err}")


def test_watch_syncs_from_the_simulator_and_alerts_until_sigterm(
    tmp_path: Path, receiver: Receiver, script: tuple[str, Path]
) -> None:
    command, log = script
    # Recent failures in every group: an hour of history, ending now.
    sim = Simulation(seed=3, history=timedelta(hours=1), history_rate=20.0, rate=0.0)
    sim.freeze()
    store = tmp_path / "orderdesk.db"
    started = datetime.now(UTC)
    env = {**os.environ, "ORDERDESK_WEBHOOK": receiver.url}
    with SimulatorServer(sim, api_key="watch-key", live=False) as server:
        args = ["--api-url", server.url, "--api-key", "watch-key", "--db", str(store)]
        watch = ["watch", "--exec", command, "--interval", "0.5", *args]
        process = subprocess.Popen(
            [sys.executable, "-m", "orderdesk", *watch],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
        )
        try:
            first = _wait_for_lines(log, 1, process)
        finally:
            process.send_signal(signal.SIGTERM)
            out, err = process.communicate(timeout=60)
    assert process.returncode == 128 + signal.SIGTERM, err
    alerts = [json.loads(line) for line in log.read_text().splitlines()]
    assert alerts and json.loads(first[0]) == alerts[0]
    # A fresh store: the hour before the simulated one is empty, so busy groups jumped.
    assert all(alert["why"] and set(alert["why"]) <= {"appeared", "rate_jump"} for alert in alerts)
    assert all(alert["severity"] == "problem" for alert in alerts)
    # Only groups active when the watch ran: something new in the half hour before.
    assert all(
        started - datetime.fromisoformat(alert["last_seen"]) < timedelta(minutes=30)
        for alert in alerts
    )
    assert len(receiver.bodies) == len(alerts)
    assert out.splitlines() == [alert["sentence"] for alert in alerts]
    assert f"stopped: {len(alerts)} alerts sent in this run" in err
    assert "s3cr3t" not in err and "s3cr3t" not in out


def test_a_store_the_watch_may_only_read_is_refused_with_what_to_do(
    postgres_cluster: PostgresCluster,
) -> None:
    # Roles are the server's, which the workers share: another may make it at this moment.
    postgres_cluster.execute(
        "DO $$ BEGIN CREATE ROLE orderdesk_viewer LOGIN; "
        "EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; END $$"
    )
    with postgres_cluster.database() as writer_url:
        database = writer_url.rsplit("/", 1)[1]
        with Store.open(writer_url) as store, store.engine.begin() as connection:
            _failures(store, T0, 2)
            connection.execute(text(f"GRANT CONNECT ON DATABASE {database} TO orderdesk_viewer"))
            connection.execute(text("GRANT USAGE ON SCHEMA public TO orderdesk_viewer"))
            connection.execute(
                text("GRANT SELECT ON ALL TABLES IN SCHEMA public TO orderdesk_viewer")
            )
        viewer_url = writer_url.replace("postgres@", "orderdesk_viewer@")
        with Store.open(viewer_url) as viewer, pytest.raises(StoreError) as refused:
            WatchState.open(viewer, now=T0)
        result = subprocess.run(
            [sys.executable, "-m", "orderdesk", "watch", "--no-sync", "--db", viewer_url],
            capture_output=True,
            text=True,
            timeout=60,
        )
    assert "give it a store it may write to" in str(refused.value)
    assert result.returncode == 2
    assert "cannot write to" in result.stderr and "permission denied" in result.stderr
    assert result.stdout == ""


def test_the_sentence_is_in_the_interface_language(tmp_path: Path) -> None:
    with Store.open(tmp_path / "orderdesk.db") as store:
        _failures(store, T0, 2)
        now = T0 + timedelta(minutes=10)
        found = due_alerts(store, {}, now=now, began=now)
    [alert] = found.alerts
    with i18n.speaking("fr"):
        sentence = alert_sentence(alert)
    assert found.seen == []
    assert sentence.startswith("orderdesk problème : request_failed pour Acme Prints")
    assert "commandes 2" in sentence


def test_while_another_process_syncs_the_watch_only_watches(
    tmp_path: Path, script: tuple[str, Path]
) -> None:
    command, log = script
    store_path = tmp_path / "orderdesk.db"
    with Store.open(store_path) as store:
        _failures(store, datetime.now(UTC) - timedelta(minutes=5), 2)
        with Lease.acquire(store, holder="sync-host:7"):
            # Nothing listens at the source: the watch must not need it while it only watches.
            source = ["--api-url", "http://127.0.0.1:9", "--db", str(store_path)]
            process = subprocess.Popen(
                [sys.executable, "-m", "orderdesk", "watch", "--exec", command, *source],
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
            try:
                [line] = _wait_for_lines(log, 1, process)
            finally:
                process.send_signal(signal.SIGINT)
                out, err = process.communicate(timeout=60)
    assert process.returncode == 128 + signal.SIGINT, err
    assert out.splitlines() == [json.loads(line)["sentence"]]
    assert json.loads(line)["orders"] == 2
    assert "sync-host:7 is syncing this store: watching what it stores" in err
    assert "stopped: 1 alerts sent in this run; 1 groups have alerted" in err


@pytest.mark.parametrize(
    ("flags", "said"),
    [
        (["--no-sync", "--exec", "no-such-pager --page"], "no program no-such-pager found"),
        (["--no-sync", "--exec", "'unclosed"], "--exec cannot be read as a command"),
        (["--no-sync", "--webhook", f"ftp://hooks.example.com/{SECRET}"], "not an http(s)"),
        ([], "or pass --no-sync to watch a store another process syncs"),
    ],
)
def test_a_mistake_in_the_flags_says_what_to_do_before_the_store_is_touched(
    tmp_path: Path, flags: list[str], said: str
) -> None:
    store = tmp_path / "orderdesk.db"
    result = subprocess.run(
        [sys.executable, "-m", "orderdesk", "watch", "--db", str(store), *flags],
        capture_output=True,
        text=True,
        timeout=60,
        env={k: v for k, v in os.environ.items() if not k.startswith("ORDERDESK_")},
    )
    assert result.returncode == 2
    assert said in result.stderr and "s3cr3t" not in result.stderr
    assert not store.exists()
