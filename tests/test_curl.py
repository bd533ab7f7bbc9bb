"""A Final request as a curl command: quoted for the shell, secrets still redacted."""

from __future__ import annotations

import json
import shlex

from orderdesk.core.curl import curl_command
from orderdesk.core.records import HttpMessage
from orderdesk.core.redact import redact_value
from tests.record_factory import T0


def shell_words(command: str) -> list[str]:
    """The words a POSIX shell would pass to curl (a backslash-newline continues the line)."""
    return shlex.split(command.replace("\\\n", ""))


def test_the_command_round_trips_through_the_shell() -> None:
    body = json.dumps({"orderReferenceId": "O'Brien-1", "note": '$(rm -rf /) `x` "q"'})
    message = HttpMessage(
        at=T0,
        method="post",
        url="https://api.example/v4/orders?a=1&b=2",
        headers={"Content-Type": "application/json", "User-Agent": "intake-router/4.2"},
        body=body,
    )
    words = shell_words(curl_command(message))
    assert words == [
        "curl",
        "-X",
        "POST",
        "https://api.example/v4/orders?a=1&b=2",
        "-H",
        "Content-Type: application/json",
        "-H",
        "User-Agent: intake-router/4.2",
        "--data-raw",
        body,
    ]


def test_redacted_secrets_stay_redacted_and_unredacted_ones_are_redacted() -> None:
    marker = redact_value("iwp_live_5f1c9a2e7b")
    message = HttpMessage(
        at=T0,
        method="POST",
        url="https://api.example/v4/orders",
        headers={"X-API-KEY": marker, "Authorization": "Bearer raw-token-123", "Host": "x"},
    )
    command = curl_command(message)
    assert "raw-token-123" not in command
    words = shell_words(command)
    assert f"X-API-KEY: {marker}" in words
    assert f"Authorization: {redact_value('Bearer raw-token-123')}" in words
    assert not any(word.startswith("Host:") for word in words)  # curl sets its own


def test_control_characters_never_reach_the_clipboard_raw() -> None:
    message = HttpMessage(
        at=T0, method="PUT", url="https://x.example/\x1b]52;c;AAAA\x07", body="a\x1b[31mb\nc"
    )
    command = curl_command(message)
    assert "\x1b" not in command and "\x07" not in command
    assert shell_words(command)[-1] == "a\\x1b[31mb\nc"


def test_a_content_type_known_only_from_the_record_is_sent_as_a_header() -> None:
    message = HttpMessage(
        at=T0, method="POST", url="https://x.example/", content_type="application/xml", body="<a/>"
    )
    assert "Content-Type: application/xml" in shell_words(curl_command(message))
