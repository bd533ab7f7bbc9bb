"""The command line as a script or a person meets it: real processes, a real simulator."""

from __future__ import annotations

import csv
import io
import json
import socket
import subprocess
import threading
from collections.abc import Iterator
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from orderdesk import __version__
from orderdesk.core.query_check import truth
from orderdesk.core.records import PostbackRecord, RequestRecord
from orderdesk.core.store import Store
from orderdesk.sim import Simulation
from orderdesk.sim.server import SimulatorServer
from tests.cli_run import orderdesk_here, orderdesk_process
from tests.engines import StoreEngine
from tests.record_factory import failed_request, postback, request

KEY = "cli-test-key"


def orderdesk(*args: str, check: bool = False) -> subprocess.CompletedProcess[str]:
    """Run ``orderdesk``'s command line (in this process: see ``tests.cli_run``)."""
    result = orderdesk_here(*args)
    if check:
        assert result.returncode == 0, result.stderr
    return result


@pytest.fixture(scope="module")
def service() -> Iterator[SimulatorServer]:
    """Six hours of believable traffic with no live changes, so listings are stable."""
    sim = Simulation(seed=5, history=timedelta(hours=6), history_rate=6.0, rate=0.0)
    sim.freeze()
    with SimulatorServer(sim, api_key=KEY, live=False) as server:
        yield server


@pytest.fixture(scope="module")
def synced(service: SimulatorServer, engine: StoreEngine) -> Iterator[str]:
    """A store (a SQLite path or a PostgreSQL URL) filled by ``orderdesk sync --once``."""
    with engine.database() as store:
        # As a script would: a process of its own.
        done = orderdesk_process(
            "sync", "--once", "--api-url", service.url, "--api-key", KEY, "--db", store
        )
        assert done.returncode == 0, done.stderr
        yield store


def _requests(sim: Simulation) -> list[RequestRecord]:
    return [r for r in sim.records("requests") if isinstance(r, RequestRecord)]


def _postbacks(sim: Simulation) -> list[PostbackRecord]:
    return [r for r in sim.records("postbacks") if isinstance(r, PostbackRecord)]


def test_the_installed_command_starts_and_says_its_version() -> None:
    done = orderdesk_process("--version")
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == f"orderdesk, version {__version__}"


def test_sync_once_stores_what_the_service_serves(service: SimulatorServer, synced: str) -> None:
    with Store.open(synced) as store:
        for kind in ("requests", "postbacks"):
            assert truth(store, kind) == service.sim.truth(kind)


def test_failed_requests_of_the_last_day_as_json(service: SimulatorServer, synced: str) -> None:
    result = orderdesk(
        "requests",
        "--db",
        synced,
        "--since",
        "1d",
        "--status",
        "failed",
        "--format",
        "json",
        "--limit",
        "100000",
        check=True,
    )
    listed = json.loads(result.stdout)
    expected = [r for r in service.sim.records("requests") if r.status == "failed"]
    assert expected, "a day of traffic should hold failures"
    assert {r["id"] for r in listed} == {r.id for r in expected}
    created = [r["created_at"] for r in listed]
    assert created == sorted(created, reverse=True), "newest first"


def test_jsonl_is_the_contract_shape_with_secrets_redacted(
    service: SimulatorServer, synced: str
) -> None:
    result = orderdesk(
        "postbacks", "--db", synced, "--format", "jsonl", "--limit", "50", check=True
    )
    lines = result.stdout.splitlines()
    assert len(lines) == 50
    for line in lines:
        record = json.loads(line)
        served = service.sim.get("postbacks", record["id"])
        assert served is not None
        assert set(record) == set(served.model_dump(mode="json"))
        assert record["updated_at"] == served.model_dump(mode="json")["updated_at"]
        for stage in ("original", "final"):
            for name, value in ((record[stage] or {}).get("headers") or {}).items():
                if name.lower() in ("authorization", "x-api-key"):
                    assert value.startswith("[redacted len="), (name, value)


