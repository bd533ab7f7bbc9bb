"""The simulated day the TUI tests read: its clock, how it fills a store, records picked from it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from orderdesk.core.queries import RecordQuery, list_records
from orderdesk.core.records import KINDS, Kind, LogRecord, PostbackRecord, RequestRecord
from orderdesk.core.store import Store
from orderdesk.sim import Simulation

#: The simulated "now" of every TUI test, so that snapshots never depend on the clock.
ANCHOR = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)


class FrozenDay(Simulation):
    """A frozen simulation, whose records (which can no longer change) are read once.

    Reading them parses every record's JSON again, half a second a time, and the
    tests ask for them hundreds of times; the records are frozen models, and each
    caller gets a list of its own.
    """

    def __init__(self) -> None:
        super().__init__(seed=7, history=timedelta(days=1), history_rate=2.0, rate=0.0, now=ANCHOR)
        self.freeze()
        self._read: dict[Kind, list[LogRecord]] = {}

    def records(self, kind: Kind) -> list[LogRecord]:
        """Every visible record within retention, in list-endpoint order."""
        if kind not in self._read:
            self._read[kind] = super().records(kind)
        return list(self._read[kind])

    def inject(self, record: RequestRecord | PostbackRecord) -> None:
        """Add or replace a record as it stands; the records are read again."""
        super().inject(record)
        self._read.clear()

    def settle(self) -> int:
        """Make every late version visible now; the records are read again."""
        self._read.clear()
        return super().settle()


def simulated_day() -> Simulation:
    """A frozen day of believable traffic, seed 7, ending at ANCHOR."""
    return FrozenDay()


def fill(store: Store, simulation: Simulation) -> None:
    """Save everything the simulation served into ``store``, a page of 1000 at a time."""
    for kind in KINDS:
        records = simulation.records(kind)
        for start in range(0, len(records), 1000):
            store.save_page(kind, records[start : start + 1000], None)


def template_failure(store: Store) -> RequestRecord:
    """The first request of the simulated day that failed in its template."""
    failed = list_records(store, RecordQuery("requests", statuses=("failed",)), limit=500)
    return next(
        r
        for r in failed
        if isinstance(r, RequestRecord) and r.error and r.error.stage == "template"
    )


def undelivered_shipping(store: Store) -> PostbackRecord:
    """A shipped postback of the simulated day that never reached the customer."""
    query = RecordQuery("postbacks", events=("shipped",), statuses=("failed",))
    [postback] = list_records(store, query, limit=1)
    assert isinstance(postback, PostbackRecord)
    return postback
