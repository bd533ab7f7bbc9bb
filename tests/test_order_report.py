"""``orderdesk order REF``: the timeline and its findings as a table or JSON; unknown references."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest

from orderdesk.cli.commands import main
from orderdesk.core.action_trail import save_actions
from orderdesk.core.records import HttpMessage, HttpResponse, RecordError
from orderdesk.core.store import Store
from tests.action_factory import action
from tests.record_factory import T0, postback, request

ESC = "\x1b"


@pytest.fixture
def db(tmp_path: Path) -> str:
    """A store where order ORD-1 went wrong three ways, and ORD-2 went well."""
    path = tmp_path / "orders.db"
    failures = [HttpResponse(at=T0, status_code=503, duration_ms=40) for _ in range(4)]
    conflict = RecordError(stage="printer", code="duplicate_order_reference", message="exists")
    message = json.dumps({"status": "error", "message": f"File {ESC}]52;c;bad{ESC}\\ too small"})
    with Store.open(path) as store:
        store.save_page(
            "requests",
            [
                request(1),
                request(
                    3,
                    at=T0 + timedelta(hours=1),
                    order_reference_id="ORD-1",
                    order_id=None,
                    status="failed",
                    error=conflict,
                ),
                request(2),
            ],
            None,
        )
        store.save_page(
            "postbacks",
            [
                postback(1, status="failed", attempts=failures, response=failures[-1]),
                postback(
                    1,
                    id="pb_error",
                    event="error",
                    tracking=None,
                    at=T0 + timedelta(hours=2),
                    original=HttpMessage(at=T0, method="POST", url="https://x", body=message),
                ),
                postback(2, id="pb_r2", event="order_received", tracking=None),
            ],
            None,
        )
    return str(path)


def test_json_has_the_entries_and_each_finding_with_its_rule_and_threshold(
    db: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["order", "ORD-1", "--format", "json", "--db", db]) == 0
    out = capsys.readouterr().out
    assert ESC not in out and out.isascii()
    report = json.loads(out)
    assert report["reference"] == "ORD-1"
    assert [entry["id"] for entry in report["entries"]] == [
        "req_000001",
        "pb_000001",
        "req_000003",
        "pb_error",
    ]
    rules = {finding["rule"]: finding for finding in report["findings"]}
    assert set(rules) == {
        "not_received",
        "shipped_undelivered",
        "duplicate_reference",
        "request_failed",
        "error_postback",
    }
    assert rules["not_received"]["threshold_seconds"] == 30 * 60
    assert rules["not_received"]["record_ids"] == ["req_000001"]
    assert rules["duplicate_reference"]["record_ids"] == ["req_000001", "req_000003"]
    assert rules["shipped_undelivered"]["records"] == [{"kind": "postbacks", "id": "pb_000001"}]
    assert "never got the shipping notification" in rules["shipped_undelivered"]["message"]
    assert rules["error_postback"]["detail"] == f"File {ESC}]52;c;bad{ESC}\\ too small"
    assert report["thresholds_seconds"]["receipt_within"] == 30 * 60


def test_thresholds_come_from_the_environment(
    db: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ORDERDESK_RECEIPT_WITHIN", "3650d")
    assert main(["order", "ORD-1", "--format", "json", "--db", db]) == 0
    report = json.loads(capsys.readouterr().out)
    [waiting] = [f for f in report["findings"] if f["rule"] == "awaiting_receipt"]
    assert waiting["severity"] == "notice"
    assert waiting["threshold_seconds"] == 3650 * 86_400
    assert report["thresholds_seconds"]["receipt_within"] == 3650 * 86_400


def test_a_threshold_that_is_not_a_duration_says_which_setting(
    db: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ORDERDESK_DELIVERY_WITHIN", "soon")
    assert main(["order", "ORD-1", "--db", db]) == 2
    err = capsys.readouterr().err
    assert "ORDERDESK_DELIVERY_WITHIN" in err and "15m" in err


def test_the_table_tells_the_story_and_the_findings_with_their_records(
    db: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["order", "ORD-1", "--db", db, "--tz", "UTC"]) == 0
    out = capsys.readouterr().out
    assert ESC not in out
    lines = out.splitlines()
    assert lines[0].startswith("Order ORD-1 · Acme Prints → Berlin Print Works · times in UTC")
    assert lines[1] == "printer orders: po_000001"
    assert lines[3].split()[:3] == ["TIME", "RECORD", "WHAT"]
    assert "2026-11-23 10:15:02  request   submit" in lines[4]
    assert "findings (5):" in lines
    assert "! 2026-11-23 10:45:02  not_received [30 min]" in lines
    assert "    records: req_000001, req_000003" in lines
    assert "\\x1b]52;c;bad" in out  # the printer's message, made visible


def test_the_table_and_the_markdown_end_with_the_orders_actions(
    db: str, capsys: pytest.CaptureFixture[str]
) -> None:
    trail = [
        action("act_2", minutes=90, target_id="pb_000002", reference="ORD-1", actor="bob"),
        action(
            "act_1",
            minutes=80,
            kind="resubmit",
            mode="final",
            target_id="req_000003",
            reference="ORD-1",
            status="failed",
            status_code=None,
            error=f"refused {ESC}[2J",
            reason="the printer is back",
        ),
        action("act_9", minutes=85, reference="ORD-2"),
    ]
    with Store.open(db) as store, store.writing() as connection:
        save_actions(connection, trail, None)
    assert main(["order", "ORD-1", "--db", db, "--tz", "UTC"]) == 0
    lines = capsys.readouterr().out.splitlines()
    start = lines.index("actions (2):")
    assert lines[start + 1 :] == [
        "✗ 2026-11-23 11:20:00  resubmitted (final) by alice@support: failed: refused \\x1b[2J",
        "    on requests req_000003, because: the printer is back",
        "↻ 2026-11-23 11:30:00  redelivered by bob: 200",
        "    on postbacks pb_000002, because: their endpoint is fixed",
    ]
    assert main(["order", "ORD-1", "--db", db, "--tz", "UTC", "--format", "markdown"]) == 0
    markdown = capsys.readouterr().out
    assert "### Actions (2)" in markdown
    assert (
        "- ↻ **2026-11-23 11:30:00** redelivered by bob: 200 "
        "(on postbacks pb\\_000002, because: their endpoint is fixed)"
    ) in markdown


def test_an_order_that_went_well_says_so(db: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["order", "ORD-2", "--db", db]) == 0
    assert "findings: none" in capsys.readouterr().out


def test_an_unknown_reference_says_how_to_look_for_it(
    db: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["order", f"NOPE{ESC}[2J", "--db", db]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    [line] = captured.err.splitlines()
    assert "no record has the order reference 'NOPE\\x1b[2J'" in line
    assert "orderdesk requests --search" in line
    assert ESC not in line


def test_as_its_own_process_for_scripts(db: str) -> None:
    def orderdesk(*args: str) -> subprocess.CompletedProcess[str]:
        command = [sys.executable, "-m", "orderdesk", "order", *args, "--db", db]
        return subprocess.run(command, capture_output=True, text=True, timeout=120)

    found = orderdesk("ORD-1", "--format", "json")
    assert found.returncode == 0, found.stderr
    assert "shipped_undelivered" in [f["rule"] for f in json.loads(found.stdout)["findings"]]
    missing = orderdesk("ORD-404")
    assert (missing.returncode, missing.stdout) == (2, "")
    assert missing.stderr.count("\n") == 1
    assert "no record has the order reference 'ORD-404'; the nearest are: " in missing.stderr
    assert {"ORD-1", "ORD-2"} <= set(missing.stderr.split(": ")[-1].strip().split(", "))
