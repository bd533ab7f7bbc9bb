"""`orderdesk orders --finding` and `orderdesk problems`: stored findings on the command line.

Both read what the sync stored (``core.problems``) at the moment the command
runs. A table fits 80 columns by putting what is long (the printer, the
finding's sentence, the cause) on an indented line under its row, so no head
and no value a person needs is cut; the machine formats hold every field.
``problems --check`` is for monitors: exit 1 with one line per open group,
or exit 0 and one line saying there are none.
"""

from __future__ import annotations

import csv
import io
import json
import shutil
import sys
import textwrap
from collections.abc import Iterable, Iterator, Sequence
from datetime import UTC, datetime, timedelta, tzinfo
from typing import TYPE_CHECKING, Any, TextIO

import click

from orderdesk import i18n, strings
from orderdesk.cli.language import option
from orderdesk.config import ReadSettings, require_store
from orderdesk.core.errors import InputError
from orderdesk.core.records import Party, format_timestamp
from orderdesk.core.text import show_controls
from orderdesk.core.timeline_rules import RULE_NAMES

if TYPE_CHECKING:
    # The store and its queries load when a command runs, not whenever ``orderdesk`` starts.
    from orderdesk.cli.listing import Cut, Format
    from orderdesk.core.finding_spans import FindingSpan
    from orderdesk.core.problems import FindingQuery, ProblemGroup, ProblemState
    from orderdesk.core.store import Store

__all__ = ["groups_as_table", "orders", "problems", "spans_as_table"]

_FORMATS = click.Choice(["table", "json", "jsonl", "csv"])
_PAGE = 500
_INDENT = "    "
# A bucket with nothing is the baseline; any count at all stands above it.
_BARS = "▁▂▃▄▅▆▇█"


def _shown(text: str | None) -> str:
    return show_controls(text) if text else "-"


def _party_name(party: Party | None) -> str:
    return _shown(party.name) if party is not None else "-"


def _columns(rows: Sequence[Sequence[str]], width: int) -> list[str]:
    """Rows of cells padded to aligned columns (the last one is not padded)."""
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    return [
        "  ".join(cell.ljust(size) for cell, size in zip(row, widths, strict=True)).rstrip()
        for row in rows
    ]


def _under(text: str, width: int, lead: str = "") -> list[str]:
    """``text`` on indented lines under its row, after ``lead``, wrapped at ``width``, never cut."""
    return textwrap.wrap(
        text,
        width=max(20 + len(lead), width),
        initial_indent=_INDENT + lead,
        subsequent_indent=_INDENT,
        break_long_words=True,
        break_on_hyphens=False,
    ) or [_INDENT + lead]


def _beside(printer: Party | None, text: str | None) -> str:
    """The printer, then the text; either is left out when there is none."""
    parts = [_party_name(printer)] if printer is not None else []
    return " · ".join(parts + ([text] if text else []))


def _width(out: TextIO) -> int:
    return shutil.get_terminal_size((80, 24)).columns if out.isatty() else 80


# orders --finding


def spans_as_table(
    spans: Sequence[FindingSpan], now: datetime, zone: tzinfo, *, width: int = 80
) -> str:
    """Time, reference and customer in columns; the printer and the finding's sentence under."""
    from orderdesk.findings import finding_sentence

    if not spans:
        return ""
    heads = strings.PROBLEMS_COLUMNS
    rows = [(heads["time"], heads["order reference"], heads["customer"])]
    rows += [
        (
            i18n.format_moment(span.at(now).at.astimezone(zone), "minutes"),
            _shown(span.reference),
            _party_name(span.customer),
        )
        for span in spans
    ]
    lines = _columns(rows, width)
    out = [lines[0]]

    def moment(at: datetime) -> str:
        return i18n.format_moment(at.astimezone(zone), "minutes")

    for span, line in zip(spans, lines[1:], strict=True):
        out.append(line)
        sentence = show_controls(finding_sentence(span.at(now), moment))
        out += _under(_beside(span.printer, sentence), width)
    return "\n".join(out) + "\n"


