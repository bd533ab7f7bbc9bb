"""When a problem group deserves someone's attention: it is new, or its rate jumped.

One notion for every watcher (the console's alerts, ``orderdesk watch``): a
group is known by :func:`group_key`; it alerts when it appears, or when its
last hour holds :data:`JUMP_FACTOR` times the findings of the hour before
(and at least :data:`JUMP_AT_LEAST`); and it alerts once, until it goes quiet
(or closes) and comes back. :class:`AlertMemory` keeps that "once".
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Literal, NamedTuple

from orderdesk.core.problems import QUIET_AFTER, ProblemGroup, problem_groups
from orderdesk.core.store import Store
from orderdesk.core.timeline_rules import Severity

__all__ = [
    "JUMP_AT_LEAST",
    "JUMP_FACTOR",
    "Alert",
    "AlertMemory",
    "GroupKey",
    "group_key",
    "hourly_findings",
    "rate_jumped",
]

#: The last hour must hold this many times the findings of the hour before.
JUMP_FACTOR = 5
#: ... and at least this many: a few findings after none are noise, not a jump.
JUMP_AT_LEAST = 5

_HOUR = timedelta(hours=1)


class GroupKey(NamedTuple):
    """What makes a problem group the same group from one look to the next."""

    rule: str
    severity: Severity
    customer_id: str
    printer_id: str | None
    cause: str | None


def group_key(group: ProblemGroup) -> GroupKey:
    """The identity of ``group``: its rule, severity, customer, printer and cause."""
    printer = group.printer.id if group.printer is not None else None
    return GroupKey(group.rule, group.severity, group.customer.id, printer, group.cause)


def rate_jumped(last_hour: int, hour_before: int) -> bool:
    """Whether findings jumped: ``last_hour`` at least 5x ``hour_before``, and at least 5."""
    return last_hour >= JUMP_AT_LEAST and last_hour >= JUMP_FACTOR * hour_before


def hourly_findings(
    store: Store, *, now: datetime, severities: tuple[Severity, ...] = ("problem",)
) -> dict[GroupKey, tuple[int, int]]:
    """Each open group's findings in the hour before ``now`` and in the hour before that."""
    counts: dict[GroupKey, tuple[int, int]] = {}
    last = problem_groups(store, now=now, since=now - _HOUR, buckets=1, severities=severities)
    before = problem_groups(
        store, now=now, since=now - 2 * _HOUR, until=now - _HOUR, buckets=1, severities=severities
    )
    for group in before:
        counts[group_key(group)] = (0, group.findings)
    for group in last:
        key = group_key(group)
        counts[key] = (group.findings, counts.get(key, (0, 0))[1])
    return counts


@dataclass(frozen=True)
class Alert:
    """A group to tell someone about, and why: it is ``new``, or its rate ``jumped``."""

    group: ProblemGroup
    why: Literal["new", "jumped"]


@dataclass
class AlertMemory:
    """Which groups were already told, so that each alerts once until it is quiet again.

    The first look only learns what is open: what was going on before the
    watcher started is on its screen or in its listing, not in a flood of alerts.
    """

    _known: set[GroupKey] = field(default_factory=set)
    _told: set[GroupKey] = field(default_factory=set)
    _looked: bool = False

    def alerts(
        self,
        groups: Sequence[ProblemGroup],
        hourly: dict[GroupKey, tuple[int, int]],
        *,
        now: datetime,
    ) -> list[Alert]:
        """The alerts due for ``groups`` at ``now``, remembering them as told."""
        due: list[Alert] = []
        open_now: set[GroupKey] = set()
        for group in groups:
            key = group_key(group)
            if now - group.last_seen >= QUIET_AFTER:
                continue  # quiet: forgotten below, so that its return alerts again
            open_now.add(key)
            if key in self._told:
                continue
            if self._looked and key not in self._known:
                due.append(Alert(group, "new"))
                self._told.add(key)
            elif rate_jumped(*hourly.get(key, (0, 0))):
                due.append(Alert(group, "jumped"))
                self._told.add(key)
        self._known = open_now
        self._told &= open_now
        self._looked = True
        return due
