"""How the order timeline looks at 80x24 and 200x50 when several things went wrong."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from textual.widgets import OptionList

from orderdesk.core.records import HttpMessage, HttpResponse, Party, RecordError
from orderdesk.core.store import Store
from orderdesk.tui.screens.order import OrderScreen
from tests.record_factory import PRINTER, T0, postback, request
from tests.tui.tui_console import order_view, screen_text

REFERENCE = "ORD-7"
NOW = T0 + timedelta(hours=2)
LEIPZIG = Party(id="prn_leipzig", name="Druckhaus Leipzig")


def _failing(at: Any, *codes: int) -> list[HttpResponse]:
    return [
        HttpResponse(at=at + timedelta(seconds=5 * i), status_code=code, duration_ms=40)
        for i, code in enumerate(codes)
    ]


@pytest.fixture
def troubled_store(tmp_path: Path) -> Iterator[Store]:
    """An order split between two printers, cancelled after printing, shipped unseen, sent twice."""
    first = request(1, order_reference_id=REFERENCE)
    split = request(2, order_reference_id=REFERENCE, original=first.original, printer=LEIPZIG)
    refused = RecordError(
        stage="printer",
        code="already_printed",
        message="Order po_000001 cannot be canceled: it has already been printed",
    )
    cancel = request(
        3,
        action="cancel",
        at=T0 + timedelta(minutes=90),
        order_reference_id=REFERENCE,
        order_id="po_000001",
        status="failed",
        error=refused,
        response=HttpResponse(at=T0 + timedelta(minutes=90), status_code=409, duration_ms=300),
    )
    again_at = T0 + timedelta(minutes=110)
    conflict = RecordError(
        stage="printer",
        code="duplicate_order_reference",
        message=f"Order with orderReferenceId '{REFERENCE}' already exists",
    )
    again = request(
        4,
        at=again_at,
        order_reference_id=REFERENCE,
        order_id=None,
        status="failed",
        error=conflict,
        response=HttpResponse(at=again_at, status_code=409, duration_ms=200),
    )
    shipped_at = T0 + timedelta(minutes=100)
    shipped_attempts = _failing(shipped_at, 500, 502, 503, 500)
    in_transit_at = NOW - timedelta(seconds=20)
    retries = _failing(in_transit_at, 503, 500)
    error_body = json.dumps({"status": "error", "message": "Print file resolution too low"})

    def event(number: int, name: str, minutes: float, order: int = 1, **fields: Any) -> Any:
        fields.setdefault("tracking", None)
        return postback(
            order,
            id=f"pb_{number:06d}",
            event=name,
            at=T0 + timedelta(minutes=minutes),
            order_reference_id=REFERENCE,
            **fields,
        )

    postbacks = [
        event(11, "order_received", 4),
        event(12, "order_received", 6, order=2, printer=LEIPZIG),
        event(13, "production_update", 60),
        event(
            14,
            "shipped",
            100,
            status="failed",
            attempts=shipped_attempts,
            response=shipped_attempts[-1],
            tracking=None,
        ),
        event(
            15,
            "error",
            70,
            order=2,
            printer=LEIPZIG,
            original=HttpMessage(at=T0, method="POST", url="https://x", body=error_body),
        ),
        event(
            16,
            "in_transit",
            (in_transit_at - T0).total_seconds() / 60,
            status="retrying",
            attempts=retries,
            response=retries[-1],
        ),
    ]
    with Store.open(tmp_path / "troubled.db") as store:
        store.save_page("requests", [first, split, cancel, again], None)
        store.save_page("postbacks", postbacks, None)
        yield store


async def test_the_troubled_order_has_a_finding_of_each_kind(troubled_store: Store) -> None:
    app = order_view(troubled_store, REFERENCE, now=lambda: NOW)
    async with app.run_test(size=(200, 50)) as pilot:
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, OrderScreen)
        rules = [finding.rule for finding in screen.timeline.findings]
        assert sorted(set(rules)) == [
            "cancel_after_printed",
            "delivery_retrying",
            "duplicate_reference",
            "error_postback",
            "request_failed",
            "shipped_undelivered",
        ]
        text = screen_text(app)
        assert "printer orders: #1 po_00000" in text
        assert "po_000001" in text and "po_000002" in text
        assert PRINTER.name in text and LEIPZIG.name in text
        assert app.screen.query_one("#timeline", OptionList).option_count == 10


class TestOrderTimeline:
    @pytest.mark.parametrize("size", [(80, 24), (200, 50)], ids=lambda s: f"{s[0]}x{s[1]}")
    def test_several_findings(
        self, snap_compare: Any, troubled_store: Store, size: tuple[int, int]
    ) -> None:
        app = order_view(troubled_store, REFERENCE, now=lambda: NOW)
        assert snap_compare(app, terminal_size=size)

    def test_next_finding(self, snap_compare: Any, troubled_store: Store) -> None:
        async def two_findings_on(pilot: Any) -> None:
            await pilot.pause()
            await pilot.press("n", "n")
            await pilot.pause()

        app = order_view(troubled_store, REFERENCE, now=lambda: NOW)
        assert snap_compare(app, terminal_size=(80, 24), run_before=two_findings_on)