def _span_json(span: FindingSpan, now: datetime) -> dict[str, Any]:
    finding = span.at(now)

    def party(value: Party | None) -> dict[str, str] | None:
        return None if value is None else {"id": value.id, "name": value.name}

    def seconds(value: timedelta | None) -> float | None:
        return None if value is None else value.total_seconds()

    def moment(value: datetime | None) -> str | None:
        return None if value is None else format_timestamp(value)

    return {
        "order_reference_id": span.reference,
        "rule": finding.rule,
        "severity": finding.severity,
        "at": format_timestamp(finding.at),
        "customer": party(span.customer),
        "printer": party(span.printer),
        "order_id": finding.order_id,
        "subject": finding.subject,
        "records": [{"kind": ref.kind, "id": ref.id} for ref in finding.records],
        "detail": finding.detail,
        "cause": span.cause,
        "due_at": moment(span.due_at),
        "until": moment(span.until),
        "waited_seconds": seconds(finding.waited),
        "threshold_seconds": seconds(finding.threshold),
        "since": moment(finding.since),
    }


_SPAN_CSV = (
    "time",
    "order reference",
    "rule",
    "severity",
    "customer",
    "printer",
    "order id",
    "cause",
    "detail",
    "record kind",
    "record id",
)


def _span_cells(span: FindingSpan, now: datetime, zone: tzinfo) -> list[str]:
    finding = span.at(now)
    first = finding.records[0]
    cells = [
        finding.at.astimezone(zone).strftime("%Y-%m-%d %H:%M:%S"),
        span.reference,
        finding.rule,
        finding.severity,
        span.customer.name,
        span.printer.name if span.printer is not None else "",
        finding.order_id or "",
        span.cause or "",
        finding.detail or "",
        first.kind,
        first.id,
    ]
    return [show_controls(cell) for cell in cells]


def _all_spans(store: Store, query: FindingQuery, now: datetime) -> Iterator[FindingSpan]:
    from orderdesk.core.problems import FindingCursor, open_findings

    after: FindingCursor | None = None
    while True:
        page = open_findings(store, query, now=now, after=after, limit=_PAGE)
        yield from page
        if len(page) < _PAGE:
            return
        after = FindingCursor.after(page[-1], now)


def write_spans(
    spans: Iterable[FindingSpan], output: Format, now: datetime, zone: tzinfo, out: TextIO
) -> None:
    """The findings in ``output``: a table, a JSON array, JSON lines or CSV."""
    if output == "json":
        out.write("[")
        for position, span in enumerate(spans):
            out.write(("\n" if position == 0 else ",\n") + _json(_span_json(span, now)))
        out.write("\n]\n")
    elif output == "jsonl":
        out.writelines(_json(_span_json(span, now)) + "\n" for span in spans)
    elif output == "csv":
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(_SPAN_CSV)
        writer.writerows(_span_cells(span, now, zone) for span in spans)
    else:
        out.write(spans_as_table(list(spans), now, zone, width=_width(out)))


def _json(value: object) -> str:
    return json.dumps(value, ensure_ascii=True, separators=(",", ":"))


def _check_rule(rule: str) -> None:
    if rule not in RULE_NAMES:
        raise InputError(strings.FINDING_UNKNOWN.format(value=rule, allowed=", ".join(RULE_NAMES)))


