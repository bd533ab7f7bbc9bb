"""What each of a record's four stages shows: its facts, headers, bodies, and its failure.

A record's story has four stages, Original, Template, Final and Response,
whether it is a request (customer to printer) or a postback (printer to
customer). This module decides what each stage says, as safe text, so the
widgets only lay it out and tests can read it without a screen.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime, tzinfo
from urllib.parse import urlsplit

from textual.content import Content

from orderdesk import i18n, strings
from orderdesk.core.diagnosis import STAGES, Diagnosis, StageName, record_diagnosis
from orderdesk.core.records import (
    HttpMessage,
    HttpResponse,
    LogRecord,
    PostbackRecord,
    TemplateProcessing,
)
from orderdesk.tui.safe_text import safe

__all__ = [
    "STAGES",
    "Body",
    "Stage",
    "StageName",
    "failing_stage",
    "format_moment",
    "record_stages",
]


@dataclass(frozen=True)
class Body:
    """A text shown in a stage: a message body, or a template's source or output."""

    label: str
    text: str | None
    content_type: str | None = None
    raw: bool = False
    """Shown as it is, never re-indented (a template's source)."""


@dataclass(frozen=True)
class Stage:
    """What one stage of a record shows."""

    name: StageName
    title: Content
    """The stage's name and key facts: method and host, status code, size, duration."""
    facts: tuple[str, ...] = ()
    """The title's facts alone, as stored, for a pane that must shorten them to fit."""
    error: Content | None = None
    """Why the record failed here, shown at the stage's top; None if it did not."""
    note: Content | None = None
    """What the stage lacks (not sent, no answer), when it lacks something."""
    headers: dict[str, str] = field(default_factory=dict)
    attempts: list[HttpResponse] = field(default_factory=list)
    """A postback's delivery attempts, oldest first (Response stage only)."""
    bodies: list[Body] = field(default_factory=list)

    @property
    def failed(self) -> bool:
        """Whether the record failed at this stage."""
        return self.error is not None


def format_moment(moment: datetime, zone: tzinfo) -> str:
    """A moment in the chosen zone, to the second."""
    return i18n.format_moment(moment.astimezone(zone))


def _size(text: str | None) -> str:
    size = len(text.encode("utf-8", "surrogatepass")) if text else 0
    if size < 1024:
        return strings.SIZE_BYTES.format(size=size)
    if size < 1024 * 1024:
        return strings.SIZE_KB.format(size=size / 1024)
    return strings.SIZE_MB.format(size=size / 1024 / 1024)


def _duration(milliseconds: int | None) -> str | None:
    if milliseconds is None:
        return None
    if milliseconds < 1000:
        return strings.DURATION_MS.format(milliseconds=milliseconds)
    return strings.DURATION_SECONDS.format(seconds=milliseconds / 1000)


def _facts(*facts: str | None) -> tuple[str, ...]:
    return tuple(fact for fact in facts if fact)


def _title(label: str, facts: tuple[str, ...]) -> Content:
    return Content(label) if not facts else Content(label + " · ") + safe(" · ".join(facts))


def _message_facts(message: HttpMessage) -> tuple[str, ...]:
    host = urlsplit(message.url).hostname or message.url
    return _facts(f"{message.method} {host}", _size(message.body))


def _answer_facts(answer: HttpResponse) -> list[str | None]:
    code = str(answer.status_code) if answer.status_code is not None else answer.error
    return [code, _size(answer.body) if answer.body else None, _duration(answer.duration_ms)]


def failing_stage(record: LogRecord) -> StageName | None:
    """The stage where the record went wrong, or None if it did not."""
    return record_diagnosis(record).failing_stage


def _error(diagnosis: Diagnosis) -> Content:
    """What went wrong, worded for the failing stage's top."""
    error = diagnosis.error
    if error is not None:
        return safe(strings.STAGE_ERROR.format(code=error.code, message=error.message))
    if diagnosis.what_went_wrong == "template" and diagnosis.template_error is not None:
        return safe(diagnosis.template_error)
    last = diagnosis.last_answer
    answer = "-"
    if last is not None:
        answer = last.error or (str(last.status_code) if last.status_code else "-")
    given_up = diagnosis.what_went_wrong == "not_delivered"
    sentence = strings.NOT_DELIVERED if given_up else strings.STILL_RETRYING
    return safe(sentence.format(attempts=diagnosis.attempts, answer=answer))


def _template_stage(template: TemplateProcessing | None) -> Stage:
    if template is None:
        return Stage("template", Content(strings.STAGE_TEMPLATE), note=Content(strings.NO_TEMPLATE))
    facts = _facts(
        f"{template.name} v{template.version}", template.engine, _duration(template.duration_ms)
    )
    bodies = [Body(strings.TEMPLATE_SOURCE, template.source, raw=True)]
    if template.output is not None:
        bodies.append(Body(strings.TEMPLATE_OUTPUT, template.output))
    note = None if template.output is not None else Content(strings.NO_TEMPLATE_OUTPUT)
    title = _title(strings.STAGE_TEMPLATE, facts)
    return Stage("template", title, facts=facts, note=note, bodies=bodies)


def _message_stage(name: StageName, label: str, message: HttpMessage | None) -> Stage:
    if message is None:
        return Stage(name, Content(label), note=Content(strings.NOT_SENT))
    facts = _message_facts(message)
    return Stage(
        name,
        _title(label, facts),
        facts=facts,
        headers=message.headers,
        bodies=[Body(strings.BODY, message.body, message.content_type)],
    )


def _response_stage(record: LogRecord, diagnosis: Diagnosis) -> Stage:
    answer = diagnosis.last_answer
    attempts = record.attempts if isinstance(record, PostbackRecord) else []
    if answer is None:
        return Stage("response", Content(strings.STAGE_RESPONSE), note=Content(strings.NO_ANSWER))
    facts = _answer_facts(answer)
    if isinstance(record, PostbackRecord):
        facts.append(strings.ATTEMPT_COUNT.format(count=diagnosis.attempts))
    shown = _facts(*facts)
    return Stage(
        "response",
        _title(strings.STAGE_RESPONSE, shown),
        facts=shown,
        headers=answer.headers,
        attempts=list(attempts),
        bodies=[Body(strings.BODY, answer.body, answer.content_type)],
    )


def record_stages(record: LogRecord) -> list[Stage]:
    """The four stages of a record, Original to Response, the failing one carrying the error."""
    diagnosis = record_diagnosis(record)
    stages = [
        _message_stage("original", strings.STAGE_ORIGINAL, record.original),
        _template_stage(record.template),
        _message_stage("final", strings.STAGE_FINAL, record.final),
        _response_stage(record, diagnosis),
    ]
    failing = diagnosis.failing_stage
    if failing is None:
        return stages
    error = _error(diagnosis)
    return [replace(stage, error=error) if stage.name == failing else stage for stage in stages]
