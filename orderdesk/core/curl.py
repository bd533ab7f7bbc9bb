"""A recorded HTTP request as a curl command, to replay it by hand against a test endpoint.

Secrets stay as the store keeps them: the redaction markers are copied, never
the credentials (which the store does not have), and any header that looks
like a secret and somehow was not redacted is redacted here. Control
characters are shown as escapes, so a pasted command cannot carry a terminal
escape sequence; JSON and XML bodies never contain raw ones anyway.
"""

from __future__ import annotations

import shlex

from orderdesk.core.records import HttpMessage
from orderdesk.core.redact import redact_headers
from orderdesk.core.text import show_controls

__all__ = ["curl_command"]

#: Headers curl works out for itself: copying them would contradict what it sends.
_CURL_OWN_HEADERS = frozenset({"content-length", "host", "connection", "transfer-encoding"})


def curl_command(message: HttpMessage) -> str:
    """The request as a shell command for curl, one option per line, every word quoted."""
    words = [["curl", "-X", message.method.upper(), show_controls(message.url)]]
    for name, value in redact_headers(message.headers).items():
        if name.lower() in _CURL_OWN_HEADERS:
            continue
        words.append(["-H", show_controls(f"{name}: {value}")])
    has_type = any(name.lower() == "content-type" for name in message.headers)
    if message.content_type and not has_type:
        words.append(["-H", show_controls(f"Content-Type: {message.content_type}")])
    if message.body:
        words.append(["--data-raw", show_controls(message.body, keep_layout=True)])
    return " \\\n  ".join(" ".join(shlex.quote(word) for word in line) for line in words) + "\n"