def _cut_for(limit: int | None, output: str, lines_per_item: int) -> Cut:
    from orderdesk.cli.listing import Cut, screenful

    # Scripts get everything unless they ask for less; a table keeps to a screenful.
    if limit is None:
        return Cut(max(3, screenful() // lines_per_item) if output == "table" else None)
    return Cut(limit or None)


def _say_cut(cut: Cut, limit: int | None, in_table: str, in_script: str) -> None:
    if not cut.more:
        return
    if limit is None:
        click.echo(in_table)
    else:
        # Stdout stays the data alone: a script reads it, a person sees both.
        click.echo(in_script.format(shown=cut.written), err=True)


def _options(command: Any) -> Any:
    for add in reversed(
        [
            option("--from", "start", metavar="TIME", help=strings.OPT_FROM),
            option("--to", "end", metavar="TIME", help=strings.OPT_TO),
            option("--customer", metavar="ID|NAME", help=strings.OPT_CUSTOMER),
            option("--printer", metavar="ID|NAME", help=strings.OPT_PRINTER),
            option(
                "--limit", type=click.IntRange(min=0), metavar="N", help=strings.OPT_FINDINGS_LIMIT
            ),
            option(
                "--format",
                "output",
                type=_FORMATS,
                default="table",
                show_default=True,
                help=strings.OPT_FORMAT,
            ),
            option("--tz", metavar="ZONE", help=strings.OPT_TZ_TABLE),
            option("--db", metavar="PATH|URL", help=strings.OPT_DB),
        ]
    ):
        command = add(command)
    return command


@click.command(help=strings.CLI_ORDERS)
@option("--finding", "rule", required=True, metavar="RULE", help=strings.OPT_FINDING)
@option("--since", metavar="AGE", help=strings.OPT_FINDING_SINCE)
@_options
def orders(
    rule: str,
    since: str | None,
    start: str | None,
    end: str | None,
    customer: str | None,
    printer: str | None,
    limit: int | None,
    output: Format,
    tz: str | None,
    db: str | None,
) -> None:
    """The orders with a finding of one rule open now, newest first, one line per finding."""
    from orderdesk.core.problems import FindingQuery, backfill_pending
    from orderdesk.core.store import Store
    from orderdesk.core.timerange import TimeRange, resolve_zone

    _check_rule(rule)
    settings = ReadSettings.load(db=db, tz=tz)
    zone = resolve_zone(settings.tz)
    now = datetime.now(UTC)
    window = TimeRange.from_flags(since=since, start=start, end=end, now=now, zone=zone)
    query = FindingQuery(
        rules=(rule,),
        since=window.since,
        until=window.until,
        customers=(customer,) if customer else (),
        printers=(printer,) if printer else (),
    )
    require_store(settings.db)
    cut = _cut_for(limit, output, 2)
    with Store.open(settings.db) as store:
        reading = None if cut.limit is None else cut.limit + 1
        spans = _limited(_all_spans(store, query, now), reading)
        write_spans(cut.take(spans), output, now, zone, sys.stdout)
        sys.stdout.flush()
        if cut.written == 0:
            click.echo(strings.FINDINGS_NONE.format(rule=rule), err=True)
        if backfill_pending(store):
            click.echo(strings.FINDINGS_PENDING, err=True)
    _say_cut(cut, limit, strings.LIST_MORE_TABLE, strings.LIST_CUT)


def _limited(items: Iterator[FindingSpan], limit: int | None) -> Iterator[FindingSpan]:
    for count, item in enumerate(items):
        if limit is not None and count >= limit:
            return
        yield item


# problems


def sparkline(counts: Sequence[int]) -> str:
    """One character per bucket, its height the bucket's share of the busiest one."""
    top = max(counts, default=0)
    steps = len(_BARS) - 1
    return "".join(_BARS[0 if n == 0 else max(1, round(n / top * steps))] for n in counts)


def _state(group: ProblemGroup, now: datetime) -> ProblemState:
    """The CLI has no memory of when the user last looked: new is the last ``QUIET_AFTER``."""
    from orderdesk.core.problems import QUIET_AFTER

    return group.state(now=now, last_looked=now - QUIET_AFTER)


def groups_as_table(
    groups: Sequence[ProblemGroup], now: datetime, zone: tzinfo, *, width: int = 80
) -> str:
    """Orders, finding, state, last seen and customer in columns; under each, its sparkline,
    printer and cause, wrapped rather than cut."""
    if not groups:
        return ""
    heads = strings.PROBLEMS_COLUMNS
    states = strings.PROBLEM_STATES
    rows = [
        (heads["orders"], heads["finding"], heads["state"], heads["last seen"], heads["customer"])
    ]
    for group in groups:
        state = _state(group, now)
        rows.append(
            (
                i18n.format_number(group.orders).rjust(len(heads["orders"])),
                group.rule,
                states[state],
                i18n.format_moment(group.last_seen.astimezone(zone), "day_minutes"),
                _party_name(group.customer),
            )
        )
    lines = _columns(rows, width)
    out = [lines[0]]
    for group, line in zip(groups, lines[1:], strict=True):
        out.append(line)
        cause = show_controls(group.cause) if group.cause else None
        out += _under(_beside(group.printer, cause), width, lead=sparkline(group.buckets) + "  ")
    return "\n".join(out) + "\n"


def _group_json(group: ProblemGroup, now: datetime) -> dict[str, Any]:
    return {
        "rule": group.rule,
        "severity": group.severity,
        "customer": {"id": group.customer.id, "name": group.customer.name},
        "printer": None
        if group.printer is None
        else {"id": group.printer.id, "name": group.printer.name},
        "cause": group.cause,
        "orders": group.orders,
        "findings": group.findings,
        "first_seen": format_timestamp(group.first_seen),
        "last_seen": format_timestamp(group.last_seen),
        "state": _state(group, now),
        "buckets": {
            "start": format_timestamp(group.bucket_start),
            "step_seconds": group.bucket_step.total_seconds(),
            "counts": list(group.buckets),
        },
    }


_GROUP_CSV = (
    "rule",
    "severity",
    "customer id",
    "customer",
    "printer id",
    "printer",
    "cause",
    "orders",
    "findings",
    "first seen",
    "last seen",
    "state",
)


def _group_cells(group: ProblemGroup, now: datetime) -> list[str]:
    printer = group.printer
    cells = [
        group.rule,
        group.severity,
        group.customer.id,
        group.customer.name,
        printer.id if printer is not None else "",
        printer.name if printer is not None else "",
        group.cause or "",
        str(group.orders),
        str(group.findings),
        format_timestamp(group.first_seen),
        format_timestamp(group.last_seen),
        _state(group, now),
    ]
    return [show_controls(cell) for cell in cells]


def check_lines(groups: Sequence[ProblemGroup]) -> list[str]:
    """One line per group, for a monitor's log: never cut, never wrapped."""
    severities = strings.PROBLEM_SEVERITIES
    return [
        strings.PROBLEMS_CHECK_LINE.format(
            severity=severities.get(group.severity, group.severity),
            rule=group.rule,
            customer=_party_name(group.customer),
            printer=_party_name(group.printer),
            cause=_shown(group.cause),
            orders=group.orders,
        )
        for group in groups
    ]


def write_groups(
    groups: Sequence[ProblemGroup], output: Format, now: datetime, zone: tzinfo, out: TextIO
) -> None:
    """The groups in ``output``: a table, a JSON array, JSON lines or CSV."""
    if output == "json":
        out.write(json.dumps([_group_json(g, now) for g in groups], ensure_ascii=True, indent=1))
        out.write("\n")
    elif output == "jsonl":
        out.writelines(_json(_group_json(group, now)) + "\n" for group in groups)
    elif output == "csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(_GROUP_CSV)
        writer.writerows(_group_cells(group, now) for group in groups)
        out.write(buffer.getvalue())
    else:
        out.write(groups_as_table(groups, now, zone, width=_width(out)))


@click.command(help=strings.CLI_PROBLEMS)
@option("--since", metavar="AGE", help=strings.OPT_PROBLEMS_SINCE)
@option("--check", is_flag=True, help=strings.OPT_CHECK)
@_options
def problems(
    since: str | None,
    check: bool,
    start: str | None,
    end: str | None,
    customer: str | None,
    printer: str | None,
    limit: int | None,
    output: Format,
    tz: str | None,
    db: str | None,
) -> None:
    """The problems open now, one group per rule, customer, printer and cause."""
    from orderdesk.core.problems import backfill_pending, problem_groups
    from orderdesk.core.store import Store
    from orderdesk.core.timerange import TimeRange, resolve_zone

    settings = ReadSettings.load(db=db, tz=tz)
    zone = resolve_zone(settings.tz)
    now = datetime.now(UTC)
    if since is None and start is None:
        since = "24h"
    window = TimeRange.from_flags(since=since, start=start, end=end, now=now, zone=zone)
    require_store(settings.db)
    with Store.open(settings.db) as store:
        groups = problem_groups(
            store,
            now=now,
            since=window.since,
            until=window.until,
            customers=(customer,) if customer else (),
            printers=(printer,) if printer else (),
        )
        pending = backfill_pending(store)
    if check:
        _check(groups, pending)
        return
    cut = _cut_for(limit, output, 2)
    shown = list(cut.take(groups))
    write_groups(shown, output, now, zone, sys.stdout)
    sys.stdout.flush()
    if not groups:
        click.echo(strings.PROBLEMS_NONE, err=True)
    if pending:
        click.echo(strings.FINDINGS_PENDING, err=True)
    _say_cut(cut, limit, strings.PROBLEMS_CUT, strings.PROBLEMS_CUT_SCRIPT)


def _check(groups: Sequence[ProblemGroup], pending: bool) -> None:
    if pending:
        click.echo(strings.FINDINGS_PENDING, err=True)
    if not groups:
        click.echo(strings.PROBLEMS_NONE)
        return
    for line in check_lines(groups):
        click.echo(line)
    raise click.exceptions.Exit(1)
