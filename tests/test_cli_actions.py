"""`orderdesk actions`: the stored trail listed in every format, filtered, and cut as lists are."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import click
import pytest

from orderdesk.cli.actions import actions as actions_group
from orderdesk.core.action_records import ActionRecord
from orderdesk.core.action_trail import save_actions
from orderdesk.core.store import Store
from tests.action_factory import action
from tests.cli_run import orderdesk_here
from tests.record_factory import request


def _recent(action_id: str, minutes_ago: float, **fields: object) -> ActionRecord:
    """An action made ``minutes_ago`` before now, so that --since finds it."""
    made = action(action_id, **fields)  # type: ignore[arg-type]
    at = datetime.now(UTC) - timedelta(minutes=minutes_ago)
    return made.model_copy(update={"created_at": at, "updated_at": at})


TRAIL = [
    _recent("act_1", 60 * 24 * 3, actor="alice@support", reference="ref-1"),
    _recent(
        "act_2",
        30,
        actor="bob",
        kind="resubmit",
        mode="reprocess",
        target_id="req_2",
        reference="ref-2",
        status="failed",
        status_code=None,
        error="printer said \x1b[31mno",
    ),
    _recent("act_3", 10, actor="Alice@Support", reference="ref-1", status="queued"),
]


@pytest.fixture
def db(tmp_path: Path) -> Iterator[str]:
    path = tmp_path / "orderdesk.db"
    with Store.open(path) as store, store.writing() as connection:
        save_actions(connection, TRAIL, None)
    yield str(path)


def test_it_is_a_group_that_lists_when_given_no_subcommand() -> None:
    assert isinstance(actions_group, click.Group)
    assert actions_group.invoke_without_command


def test_the_table_lists_newest_first_with_its_heads(db: str) -> None:
    done = orderdesk_here("actions", "--db", db)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0].split() == [
        "WHEN",
        "ACTOR",
        "KIND",
        "TARGET",
        "ORDER",
        "REFERENCE",
        "STATUS",
        "CODE",
    ]
    assert [line.split()[2] for line in lines[1:]] == ["Alice@Support", "bob", "alice@support"]
    assert "requests/req_2" in lines[2] and "failed" in lines[2]
    assert "postbacks/pb_1" in lines[3] and lines[3].rstrip().endswith("200")


def test_json_holds_each_action_in_the_contracts_shape(db: str) -> None:
    done = orderdesk_here("actions", "--db", db, "--format", "json")
    assert done.returncode == 0, done.stderr
    listed = [ActionRecord.model_validate(item) for item in json.loads(done.stdout)]
    assert [a.id for a in listed] == ["act_3", "act_2", "act_1"]
    assert listed[1] == TRAIL[1]
    assert "\x1b" not in done.stdout


def test_jsonl_writes_one_action_a_line(db: str) -> None:
    done = orderdesk_here("actions", "--db", db, "--format", "jsonl", "--actor", "ALICE@support")
    assert done.returncode == 0, done.stderr
    ids = [json.loads(line)["id"] for line in done.stdout.splitlines()]
    assert ids == ["act_3", "act_1"]


def test_csv_has_a_header_and_shows_control_characters_visibly(db: str) -> None:
    done = orderdesk_here("actions", "--db", db, "--format", "csv", "--status", "failed")
    assert done.returncode == 0, done.stderr
    rows = list(csv.DictReader(io.StringIO(done.stdout)))
    assert [row["id"] for row in rows] == ["act_2"]
    assert rows[0]["mode"] == "reprocess" and rows[0]["target_id"] == "req_2"
    assert "\x1b" not in done.stdout and "no" in rows[0]["error"]


@pytest.mark.parametrize(
    ("flags", "ids"),
    [
        (("--since", "1h"), ["act_3", "act_2"]),
        (("--kind", "resubmit"), ["act_2"]),
        (("--order", "ref-1"), ["act_3", "act_1"]),
        (("--customer", "acme shop"), ["act_3", "act_2", "act_1"]),
    ],
)
def test_filters(db: str, flags: tuple[str, ...], ids: list[str]) -> None:
    done = orderdesk_here("actions", "--db", db, "--format", "jsonl", *flags)
    assert done.returncode == 0, done.stderr
    assert [json.loads(line)["id"] for line in done.stdout.splitlines()] == ids


def test_a_limit_that_cuts_says_so_on_stderr(db: str) -> None:
    done = orderdesk_here("actions", "--db", db, "--format", "jsonl", "--limit", "2")
    assert done.returncode == 0
    assert len(done.stdout.splitlines()) == 2
    assert "only the first 2 matching actions were written" in done.stderr


def test_nothing_matching_says_why(db: str) -> None:
    done = orderdesk_here("actions", "--db", db, "--actor", "nobody")
    assert done.returncode == 0
    assert done.stdout == ""
    assert "no action matches; the store holds 3" in done.stderr


def test_an_empty_trail_says_a_version_1_source_has_none(tmp_path: Path) -> None:
    Store.open(tmp_path / "orderdesk.db").close()
    done = orderdesk_here("actions", "--db", str(tmp_path / "orderdesk.db"))
    assert done.returncode == 0
    assert "log API 1 has none" in done.stderr


def test_a_bad_kind_is_a_usage_error(db: str) -> None:
    done = orderdesk_here("actions", "--db", db, "--kind", "refund")
    assert done.returncode == 2
    assert "refund" in done.stderr


def test_a_missing_store_is_refused(tmp_path: Path) -> None:
    done = orderdesk_here("actions", "--db", str(tmp_path / "nope.db"))
    assert done.returncode != 0
    assert "nope.db" in done.stderr


def test_a_time_that_is_no_duration_is_refused_as_for_requests(db: str) -> None:
    done = orderdesk_here("actions", "--db", db, "--since", "soon")
    assert done.returncode == 2
    assert "'soon' is not a duration" in done.stderr


def test_an_empty_trail_in_french(tmp_path: Path) -> None:
    Store.open(tmp_path / "orderdesk.db").close()
    done = orderdesk_here("--lang", "fr", "actions", "--db", str(tmp_path / "orderdesk.db"))
    assert done.returncode == 0
    assert "aucune action dans le stock" in done.stderr


def test_an_orders_json_report_holds_its_actions(tmp_path: Path) -> None:
    path = tmp_path / "orderdesk.db"
    with Store.open(path) as store:
        store.save_page("requests", [request(1, order_reference_id="ref-1")], None)
        with store.writing() as connection:
            save_actions(connection, TRAIL, None)
    done = orderdesk_here("order", "ref-1", "--db", str(path), "--format", "json")
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert [a["id"] for a in report["actions"]] == ["act_1", "act_3"]
    assert ActionRecord.model_validate(report["actions"][0]) == TRAIL[0]
