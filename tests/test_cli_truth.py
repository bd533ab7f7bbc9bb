"""What the lists say is true: a cut list says so, a missing store is refused, a hint fits.

Real processes over a real simulator, as a script or a person at a shell meets them.
"""

from __future__ import annotations

import csv
import io
import json
import subprocess
from collections.abc import Iterator
from datetime import UTC, timedelta
from pathlib import Path

import pytest

from orderdesk.cli.empty_list import why_empty
from orderdesk.core.lease import Lease
from orderdesk.core.queries import RecordQuery
from orderdesk.core.references import nearest_references, reference_exists
from orderdesk.core.store import Store
from orderdesk.sim import Simulation
from orderdesk.sim.server import SimulatorServer
from tests.cli_run import orderdesk_here, orderdesk_process
from tests.record_factory import T0, request

KEY = "truth-key"


def orderdesk(*args: str, lines: int = 24) -> subprocess.CompletedProcess[str]:
    """Run ``orderdesk``'s command line in a terminal ``lines`` tall (in this process:
    see ``tests.cli_run``)."""
    return orderdesk_here(*args, env={"LINES": str(lines), "COLUMNS": "200"})


@pytest.fixture(scope="module")
def service() -> Iterator[SimulatorServer]:
    """Six hours of traffic, frozen, so counts are stable."""
    sim = Simulation(seed=7, history=timedelta(hours=6), history_rate=4.0, rate=0.0)
    sim.freeze()
    with SimulatorServer(sim, api_key=KEY, live=False) as server:
        yield server


@pytest.fixture(scope="module")
def synced(service: SimulatorServer, tmp_path_factory: pytest.TempPathFactory) -> str:
    path = str(tmp_path_factory.mktemp("synced") / "orderdesk.db")
    # As a script would: a process of its own.
    done = orderdesk_process(
        "sync", "--once", "--api-url", service.url, "--api-key", KEY, "--db", path
    )
    assert done.returncode == 0, done.stderr
    return path


@pytest.fixture(scope="module")
def requests_total(service: SimulatorServer) -> int:
    return len(service.sim.truth("requests"))


class TestMachineFormatsAreWhole:
    def test_json_has_every_match_and_says_nothing(self, synced: str, requests_total: int) -> None:
        assert requests_total > 100, "the store must hold more than the old default limit"
        result = orderdesk("requests", "--db", synced, "--format", "json")
        assert result.returncode == 0 and result.stderr == ""
        assert len(json.loads(result.stdout)) == requests_total

    def test_jsonl_has_every_match(self, synced: str, requests_total: int) -> None:
        result = orderdesk("requests", "--db", synced, "--format", "jsonl")
        assert result.returncode == 0 and result.stderr == ""
        assert len(result.stdout.splitlines()) == requests_total

    def test_csv_has_every_match_under_one_header(self, synced: str, requests_total: int) -> None:
        result = orderdesk("requests", "--db", synced, "--format", "csv")
        assert result.returncode == 0 and result.stderr == ""
        rows = list(csv.DictReader(io.StringIO(result.stdout)))
        assert len(rows) == requests_total
        assert len({row["id"] for row in rows}) == requests_total

    @pytest.mark.parametrize("output", ["json", "jsonl", "csv", "table"])
    def test_an_explicit_limit_that_cuts_says_so_on_stderr(self, synced: str, output: str) -> None:
        result = orderdesk("requests", "--db", synced, "--format", output, "--limit", "7")
        assert result.returncode == 0
        assert result.stderr == (
            "only the first 7 matching records were written; more match (--limit 0 for all)\n"
        )
        if output == "json":
            assert len(json.loads(result.stdout)) == 7
        else:
            header = 1 if output in ("csv", "table") else 0
            assert len(result.stdout.splitlines()) == 7 + header

    def test_a_limit_that_cuts_nothing_says_nothing(self, synced: str, requests_total: int) -> None:
        limit = str(requests_total)
        exact = orderdesk("requests", "--db", synced, "--format", "jsonl", "--limit", limit)
        assert (exact.returncode, exact.stderr) == (0, "")
        assert len(exact.stdout.splitlines()) == requests_total

    def test_limit_zero_is_all(self, synced: str, requests_total: int) -> None:
        result = orderdesk("requests", "--db", synced, "--limit", "0", "--format", "table")
        assert result.returncode == 0 and result.stderr == ""
        assert len(result.stdout.splitlines()) == 1 + requests_total


