"""Times as people type them: ``2h``, ``-3d``, ``today``, ``2026-11-20 14:00``.

Every moment is entered in one chosen time zone (local by default) and comes
back as aware UTC, which is what the store and the log API speak.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from orderdesk import strings
from orderdesk.core.errors import InputError

_UNITS = {
    "s": timedelta(seconds=1),
    "m": timedelta(minutes=1),
    "min": timedelta(minutes=1),
    "h": timedelta(hours=1),
    "d": timedelta(days=1),
    "w": timedelta(weeks=1),
}
_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(s|m|min|h|d|w)\s*$", re.IGNORECASE)
_ABSOLUTE_FORMATS = (
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d %H:%M",
    "%Y-%m-%dT%H:%M:%S",
    "%Y-%m-%dT%H:%M",
    "%Y-%m-%d",
)

EXAMPLES = "'2h', '-3d', 'today', 'yesterday', '2026-11-20 14:00' or '2026-11-20T14:00:00Z'"


def parse_duration(text: str) -> timedelta:
    """``90s``, ``15m``, ``2h``, ``7d``, ``1w`` as a timedelta."""
    match = _DURATION.match(text)
    if match is None:
        raise InputError(strings.NOT_A_DURATION.format(text=text))
    amount, unit = match.groups()
    return float(amount) * _UNITS[unit.lower()]


def describe_duration(span: timedelta) -> str:
    """A duration as people say it: ``7 d``, ``1 d 6 h``, ``90 s``."""
    seconds = int(span.total_seconds())
    parts = []
    units = (
        (strings.AGE_DAYS, 86_400),
        (strings.AGE_HOURS, 3_600),
        (strings.AGE_MINUTES, 60),
        (strings.AGE_SECONDS, 1),
    )
    for unit, size in units:
        amount, seconds = divmod(seconds, size)
        if amount:
            parts.append(unit.format(count=amount))
    return " ".join(parts[:2]) or strings.AGE_SECONDS.format(count=0)


def resolve_zone(name: str | None) -> tzinfo:
    """The zone named (``UTC``, ``Europe/Paris``), or the machine's local zone for None."""
    if name is None or name.lower() == "local":
        local = datetime.now().astimezone().tzinfo
        return local if local is not None else UTC
    if name.upper() in ("UTC", "Z"):
        return UTC
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise InputError(strings.UNKNOWN_ZONE.format(name=name)) from None


def parse_moment(text: str, *, now: datetime, zone: tzinfo) -> datetime:
    """A moment typed by a user, as aware UTC.

    Relative times count back from ``now`` (``2h`` and ``-2h`` both mean two
    hours ago: nobody filters logs from the future); ``today`` and
    ``yesterday`` are midnights in ``zone``; absolute times without an offset
    are read in ``zone``.
    """
    word = text.strip().lower()
    local_now = now.astimezone(zone)
    midnight = local_now.replace(hour=0, minute=0, second=0, microsecond=0)
    if word == "now":
        return now.astimezone(UTC)
    if word == "today":
        return midnight.astimezone(UTC)
    if word == "yesterday":
        return _local_midnight(midnight.date() - timedelta(days=1), zone)
    if _DURATION.match(word.removeprefix("-")):
        return (now - parse_duration(word.removeprefix("-"))).astimezone(UTC)
    return _parse_absolute(text.strip(), zone)


def _local_midnight(day: date, zone: tzinfo) -> datetime:
    return datetime.combine(day, time(0), tzinfo=zone).astimezone(UTC)


def _parse_absolute(text: str, zone: tzinfo) -> datetime:
    try:
        moment = datetime.fromisoformat(text.replace("z", "Z"))
    except ValueError:
        moment = None
    if moment is None:
        for pattern in _ABSOLUTE_FORMATS:
            try:
                moment = datetime.strptime(text, pattern)
                break
            except ValueError:
                continue
    if moment is None:
        raise InputError(strings.NOT_A_TIME.format(text=text, examples=EXAMPLES))
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=zone)
    return moment.astimezone(UTC)


@dataclass(frozen=True)
class TimeRange:
    """A half-open range ``[since, until)`` of ``created_at``; None is open-ended."""

    since: datetime | None = None
    until: datetime | None = None

    @classmethod
    def from_flags(
        cls,
        *,
        since: str | None,
        start: str | None,
        end: str | None,
        now: datetime,
        zone: tzinfo,
    ) -> TimeRange:
        """The range the CLI's ``--since``, ``--from`` and ``--to`` describe."""
        if since is not None and start is not None:
            raise InputError(strings.SINCE_AND_FROM)
        lower = None
        if since is not None:
            lower = (now - parse_duration(since.removeprefix("-"))).astimezone(UTC)
        elif start is not None:
            lower = parse_moment(start, now=now, zone=zone)
        upper = parse_moment(end, now=now, zone=zone) if end is not None else None
        if lower is not None and upper is not None and upper <= lower:
            raise InputError(strings.TO_BEFORE_FROM)
        return cls(since=lower, until=upper)
