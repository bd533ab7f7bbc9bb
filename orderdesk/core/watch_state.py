"""What ``orderdesk watch`` remembers across passes and restarts, and which groups alert now.

A group (rule, severity, customer id, printer id, cause) is *active* while
something new came in the last ``QUIET_AFTER``. An *episode* runs from the pass
that finds it active until a pass finds it quiet, or gone, and alerts at most
once. A pass alerts for an active group, saying why:

- ``appeared``: the watch never saw it active, and it began after the watch
  first looked at this store (less ``QUIET_AFTER``, so a fault that began just
  before counts). Groups already going on then are a baseline, not news: a
  first start alerts on what is new, not on the whole history.
- ``returned``: an earlier episode of it ended quiet.
- ``rate_jump``: its findings jumped, as the console's alerts judge it
  (``problem_alerts.rate_jumped``, the same rule in both). It alerts a baseline group
  that gets worse, and is added beside ``appeared`` or ``returned`` when it holds.

The state is kept in the store, in ``meta`` rows keyed ``watch:...``, so that
no schema version is needed for a few rows, and a watch on another machine
sharing a PostgreSQL store sees the same state. An alert's row is written in
its own transaction *after* the alert was delivered: delivery is **at least
once**. A crash between delivering and recording repeats that one alert after
the restart; the other order would lose it, and for an unattended alarm a
duplicate is the cheaper mistake. Rows of episodes that ended more than
``KEEP_ENDED`` ago are dropped when a watch starts.

An episode ends when a pass sees the group quiet: a quiet spell that began and
ended while no watch ran goes unseen, and the group's return does not alert.

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

from sqlalchemy import Connection, delete, insert, select
from sqlalchemy.exc import DBAPIError

from orderdesk import strings
from orderdesk.core.errors import StoreError
from orderdesk.core.problem_alerts import GroupKey, group_key, hourly_findings, rate_jumped
from orderdesk.core.problems import QUIET_AFTER, ProblemGroup, ProblemState, problem_groups
from orderdesk.core.records import format_timestamp, to_utc
from orderdesk.core.schema import META
from orderdesk.core.store import Store

__all__ = [
    "KEEP_ENDED",
    "Alert",
    "Episode",
    "Pass",
    "WatchState",
    "Why",
    "due_alerts",
    "is_active",
]

#: How long an ended episode is remembered, so a group coming back reads "returned".
KEEP_ENDED = timedelta(days=7)

_PREFIX = "watch:"
_BEGAN = _PREFIX + "began"
_STARTED = _PREFIX + "started"

Why = Literal["appeared", "returned", "rate_jump"]


def _digest(key: GroupKey) -> str:
    """A short fixed-length name for a group's key: causes are untrusted and may be long."""
    text = json.dumps(list(key), ensure_ascii=True)
    return hashlib.sha256(text.encode()).hexdigest()[:32]


@dataclass(frozen=True)
class Episode:
    """A group the watch saw active: when it alerted (None: not yet), and when it went quiet."""

    key: GroupKey
    alerted_at: datetime | None
    why: tuple[Why, ...] = ()
    ended_at: datetime | None = None

    @property
    def alerted(self) -> bool:
        """Whether this episode has alerted."""
        return self.alerted_at is not None

    def as_json(self) -> str:
        """The row's value in ``meta``."""
        return json.dumps(
            {
                "key": list(self.key),
                "alerted_at": _moment(self.alerted_at),
                "why": list(self.why),
                "ended_at": _moment(self.ended_at),
            },
            ensure_ascii=True,
        )

    @classmethod
    def from_json(cls, text: str) -> Episode:
        """An episode back from its ``meta`` row."""
        data = json.loads(text)
        return cls(
            key=GroupKey(*data["key"]),
            alerted_at=_parsed(data["alerted_at"]),
            why=tuple(data["why"]),
            ended_at=_parsed(data["ended_at"]),
        )


def _moment(value: datetime | None) -> str | None:
    return None if value is None else format_timestamp(value)


def _parsed(value: str | None) -> datetime | None:
    return None if value is None else to_utc(datetime.fromisoformat(value))


@dataclass(frozen=True)
class Alert:
    """A group that should alert now, and why."""

    group: ProblemGroup
    why: tuple[Why, ...]
    last_hour: int
    hour_before: int

    @property
    def state(self) -> ProblemState:
        """``new`` for a group that appeared, else ``ongoing`` (an alerting group is not quiet)."""
        return "new" if "appeared" in self.why else "ongoing"

    @property
    def key(self) -> GroupKey:
        """The group's identity."""
        return group_key(self.group)


def is_active(group: ProblemGroup, now: datetime) -> bool:
    """Something new in the group within ``QUIET_AFTER`` before ``now``."""
    return now - group.last_seen < QUIET_AFTER