class TestTheTableKeepsAScreenful:
    def test_it_is_cut_to_the_terminal_and_its_last_line_says_so(self, synced: str) -> None:
        result = orderdesk("requests", "--db", synced, lines=20)
        assert result.returncode == 0 and result.stderr == ""
        lines = result.stdout.splitlines()
        # The head, 17 rows, and the line that says more match: 20 lines with the prompt's.
        assert len(lines) == 1 + 17 + 1
        assert lines[-1] == (
            "… more records match: --limit N shows N of them, --limit 0 shows them all"
        )

    def test_a_table_that_fits_has_no_such_line(self, synced: str) -> None:
        result = orderdesk("requests", "--db", synced, "--status", "failed", "--limit", "0")
        few = orderdesk("requests", "--db", synced, "--status", "failed", lines=1000)
        assert few.returncode == 0 and few.stderr == ""
        assert few.stdout == result.stdout
        assert "more records match" not in few.stdout


class TestAStorePathMustExist:
    @pytest.mark.parametrize(
        "command",
        [("requests",), ("postbacks", "--format", "json"), ("order", "ORD-1")],
        ids=["requests", "postbacks", "order"],
    )
    def test_reading_a_missing_store_is_refused_and_creates_nothing(
        self, tmp_path: Path, command: tuple[str, ...]
    ) -> None:
        missing = tmp_path / "no" / "such" / "dir" / "x.db"
        result = orderdesk(*command, "--db", str(missing))
        assert (result.returncode, result.stdout) == (2, "")
        assert result.stderr == (
            f"orderdesk: no store at {missing}: check --db, or create one with "
            f"'orderdesk sync --once --api-url URL --db {missing}'\n"
        )
        assert not (tmp_path / "no").exists()

    def test_reading_a_missing_file_in_a_real_folder_creates_nothing(self, tmp_path: Path) -> None:
        result = orderdesk("requests", "--db", str(tmp_path / "typo.db"))
        assert result.returncode == 2 and "no store at" in result.stderr
        assert list(tmp_path.iterdir()) == []

    def test_sync_into_a_missing_folder_is_refused(
        self, service: SimulatorServer, tmp_path: Path
    ) -> None:
        missing = tmp_path / "no" / "such" / "x.db"
        args = ("--api-url", service.url, "--api-key", KEY, "--db", str(missing))
        result = orderdesk("sync", "--once", *args)
        assert (result.returncode, result.stdout) == (2, "")
        assert result.stderr == (
            f"orderdesk: no folder {missing.parent} for the store: "
            "create it, or choose another --db\n"
        )
        assert not (tmp_path / "no").exists()

    def test_sync_creates_the_default_store_and_its_folder(
        self, service: SimulatorServer, tmp_path: Path
    ) -> None:
        default = tmp_path / "xdg-data" / "orderdesk" / "orderdesk.db"
        assert not default.parent.exists()
        result = orderdesk("sync", "--once", "--api-url", service.url, "--api-key", KEY)
        assert result.returncode == 0, result.stderr
        assert default.exists()
        assert orderdesk("requests", "--limit", "1").returncode == 0


