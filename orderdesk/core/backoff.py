"""How long to wait before retrying the log API: the server's word, or exponential backoff.

Full jitter (a uniform draw between zero and the exponential ceiling) spreads
many clients that failed together, so they do not come back together.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field

from orderdesk import strings

__all__ = ["Backoff", "Delay"]

# 2**62 seconds is beyond any cap; clamping keeps the float arithmetic finite.
_MAX_EXPONENT = 62


@dataclass(frozen=True)
class Delay:
    """A wait before the next attempt, and why it is that long."""

    seconds: float
    #: Seconds the server asked for with ``Retry-After``, when it did.
    asked: float | None = None

    @property
    def capped(self) -> bool:
        """True when the server asked for longer than we are willing to wait."""
        return self.asked is not None and self.asked > self.seconds

    def describe(self) -> str:
        """The wait in words, for a progress line."""
        if self.capped:
            return strings.RETRY_CAPPED.format(seconds=self.seconds, asked=self.asked)
        if self.asked is not None:
            return strings.RETRY_AS_ASKED.format(seconds=self.seconds)
        return strings.RETRY_IN.format(seconds=self.seconds)


@dataclass(frozen=True)
class Backoff:
    """A retry policy: ``Retry-After`` honoured up to a cap, else exponential with full jitter."""

    #: Ceiling of the first retry's wait, in seconds; it doubles with each attempt.
    base: float = 0.5
    #: The largest ceiling exponential backoff reaches, in seconds.
    cap: float = 60.0
    #: The longest ``Retry-After`` honoured; a server asking for an hour waits this long.
    retry_after_cap: float = 300.0
    #: ``uniform(low, high)``; injectable so that tests can fix the jitter.
    uniform: Callable[[float, float], float] = field(default=random.uniform, repr=False)

    def delay(self, attempt: int, retry_after: float | None = None) -> Delay:
        """The wait after failed attempt number ``attempt`` (0 for the first failure)."""
        if retry_after is not None:
            return Delay(min(max(retry_after, 0.0), self.retry_after_cap), asked=retry_after)
        ceiling = min(self.cap, self.base * 2.0 ** min(attempt, _MAX_EXPONENT))
        return Delay(self.uniform(0.0, ceiling))
