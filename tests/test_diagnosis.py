"""A record's diagnosis: its last answer, where it went wrong and how, worked out once."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from orderdesk.core.diagnosis import Diagnosis, record_diagnosis
from orderdesk.core.record_diff import record_differences
from orderdesk.core.records import HttpResponse, PostbackRecord, RecordError, TemplateProcessing
from orderdesk.core.rows import error_summary, row_from_record
from orderdesk.core.timeline import build_timeline
from tests.record_factory import T0, failed_request, postback, request

LATER = T0 + timedelta(hours=2)
TIMEOUT = HttpResponse(at=T0, error="timeout", duration_ms=10_000)
UNAVAILABLE = HttpResponse(at=T0 + timedelta(seconds=5), status_code=503, body="busy")
BAD_GATEWAY = HttpResponse(at=T0 + timedelta(seconds=9), status_code=502, body="gateway")


def retrying(**fields: Any) -> PostbackRecord:
    """A shipping notification the customer's system keeps refusing."""
    defaults: dict[str, Any] = {
        "status": "retrying",
        "attempts": [TIMEOUT, UNAVAILABLE],
        "response": UNAVAILABLE,
    }
    return postback(1, **{**defaults, **fields})


def out_of_step() -> PostbackRecord:
    """A postback whose ``response`` says 502 while its last listed attempt says 503."""
    return retrying(response=BAD_GATEWAY)


class TestWhichAnswerIsTheLast:
    def test_a_request_s_last_answer_is_the_printer_s(self) -> None:
        sent = request(1)
        diagnosis = record_diagnosis(sent)
        assert diagnosis.last_answer == sent.response
        assert diagnosis.attempts == 1

    def test_a_postback_s_last_answer_is_its_last_attempt(self) -> None:
        diagnosis = record_diagnosis(retrying())
        assert diagnosis.last_answer == UNAVAILABLE
        assert diagnosis.attempts == 2
        assert diagnosis.last_answer_text == "HTTP 503"

    def test_response_comes_before_the_last_attempt_when_they_disagree(self) -> None:
        assert record_diagnosis(out_of_step()).last_answer == BAD_GATEWAY

    def test_a_postback_with_only_a_response_answers_with_it(self) -> None:
        diagnosis = record_diagnosis(retrying(attempts=[], response=BAD_GATEWAY))
        assert diagnosis.last_answer == BAD_GATEWAY
        assert diagnosis.attempts == 0

    def test_a_postback_with_attempts_and_no_response_answers_with_the_last(self) -> None:
        diagnosis = record_diagnosis(retrying(attempts=[UNAVAILABLE, TIMEOUT], response=None))
        assert diagnosis.last_answer == TIMEOUT
        assert diagnosis.last_answer_text == "timeout"

    def test_a_pending_request_has_no_answer_and_nothing_wrong(self) -> None:
        pending = request(1, status="pending", order_id=None, final=None, response=None)
        assert record_diagnosis(pending) == Diagnosis(
            last_answer=None, attempts=0, failing_stage=None, what_went_wrong=None
        )
        assert record_diagnosis(pending).last_answer_text is None


class TestWhereAndHowItWentWrong:
    def test_a_delivered_postback_went_right(self) -> None:
        diagnosis = record_diagnosis(postback(1))
        assert (diagnosis.failing_stage, diagnosis.what_went_wrong) == (None, None)

    @pytest.mark.parametrize(
        ("stage", "failing_stage"),
        [
            ("template", "template"),
            ("validation", "final"),
            ("delivery", "response"),
            ("printer", "response"),
        ],
    )
    def test_a_request_fails_at_the_stage_its_error_names(
        self, stage: str, failing_stage: str
    ) -> None:
        error = RecordError(stage=stage, code="x", message="went wrong")
        diagnosis = record_diagnosis(request(1, status="failed", error=error))
        assert diagnosis.failing_stage == failing_stage
        assert diagnosis.what_went_wrong == "error"
        assert diagnosis.error == error

    def test_a_printer_refusal_fails_at_the_response_with_the_printer_s_answer(self) -> None:
        diagnosis = record_diagnosis(failed_request(1))
        assert diagnosis.failing_stage == "response"
        assert diagnosis.error is not None and diagnosis.error.code == "unknown_product"
        assert diagnosis.last_answer_text == "HTTP 422"

    def test_a_template_that_did_not_render_fails_a_postback_at_the_template(self) -> None:
        broken = TemplateProcessing(name="Webhook", version=3, source="{{", error="unexpected end")
        diagnosis = record_diagnosis(retrying(status="failed", template=broken, final=None))
        assert diagnosis.failing_stage == "template"
        assert diagnosis.what_went_wrong == "template"
        assert diagnosis.template_error == "unexpected end"

    def test_a_postback_given_up_on_was_not_delivered(self) -> None:
        diagnosis = record_diagnosis(retrying(status="failed"))
        assert (diagnosis.failing_stage, diagnosis.what_went_wrong) == ("response", "not_delivered")

    def test_a_postback_still_retrying_is_still_retrying(self) -> None:
        diagnosis = record_diagnosis(retrying())
        assert (diagnosis.failing_stage, diagnosis.what_went_wrong) == (
            "response",
            "still_retrying",
        )


class TestEveryPlaceTellsTheSameStory:
    """A postback whose ``response`` and last attempt disagree reads the same everywhere."""

    def test_the_list_s_columns(self) -> None:
        row = row_from_record(out_of_step(), None)
        assert (row["http_status"], row["error_summary"]) == (502, "HTTP 502")
        assert error_summary(out_of_step()) == "HTTP 502"

    def test_the_order_timeline_and_its_findings(self) -> None:
        timeline = build_timeline("ORD-1", [request(1)], [out_of_step()], now=LATER)
        entry = next(entry for entry in timeline.entries if entry.kind == "postbacks")
        assert (entry.http_status, entry.detail, entry.attempts) == (502, "HTTP 502", 2)
        details = {f.rule: f.detail for f in timeline.findings}
        assert details["shipped_undelivered"] == "HTTP 502"
        soon = build_timeline("ORD-1", [], [out_of_step()], now=T0 + timedelta(minutes=2))
        assert [(f.rule, f.detail) for f in soon.findings] == [
            ("no_request", None),
            ("delivery_retrying", "HTTP 502"),
        ]

    def test_the_comparison_of_two_records(self) -> None:
        differences = {
            (d.section, d.path): (d.base, d.other)
            for d in record_differences(retrying(), out_of_step())
        }
        assert differences[("record", "response.status_code")] == (503, 502)
        assert differences[("response", "(body)")] == ("busy", "gateway")
