"""Secrets become markers that keep their length and a fingerprint; everything else is kept."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from orderdesk.core.redact import is_secret_header, redact_headers, redact_record, redact_value
from tests.record_factory import postback, request

MARKER = re.compile(r"\[redacted len=(\d+) sha256:[0-9a-f]{8}\]")
SECRET_NAMES = st.sampled_from(
    [
        "Authorization",
        "x-api-key",
        "X-API-KEY",
        "Cookie",
        "set-cookie",
        "X-Auth-Token",
        "X-Client-Secret",
        "api_key",
        "DB-Password",
        "X-Printer-Token",
    ]
)
PLAIN_NAMES = st.sampled_from(
    ["Content-Type", "Accept", "User-Agent", "X-Request-Id", "Content-Length", "Date"]
)
VALUES = st.text(min_size=1, max_size=200)


@given(name=SECRET_NAMES, value=VALUES)
def test_a_secret_keeps_its_length_and_never_shows(name: str, value: str) -> None:
    marker = redact_headers({name: value})[name]
    match = MARKER.fullmatch(marker)
    assert match is not None
    assert int(match.group(1)) == len(value) or MARKER.fullmatch(value)
    if len(value) > 8:
        assert value not in marker


@given(headers=st.dictionaries(st.one_of(SECRET_NAMES, PLAIN_NAMES), VALUES))
def test_redacting_twice_changes_nothing(headers: dict[str, str]) -> None:
    once = redact_headers(headers)
    assert redact_headers(once) == once


@given(headers=st.dictionaries(PLAIN_NAMES, VALUES))
def test_other_headers_are_untouched(headers: dict[str, str]) -> None:
    assert redact_headers(headers) == headers


def test_two_keys_can_be_told_apart_and_one_key_recognised() -> None:
    first, second = "a" * 40, "b" * 40
    assert redact_value(first) != redact_value(second)
    assert redact_value(first) == redact_value(first)
    assert redact_value(first).startswith("[redacted len=40 sha256:")


@pytest.mark.parametrize(
    ("name", "secret"),
    [
        ("Authorization", True),
        ("proxy-authorization", True),
        ("Keep-Alive", False),
        ("X-Idempotency-Key", True),
        ("Content-Type", False),
        ("x-webhook-secret", True),
    ],
)
def test_which_headers_are_secret(name: str, secret: bool) -> None:
    assert is_secret_header(name) is secret


def test_every_stage_and_attempt_of_a_record_is_redacted() -> None:
    record = postback(1)
    redacted = redact_record(record)
    assert redacted.original.headers["X-Printer-Token"].startswith("[redacted len=18 ")
    assert redacted.attempts[0].headers["Set-Cookie"].startswith("[redacted len=14 ")
    assert redacted.response is not None
    assert redacted.response.headers["Set-Cookie"] == redacted.attempts[0].headers["Set-Cookie"]
    assert record.original.headers["X-Printer-Token"] == "printer-secret-123"  # a copy
    assert redact_record(redacted) == redacted


def test_a_request_keeps_its_plain_headers() -> None:
    redacted = redact_record(request(1))
    assert redacted.final is not None
    assert redacted.final.headers["Content-Type"] == "application/json"
    assert "s3cr3t" not in redacted.final.headers["Authorization"]


def test_a_record_without_secrets_is_kept_as_it_came_and_one_with_them_is_copied() -> None:
    record = request(1)
    plain = record.model_copy(
        update={"final": None, "original": record.original.model_copy(update={"headers": {}})}
    )
    assert redact_record(plain) is plain
    redacted = redact_record(record)
    assert redacted is not record and redacted.response is record.response
    assert redacted.final is not None and record.final is not None
    assert redacted.final.headers["Authorization"] != record.final.headers["Authorization"]
