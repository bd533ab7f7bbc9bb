"""A record's diagnosis: its last answer, the stage where it went wrong, and what went wrong.

Worked out here once, from the record alone, so that the list's error column,
the order timeline and its findings, the drill-down's header and stages and
the comparison of two records tell one story. It holds facts, not sentences:
the screens and the CLI word them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from orderdesk.core.records import (
    ErrorStage,
    HttpResponse,
    LogRecord,
    PostbackRecord,
    RecordError,
    RequestRecord,
)

__all__ = ["STAGES", "Diagnosis", "StageName", "WhatWentWrong", "record_diagnosis"]

StageName = Literal["original", "template", "final", "response"]
"""A record's four stages: what came in, the template, what went out, what came back."""
STAGES: tuple[StageName, ...] = ("original", "template", "final", "response")

WhatWentWrong = Literal["error", "template", "not_delivered", "still_retrying"]
"""How a record went wrong: a request's error as the service recorded it, a postback's
template that failed to render, a postback given up on, a postback still being retried."""

#: Where each kind of request error shows. Validation refuses the order after
#: templating and before sending: the Final request is the one that never left.
_STAGE_OF_ERROR: dict[ErrorStage, StageName] = {
    "template": "template",
    "validation": "final",
    "delivery": "response",
    "printer": "response",
}


@dataclass(frozen=True)
class Diagnosis:
    """What a record's log says became of it, in the contract's terms."""

    last_answer: HttpResponse | None
    """The last answer that came back: the printer's to a request, the last delivery
    attempt's for a postback; None when none came."""
    attempts: int
    """A postback's delivery attempts; for a request 1 when the printer answered, else 0."""
    failing_stage: StageName | None
    """The stage where the record went wrong, or None if it did not."""
    what_went_wrong: WhatWentWrong | None
    """How it went wrong at that stage, or None if it did not."""
    error: RecordError | None = None
    """A request's error as the service recorded it: its stage, code and message."""
    template_error: str | None = None
    """The template's render error, whether or not the record failed there."""

    @property
    def last_answer_text(self) -> str | None:
        """The last answer in the record's words: the error (``timeout``), or ``HTTP <code>``."""
        answer = self.last_answer
        if answer is None:
            return None
        if answer.error:
            return answer.error
        return None if answer.status_code is None else f"HTTP {answer.status_code}"


def _last_answer(record: LogRecord) -> HttpResponse | None:
    # `response` first. The contract names it the last answer of both kinds (the
    # printer's answer to a request, "the last attempt" of a postback), so one rule
    # serves both, and a postback whose `response` is not set shows its last listed
    # attempt. The store's HTTP status, duration and error columns, which the lists
    # show and filter on, have always been kept this way: rows already saved agree.
    if record.response is not None:
        return record.response
    if isinstance(record, PostbackRecord) and record.attempts:
        return record.attempts[-1]
    return None


def _request_diagnosis(record: RequestRecord, template_error: str | None) -> Diagnosis:
    error = record.error
    return Diagnosis(
        last_answer=_last_answer(record),
        attempts=0 if record.response is None else 1,
        failing_stage=None if error is None else _STAGE_OF_ERROR[error.stage],
        what_went_wrong=None if error is None else "error",
        error=error,
        template_error=template_error,
    )


def _postback_diagnosis(record: PostbackRecord, template_error: str | None) -> Diagnosis:
    stage: StageName | None = None
    wrong: WhatWentWrong | None = None
    # A template that did not render is the first thing wrong: nothing was sent.
    if template_error is not None:
        stage, wrong = "template", "template"
    elif record.status == "failed":
        stage, wrong = "response", "not_delivered"
    elif record.status == "retrying":
        stage, wrong = "response", "still_retrying"
    return Diagnosis(
        last_answer=_last_answer(record),
        attempts=len(record.attempts),
        failing_stage=stage,
        what_went_wrong=wrong,
        template_error=template_error,
    )


def record_diagnosis(record: LogRecord) -> Diagnosis:
    """The record's last answer, where it went wrong and how, from the record alone."""
    template = record.template
    template_error = template.error if template is not None and template.error else None
    if isinstance(record, RequestRecord):
        return _request_diagnosis(record, template_error)
    return _postback_diagnosis(record, template_error)
