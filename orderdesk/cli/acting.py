"""``orderdesk redeliver`` and ``orderdesk resubmit``: act on records from the store, once each.

The records come from the store (the user syncs first), by id or selected as
``orderdesk postbacks`` and ``orderdesk requests`` select them. The command
shows the plan, asks the person to type how many records it will act on, then
sends through the user's own source and key, every action journalled with its
idempotency key before it goes out (``orderdesk.core.acting``). Ctrl-C cancels:
the send under way finishes, the rest are not sent, and the summary still
prints. A crash leaves entries planned: ``orderdesk actions resume`` sends them
again with their own keys, so none goes out twice.
"""

from __future__ import annotations

import signal
import sys
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import timedelta
from typing import Any, TypeVar

import click

from orderdesk import strings
from orderdesk.cli.acting_report import (
    EXIT_NOT_ALL,
    Progress,
    ask_count,
    exit_code,
    tell_plan,
    tell_summary,
)
from orderdesk.cli.language import option
from orderdesk.cli.long_running import Stop, require_source, stop_on_signals
from orderdesk.config import Settings, require_store
from orderdesk.core.acting import (
    DEFAULT_PACE,
    FOLLOW_FOR,
    ActionRunner,
    RunSummary,
    action_kind,
    plan_actions,
)
from orderdesk.core.action_journal import ActionJournal
from orderdesk.core.actions_client import ActionIntent, ActionsClient
from orderdesk.core.errors import InputError
from orderdesk.core.queries import RecordQuery, iter_records
from orderdesk.core.records import Kind, LogRecord
from orderdesk.core.store import Store
from orderdesk.core.text import show_controls

__all__ = ["act_options", "acting_client", "follow_and_report", "redeliver", "resubmit"]

F = TypeVar("F", bound=Callable[..., Any])

#: The selection flags, as the list commands name them; any of them selects records.
_SELECTING = (
    "since",
    "start",
    "end",
    "statuses",
    "customer",
    "printer",
    "order_reference",
    "search",
    "filter_text",
)


def act_options(command: F) -> F:
    """The options every acting command shares: the source, the store, the pace."""
    options = [
        option("--api-url", metavar="URL", help=strings.OPT_API_URL),
        option("--api-key", metavar="KEY", help=strings.OPT_API_KEY),
        option("--db", metavar="PATH|URL", help=strings.OPT_DB),
        # Hidden: the contract sets no rate, and the default is the polite one; tests
        # and a service's own operators may go faster.
        option(
            "--pace",
            type=click.FloatRange(min=0.01),
            default=DEFAULT_PACE,
            envvar="ORDERDESK_ACTION_PACE",
            hidden=True,
        ),
    ]
    for add in reversed(options):
        command = add(command)
    return command


def _selection_options(command: F) -> F:
    options = [
        click.argument("ids", nargs=-1, metavar="[ID]..."),
        option("--reason", required=True, metavar="TEXT", help=strings.OPT_ACT_REASON),
        option("--yes", is_flag=True, help=strings.OPT_ACT_YES),
        option("--dry-run", is_flag=True, help=strings.OPT_ACT_DRY_RUN),
        option("--force", is_flag=True, help=strings.OPT_ACT_FORCE),
        option("--max", "cap", type=click.IntRange(min=1), metavar="N", help=strings.OPT_ACT_MAX),
        option("--since", metavar="AGE", help=strings.OPT_SINCE),
        option("--from", "start", metavar="TIME", help=strings.OPT_FROM),
        option("--to", "end", metavar="TIME", help=strings.OPT_TO),
        option("--status", "statuses", multiple=True, metavar="STATUS", help=strings.OPT_STATUS),
        option("--customer", metavar="ID|NAME", help=strings.OPT_CUSTOMER),
        option("--printer", metavar="ID|NAME", help=strings.OPT_PRINTER),
        option("--order", "order_reference", metavar="REF", help=strings.OPT_ONE_ORDER),
        option("--search", metavar="TEXT", help=strings.OPT_SEARCH),
        option("--query", "filter_text", metavar="QUERY", help=strings.OPT_QUERY),
        option("--tz", metavar="ZONE", help=strings.OPT_TZ),
        act_options,
    ]
    for add in reversed(options):
        command = add(command)
    return command


@click.command("redeliver", help=strings.CLI_REDELIVER)
@_selection_options
def redeliver(**flags: Any) -> None:
    """Send postbacks' Final messages to the customer's system again."""
    _exit(_act("postbacks", None, **flags))


@click.command("resubmit", help=strings.CLI_RESUBMIT)
@option(
    "--mode",
    type=click.Choice(["final", "reprocess"]),
    required=True,
    help=strings.OPT_ACT_MODE,
)
@_selection_options
def resubmit(mode: str, **flags: Any) -> None:
    """Send requests' orders to the printer again."""
    _exit(_act("requests", mode, **flags))


def _exit(code: int) -> None:
    if code:
        raise click.exceptions.Exit(code)


