"""What ``orderdesk watch`` remembers across passes and restarts: the groups it alerted on.

A group (rule, severity, customer id, printer id, cause) alerts once per
*episode*: from the pass that finds it active (something new in the last
``QUIET_AFTER``) until a pass finds it quiet, or gone. The first pass that sees
an active group with no open episode alerts, and says why: it ``appeared``
(never alerted on before), it ``returned`` (an earlier episode ended quiet),
and, beside either, ``rate_jump`` when its last hour holds at least
``RATE_JUMP`` times the findings of the hour before (and at least
``RATE_MINIMUM``), so a burst reads as one.

The state is kept in the store, in ``meta`` rows keyed ``watch:<digest>``, so
that no schema version is needed for a few rows, and a watch on another
machine sharing a PostgreSQL store sees the same state. Each row is written in
its own transaction *after* the alert was delivered: delivery is
**at least once**. A crash between delivering and recording repeats that one
alert after the restart; the other order would lose it, and for an unattended
alarm a duplicate is the cheaper mistake. Rows of episodes that ended more
than ``KEEP_ENDED`` ago are dropped when a watch starts.

An episode ends when a pass sees the group quiet: a quiet spell that began
and ended while no watch ran goes unseen, and the group's return does not alert.
The first pass over a store holds no episodes, so every active group alerts.

A store the watcher may only read cannot hold this state: :meth:`WatchState.open`
refuses it (:class:`StoreError`), rather than alert again on every pass.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Literal

from sqlalchemy import delete, insert, select
from sqlalchemy.exc import DBAPIError

from orderdesk import strings
from orderdesk.core.errors import StoreError
from orderdesk.core.problems import QUIET_AFTER, ProblemGroup, problem_groups
from orderdesk.core.records import format_timestamp, to_utc
from orderdesk.core.schema import META
from orderdesk.core.store import Store

__all__ = [
    "KEEP_ENDED",
    "RATE_JUMP",
    "RATE_MINIMUM",
    "Alert",
    "Episode",
    "GroupKey",
    "WatchState",
    "Why",
    "due_alerts",
    "is_active",
    "rate_jumped",
]

#: How many times the hour before's findings the last hour must hold to be a jump.
RATE_JUMP = 5
#: The fewest findings in the last hour that can be a jump: 0 then 1 is noise.
RATE_MINIMUM = 5
#: How long an ended episode is remembered, so a group coming back reads "returned".
KEEP_ENDED = timedelta(days=7)

_PREFIX = "watch:"
_HOUR = timedelta(hours=1)

Why = Literal["appeared", "returned", "rate_jump"]


@dataclass(frozen=True)
class GroupKey:
    """What makes a problem group the same fault from one pass to the next."""

    rule: str
    severity: str
    customer_id: str
    printer_id: str | None
    cause: str | None

    @classmethod
    def of(cls, group: ProblemGroup) -> GroupKey:
        """The key of a group ``problem_groups`` returned."""
        printer = group.printer.id if group.printer is not None else None
        return cls(group.rule, group.severity, group.customer.id, printer, group.cause)

    def digest(self) -> str:
        """A short fixed-length name for the key: causes are untrusted and may be long."""
        fields = [self.rule, self.severity, self.customer_id, self.printer_id, self.cause]
        text = json.dumps(fields, ensure_ascii=True)
        return hashlib.sha256(text.encode()).hexdigest()[:32]


@dataclass(frozen=True)
class Episode:
    """The last alert a group had, and whether the group went quiet since."""

    key: GroupKey
    alerted_at: datetime
    why: tuple[Why, ...]
    ended_at: datetime | None = None

    def as_json(self) -> str:
        """The row's value in ``meta``."""
        k = self.key
        return json.dumps(
            {
                "key": [k.rule, k.severity, k.customer_id, k.printer_id, k.cause],
                "alerted_at": format_timestamp(self.alerted_at),
                "why": list(self.why),
                "ended_at": None if self.ended_at is None else format_timestamp(self.ended_at),
            },
            ensure_ascii=True,
        )

    @classmethod
    def from_json(cls, text: str) -> Episode:
        """An episode back from its ``meta`` row."""
        data = json.loads(text)
        ended = data.get("ended_at")
        return cls(
            key=GroupKey(*data["key"]),
            alerted_at=to_utc(datetime.fromisoformat(data["alerted_at"])),
            why=tuple(data["why"]),
            ended_at=None if ended is None else to_utc(datetime.fromisoformat(ended)),
        )


