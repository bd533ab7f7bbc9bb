"""``orderdesk order REF --format markdown|summary``: a report to paste into a ticket, a story for
the customer; store text stays text, in English and in French."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from markdown_it import MarkdownIt
from markdown_it.token import Token

from orderdesk.cli.commands import cli
from orderdesk.core.records import HttpResponse, Party, RecordError
from orderdesk.core.store import Store
from tests.record_factory import ACME, T0, postback, request

HOSTILE_REFERENCE = "ORD|7`<b>#"
HOSTILE_CUSTOMER = Party(id="cus_x", name="Acme | `rm -rf` <script>alert(1)</script>")
HOSTILE_PRINTER = Party(
    id="prn_x", name="# Printer *bold* _it_ ~~gone~~ [link](https://evil.example) ![i](x.png)"
)
HOSTILE_ERROR = "bad\x1b]52;c;aGk=\x07 | $x^2$ &amp; <!-- c -->\n# second line"
HOSTILE_ORDER = "po_`1`|2"


def _run(db: str, *args: str) -> str:
    result = CliRunner().invoke(cli, [*args, "--db", db, "--tz", "UTC"], env={"LANG": "C"})
    assert result.exit_code == 0, result.output
    return result.output


@pytest.fixture
def db(tmp_path: Path) -> str:
    """ORD-1 went wrong three ways; the hostile order's every text tries to become Markdown."""
    path = tmp_path / "orders.db"
    failures = [HttpResponse(at=T0, status_code=500, duration_ms=40) for _ in range(4)]
    refused = RecordError(stage="printer", code="bad_order", message=HOSTILE_ERROR)
    hostile: dict[str, Any] = {
        "order_reference_id": HOSTILE_REFERENCE,
        "customer": HOSTILE_CUSTOMER,
        "printer": HOSTILE_PRINTER,
        "order_id": HOSTILE_ORDER,
    }
    with Store.open(path) as store:
        store.save_page(
            "requests",
            [
                request(1),
                request(2, at=T0 + timedelta(hours=1), order_reference_id="ORD-1", order_id=None),
                request(9, status="failed", error=refused, **hostile),
            ],
            None,
        )
        store.save_page(
            "postbacks",
            [
                postback(1, status="failed", attempts=failures, response=failures[-1]),
                postback(9, id="pb_hostile", status="failed", attempts=failures, **hostile),
            ],
            None,
        )
    return str(path)


def _tokens(markdown: str) -> list[Token]:
    """Every token, the inline ones included, as GitHub-flavoured CommonMark reads the text."""
    parser = MarkdownIt("commonmark").enable(["table", "strikethrough"])
    flat: list[Token] = []
    for token in parser.parse(markdown):
        flat.append(token)
        flat.extend(token.children or [])
    return flat


def _types(tokens: list[Token]) -> list[str]:
    return [token.type for token in tokens]


def test_the_markdown_report_in_english(db: str) -> None:
    out = _run(db, "order", "ORD-1", "--format", "markdown")
    lines = out.splitlines()
    assert lines[0] == "## Order ORD-1 · Acme Prints → Berlin Print Works · times in UTC"
    assert lines[2] == "printer orders: po\\_000001"
    assert "### Timeline, oldest first" in lines
    heads = "| TIME | RECORD | WHAT | STATUS | CODE | ATTEMPTS | PRINTER ORDER | ID | DETAIL |"
    assert heads in lines
    assert (
        "| 2026-11-23 10:15:02 | postback | shipped | ✗ failed | 500 | 4 | po\\_000001 "
        "| pb\\_000001 | HTTP 500 |" in lines
    )
    findings = [line for line in lines if line.startswith("- ")]
    assert len(findings) == 4  # not received, twice; submitted again; the shipment unheard
    assert "### Findings (4)" in lines
    assert any(
        line.startswith("- ⚠ **2026-11-23 10:15:05** the shipped postback never reached")
        and line.endswith("(records: pb\\_000001)")
        for line in lines
    )
    tokens = _tokens(out)
    assert _types(tokens).count("heading_open") == 3
    assert _types(tokens).count("tr_open") == 1 + 3  # the head and three records
    assert _types(tokens).count("strong_open") == 4  # each finding's time
    assert "more records than shown" not in out


def test_the_markdown_report_in_french(db: str) -> None:
    out = _run(db, "--lang", "fr", "order", "ORD-1", "--format", "markdown")
    lines = out.splitlines()
    assert lines[0] == "## Commande ORD-1 · Acme Prints → Berlin Print Works · heures en UTC"
    assert lines[2] == "commandes imprimeur : po\\_000001"
    assert "### Chronologie, la plus ancienne d'abord" in lines
    assert lines[6].startswith("| HEURE | ENREGISTREMENT |")
    assert "| 23/11/2026 10:15:02 | demande | submit | succeeded |" in out
    assert "### Constats (4)" in lines
    assert "- ⚠ **23/11/2026 10:15:05** " in out


