"""The misbehaviours the simulator can be asked for, so that clients can be tested against them.

A spec is a comma-separated list of ``name=value``::

    429=0.05,5xx=0.05,reset=0.02,slow=0.02,malformed=0.02,late=0.1

``429``, ``5xx``, ``reset``, ``slow`` and ``malformed`` are the share of list and
get requests, and of action ``POST``s, that misbehave that way (``/v1/health`` is
never faulted: it is how a client tells a log API from anything else). A ``POST``
meets ``429`` and ``5xx`` before its action is taken, and a reset, a slow or a
malformed answer after it: the answer is lost, not the action, which is the case
a client must retry with the same ``Idempotency-Key``. ``Faults.next`` scripts
the faults of the next requests, for tests that need one at a given moment.

``late`` is the share of new record versions that become visible late, back-dated
by up to ``late_max`` seconds (at most the contract's 120). ``slow_seconds``,
``late_max`` and ``retry_after`` tune the faults; ``seed`` fixes their randomness,
which never touches the data.
"""

from __future__ import annotations

import random
import threading
from collections import deque
from dataclasses import dataclass, field
from typing import Literal, TypeVar

from orderdesk import strings

_T = TypeVar("_T")

Fault = Literal["429", "5xx", "reset", "slow", "malformed"]

#: The contract's bound on how late a record may become visible.
LATE_LIMIT_SECONDS = 120.0

_RATES: dict[str, str] = {
    "429": "too_many_requests",
    "5xx": "server_error",
    "reset": "reset",
    "slow": "slow",
    "malformed": "malformed",
    "late": "late",
}
_SETTINGS: dict[str, str] = {
    "slow_seconds": "slow_seconds",
    "late_max": "late_max_seconds",
    "late_max_seconds": "late_max_seconds",
    "retry_after": "retry_after_seconds",
    "seed": "seed",
}


@dataclass(frozen=True)
class Faults:
    """How often each fault happens; all zero means a well-behaved server."""

    too_many_requests: float = 0.0
    server_error: float = 0.0
    reset: float = 0.0
    slow: float = 0.0
    malformed: float = 0.0
    late: float = 0.0
    slow_seconds: float = 3.0
    late_max_seconds: float = LATE_LIMIT_SECONDS
    retry_after_seconds: int = 1
    seed: int = 0
    _rng: random.Random = field(
        default_factory=random.Random, init=False, compare=False, repr=False
    )
    _lock: threading.Lock = field(
        default_factory=threading.Lock, init=False, compare=False, repr=False
    )
    _script: deque[Fault | None] = field(
        default_factory=deque, init=False, compare=False, repr=False
    )

    def __post_init__(self) -> None:
        for name in _RATES.values():
            share = getattr(self, name)
            if not 0.0 <= share <= 1.0:
                raise ValueError(strings.FAULT_RATE_RANGE.format(name=name, share=share))
        if self.request_fault_share > 1.0:
            raise ValueError(strings.FAULT_RATES_SUM)
        if not 0.0 <= self.late_max_seconds <= LATE_LIMIT_SECONDS:
            raise ValueError(
                strings.FAULT_LATE_MAX.format(limit=LATE_LIMIT_SECONDS, value=self.late_max_seconds)
            )
        if self.slow_seconds < 0 or self.retry_after_seconds < 0:
            raise ValueError(strings.FAULT_NEGATIVE)
        self._rng.seed(self.seed)

    @classmethod
    def parse(cls, spec: str | None) -> Faults:
        """Faults from a spec such as ``"429=0.05,5xx=0.05,late=0.1,late_max=2"``."""
        values: dict[str, float | int] = {}
        for part in (spec or "").split(","):
            part = part.strip()
            if not part:
                continue
            name, sep, raw = part.partition("=")
            name = name.strip().lower()
            if not sep:
                raise ValueError(strings.FAULT_NO_VALUE.format(part=part, name=name))
            attribute = _RATES.get(name) or _SETTINGS.get(name)
            if attribute is None:
                known = ", ".join([*_RATES, *_SETTINGS])
                raise ValueError(strings.FAULT_UNKNOWN.format(name=name, known=known))
            try:
                number = float(raw)
            except ValueError:
                raise ValueError(
                    strings.FAULT_NOT_A_NUMBER.format(name=name, value=raw.strip())
                ) from None
            values[attribute] = (
                int(number) if attribute in ("seed", "retry_after_seconds") else number
            )
        return cls(**values)  # type: ignore[arg-type]

    @property
    def request_fault_share(self) -> float:
        """The share of list and get requests that misbehave."""
        return self.too_many_requests + self.server_error + self.reset + self.slow + self.malformed

    def next(self, *faults: Fault | None) -> None:
        """Act out these faults (None: none) on the next requests, before any drawn at random."""
        with self._lock:
            self._script.extend(faults)

    def draw(self) -> Fault | None:
        """The fault for the next list, get or action request, if any."""
        with self._lock:
            if self._script:
                return self._script.popleft()
        if self.request_fault_share == 0:
            return None
        with self._lock:
            roll = self._rng.random()
        for fault, share in (
            ("429", self.too_many_requests),
            ("5xx", self.server_error),
            ("reset", self.reset),
            ("slow", self.slow),
            ("malformed", self.malformed),
        ):
            if roll < share:
                return fault  # type: ignore[return-value]
            roll -= share
        return None

    def choice(self, options: tuple[_T, ...]) -> _T:
        """A fault-side random pick (which 5xx, which malformed body), off the data's RNG."""
        with self._lock:
            return self._rng.choice(options)