@dataclass(frozen=True)
class Alert:
    """A group that should alert now, and why."""

    group: ProblemGroup
    why: tuple[Why, ...]
    last_hour: int
    hour_before: int
    #: When this group last alerted (an ended episode), or None if never.
    previous: datetime | None

    @property
    def key(self) -> GroupKey:
        """The group's identity."""
        return GroupKey.of(self.group)


def rate_jumped(last_hour: int, hour_before: int) -> bool:
    """Whether a group's last hour is a jump over the hour before it."""
    return last_hour >= RATE_MINIMUM and last_hour >= RATE_JUMP * hour_before


def is_active(group: ProblemGroup, now: datetime) -> bool:
    """Something new in the group within ``QUIET_AFTER`` before ``now``."""
    return now - group.last_seen < QUIET_AFTER


class WatchState:
    """The episodes of one store, read and written through short transactions."""

    def __init__(self, store: Store) -> None:
        self.store = store

    @classmethod
    def open(cls, store: Store, *, now: datetime) -> WatchState:
        """The store's watch state, long-ended episodes dropped; a read-only store is refused."""
        state = cls(store)
        try:
            with store.writing() as connection:
                old = [
                    episode
                    for episode in state.episodes().values()
                    if episode.ended_at is not None and now - episode.ended_at > KEEP_ENDED
                ]
                if old:
                    keys = [_PREFIX + episode.key.digest() for episode in old]
                    connection.execute(delete(META).where(META.c.key.in_(keys)))
                # A write even when nothing is old, so a store we cannot write to says so now.
                connection.execute(delete(META).where(META.c.key == _PREFIX + "started"))
                connection.execute(
                    insert(META), {"key": _PREFIX + "started", "value": format_timestamp(now)}
                )
        except DBAPIError as error:
            raise StoreError(
                strings.WATCH_STORE_READ_ONLY.format(where=store.shown_url, error=error.orig)
            ) from None
        return state

    def episodes(self) -> dict[GroupKey, Episode]:
        """Every remembered episode, by group."""
        with self.store.engine.connect() as connection:
            rows = connection.execute(
                select(META.c.key, META.c.value).where(META.c.key.startswith(_PREFIX))
            ).all()
        found = {}
        for key, value in rows:
            if key == _PREFIX + "started":
                continue
            episode = Episode.from_json(value)
            found[episode.key] = episode
        return found

    def record(self, episodes: Iterable[Episode]) -> None:
        """Write episodes (an alert delivered, an episode ended), in one transaction."""
        batch = list(episodes)
        if not batch:
            return
        keys = [_PREFIX + episode.key.digest() for episode in batch]
        with self.store.writing() as connection:
            connection.execute(delete(META).where(META.c.key.in_(keys)))
            connection.execute(
                insert(META),
                [
                    {"key": key, "value": episode.as_json()}
                    for key, episode in zip(keys, batch, strict=True)
                ],
            )


def _counts(store: Store, now: datetime, since: datetime, until: datetime) -> dict[GroupKey, int]:
    groups = problem_groups(store, now=now, since=since, until=until, buckets=1)
    return {GroupKey.of(group): group.findings for group in groups}


def due_alerts(
    store: Store, episodes: dict[GroupKey, Episode], *, now: datetime
) -> tuple[list[Alert], list[Episode]]:
    """The groups that should alert at ``now``, and the open episodes that ended (to record).

    ``episodes`` is what :meth:`WatchState.episodes` read; neither is written here.
    """
    groups = problem_groups(store, now=now, buckets=1)
    active = {GroupKey.of(group): group for group in groups if is_active(group, now)}
    ended = [
        replace(episode, ended_at=now)
        for key, episode in episodes.items()
        if episode.ended_at is None and key not in active
    ]
    fresh = [
        group
        for key, group in active.items()
        if key not in episodes or episodes[key].ended_at is not None
    ]
    if not fresh:
        return [], ended
    last_hour = _counts(store, now, now - _HOUR, now)
    hour_before = _counts(store, now, now - 2 * _HOUR, now - _HOUR)
    alerts = []
    for group in fresh:
        key = GroupKey.of(group)
        earlier = episodes.get(key)
        why: list[Why] = ["appeared" if earlier is None else "returned"]
        counts = last_hour.get(key, 0), hour_before.get(key, 0)
        if rate_jumped(*counts):
            why.append("rate_jump")
        alerts.append(
            Alert(
                group,
                tuple(why),
                *counts,
                previous=None if earlier is None else earlier.alerted_at,
            )
        )
    return alerts, ended