def test_filters_combine(service: SimulatorServer, synced: str) -> None:
    shipped = [r for r in _postbacks(service.sim) if r.event == "shipped"]
    reference = shipped[0].order_reference_id
    assert reference is not None
    result = orderdesk(
        "postbacks",
        "--db",
        synced,
        "--order",
        reference,
        "--event",
        "shipped",
        "--format",
        "csv",
        check=True,
    )
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert {row["id"] for row in rows} == {
        r.id for r in shipped if r.order_reference_id == reference
    }
    assert all(row["event"] == "shipped" for row in rows)


def listed_ids(*args: str) -> set[str]:
    """The ids a list command prints as JSON."""
    result = orderdesk(*args, "--format", "json", "--limit", "100000", check=True)
    return {record["id"] for record in json.loads(result.stdout)}


def test_a_query_filters_as_the_console_does(service: SimulatorServer, synced: str) -> None:
    undelivered = listed_ids(
        "postbacks", "--db", synced, "--query", "event:shipped -status:delivered customer:maple"
    )
    expected = {
        r.id
        for r in _postbacks(service.sim)
        if r.event == "shipped" and r.status != "delivered" and "Maple" in r.customer.name
    }
    assert undelivered == expected
    server_errors = listed_ids("requests", "--db", synced, "--query", "code:5xx")
    expected = {
        r.id
        for r in service.sim.records("requests")
        if r.response is not None and 500 <= (r.response.status_code or 0) <= 599
    }
    assert expected, "six hours of traffic should hold printer 5xx answers"
    assert server_errors == expected


def test_a_query_with_or_groups_and_comparisons(service: SimulatorServer, synced: str) -> None:
    text = "(status:failed OR attempts:>1) -(event:shipped OR event:delivered)"
    listed = listed_ids("postbacks", "--db", synced, "--query", text)
    expected = {
        r.id
        for r in _postbacks(service.sim)
        if (r.status == "failed" or len(r.attempts) > 1) and r.event not in ("shipped", "delivered")
    }
    assert expected, "six hours of traffic should hold retried or failed postbacks"
    assert listed == expected
    slow = listed_ids("requests", "--db", synced, "--query", "took:>=2s OR code:5xx")
    expected = {
        r.id
        for r in _requests(service.sim)
        if r.response is not None
        and ((r.response.duration_ms or 0) >= 2000 or 500 <= (r.response.status_code or 0) <= 599)
    }
    assert expected, "six hours of traffic should hold slow or failing printer answers"
    assert slow == expected


def test_a_dangling_or_shows_where_it_is(tmp_path: Path) -> None:
    result = orderdesk("requests", "--db", str(tmp_path / "s.db"), "--query", "status:failed OR")
    assert result.returncode == 2
    assert result.stdout == ""
    message, query, caret = result.stderr.rstrip("\n").splitlines()
    assert message == (
        "orderdesk: --query: nothing follows OR at 15: write a term after it, or remove it"
    )
    assert caret.index("^") == query.index("OR")


def test_a_query_combines_with_the_flags(service: SimulatorServer, synced: str) -> None:
    both = listed_ids("requests", "--db", synced, "--status", "failed", "--query", "-action:submit")
    expected = {
        r.id for r in _requests(service.sim) if r.status == "failed" and r.action != "submit"
    }
    assert both == expected


def test_a_query_mistake_shows_where_it_is(tmp_path: Path) -> None:
    result = orderdesk(
        "requests", "--db", str(tmp_path / "s.db"), "--query", "code:5xx stauts:failed"
    )
    assert result.returncode == 2
    assert result.stdout == ""
    message, query, caret = result.stderr.rstrip("\n").splitlines()
    assert message == (
        "orderdesk: --query: unknown field 'stauts' at 10: did you mean status? "
        "(put text with a colon in quotes to search for it)"
    )
    assert query.strip() == "code:5xx stauts:failed"
    assert caret.index("^") == query.index("stauts")


def test_the_table_names_its_columns(synced: str) -> None:
    result = orderdesk("requests", "--db", synced, "--limit", "5", "--tz", "UTC", check=True)
    header, *rows = result.stdout.splitlines()
    assert header.split() == [
        "TIME",
        "ORDER",
        "REFERENCE",
        "CUSTOMER",
        "PRINTER",
        "ACTION",
        "STATUS",
        "MS",
        "ERROR",
    ]
    assert len(rows) == 5


