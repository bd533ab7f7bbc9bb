"""What a list screen is filtered by: a time window, statuses, errors only, a search.

The filter is plain data the screen keeps; it becomes a ``RecordQuery`` only
when the list asks, against the clock of that moment, so "last 24 h" keeps
meaning the last 24 hours while new records arrive.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta, tzinfo

from orderdesk import strings
from orderdesk.core.errors import FilterSyntaxError
from orderdesk.core.filter_language import narrow, parse
from orderdesk.core.queries import RecordQuery
from orderdesk.core.records import Kind
from orderdesk.core.timerange import TimeRange, parse_duration

#: The presets of the date filter, shortest first; "all" has no bound.
PRESETS: tuple[str, ...] = ("15m", "1h", "4h", "24h", "7d", "30d", "all")
#: The statuses that mean "something went wrong" for each kind.
ERROR_STATUSES: dict[Kind, tuple[str, ...]] = {
    "requests": ("failed",),
    "postbacks": ("failed", "retrying"),
}


@dataclass(frozen=True)
class TimeWindow:
    """A preset (``24h``, ``all``) or a custom from/to, as the user typed it."""

    preset: str | None = "all"
    start: str | None = None
    """Custom start, as typed (``-2h``, ``today``, ``2026-11-20 14:00``)."""
    end: str | None = None
    """Custom end (exclusive), as typed; None is open-ended."""

    @classmethod
    def custom(cls, start: str | None, end: str | None) -> TimeWindow:
        """A custom window; raises InputError when a bound does not parse or the range is empty."""
        start, end = (start or "").strip() or None, (end or "").strip() or None
        window = cls(preset=None, start=start, end=end)
        # Parse once now so a typo is reported in the dialog, not later.
        window.resolve(now=datetime.now(UTC), zone=UTC)
        return window

    def resolve(self, *, now: datetime, zone: tzinfo) -> TimeRange:
        """The ``[since, until)`` range this window means at ``now``."""
        if self.preset is not None:
            if self.preset == "all":
                return TimeRange()
            return TimeRange(since=now - parse_duration(self.preset))
        return TimeRange.from_flags(since=None, start=self.start, end=self.end, now=now, zone=zone)

    def label(self) -> str:
        """How the window reads in the filter bar."""
        if self.preset == "all":
            return strings.WINDOW_ALL
        if self.preset is not None:
            named = strings.WINDOW_PRESETS.get(self.preset)
            return named or strings.WINDOW_PRESET.format(span=self.preset)
        return strings.WINDOW_CUSTOM.format(
            start=self.start or strings.WINDOW_OPEN, end=self.end or strings.WINDOW_NOW
        )


@dataclass(frozen=True)
class ListFilter:
    """Everything that narrows a Requests or Postbacks list."""

    window: TimeWindow = TimeWindow()
    statuses: tuple[str, ...] = ()
    errors_only: bool = False
    search: str | None = None
    """A filter query (see ``orderdesk.core.filter_language``); plain words search."""
    query_off: bool = False
    """The query is kept but, for now, does not narrow the list."""
    customer: str | None = None
    printer: str | None = None
    order_reference: str | None = None

    def query(self, kind: Kind, *, now: datetime, zone: tzinfo) -> RecordQuery:
        """The store query for this filter at ``now``."""
        span = self.window.resolve(now=now, zone=zone)
        statuses, nothing = self.statuses, False
        if self.errors_only:
            errors = ERROR_STATUSES[kind]
            # Errors only narrows the chosen statuses; with none chosen it picks the errors.
            statuses = tuple(s for s in statuses if s in errors) if statuses else errors
            nothing = not statuses  # the chosen statuses are no errors: the two exclude each other
        query = RecordQuery(
            kind=kind,
            since=span.since,
            until=span.until,
            now=now,  # findings (finding:) are judged at the same moment as the window
            statuses=statuses,
            customers=_one(self.customer),
            printers=_one(self.printer),
            order_references=_one(self.order_reference),
            matches_nothing=nothing,
        )
        if not self.search or self.query_off:
            return query
        try:
            return narrow(query, parse(self.search, kind))
        except FilterSyntaxError:
            # Text that the prompt did not check (a query kept from the other
            # list, say) is searched as words, as before the language.
            return replace(query, search=tuple(self.search.split()))

    def with_window(self, window: TimeWindow) -> ListFilter:
        """The same filter over another time window."""
        return replace(self, window=window)

    def cleared(self) -> ListFilter:
        """No filter but the time window: what the clear key leaves."""
        return ListFilter(window=self.window)

    @property
    def narrowed(self) -> bool:
        """Whether anything but the time window narrows the list."""
        return self != self.cleared()

    def chips(self) -> list[str]:
        """The active filters, one short phrase each, for the filter bar."""
        chips = []
        if self.errors_only:
            chips.append(strings.CHIP_ERRORS)
        if self.statuses:
            chips.append(strings.CHIP_STATUS.format(statuses=", ".join(self.statuses)))
        for template, value in (
            (strings.CHIP_CUSTOMER, self.customer),
            (strings.CHIP_PRINTER, self.printer),
            (strings.CHIP_ORDER, self.order_reference),
        ):
            if value:
                chips.append(template.format(value=value))
        if self.search:
            template = strings.CHIP_QUERY_OFF if self.query_off else strings.CHIP_SEARCH
            chips.append(template.format(value=self.search))
        return chips


def _one(value: str | None) -> tuple[str, ...]:
    return (value,) if value else ()


def zone_label(zone: tzinfo, moment: datetime) -> str:
    """A zone as the screen names it at ``moment``: ``UTC``, ``Europe/Paris``, or ``CEST``."""
    if zone is UTC:
        return "UTC"
    key = getattr(zone, "key", None)
    if isinstance(key, str):
        return key
    return moment.astimezone(zone).tzname() or strings.ZONE_LOCAL


def age(moment: datetime, now: datetime) -> str:
    """How long ago, in the fewest words: ``12 s``, ``4 min``, ``3 h``."""
    seconds = max(0, int((now - moment) / timedelta(seconds=1)))
    if seconds < 60:
        return strings.AGE_SECONDS.format(count=seconds)
    if seconds < 3600:
        return strings.AGE_MINUTES.format(count=seconds // 60)
    if seconds < 86_400:
        return strings.AGE_HOURS.format(count=seconds // 3600)
    return strings.AGE_DAYS.format(count=seconds // 86_400)


__all__ = [
    "ERROR_STATUSES",
    "PRESETS",
    "ListFilter",
    "TimeWindow",
    "age",
    "zone_label",
]