def test_store_text_cannot_become_markdown_structure(db: str) -> None:
    out = _run(db, "order", HOSTILE_REFERENCE, "--format", "markdown")
    assert "\x1b" not in out and "\x07" not in out
    tokens = _tokens(out)
    types = _types(tokens)
    # Only the structure the report writes: two headings and a table, no HTML, link, code...
    for kind in ("html_inline", "html_block", "link_open", "image", "code_inline", "em_open",
                 "s_open", "code_block", "fence", "blockquote_open"):  # fmt: skip
        assert kind not in types, kind
    assert [t.tag for t in tokens if t.type == "heading_open"] == ["h2", "h3", "h3"]
    rows = [n for n, t in enumerate(tokens) if t.type == "tr_open"]
    assert len(rows) == 3
    cells = [t.type for t in tokens if t.type in ("th_open", "td_open")]
    assert cells.count("th_open") == 9 and cells.count("td_open") == 2 * 9
    # ...and the text reads as the store holds it, control characters shown as escapes.
    text = "".join(t.content for t in tokens if t.type == "text")
    assert HOSTILE_CUSTOMER.name in text and HOSTILE_PRINTER.name in text
    assert HOSTILE_REFERENCE in text and HOSTILE_ORDER in text
    assert "bad\\x1b]52;c;aGk=\\x07 | $x^2$ &amp; <!-- c -->\\x0a# second line" in text


def _cut_store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """Five submits of ORD-1, where only three of a kind are read for one reference."""
    monkeypatch.setattr("orderdesk.core.timeline.MAX_RECORDS", 3)
    monkeypatch.setattr("orderdesk.core.timeline._PAGE", 2)
    monkeypatch.setattr("orderdesk.cli.order_report.MAX_RECORDS", 3)
    path = tmp_path / "cut.db"
    submits = [
        request(n, id=f"req_{n:06d}", order_reference_id="ORD-1", at=T0 + timedelta(minutes=n))
        for n in range(1, 6)
    ]
    with Store.open(path) as store:
        store.save_page("requests", submits, None)
    return str(path)


def test_a_cut_timeline_says_it_is_cut(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    db = _cut_store(tmp_path, monkeypatch)
    out = _run(db, "order", "ORD-1", "--format", "markdown")
    assert "> ⚠ more records than shown: only the first 3 of each kind are listed" in out
    assert out.count("| request | submit |") == 4  # read up to the cap, a page at a time
    french = _run(db, "--lang", "fr", "order", "ORD-1", "--format", "markdown")
    assert "> ⚠ plus d'enregistrements qu'affichés : seuls les 3 premiers" in french
    summary = _run(db, "order", "ORD-1", "--format", "summary")
    assert summary.rstrip().endswith("so this summary may stop short.")


def test_the_summary_for_the_customer_in_both_languages(db: str) -> None:
    english = _run(db, "order", "ORD-1", "--format", "summary")
    assert english.startswith(
        "Here is what happened to your order ORD-1 on November 23, 2026 (times in UTC). "
        "It reached us at 10:15."
    )
    assert "It was shipped at 10:15 with tracking number 1Z00000001." in english
    assert "Your system could not be told about this. It answered HTTP 500 4 times." in english
    assert "The same order reference reached us again at 11:15." in english
    assert "po_000001" not in english and "req_" not in english and "pb_" not in english
    french = _run(db, "--lang", "fr", "order", "ORD-1", "--format", "summary")
    assert french.startswith(
        "Voici ce qui est arrivé à votre commande ORD-1 le 23 novembre 2026 (heures en UTC). "
        "Elle nous est parvenue à 10:15."
    )
    assert "Il a répondu HTTP 500 4 fois." in french


def test_a_summary_of_a_reference_two_customers_share_is_refused(tmp_path: Path) -> None:
    path = str(tmp_path / "shared.db")
    theirs = Party(id="cus_other", name="Other Shop")
    with Store.open(path) as store:
        store.save_page("requests", [request(1, customer=ACME), request(2, id="req_b",
                        order_reference_id="ORD-1", customer=theirs)], None)  # fmt: skip
    result = CliRunner().invoke(cli, ["order", "ORD-1", "--format", "summary", "--db", path])
    assert result.exit_code != 0
    refusal = str(result.exception)
    assert "used by several customers" in refusal
    assert "Acme Prints" in refusal and "Other Shop" in refusal