class WatchState:
    """The episodes of one store, read and written through short transactions."""

    def __init__(self, store: Store, began: datetime) -> None:
        self.store = store
        #: When a watch first looked at this store: groups older than that are the baseline.
        self.began = began

    @classmethod
    def open(cls, store: Store, *, now: datetime) -> WatchState:
        """The store's watch state, long-ended episodes dropped; a read-only store is refused."""
        try:
            with store.writing() as connection:
                began = connection.execute(
                    select(META.c.value).where(META.c.key == _BEGAN)
                ).scalar_one_or_none()
                if began is None:
                    # Also a write on every start, so a store we cannot write to says so now.
                    connection.execute(
                        insert(META), {"key": _BEGAN, "value": format_timestamp(now)}
                    )
                state = cls(store, now if began is None else to_utc(datetime.fromisoformat(began)))
                old = [
                    _PREFIX + _digest(key)
                    for key, episode in state.episodes(connection).items()
                    if episode.ended_at is not None and now - episode.ended_at > KEEP_ENDED
                ]
                # A write on every start, so a store we cannot write to says so now.
                connection.execute(delete(META).where(META.c.key.in_([*old, _STARTED])))
                connection.execute(insert(META), {"key": _STARTED, "value": format_timestamp(now)})
        except DBAPIError as error:
            raise StoreError(
                strings.WATCH_STORE_READ_ONLY.format(where=store.shown_url, error=error.orig)
            ) from None
        return state

    def episodes(self, connection: Connection | None = None) -> dict[GroupKey, Episode]:
        """Every remembered episode, by group."""
        statement = select(META.c.key, META.c.value).where(
            META.c.key.startswith(_PREFIX), META.c.key.not_in([_BEGAN, _STARTED])
        )
        if connection is None:
            with self.store.engine.connect() as reading:
                rows = reading.execute(statement).all()
        else:
            rows = connection.execute(statement).all()
        found = {}
        for _, value in rows:
            episode = Episode.from_json(value)
            found[episode.key] = episode
        return found

    def record(self, episodes: Iterable[Episode]) -> None:
        """Write episodes (an alert sent, a group seen, an episode ended) in one transaction."""
        batch = list(episodes)
        if not batch:
            return
        keys = [_PREFIX + _digest(episode.key) for episode in batch]
        with self.store.writing() as connection:
            connection.execute(delete(META).where(META.c.key.in_(keys)))
            connection.execute(
                insert(META),
                [
                    {"key": key, "value": episode.as_json()}
                    for key, episode in zip(keys, batch, strict=True)
                ],
            )


@dataclass(frozen=True)
class Pass:
    """What one look at the groups found: alerts to send, and episodes to record as they are."""

    alerts: list[Alert]
    #: Episodes that ended, and groups first seen active that do not alert (the baseline).
    seen: list[Episode]


def _why(group: ProblemGroup, episode: Episode | None, jumped: bool, began: datetime) -> list[Why]:
    """Why an active group alerts now; empty when it does not."""
    if episode is not None and episode.ended_at is None:
        # An open episode alerts once: on a jump, if it has not alerted yet.
        return ["rate_jump"] if jumped and not episode.alerted else []
    if episode is not None:
        why: list[Why] = ["returned"]
    elif group.first_seen >= began - QUIET_AFTER:
        why = ["appeared"]
    else:
        why = []
    return [*why, "rate_jump"] if jumped else why


def _settled(episode: Episode | None) -> bool:
    """An episode that has alerted and is not over: its group cannot alert."""
    return episode is not None and episode.ended_at is None and episode.alerted


def due_alerts(
    store: Store, episodes: dict[GroupKey, Episode], *, now: datetime, began: datetime
) -> Pass:
    """The groups that should alert at ``now``, and the episodes to record whatever is sent.

    ``episodes`` is what :meth:`WatchState.episodes` read and ``began`` is
    :attr:`WatchState.began`; nothing is written here.
    """
    groups = problem_groups(store, now=now, buckets=1)
    active = {group_key(group): group for group in groups if is_active(group, now)}
    seen = [
        replace(episode, ended_at=now)
        for key, episode in episodes.items()
        if episode.ended_at is None and key not in active
    ]
    # The hour counts are only asked when some group could alert.
    if all(_settled(episodes.get(key)) for key in active):
        return Pass([], seen)
    hourly = hourly_findings(store, now=now)
    alerts = []
    for key, group in active.items():
        episode = episodes.get(key)
        counts = hourly.get(key, (0, 0))
        why = _why(group, episode, rate_jumped(*counts), began)
        if why:
            alerts.append(Alert(group, tuple(why), *counts))
        elif episode is None or episode.ended_at is not None:
            seen.append(Episode(key, alerted_at=None))
    return Pass(alerts, seen)