class TestHintsFit:
    def test_an_empty_store_says_it_is_empty_and_how_to_fill_it(self, tmp_path: Path) -> None:
        Store.open(tmp_path / "empty.db").close()
        result = orderdesk("requests", "--db", str(tmp_path / "empty.db"), "--since", "1d")
        assert (result.returncode, result.stdout) == (0, "")
        assert result.stderr == (
            f"the store at sqlite:///{tmp_path}/empty.db is empty: "
            "fill it with 'orderdesk sync --once --api-url URL'\n"
        )

    def test_filters_without_a_range_never_say_widen_it(self, synced: str) -> None:
        result = orderdesk("postbacks", "--db", synced, "--customer", "nobody-at-all")
        assert (result.returncode, result.stdout) == (0, "")
        assert result.stderr == "no records match these filters: drop or loosen one\n"

    def test_a_range_before_every_record_says_where_the_newest_is(self, synced: str) -> None:
        result = orderdesk(
            "requests", "--db", synced, "--from", "2020-01-01", "--to", "2020-01-02", "--tz", "UTC"
        )
        assert (result.returncode, result.stdout) == (0, "")
        assert "no records match in this time range" in result.stderr
        assert "after --to: move --to later or drop it" in result.stderr

    def test_since_given_a_moment_points_to_from(self, synced: str) -> None:
        result = orderdesk("requests", "--db", synced, "--since", "yesterday")
        assert (result.returncode, result.stdout) == (2, "")
        assert result.stderr == (
            "orderdesk: --since takes an age such as 15m, 2h or 7d; "
            "for a moment, use --from yesterday\n"
        )

    def test_since_given_nonsense_says_what_an_age_is(self, synced: str) -> None:
        result = orderdesk("requests", "--db", synced, "--since", "lately")
        assert result.returncode == 2
        assert "'lately' is not a duration" in result.stderr

    def test_an_unknown_reference_is_named_with_the_nearest(
        self, service: SimulatorServer, synced: str
    ) -> None:
        known = sorted({r.order_reference_id or "" for r in service.sim.records("requests")} - {""})
        typo = known[0][:-1] + ("0" if known[0][-1] != "0" else "1")
        assert typo not in known
        result = orderdesk("requests", "--db", synced, "--order", typo)
        assert (result.returncode, result.stdout) == (0, "")
        assert result.stderr.startswith(
            f"no record has the order reference '{typo}'; the nearest are: "
        )
        nearest = result.stderr.strip().split(": ")[-1].split(", ")
        assert known[0] in nearest and "widen" not in result.stderr

    def test_a_reference_like_nothing_says_so_plainly(self, synced: str) -> None:
        result = orderdesk("requests", "--db", synced, "--order", "NOPE-123")
        assert result.stderr == (
            "no record has the order reference 'NOPE-123': check it, or look for part "
            "of it with: orderdesk requests --search 'NOPE-123'\n"
        )


@pytest.fixture
def small_store(store_url: str) -> Iterator[Store]:
    """A few requests, a day apart, on each engine."""
    with Store.open(store_url) as store:
        records = [
            request(n, id=f"req_{n}", order_reference_id=ref, at=T0 - timedelta(days=n))
            for n, ref in enumerate(["PP-001777", "PP-001778", "pp-002000", "MT1004", "PP-001607"])
        ]
        store.save_page("requests", records, None)
        yield store


def test_a_range_that_hid_the_records_suggests_one_that_holds_the_newest(
    small_store: Store,
) -> None:
    now = T0 + timedelta(days=3, hours=5)
    query = RecordQuery("requests", since=now - timedelta(days=1))
    assert why_empty(small_store, query, zone=UTC, now=now) == (
        "no records match in this time range; the newest that matches is from "
        "2026-11-23 10:15: widen the range, e.g. --since 4d"
    )


def test_the_nearest_references_come_closest_first(small_store: Store) -> None:
    assert reference_exists(small_store, "PP-001777")
    assert not reference_exists(small_store, "PP-00177")
    assert nearest_references(small_store, "PP-001779")[:2] == ["PP-001777", "PP-001778"]
    assert nearest_references(small_store, "pp-001777")[0] == "PP-001777"
    assert nearest_references(small_store, "PP-00177X") == ["PP-001777", "PP-001778"]
    assert nearest_references(small_store, "ZZZ") == []
    # A character left out or typed in too, where the reference stops matching any.
    assert nearest_references(small_store, "PP-01777")[0] == "PP-001777"
    assert nearest_references(small_store, "PP001777")[0] == "PP-001777"
    assert nearest_references(small_store, "PP-0017777")[0] == "PP-001777"


def test_while_a_sync_catches_up_an_empty_list_says_so(small_store: Store) -> None:
    query = RecordQuery("requests", order_references=("PP-001777",), statuses=("failed",))
    with Lease.acquire(small_store):
        assert why_empty(small_store, query, zone=UTC) == (
            "a sync is still catching up: 5 records so far, none of them matching yet; "
            "run this again when it has caught up"
        )
    assert why_empty(small_store, query, zone=UTC) == (
        "no records match these filters: drop or loosen one"
    )
