"""What a command that runs until stopped needs: a checked source, and a stop on signals.

``sync`` and ``watch`` both follow a log API until Ctrl-C or SIGTERM, and say
what state they stopped in.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from types import FrameType
from typing import TYPE_CHECKING

from orderdesk import strings
from orderdesk.core.errors import InputError

if TYPE_CHECKING:
    from orderdesk.config import Settings

__all__ = ["Stop", "require_source", "stop_on_signals"]


def require_source(settings: Settings) -> str:
    """The configured log API's address, checked; a mistake says how to give one."""
    import httpx

    if not settings.api_url:
        raise InputError(strings.NO_SOURCE)
    try:
        url = httpx.URL(settings.api_url)
    except httpx.InvalidURL as error:
        raise InputError(strings.BAD_SOURCE_URL.format(url=settings.api_url, why=error)) from None
    if url.scheme not in ("http", "https") or not url.host:
        raise InputError(
            strings.BAD_SOURCE_URL.format(url=settings.api_url, why=strings.NOT_HTTP_URL)
        )
    return settings.api_url


@dataclass
class Stop:
    """The first Ctrl-C or SIGTERM: an event long work checks between pages, and its signal."""

    event: threading.Event = field(default_factory=threading.Event)
    signal: int | None = None


@contextmanager
def stop_on_signals(event: threading.Event | None = None) -> Iterator[Stop]:
    """A stop requested by the first Ctrl-C or SIGTERM, so long work ends between pages.

    A second Ctrl-C interrupts at once; what was committed stays committed.
    ``event``, when given, is the one set (work made before may already wait on it).
    """
    stop = Stop(event) if event is not None else Stop()

    def request_stop(signum: int, frame: FrameType | None) -> None:
        if stop.event.is_set():
            raise KeyboardInterrupt
        stop.signal = signum
        stop.event.set()

    previous = {sig: signal.signal(sig, request_stop) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield stop
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
