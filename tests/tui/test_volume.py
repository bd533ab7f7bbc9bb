"""Volume at a glance: records and failures per bucket, and a bucket narrowing the list to it."""

from __future__ import annotations

from datetime import UTC, timedelta

import pytest

from orderdesk.core.queries import RecordQuery, count
from orderdesk.core.store import Store
from orderdesk.core.volume import step_for, volume
from orderdesk.i18n import speaking
from orderdesk.tui.list_filter import TimeWindow
from orderdesk.tui.widgets.volume import VolumeBar
from tests.tui.simulated_day import ANCHOR
from tests.tui.tui_console import console, record_list, records_screen, screen_text, settled


def test_buckets_add_up_to_the_list_and_its_failures(store: Store) -> None:
    query = RecordQuery("postbacks", since=ANCHOR - timedelta(hours=6))
    counted = volume(store, query, buckets=40, failures=("failed", "retrying"), now=ANCHOR)
    assert counted.step == timedelta(minutes=15), "6 h in at most 40 round buckets"
    assert query.since is not None
    assert counted.buckets[0].start <= query.since < counted.buckets[0].end
    assert counted.buckets[-1].end >= ANCHOR
    for earlier, later in zip(counted.buckets, counted.buckets[1:], strict=False):
        assert earlier.end == later.start
    assert sum(b.records for b in counted.buckets) == count(store, query)
    failing = RecordQuery("postbacks", since=query.since, statuses=("failed", "retrying"))
    assert sum(b.failures for b in counted.buckets) == count(store, failing) > 0
    busiest = max(counted.buckets, key=lambda b: b.records)
    assert busiest.records == count(
        store, RecordQuery("postbacks", since=busiest.start, until=busiest.end)
    )


def test_a_list_over_all_time_starts_at_its_oldest_record(store: Store) -> None:
    counted = volume(store, RecordQuery("requests"), buckets=60, failures=("failed",), now=ANCHOR)
    assert sum(b.records for b in counted.buckets) == count(store, RecordQuery("requests"))
    assert counted.buckets[0].records > 0


def test_steps_are_round_and_never_exceed_the_buckets() -> None:
    assert step_for(timedelta(hours=1), 60) == 60
    assert step_for(timedelta(hours=24), 47) == 3600
    assert step_for(timedelta(days=7), 60) == 3 * 3600


@pytest.mark.parametrize("lang", ["en", "fr"])
async def test_picking_a_bucket_narrows_the_list_to_it(store: Store, lang: str) -> None:
    app = console(store)
    with speaking(lang):
        async with app.run_test(size=(80, 24)) as pilot:
            await settled(pilot)
            bar = app.screen.query_one(VolumeBar)
            assert bar.volume is not None and len(bar.volume.buckets) > 3
            await pilot.press("left_square_bracket", "left", "left")
            bucket = bar.selected_bucket
            assert bucket is not None and bucket == bar.volume.buckets[-3]
            await pilot.press("enter")
            await settled(pilot)
            screen = records_screen(app)
            start, end = (moment.astimezone(UTC) for moment in (bucket.start, bucket.end))
            assert screen.list_filter.window == TimeWindow(
                preset=None,
                start=start.strftime("%Y-%m-%d %H:%M"),
                end=end.strftime("%Y-%m-%d %H:%M"),
            )
            assert record_list(app).total == bucket.records
            assert record_list(app).has_focus, "the keys go back to the list"
            narrowed = app.screen.query_one(VolumeBar).volume
            assert narrowed is not None
            assert sum(b.records for b in narrowed.buckets) == bucket.records


async def test_a_failing_count_is_said_in_the_bar(
    sqlite_store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("the store went away")

    monkeypatch.setattr("orderdesk.tui.widgets.volume.volume", broken)
    app = console(sqlite_store)
    async with app.run_test(size=(100, 24)) as pilot:
        await settled(pilot)
        assert "could not count the volume: the store went away" in screen_text(app)


async def test_escape_leaves_the_bar_without_narrowing(sqlite_store: Store) -> None:
    app = console(sqlite_store)
    async with app.run_test(size=(80, 24)) as pilot:
        await settled(pilot)
        before = records_screen(app).list_filter
        await pilot.press("right_square_bracket")
        assert app.screen.query_one(VolumeBar).has_focus
        await pilot.press("escape")
        await settled(pilot)
        assert record_list(app).has_focus
        assert app.screen.query_one(VolumeBar).selected_bucket is None
        assert records_screen(app).list_filter == before
