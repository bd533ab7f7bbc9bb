"""Where ``orderdesk watch`` sends an alert: a command's standard input, and a Slack-style webhook.

The command is an argv (``--exec`` is split like a shell would, but no shell
runs it), so nothing from the store can become part of a command line: the
group travels as JSON on standard input only. It gets ``timeout`` seconds and is
then killed with its whole process group. The webhook gets ``{"text": ...}``,
is retried with backoff on 5xx, 429 and network errors, and a redirect is
reported, never followed: the address may carry a token, and it should not be
handed on to wherever a server points. A webhook address is shown only as its
host with the rest redacted (``core.redact``), in errors as in progress lines.

A failed delivery is said on stderr and never ends the watch.
"""

from __future__ import annotations

import contextlib
import json
import os
import shlex
import shutil
import signal
import subprocess
import tempfile
import threading
from collections.abc import Callable, Mapping
from typing import Any

import httpx

from orderdesk import i18n, strings
from orderdesk.core.backoff import Backoff
from orderdesk.core.errors import InputError
from orderdesk.core.problems import ProblemGroup
from orderdesk.core.records import format_timestamp
from orderdesk.core.redact import redact_value
from orderdesk.core.text import show_controls
from orderdesk.core.watch_state import Alert

__all__ = ["CommandSink", "WebhookSink", "alert_json", "alert_sentence", "shown_webhook"]

#: Attempts a webhook gets before its alert is given up for this pass.
WEBHOOK_ATTEMPTS = 4
_RETRIED_STATUS = frozenset({429, 500, 502, 503, 504})


def _party(name: str | None) -> str:
    return show_controls(name) if name else "-"


def alert_sentence(alert: Alert) -> str:
    """One line with the group's facts, in the interface language; store text made visible."""
    group = alert.group
    whys = strings.WATCH_WHY
    return strings.WATCH_SENTENCE.format(
        severity=strings.PROBLEM_SEVERITIES.get(group.severity, group.severity),
        rule=group.rule,
        customer=_party(group.customer.name),
        printer=_party(group.printer.name if group.printer else None),
        cause=_party(group.cause),
        orders=group.orders,
        findings=group.findings,
        why=", ".join(whys[why] for why in alert.why),
        last_seen=i18n.format_moment(group.last_seen, "minutes"),
    )


def alert_json(alert: Alert) -> dict[str, Any]:
    """The group as a script reads it on standard input."""
    group: ProblemGroup = alert.group

    def party(value: Any) -> dict[str, str] | None:
        return None if value is None else {"id": value.id, "name": value.name}

    return {
        "rule": group.rule,
        "severity": group.severity,
        "customer": party(group.customer),
        "printer": party(group.printer),
        "cause": group.cause,
        "orders": group.orders,
        "findings": group.findings,
        "first_seen": format_timestamp(group.first_seen),
        "last_seen": format_timestamp(group.last_seen),
        "state": alert.state,
        "why": list(alert.why),
        "last_hour": alert.last_hour,
        "hour_before": alert.hour_before,
        "sentence": alert_sentence(alert),
    }


#: The watch's own secrets: the source's key and the webhook's address (its token). A
#: paging script needs neither, and a script that logs its environment would leak them.
_KEPT_FROM_COMMAND = ("ORDERDESK_API_KEY", "ORDERDESK_WEBHOOK")


def command_environment(environment: Mapping[str, str]) -> dict[str, str]:
    """The environment an ``--exec`` command runs with: ours, without the watch's secrets."""
    return {name: value for name, value in environment.items() if name not in _KEPT_FROM_COMMAND}


class CommandSink:
    """Runs a command per alert with the alert's JSON on its standard input."""

    def __init__(self, command: str, *, timeout: float) -> None:
        try:
            self.argv = shlex.split(command)
        except ValueError as error:
            raise InputError(strings.WATCH_BAD_EXEC.format(error=error)) from None
        if not self.argv:
            raise InputError(strings.WATCH_BAD_EXEC.format(error=strings.WATCH_EXEC_EMPTY))
        if shutil.which(self.argv[0]) is None:
            raise InputError(strings.WATCH_EXEC_NOT_FOUND.format(command=self.argv[0]))
        self.timeout = timeout
        self.shown = shlex.join(self.argv[:1])

    def deliver(self, payload: dict[str, Any]) -> str | None:
        """Run the command; None when it exited 0, else what went wrong, in a sentence."""
        data = (json.dumps(payload, ensure_ascii=True) + "\n").encode()
        # stderr to a file, not a pipe: a child that leaves a grandchild holding a pipe
        # open would make reading it hang past the timeout.
        with tempfile.TemporaryFile() as errors:
            try:
                child = subprocess.Popen(
                    self.argv,
                    stdin=subprocess.PIPE,
                    stdout=subprocess.DEVNULL,
                    stderr=errors,
                    env=command_environment(os.environ),
                    start_new_session=True,
                )
            except OSError as error:
                return strings.WATCH_EXEC_CANNOT_START.format(
                    command=self.shown, error=error.strerror or error
                )
            try:
                self._feed(child, data)
                code = child.wait(timeout=self.timeout)
            except subprocess.TimeoutExpired:
                _kill_group(child)
                return strings.WATCH_EXEC_TIMEOUT.format(command=self.shown, seconds=self.timeout)
            if code == 0:
                return None
            errors.seek(0)
            lines = errors.read().decode(errors="replace").strip().splitlines()
            last = show_controls(lines[-1][:200]) if lines else "-"
            return strings.WATCH_EXEC_FAILED.format(command=self.shown, code=code, last=last)

    def _feed(self, child: subprocess.Popen[bytes], data: bytes) -> None:
        """Write the payload in a thread, so a command that never reads cannot block us."""
        stdin = child.stdin
        assert stdin is not None

        def write() -> None:
            try:
                stdin.write(data)
                stdin.close()
            except OSError:
                pass  # It exited without reading: its exit code says the rest.

        threading.Thread(target=write, daemon=True).start()


