"""The baselines ask jq and lnav what orderdesk is asked, and find the same records."""

from __future__ import annotations

import os
import re
import shutil
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from benchmarks import baselines
from orderdesk.core.store import Store
from tests.record_factory import T0, failed_request, request

MICROSECOND = timedelta(microseconds=1)


def _in_window(regex: str, moment: datetime) -> bool:
    return re.match(f"(?:{regex})", moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ")) is not None


@given(
    start=st.datetimes(datetime(2020, 1, 1), datetime(2030, 1, 1), timezones=st.just(UTC)),
    length=st.timedeltas(MICROSECOND, timedelta(days=3)),
    offset=st.timedeltas(-timedelta(days=4), timedelta(days=4)),
)
def test_the_window_regex_matches_the_times_in_the_window_and_no_others(
    start: datetime, length: timedelta, offset: timedelta
) -> None:
    end = start + length
    regex = baselines.time_window_regex(start, end)
    for moment in (start, start - MICROSECOND, end, end - MICROSECOND, start + offset):
        assert _in_window(regex, moment) == (start <= moment < end), (regex, moment)


def test_a_window_from_the_hour_is_hour_prefixes() -> None:
    now = datetime(2026, 11, 23, 12, tzinfo=UTC)
    regex = baselines.time_window_regex(now - timedelta(days=1), now)
    assert regex == "2026-11-22T[2-9]|2026-11-22T1[2-9]|2026-11-23T0|2026-11-23T1[0-1]"


def test_a_missing_tool_without_root_says_what_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(shutil, "which", lambda name: None)
    monkeypatch.setattr(os, "geteuid", lambda: 1000)
    with pytest.raises(SystemExit, match="install jq and lnav"):
        baselines.ensure_tools()


@pytest.mark.slow
def test_the_three_tools_agree_at_the_edges_of_the_day(tmp_path: Path) -> None:
    baselines.ensure_tools()  # installs them, or fails saying what to install: never a skip
    now = T0
    day_ago = now - timedelta(days=1)
    quetzal = request(9).original.model_copy(update={"body": '{"note": "QUETZAL feathers"}'})
    with Store.open(tmp_path / "store.db") as store:
        store.save_page(
            "requests",
            [
                failed_request(1, at=day_ago - MICROSECOND),
                failed_request(2, at=day_ago),
                failed_request(3, at=now - timedelta(hours=5)),
                request(4, at=now - timedelta(hours=4)),
                failed_request(5, at=now - MICROSECOND),
                failed_request(6, at=now),
                request(9, at=now - timedelta(hours=2), original=quetzal),
            ],
            None,
        )

    figures = baselines.measure_baselines(
        tmp_path / "store.db",
        tmp_path / "work",
        now=now,
        reference="ORD-4",
        rare_term="Quetzal",
        repeat=1,
    )

    questions = figures["questions"]
    assert isinstance(questions, dict)
    found = {name: question["matches"] for name, question in questions.items()}
    assert found == {
        "failed_last_day": {"orderdesk": 3, "jq": 3, "lnav": 3},
        "one_reference": {"orderdesk": 1, "jq": 1, "lnav": 1},
        "text_search": {"orderdesk": 1, "jq": 1, "lnav": 1},
    }
    assert all(question["agree"] for question in questions.values())
    export = figures["export"]
    assert isinstance(export, dict)
    assert export == {**export, "records": 7}