def _act(
    kind: Kind,
    mode: str | None,
    *,
    ids: tuple[str, ...],
    reason: str,
    yes: bool,
    dry_run: bool,
    force: bool,
    cap: int | None,
    tz: str | None,
    api_url: str | None,
    api_key: str | None,
    db: str | None,
    pace: float,
    **selection: Any,
) -> int:
    """Select, plan, ask, send, follow and sum up; the exit code."""
    settings = Settings.load(db=db, api_url=api_url, api_key=api_key, tz=tz, max_actions=cap)
    if settings.read_only:
        raise InputError(strings.ACT_READ_ONLY_SETTING)
    intent = ActionIntent(
        actor=settings.actor_name(),
        reason=reason,
        force=force,
        mode=mode,  # type: ignore[arg-type]
    )
    intent.body(action_kind(kind))  # the contract's bounds, checked before anything is read
    # A dry run reads the store only: it needs no source.
    url = None if dry_run else require_source(settings)
    require_store(settings.db)
    with Store.open(settings.db) as store:
        records = _targets(store, kind, ids, selection, settings)
        if not records:
            click.echo(strings.ACT_NOTHING_MATCHES.format(kind=kind), err=True)
            return 0
        plan = plan_actions(kind, records, force=force, cap=settings.max_actions, pace=pace)
        tell_plan(plan, intent.actor, intent.reason, mode, sys.stdout)
        if url is None:
            return 0
        if plan.count == 0:
            tell_summary(RunSummary(batch=""), len(plan.skipped), sys.stderr)
            return EXIT_NOT_ALL
        with acting_client(url, settings.api_key_value()) as (client, waits):
            if not yes:
                if not sys.stdin.isatty():
                    raise InputError(strings.ACT_NO_TERMINAL)
                if not ask_count(plan.count):
                    click.echo(strings.ACT_ABORTED, err=True)
                    return EXIT_NOT_ALL
            # From here on Ctrl-C cancels: the send under way finishes, the summary prints.
            with stop_on_signals(waits) as stop:
                runner = ActionRunner(ActionJournal(store), client, stop=stop.event)
                progress = Progress()
                summary = runner.run(plan, intent, progress)
                return follow_and_report(runner, summary, progress, stop, skipped=len(plan.skipped))


def _targets(
    store: Store, kind: Kind, ids: Sequence[str], selection: dict[str, Any], settings: Settings
) -> list[LogRecord]:
    """The records given by id (every one must be in the store), or those the flags select."""
    selecting = any(selection.get(name) for name in _SELECTING)
    if ids and selecting:
        raise InputError(strings.ACT_IDS_OR_SELECTION)
    if ids:
        found = list(iter_records(store, RecordQuery(kind=kind, ids=tuple(ids))))
        missing = sorted(set(ids) - {record.id for record in found})
        if missing:
            shown = ", ".join(show_controls(one) for one in missing)
            raise InputError(strings.ACT_NOT_IN_STORE.format(kind=kind, ids=shown))
        order = {one: index for index, one in enumerate(ids)}
        return sorted(found, key=lambda record: order[record.id])
    if not selecting:
        raise InputError(strings.ACT_NOTHING_SELECTED)
    # Imported here: the list commands' module, whose flags these are.
    from orderdesk.cli.commands import list_query
    from orderdesk.core.timerange import resolve_zone

    query = list_query(kind, resolve_zone(settings.tz), **selection)
    # Oldest first: sent in the order they happened.
    return list(reversed(list(iter_records(store, query))))


@contextmanager
def acting_client(url: str, key: str | None) -> Iterator[tuple[ActionsClient, threading.Event]]:
    """A client of the user's source, once the source said this key may act.

    With it comes the event that cancels: set, the waits between retries end at once.
    """
    from orderdesk.core.client import LogApiClient

    waits = threading.Event()
    with LogApiClient(url, key) as log_api:
        client = ActionsClient(log_api, sleep=waits.wait)
        capability = client.capability()
        if not capability.has_actions:
            raise InputError(strings.ACTION_UNSUPPORTED.format(url=url, version=capability.version))
        if not capability.may_act:
            raise InputError(strings.ACTION_READ_ONLY.format(url=url))
        yield client, waits


def follow_and_report(
    runner: ActionRunner,
    summary: RunSummary,
    progress: Progress,
    stop: Stop,
    *,
    skipped: int = 0,
    within: timedelta = FOLLOW_FOR,
) -> int:
    """Follow the accepted actions to their end (a stop ends the wait), sum up; the exit code."""
    progress.following(len(summary.sent), within.total_seconds())
    summary = runner.follow(summary, within=within)
    progress.end_line()
    tell_summary(summary, skipped, sys.stderr)
    if stop.signal is not None and stop.signal != signal.SIGINT:
        return 128 + stop.signal  # SIGTERM: as shells expect of a process a signal stopped
    return exit_code(summary, skipped=skipped, interrupted=stop.signal is not None)
