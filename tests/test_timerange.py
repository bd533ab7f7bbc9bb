"""Times as support staff type them, in their own time zone."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from orderdesk.core.errors import InputError
from orderdesk.core.timerange import (
    TimeRange,
    describe_duration,
    parse_duration,
    parse_moment,
    resolve_zone,
)

NOW = datetime(2026, 11, 23, 10, 30, tzinfo=UTC)
PARIS = ZoneInfo("Europe/Paris")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("90s", timedelta(seconds=90)),
        ("15m", timedelta(minutes=15)),
        ("2h", timedelta(hours=2)),
        ("7d", timedelta(days=7)),
        ("1w", timedelta(weeks=1)),
        ("1.5h", timedelta(minutes=90)),
    ],
)
def test_durations(text: str, expected: timedelta) -> None:
    assert parse_duration(text) == expected


def test_relative_times_count_back_from_now() -> None:
    assert parse_moment("-2h", now=NOW, zone=UTC) == NOW - timedelta(hours=2)
    assert parse_moment("3d", now=NOW, zone=UTC) == NOW - timedelta(days=3)


def test_today_and_yesterday_are_midnights_in_the_chosen_zone() -> None:
    assert parse_moment("today", now=NOW, zone=PARIS) == datetime(2026, 11, 22, 23, 0, tzinfo=UTC)
    assert parse_moment("yesterday", now=NOW, zone=PARIS) == datetime(
        2026, 11, 21, 23, 0, tzinfo=UTC
    )
    assert parse_moment("today", now=NOW, zone=UTC) == datetime(2026, 11, 23, tzinfo=UTC)


def test_absolute_times_are_read_in_the_zone_unless_they_carry_one() -> None:
    assert parse_moment("2026-11-20 14:00", now=NOW, zone=PARIS) == datetime(
        2026, 11, 20, 13, 0, tzinfo=UTC
    )
    assert parse_moment("2026-11-20T14:00:00Z", now=NOW, zone=PARIS) == datetime(
        2026, 11, 20, 14, tzinfo=UTC
    )
    assert parse_moment("2026-11-20", now=NOW, zone=UTC) == datetime(2026, 11, 20, tzinfo=UTC)


@pytest.mark.parametrize("text", ["soon", "2 fortnights", "2026-13-40", ""])
def test_nonsense_says_what_to_type(text: str) -> None:
    with pytest.raises(InputError, match="2026-11-20 14:00"):
        parse_moment(text, now=NOW, zone=UTC)


def test_range_from_flags() -> None:
    window = TimeRange.from_flags(since="2h", start=None, end=None, now=NOW, zone=UTC)
    assert window == TimeRange(since=NOW - timedelta(hours=2), until=None)
    with pytest.raises(InputError, match="use one of them"):
        TimeRange.from_flags(since="2h", start="today", end=None, now=NOW, zone=UTC)
    with pytest.raises(InputError, match="not after"):
        TimeRange.from_flags(since=None, start="today", end="yesterday", now=NOW, zone=UTC)


def test_zones() -> None:
    assert resolve_zone("UTC") is UTC
    assert resolve_zone("Europe/Paris") == PARIS
    with pytest.raises(InputError, match="IANA"):
        resolve_zone("Mars/Olympus")


def test_durations_described() -> None:
    assert describe_duration(timedelta(days=7)) == "7 d"
    assert describe_duration(timedelta(hours=30)) == "1 d 6 h"
    assert describe_duration(timedelta(seconds=90)) == "1 min 30 s"
    assert describe_duration(timedelta(0)) == "0 s"
