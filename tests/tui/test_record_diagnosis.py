"""The drill-down words the record's diagnosis: header, Response stage and failure agree."""

from __future__ import annotations

from datetime import UTC, timedelta

from orderdesk.core.records import HttpResponse
from orderdesk.tui.record_stages import record_stages
from orderdesk.tui.screens.record import record_header
from tests.record_factory import T0, postback

UNAVAILABLE = HttpResponse(at=T0, status_code=503, body="busy")
BAD_GATEWAY = HttpResponse(at=T0 + timedelta(seconds=9), status_code=502, body="gateway")


def test_response_and_last_attempt_out_of_step_show_the_response_everywhere() -> None:
    given_up = postback(1, status="failed", attempts=[UNAVAILABLE], response=BAD_GATEWAY)
    assert "✗ failed 502" in record_header(given_up, UTC).plain
    response = record_stages(given_up)[-1]
    assert response.facts[0] == "502"
    assert response.error is not None
    assert response.error.plain.endswith("after 1 attempts; last answer: 502")


def test_a_postback_with_only_a_response_shows_it_with_no_attempts() -> None:
    retrying = postback(1, status="retrying", attempts=[], response=BAD_GATEWAY)
    assert "✗ retrying 502" in record_header(retrying, UTC).plain
    response = record_stages(retrying)[-1]
    assert response.attempts == []
    assert response.error is not None
    assert response.error.plain.endswith("after 0 attempts; last answer: 502")