def _kill_group(child: subprocess.Popen[bytes]) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(child.pid, signal.SIGKILL)
    child.wait()


def shown_webhook(url: str) -> str:
    """The webhook's address with all but its scheme and host redacted."""
    try:
        parsed = httpx.URL(url)
    except httpx.InvalidURL:
        return redact_value(url)
    where = parsed.host + (f":{parsed.port}" if parsed.port else "")
    rest = parsed.raw_path.decode(errors="replace")
    if rest in ("", "/"):
        return f"{parsed.scheme}://{where}/"
    return f"{parsed.scheme}://{where}/{redact_value(rest)}"


class WebhookSink:
    """Posts each alert's sentence to a Slack-style incoming webhook."""

    def __init__(
        self,
        url: str,
        *,
        timeout: float = 10.0,
        backoff: Backoff | None = None,
        wait: Callable[[float], bool] | None = None,
        say: Callable[[str], None] = lambda line: None,
    ) -> None:
        try:
            parsed = httpx.URL(url)
        except httpx.InvalidURL:
            parsed = None
        if parsed is None or parsed.scheme not in ("http", "https") or not parsed.host:
            raise InputError(strings.WATCH_BAD_WEBHOOK.format(url=shown_webhook(url)))
        self.url = url
        self.shown = shown_webhook(url)
        self.backoff = backoff or Backoff(base=0.5, cap=8.0, retry_after_cap=30.0)
        # ``wait`` returns True when the watch was stopped while waiting.
        self._wait = wait or (lambda seconds: threading.Event().wait(seconds))
        self._say = say
        self._client = httpx.Client(timeout=timeout, follow_redirects=False)

    def close(self) -> None:
        """Close the connection pool."""
        self._client.close()

    def deliver(self, payload: dict[str, Any]) -> str | None:
        """Post the alert; None once the hook took it, else what went wrong, in a sentence."""
        body = {"text": _slack_escaped(payload["sentence"])}
        problem = ""
        for attempt in range(WEBHOOK_ATTEMPTS):
            retry_after: float | None = None
            try:
                response = self._client.post(self.url, json=body)
            except httpx.HTTPError as error:
                problem = self._hidden(f"{type(error).__name__}: {error}")
            else:
                if response.is_success:
                    return None
                if response.is_redirect:
                    return strings.WATCH_WEBHOOK_REDIRECT.format(
                        url=self.shown, status=response.status_code
                    )
                problem = f"HTTP {response.status_code}"
                if response.status_code not in _RETRIED_STATUS:
                    return strings.WATCH_WEBHOOK_REFUSED.format(url=self.shown, problem=problem)
                retry_after = _retry_after(response)
            if attempt + 1 == WEBHOOK_ATTEMPTS:
                break
            delay = self.backoff.delay(attempt, retry_after)
            self._say(
                strings.WATCH_WEBHOOK_RETRY.format(
                    url=self.shown, problem=problem, wait=delay.describe()
                )
            )
            if self._wait(delay.seconds):
                break
        return strings.WATCH_WEBHOOK_FAILED.format(url=self.shown, problem=problem)

    def _hidden(self, text: str) -> str:
        """``text`` with the webhook's address, or its path, replaced by the shown form."""
        text = text.replace(self.url, self.shown)
        path = httpx.URL(self.url).raw_path.decode(errors="replace")
        if len(path) > 1:
            text = text.replace(path, "/" + redact_value(path))
        return show_controls(text)


def _retry_after(response: httpx.Response) -> float | None:
    value = response.headers.get("Retry-After", "")
    try:
        return float(value)
    except ValueError:
        return None


def _slack_escaped(text: str) -> str:
    """Slack reads ``<...>`` as links and mentions: store text must not ping a channel."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