def test_an_unknown_reference_says_no_record_has_it(synced: str) -> None:
    result = orderdesk("requests", "--db", synced, "--order", "NO-SUCH-ORDER", check=True)
    assert result.stdout == ""
    assert "no record has the order reference 'NO-SUCH-ORDER'" in result.stderr
    assert "widen" not in result.stderr


def _refusing_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def not_a_log_api() -> Iterator[str]:
    """An ordinary web server that answers every path with an HTML page."""

    class Page(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            body = b"<html><body>Welcome to our shop</body></html>"
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Page)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["requests", "--bogus"], "no such option"),
        (["requests", "--status", "lost"], "--status 'lost' is not one of"),
        (["requests", "--since", "soon"], "is not a duration"),
        (["requests", "--tz", "Mars/Olympus"], "unknown time zone"),
        (["sync", "--once"], "no log API to sync from"),
        (["sync", "--once", "--api-url", "ftp://example.com"], "not a usable log API URL"),
        (["sync", "--once", "--api-url", "http://127.0.0.1:{port}"], "cannot reach the log API"),
        (["sync", "--once", "--api-url", "{service}", "--api-key", "wrong"], "refused the key"),
        (["sync", "--once", "--api-url", "{html}"], "does not serve an order-intake log API"),
        (["simulate", "--faults", "meteor=0.5"], "meteor"),
    ],
)
def test_mistakes_get_one_line_that_says_what_to_do(
    args: list[str], says: str, tmp_path: Path, service: SimulatorServer, not_a_log_api: str
) -> None:
    filled = [
        arg.format(port=_refusing_port(), service=service.url, html=not_a_log_api) for arg in args
    ]
    result = (
        orderdesk(*filled, "--db", str(tmp_path / "s.db"))
        if filled[0] != "simulate"
        else orderdesk(*filled)
    )
    assert result.returncode == 2
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert says.lower() in lines[0].lower()
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize("make", ["text file", "folder"])
def test_a_store_that_cannot_be_opened(make: str, tmp_path: Path) -> None:
    target = tmp_path / "not-a-store"
    if make == "text file":
        target.write_text("these are my notes, not a database\n" * 100)
    else:
        target.mkdir()
    result = orderdesk("requests", "--db", str(target))
    assert result.returncode == 2
    assert len(result.stderr.strip().splitlines()) == 1
    assert "--db" in result.stderr
    if make == "text file":
        assert target.read_text().startswith("these are my notes"), "the file was left as it was"


def test_a_query_keeps_the_orders_with_an_open_finding(store_url: str) -> None:
    # Weeks after T0: ORD-1's receipt never came, ORD-2's did, ORD-3's request failed.
    with Store.open(store_url) as store:
        store.save_page("requests", [request(1), request(2), failed_request(3)], None)
        store.save_page("postbacks", [postback(2, event="order_received")], None)
    missing = listed_ids("requests", "--db", store_url, "--query", "finding:not_received")
    assert missing == {"req_000001"}
    either = "finding:not_received,request_failed"
    assert listed_ids("requests", "--db", store_url, "--query", either) == {
        "req_000001",
        "req_000003",
    }
    assert listed_ids("requests", "--db", store_url, "--query", "-finding:not_received") == {
        "req_000002",
        "req_000003",
    }
    assert listed_ids("postbacks", "--db", store_url, "--query", "finding:not_received") == set()
    wrong = orderdesk("requests", "--db", store_url, "--query", "finding:not_recieved")
    assert wrong.returncode == 2
    assert "did you mean not_received?" in wrong.stderr
    assert "request_failed, not_received, awaiting_receipt" in wrong.stderr
    french = orderdesk("--lang", "fr", "requests", "--db", store_url, "--query", "finding:x")
    assert french.returncode == 2
    assert "finding 'x' à la position 9 n'est pas parmi request_failed, not_received" in (
        french.stderr
    )
