"""The simulation: a clock, orders arriving, lifecycles advancing, records becoming visible."""

from __future__ import annotations

import copy
import heapq
import json
import random
import threading
from collections import deque
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime, timedelta
from itertools import count

from orderdesk.core.records import (
    RECORD_TYPES,
    Kind,
    LogRecord,
    PostbackRecord,
    RequestRecord,
    Watermark,
)
from orderdesk.sim.actions import ActionDesk
from orderdesk.sim.ledger import Ledger
from orderdesk.sim.lifecycle import Step
from orderdesk.sim.plans import CUSTOMER_WEIGHTS, play_order
from orderdesk.sim.wire import (
    Draft,
    Listed,
    Published,
    from_micros,
    kind_of,
    micros,
    publish,
)
from orderdesk.sim.world import CUSTOMERS

#: The contract's retention: older records (by updated_at) are not served.
RETENTION = timedelta(days=30)
#: The contract's bound on late visibility.
LATE_MAX = timedelta(seconds=120)

_NEVER = datetime.max.replace(tzinfo=UTC)
_MICROSECOND = timedelta(microseconds=1)


def _kind_of(record: LogRecord) -> Kind:
    return "requests" if isinstance(record, RequestRecord) else "postbacks"


class Simulation:
    """An order-intake service's records, backfilled over ``history`` and continued live.

    Rates are orders per minute. Given the same ``seed`` and ``now``, the history
    is identical; live traffic continues from there on the real clock.
    """

    def __init__(
        self,
        seed: int = 0,
        history: timedelta = timedelta(hours=1),
        history_rate: float = 2.0,
        rate: float = 30.0,
        now: datetime | None = None,
        *,
        tick_seconds: float = 0.25,
    ) -> None:
        real_now = datetime.now(UTC)
        anchor = real_now if now is None else now.astimezone(UTC)
        self._offset = anchor - real_now
        self._lock = threading.RLock()
        self._rng = random.Random(seed)
        self._history_rate = history_rate
        self._rate = rate
        self._anchor = anchor
        self._ledgers: dict[Listed, Ledger] = {
            "requests": Ledger(),
            "postbacks": Ledger(),
            "actions": Ledger(),
        }
        self._future: list[tuple[int, int, Draft | Step]] = []
        # While the history is built: versions already past, newest per record.
        self._backfill_until: int | None = None
        self._backfilled: dict[str, tuple[Listed, Published]] = {}
        self._sequence = count()
        self._numbers = {customer.id: 0 for customer in CUSTOMERS}
        self._accepted_references = {customer.id: deque[str](maxlen=200) for customer in CUSTOMERS}
        self._next_arrival = anchor - history
        self._schedule_next_arrival()
        self._late_share = 0.0
        self._late_max = LATE_MAX
        self._late_rng = random.Random()
        self._frozen = False
        self._tick_seconds = tick_seconds
        self._ticker: threading.Thread | None = None
        self._stopping = threading.Event()
        #: Where redeliveries and resubmits are asked for, kept and played out (version 1.1).
        self.actions = ActionDesk(self, seed=seed)
        self._build_history()
        #: Whether the world has moved since its history was built (see ``twin``).
        self._moved = False
        # Each record's model as ``records`` last built it, with the version it was built
        # from: tests ask for the records again and again, and parsing is most of it.
        self._models: dict[tuple[Kind, str], tuple[Published, LogRecord]] = {}

    def twin(self) -> Simulation:
        """A new simulation with this one's history, its live clock starting now at the anchor.

        The same as building one again with the same arguments, at a thirtieth of the
        cost: building plays every order of the history through its templates.
        Tests that change their world (by acting on it) each take a twin of one
        history built once. Only a simulation whose world has not moved (never
        advanced, acted on or started) can be twinned; any other would carry
        versions from after its anchor into the twin's past.
        """
        with self._lock:
            if self._moved:
                raise RuntimeError("only a simulation that has not moved can be twinned")
            # The locks and the stop signal are the new world's own, not copies.
            fresh: dict[int, object] = {
                id(self._lock): threading.RLock(),
                id(self._stopping): threading.Event(),
                id(self._models): {},  # built again on demand: copying models costs more
            }
            twin = copy.deepcopy(self, fresh)
        twin._offset = twin._anchor - datetime.now(UTC)
        return twin

    # -- the clock -------------------------------------------------------------------

    def now(self) -> datetime:
        """The simulated time: the real clock shifted to the ``now`` anchor."""
        return datetime.now(UTC) + self._offset

    @property
    def lock(self) -> threading.RLock:
        """The lock every change to the world holds (actions take it too)."""
        return self._lock

    @property
    def anchor(self) -> datetime:
        """The moment the history ends and live traffic begins."""
        return self._anchor

    def skip(self, span: timedelta) -> None:
        """Let ``span`` of simulated time pass at once: outages end, templates get fixed.

        Everything due in the span happens, so a live rate brings that span's orders too.
        """
        with self._lock:
            self._offset += span
        self.advance()

    def _current_rate(self, moment: datetime) -> float:
        return self._history_rate if moment < self._anchor else self._rate

    def _schedule_next_arrival(self) -> None:
        previous = self._next_arrival
        per_minute = self._current_rate(previous)
        if per_minute > 0:
            gap = timedelta(seconds=self._rng.expovariate(per_minute / 60.0))
            self._next_arrival = previous + gap
        else:
            self._next_arrival = _NEVER
        if previous < self._anchor <= self._next_arrival and self._rate > 0:
            # Arrivals are memoryless, so the live rate may take over right at the anchor.
            gap = timedelta(seconds=self._rng.expovariate(self._rate / 60.0))
            self._next_arrival = self._anchor + gap

    # -- generation --------------------------------------------------------------------

    def _arrive(self, placed_at: datetime) -> None:
        customer = self._rng.choices(CUSTOMERS, CUSTOMER_WEIGHTS)[0]
        order_rng = random.Random(self._rng.getrandbits(64))
        self._numbers[customer.id] += 1
        recent = self._accepted_references[customer.id]
        previous = order_rng.choice(recent) if recent else None
        order, versions, steps, accepted = play_order(
            order_rng, customer, self._numbers[customer.id], placed_at, previous
        )
        if accepted:
            recent.append(order.reference)
        self._schedule(versions)
        self._schedule(steps)

    def _schedule(self, entries: Sequence[tuple[datetime, Draft | Step]]) -> None:
        past = self._backfill_until
        newest: dict[str, tuple[int, Draft]] = {}
        for moment, entry in entries:
            at = micros(moment)
            if past is not None and at <= past and not callable(entry):
                # A version the history already holds: only a record's newest is ever
                # served, so the others are neither queued nor encoded.
                newest[entry["id"]] = (at, entry)  # a record's versions come in time order
            else:
                heapq.heappush(self._future, (at, next(self._sequence), entry))
        for at, draft in newest.values():
            self._keep(draft, at)

    def _keep(self, draft: Draft, at: int) -> None:
        kept = self._backfilled.get(draft["id"])
        if kept is None or kept[1].at <= at:
            self._backfilled[draft["id"]] = (kind_of(draft), publish(draft, at))

    def _due(self, limit: int) -> Iterator[tuple[Draft, int]]:
        """Versions due by ``limit`` (micros), in time order, running lifecycle steps on the way."""
        while self._future and self._future[0][0] <= limit:
            at, _, entry = heapq.heappop(self._future)
            if callable(entry):
                self._schedule(entry())
            else:
                yield entry, at

    def _generate_until(self, until: datetime) -> None:
        while self._next_arrival <= until:
            self._arrive(self._next_arrival)
            self._schedule_next_arrival()

    def _build_history(self) -> None:
        limit = self._backfill_until = micros(self._anchor)
        try:
            self._generate_until(self._anchor)
            for draft, at in self._due(limit):  # lifecycle steps run; _schedule keeps versions
                self._keep(draft, at)
        finally:
            self._backfill_until = None
        for kind, ledger in self._ledgers.items():
            ledger.load(version for of, version in self._backfilled.values() if of == kind)
        self._backfilled = {}

    def advance(self, until: datetime | None = None) -> int:
        """Move the world to ``until`` (default now): new orders, next steps, late reveals."""
        with self._lock:
            if self._frozen:
                return 0
            self._moved = True
            until = until or self.now()
            self._generate_until(until)
            limit = micros(until)
            changed = 0
            for draft, at in self._due(limit):
                self._apply(draft, at)
                changed += 1
            for ledger in self._ledgers.values():
                ledger.reveal(limit)
            return changed

    def schedule(self, entries: Sequence[tuple[datetime, Draft | Step]]) -> None:
        """Versions and steps from outside the traffic (actions), each played out when due."""
        with self._lock:
            self._moved = True
            self._schedule(entries)

    def apply(self, draft: Draft, at: datetime) -> None:
        """A version that happens now, served as any new version is (late ones too)."""
        with self._lock:
            self._moved = True
            self._apply(draft, micros(at))

    def _apply(self, draft: Draft, at: int) -> None:
        kind = kind_of(draft)
        if kind == "postbacks":
            draft = self.actions.amend(draft)
        ledger = self._ledgers[kind]
        version = publish(draft, at)
        if self._late_share and self._late_rng.random() < self._late_share:
            delay = self._late_rng.uniform(0, self._late_max.total_seconds())
            ledger.hide_until(at + timedelta(seconds=delay) // _MICROSECOND, version)
        else:
            ledger.publish(version)

    # -- late visibility ---------------------------------------------------------------

    def make_late(self, share: float, max_delay: timedelta = LATE_MAX, *, seed: int = 0) -> None:
        """Let ``share`` of new record versions become visible up to ``max_delay`` late."""
        if not 0 <= share <= 1:
            raise ValueError(f"late share must be between 0 and 1, not {share}")
        if max_delay > LATE_MAX:
            raise ValueError(f"late visibility may not exceed {LATE_MAX.total_seconds():.0f} s")
        with self._lock:
            self._late_share = share
            self._late_max = max_delay
            self._late_rng = random.Random(seed)

    def settle(self) -> int:
        """Make every late version visible now; returns how many were waiting."""
        with self._lock:
            return sum(ledger.reveal(None) for ledger in self._ledgers.values())

    # -- live ticking --------------------------------------------------------------------

    def freeze(self) -> None:
        """Stop the world: no new orders, no lifecycle steps (late reveals need settle())."""
        with self._lock:
            self._frozen = True

    def start(self) -> None:
        """Advance the world from a background thread, one tick at a time."""
        if self._ticker is not None:
            return
        self._moved = True
        self._stopping.clear()
        self._ticker = threading.Thread(
            target=self._tick, args=(self._tick_seconds,), name="sim-ticker", daemon=True
        )
        self._ticker.start()

    def stop(self) -> None:
        """Stop the background ticker and wait for it."""
        self._stopping.set()
        if self._ticker is not None:
            self._ticker.join(timeout=5)
            self._ticker = None

    def _tick(self, tick_seconds: float) -> None:
        while not self._stopping.wait(tick_seconds):
            self.advance()

    # -- reading -------------------------------------------------------------------------

    def oldest_served(self) -> datetime:
        """The start of retention: older records are no longer served."""
        return self.now() - RETENTION

    def page(self, kind: Kind, after: Watermark, limit: int) -> tuple[list[LogRecord], bool]:
        """A keyset page: versions strictly after ``after``, ascending, and whether more follow."""
        versions, has_more = self._page(kind, after, limit)
        return [_model(kind, version) for version in versions], has_more

    def page_json(self, kind: Listed, after: Watermark, limit: int) -> tuple[list[bytes], bool]:
        """A keyset page as each record's JSON, as served, and whether more follow."""
        versions, has_more = self._page(kind, after, limit)
        return [version.json for version in versions], has_more

    def _page(self, kind: Listed, after: Watermark, limit: int) -> tuple[list[Published], bool]:
        with self._lock:
            return self._ledgers[kind].page(
                (micros(after.updated_at), after.id), limit, oldest=micros(self.oldest_served())
            )

    def get(self, kind: Kind, record_id: str) -> LogRecord | None:
        """One visible record within retention, or None."""
        version = self._get(kind, record_id)
        return None if version is None else _model(kind, version)

    def get_json(self, kind: Listed, record_id: str) -> bytes | None:
        """One visible record's JSON within retention, as served, or None."""
        version = self._get(kind, record_id)
        return None if version is None else version.json

    def draft(self, kind: Listed, record_id: str) -> Draft | None:
        """One visible record as a draft to build its next version on, or None."""
        version = self._get(kind, record_id)
        return None if version is None else json.loads(version.json)

    def _get(self, kind: Listed, record_id: str) -> Published | None:
        with self._lock:
            version = self._ledgers[kind].get(record_id)
        if version is None or version.at < micros(self.oldest_served()):
            return None
        return version

    def records(self, kind: Kind) -> list[LogRecord]:
        """Every visible record within retention, in list-endpoint order."""
        built = self._models
        records: list[LogRecord] = []
        for version in self._visible(kind):
            kept = built.get((kind, version.id))
            if kept is None or kept[0] is not version:
                kept = built[(kind, version.id)] = (version, _model(kind, version))
            records.append(kept[1])
        return records

    def truth(self, kind: Kind) -> dict[str, tuple[datetime, str]]:
        """What a complete sync must hold: id -> (newest updated_at, status) of visible records."""
        return {
            version.id: (from_micros(version.at), version.status) for version in self._visible(kind)
        }

    def _visible(self, kind: Kind) -> list[Published]:
        with self._lock:
            return self._ledgers[kind].visible_since(micros(self.oldest_served()))

    def hidden(self) -> int:
        """How many late versions are not visible yet."""
        with self._lock:
            return sum(ledger.hidden for ledger in self._ledgers.values())

    def inject(self, record: RequestRecord | PostbackRecord) -> None:
        """Add or replace a record as it stands, visible at once (for odd-body tests)."""
        version = Published(
            micros(record.updated_at),
            record.id,
            record.status,
            (record.model_dump_json().encode(),),
        )
        with self._lock:
            self._ledgers[_kind_of(record)].publish(version, replace=True)

    def __repr__(self) -> str:
        counts = ", ".join(f"{kind}={len(ledger)}" for kind, ledger in self._ledgers.items())
        return f"<Simulation {counts} now={self.now():%Y-%m-%d %H:%M:%S}>"


def _model(kind: Kind, version: Published) -> LogRecord:
    return RECORD_TYPES[kind].model_validate_json(version.json)
