"""``orderdesk prune``: the records older than an age taken out of the store, once asked.

It says first what would go (requests, postbacks, findings, their span of time,
what becomes of the space), then asks on the terminal; ``--yes`` answers for a
script, and without a terminal or ``--yes`` it refuses rather than guess.
While it works it holds the store's sync lease, so no sync writes meanwhile;
Ctrl-C stops it between two batches, and what remains is pruned next time.
The plan goes to stdout, progress and the outcome to stderr.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime, tzinfo
from typing import TextIO

import click

from orderdesk import i18n, strings
from orderdesk.cli.language import option
from orderdesk.cli.long_running import stop_on_signals
from orderdesk.config import Settings, require_store
from orderdesk.core.disk import compact, give_back, said_when_denied, said_when_full, space
from orderdesk.core.errors import InputError
from orderdesk.core.lease import Lease, LeaseHeld, lease_holder
from orderdesk.core.retention import Pruned, PrunePlan, check_age, plan_prune, prune
from orderdesk.core.store import Store
from orderdesk.core.text import show_controls
from orderdesk.core.timerange import parse_duration, resolve_zone

__all__ = ["prune_command", "run_prune"]

EXIT_USAGE = 2
EXIT_DECLINED = 1
_REDRAW_SECONDS = 0.1

#: Asks the person at the terminal a yes-or-no question; None: there is no one to ask.
Ask = Callable[[str], bool]


@click.command("prune", help=strings.CLI_PRUNE)
@option("--older-than", metavar="AGE", required=True, help=strings.OPT_OLDER_THAN)
@option("--yes", is_flag=True, help=strings.OPT_YES)
@option("--dry-run", is_flag=True, help=strings.OPT_DRY_RUN)
@option("--vacuum", is_flag=True, help=strings.OPT_VACUUM)
@option("--db", metavar="PATH|URL", help=strings.OPT_DB)
def prune_command(older_than: str, yes: bool, dry_run: bool, vacuum: bool, db: str | None) -> None:
    """Take the records older than an age out of the store, after a plan and a yes."""
    settings = Settings.load(db=db)
    code = run_prune(
        settings, older_than, yes=yes, dry_run=dry_run, vacuum=vacuum, ask=terminal_ask()
    )
    if code:
        raise click.exceptions.Exit(code)


def terminal_ask() -> Ask | None:
    """A question on the terminal, or None when standard input is not one."""
    if not sys.stdin.isatty():
        return None
    return lambda question: click.confirm(question, default=False, err=True)


def run_prune(
    settings: Settings,
    older_than: str,
    *,
    yes: bool,
    dry_run: bool,
    vacuum: bool,
    ask: Ask | None,
    now: datetime | None = None,
    out: TextIO | None = None,
    err: TextIO | None = None,
) -> int:
    """Plan the prune, ask, then prune under the lease; the exit code."""
    out = out or sys.stdout
    err = err or sys.stderr
    age = check_age(parse_duration(older_than))
    zone = resolve_zone(settings.tz)
    cutoff = (now or datetime.now(UTC)) - age
    require_store(settings.db)
    with Store.open(settings.db, rules=settings.timeline_rules()) as store:
        holder = lease_holder(store)
        if holder is not None:
            click.echo(strings.PRUNE_LEASE_HELD.format(holder=show_controls(holder)), err=True)
            return EXIT_USAGE
        plan = plan_prune(store, cutoff)
        before = space(store)
        _tell_plan(plan, store.shown_url, before.size, before.note, vacuum, zone, out)
        if dry_run or (plan.empty and not vacuum):
            return 0
        if not yes:
            if ask is None:
                raise InputError(strings.PRUNE_NO_TERMINAL)
            if not ask(strings.PRUNE_CONFIRM):
                click.echo(strings.PRUNE_DECLINED, err=True)
                return EXIT_DECLINED
        # Outermost: releasing the lease writes too, and may meet the same full disk.
        with (
            said_when_denied(store, strings.PRUNE_READ_ONLY),
            said_when_full(store, strings.PRUNE_DISK_FULL),
        ):
            try:
                lease = Lease.acquire(store)
            except LeaseHeld as held:
                click.echo(
                    strings.PRUNE_LEASE_HELD.format(holder=show_controls(held.holder)), err=True
                )
                return EXIT_USAGE
            with lease:
                return _prune_under_lease(store, plan, before.size, vacuum, zone, err)


def _prune_under_lease(
    store: Store,
    plan: PrunePlan,
    size_before: int | None,
    vacuum: bool,
    zone: tzinfo,
    err: TextIO,
) -> int:
    progress = _Progress(err, plan.records)
    started = time.monotonic()
    with stop_on_signals() as stop:
        try:
            pruned = prune(store, plan.cutoff, stop=stop.event, on_batch=progress.batch)
        except KeyboardInterrupt:
            # A second Ctrl-C: the batch under way was rolled back, the ones before stay.
            pruned = progress.pruned or Pruned()
        if not pruned.finished:
            progress.say(
                strings.PRUNE_STOPPED.format(
                    done=pruned.records,
                    left=max(plan.records - pruned.records, 0),
                    cutoff=_moment(plan.cutoff, zone),
                )
            )
            return 128 + (stop.signal or 2)
        if pruned.anything:
            progress.say(strings.PRUNE_GIVING_BACK)
            give_back(store, stop.event)
        if vacuum:
            progress.say(strings.PRUNE_COMPACTING)
            compact(store)
        seconds = time.monotonic() - started
        progress.say(
            strings.PRUNE_DONE.format(
                requests=pruned.requests, postbacks=pruned.postbacks, seconds=seconds
            )
        )
        if pruned.findings > 0:
            progress.say(strings.PRUNE_FINDINGS_GONE.format(findings=pruned.findings))
        if pruned.actions or pruned.journal:
            progress.say(
                strings.PRUNE_TRAIL_GONE.format(actions=pruned.actions, journal=pruned.journal)
            )
        after = space(store).size
        if size_before is not None and after is not None:
            progress.say(strings.PRUNE_SIZES.format(before=_size(size_before), after=_size(after)))
        return 0 if stop.signal is None else 128 + stop.signal


def _tell_plan(
    plan: PrunePlan,
    where: str,
    size: int | None,
    note: str | None,
    vacuum: bool,
    zone: tzinfo,
    out: TextIO,
) -> None:
    """What would go, from when to when, and what becomes of the space."""
    cutoff = _moment(plan.cutoff, zone)
    if plan.empty:
        click.echo(strings.PRUNE_NOTHING.format(cutoff=cutoff), file=out)
    else:
        click.echo(strings.PRUNE_PLAN.format(where=where, cutoff=cutoff), file=out)
    if plan.records:
        assert plan.oldest is not None and plan.newest is not None
        click.echo(
            strings.PRUNE_PLAN_RECORDS.format(
                requests=plan.requests,
                postbacks=plan.postbacks,
                oldest=_moment(plan.oldest, zone),
                newest=_moment(plan.newest, zone),
            ),
            file=out,
        )
        click.echo(strings.PRUNE_PLAN_FINDINGS.format(findings=plan.findings), file=out)
    if plan.actions or plan.journal:
        click.echo(
            strings.PRUNE_PLAN_TRAIL.format(actions=plan.actions, journal=plan.journal), file=out
        )
    if size is not None and note is not None and (not plan.empty or vacuum):
        click.echo(strings.PRUNE_PLAN_SPACE.format(size=_size(size), note=note), file=out)
    if vacuum:
        click.echo(strings.PRUNE_PLAN_COMPACT, file=out)


def _moment(moment: datetime, zone: tzinfo) -> str:
    return i18n.format_moment(moment.astimezone(zone), "minutes")


def _size(size: int) -> str:
    return strings.SIZE_MB.format(size=size / 1024 / 1024)


class _Progress:
    """How far the prune is, rewritten in place on a terminal; only the outcome in a log."""

    def __init__(self, err: TextIO, total: int) -> None:
        self._err = err
        self._total = total
        self._interactive = err.isatty()
        self._drawn_at = 0.0
        self._line_open = False
        #: The running total, as the last batch told it.
        self.pruned: Pruned | None = None

    def batch(self, pruned: Pruned) -> None:
        """Take the running total after a batch."""
        self.pruned = pruned
        if not self._interactive or time.monotonic() - self._drawn_at < _REDRAW_SECONDS:
            return
        line = strings.PRUNE_PROGRESS.format(done=pruned.records, total=self._total)
        self._err.write("\r\x1b[K" + line)
        self._err.flush()
        self._line_open = True
        self._drawn_at = time.monotonic()

    def say(self, line: str) -> None:
        """Write one whole line, below the progress line if one is drawn."""
        if self._line_open:
            self._err.write("\r\x1b[K")
            self._line_open = False
        self._err.write(line + "\n")
        self._err.flush()
