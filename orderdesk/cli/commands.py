"""The ``orderdesk`` command: simulate, sync, and the scriptable lists over the store.

A mistake the user can make (a wrong flag, an unreachable source, a store
that cannot be opened) ends in one line on stderr that says what to do, and
exit code 2; never a traceback.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from datetime import UTC, datetime, tzinfo
from typing import TYPE_CHECKING, Any, TypeVar

import click

from orderdesk import __version__, i18n, strings
from orderdesk.cli.language import LanguageGroup, TranslatedOption, option
from orderdesk.cli.long_running import require_source as _require_source
from orderdesk.cli.long_running import stop_on_signals as _stop_on_signals
from orderdesk.cli.process_end import Invocation, end_process
from orderdesk.config import ReadSettings, prepare_store, require_store
from orderdesk.core.errors import InputError, OrderdeskError

if TYPE_CHECKING:
    import threading

    from orderdesk.cli.sync_report import SyncReporter
    from orderdesk.config import Settings
    from orderdesk.core.progress import SyncProgress
    from orderdesk.core.queries import RecordQuery
    from orderdesk.core.timerange import TimeRange

F = TypeVar("F", bound=Callable[..., Any])
EXIT_USAGE = 2
# Consecutive transient failures `sync --once` rides out (about half a minute).
ONCE_ATTEMPTS = 7


def _store_option(command: F) -> F:
    return option("--db", metavar="PATH|URL", help=strings.OPT_DB)(command)


def _source_options(command: F) -> F:
    command = option("--api-key", metavar="KEY", help=strings.OPT_API_KEY)(command)
    return option("--api-url", metavar="URL", help=strings.OPT_API_URL)(command)


# Commands kept in modules of their own, imported only when they run (or --help lists them).
_LAZY_COMMANDS = {
    "actions": "orderdesk.cli.actions:actions",
    "orders": "orderdesk.cli.problems:orders",
    "problems": "orderdesk.cli.problems:problems",
    "watch": "orderdesk.cli.watch:watch",
    "prune": "orderdesk.cli.prune:prune_command",
    "redeliver": "orderdesk.cli.acting:redeliver",
    "resubmit": "orderdesk.cli.acting:resubmit",
}


@click.group(
    cls=LanguageGroup,
    lazy_commands=_LAZY_COMMANDS,
    help=strings.CLI_HELP,
    context_settings={"help_option_names": ["-h", "--help"]},
    invoke_without_command=True,
)
@click.version_option(
    __version__,
    "--version",
    prog_name="orderdesk",
    help=strings.CLICK_VERSION_OPTION,
    cls=TranslatedOption,
)
@option("--lang", type=click.Choice(i18n.LANGUAGES), help=strings.OPT_LANG)
@option("--order", "order_reference", metavar="REF", help=strings.OPT_ORDER)
@option(
    "--screen",
    type=click.Choice(["requests", "postbacks"]),
    default="requests",
    show_default=True,
    help=strings.OPT_SCREEN,
)
@option("--since", metavar="AGE", help=strings.OPT_SINCE_CONSOLE)
@option("--status", "statuses", multiple=True, metavar="STATUS", help=strings.OPT_STATUS)
@option("--tz", metavar="ZONE", help=strings.OPT_TZ)
@option("--view", metavar="NAME", help=strings.OPT_VIEW)
@option("--take-over/--no-take-over", default=True, help=strings.OPT_TAKE_OVER)
@option("--read-only", is_flag=True, default=False, help=strings.OPT_READ_ONLY)
@_source_options
@_store_option
@click.pass_context
def cli(
    ctx: click.Context,
    lang: str | None,
    order_reference: str | None,
    screen: str,
    since: str | None,
    statuses: tuple[str, ...],
    tz: str | None,
    view: str | None,
    take_over: bool,
    read_only: bool,
    api_url: str | None,
    api_key: str | None,
    db: str | None,
) -> None:
    """A terminal console for an order-intake integration's Requests and Postbacks logs.

    With no command, opens the terminal UI on the configured source and store.
    """
    if isinstance(ctx.obj, Invocation):
        ctx.obj.running(ctx.invoked_subcommand)
    if ctx.invoked_subcommand is not None:
        return
    from orderdesk.config import Settings
    from orderdesk.core.store_opening import StoreOpening

    # Unset, ORDERDESK_READ_ONLY decides.
    settings = Settings.load(
        db=db, api_url=api_url, api_key=api_key, tz=tz, read_only=read_only or None
    )
    source_url = _require_source(settings) if settings.api_url else None
    prepare_store(settings.db)
    # The store opens while the console's code loads: far away, opening is round trips.
    opening = StoreOpening(settings.db)
    try:
        from orderdesk.tui.launch import open_console

        open_console(
            settings,
            opening=opening,
            source_url=source_url,
            screen="postbacks" if screen == "postbacks" else "requests",
            since=since,
            statuses=statuses,
            order_reference=order_reference,
            take_over=take_over,
            view=view,
        )
    finally:
        opening.close()


@cli.command(help=strings.CLI_DEMO)
@option("--seed", default=1, show_default=True, type=int, help=strings.OPT_SEED)
@option("--history", default="7d", show_default=True, help=strings.OPT_DEMO_HISTORY)
@option("--history-rate", default="0.3/min", show_default=True, help=strings.OPT_DEMO_HISTORY_RATE)
@option("--rate", default="6/min", show_default=True, help=strings.OPT_DEMO_RATE)
@option("--tz", metavar="ZONE", help=strings.OPT_TZ)
@option("--read-only", is_flag=True, default=False, help=strings.OPT_READ_ONLY)
def demo(
    seed: int, history: str, history_rate: str, rate: str, tz: str | None, read_only: bool
) -> None:
    """Try orderdesk on a simulated service: live traffic, a temporary store, the full UI."""
    from orderdesk.cli.demo import run_demo
    from orderdesk.config import Settings
    from orderdesk.core.timerange import parse_duration, resolve_zone
    from orderdesk.sim.server import parse_rate

    try:
        span = parse_duration(history)
        per_minute, history_per_minute = parse_rate(rate), parse_rate(history_rate)
    except ValueError as error:
        raise InputError(str(error)) from None
    settings = Settings.load(read_only=read_only or None)
    run_demo(
        seed=seed,
        history=span,
        history_rate=history_per_minute,
        rate=per_minute,
        zone=resolve_zone(tz) if tz is not None else None,
        actor=settings.actor_name(),
        read_only=settings.read_only,
    )


@cli.command(help=strings.CLI_SIMULATE)
@option("--host", default="127.0.0.1", show_default=True, help=strings.OPT_HOST)
@option(
    "--port", default=8765, show_default=True, type=click.IntRange(0, 65535), help=strings.OPT_PORT
)
@option("--seed", default=1, show_default=True, type=int, help=strings.OPT_SEED)
@option("--history", default="7d", show_default=True, help=strings.OPT_SIM_HISTORY)
@option("--history-rate", default="2/min", show_default=True, help=strings.OPT_SIM_HISTORY_RATE)
@option("--rate", default="30/min", show_default=True, help=strings.OPT_SIM_RATE)
@option("--api-key", default=None, help=strings.OPT_SIM_API_KEY)
@option("--read-key", default=None, help=strings.OPT_SIM_READ_KEY)
@option("--faults", default="", help=strings.OPT_FAULTS)
def simulate(
    host: str,
    port: int,
    seed: int,
    history: str,
    history_rate: str,
    rate: str,
    api_key: str | None,
    read_key: str | None,
    faults: str,
) -> None:
    """Serve the log API with believable traffic, over real HTTP."""
    from orderdesk.core.timerange import parse_duration
    from orderdesk.sim.faults import Faults
    from orderdesk.sim.server import parse_rate, run_simulator

    try:
        fault_rates = Faults.parse(faults)
        history_span = parse_duration(history)
        per_minute, history_per_minute = parse_rate(rate), parse_rate(history_rate)
    except ValueError as error:
        raise InputError(str(error)) from None
    # The simulator serves until Ctrl-C, which main() turns into a quiet exit.
    run_simulator(
        host=host,
        port=port,
        seed=seed,
        history=history_span,
        history_rate=history_per_minute,
        rate=per_minute,
        api_key=api_key,
        read_key=read_key,
        faults=fault_rates,
        out=lambda line: click.echo(line, err=True),
    )


@cli.command(help=strings.CLI_SYNC)
@option("--once", "mode", flag_value="once", default=True, help=strings.OPT_ONCE)
@option("--follow", "mode", flag_value="follow", help=strings.OPT_FOLLOW)
@option("--interval", type=click.FloatRange(min=0.1), help=strings.OPT_INTERVAL)
@option("--wait", is_flag=True, help=strings.OPT_WAIT)
@_source_options
@_store_option
def sync(
    mode: str,
    interval: float | None,
    wait: bool,
    api_url: str | None,
    api_key: str | None,
    db: str | None,
) -> None:
    """Pull requests and postbacks from the log API into the store; one process at a time."""
    from orderdesk.cli.sync_report import SyncReporter, stored_records
    from orderdesk.config import Settings

    settings = Settings.load(db=db, api_url=api_url, api_key=api_key, interval=interval)
    url = _require_source(settings)
    prepare_store(settings.db)
    reporter = SyncReporter(out=sys.stderr)
    with _stop_on_signals() as stop:
        try:
            last = _sync(settings, url, mode, wait, reporter, stop.event)
        except KeyboardInterrupt:
            # A second Ctrl-C: the page being saved was rolled back, the rest stays.
            last = None
        if stop.signal is None:
            return
        # A person or a service manager stopped it: say how far it got, and exit as
        # shells expect of a process a signal stopped, so a script can tell.
        reporter.stopped(last, stored_records(settings.db))
        raise click.exceptions.Exit(128 + stop.signal)


def _sync(
    settings: Settings,
    url: str,
    mode: str,
    wait: bool,
    reporter: SyncReporter,
    stop: threading.Event,
) -> SyncProgress | None:
    """Run the sync under its lease; the last pass's progress, or None if none ran."""
    from orderdesk.core.lease import LeaseHeld
    from orderdesk.core.sync_service import Source, SyncService

    source = Source(url, settings.api_key_value(), interval=settings.interval)
    service = SyncService(
        settings.db, source, rules=settings.timeline_rules(), retention=settings.retention
    )
    waiting = reporter.waiting if wait else None
    try:
        if mode == "follow":
            return service.follow(
                stop, reporter.progressed, waiting=waiting, on_following=reporter.following
            )
        progress = service.catch_up(
            stop, reporter.progressed, attempts=ONCE_ATTEMPTS, waiting=waiting
        )
    except LeaseHeld as held:
        click.echo(strings.SYNC_LEASE_HELD.format(holder=held.holder), err=True)
        raise SystemExit(2) from None
    if progress is not None and progress.caught_up:
        reporter.finish(progress)
    return progress


def _list_options(command: F) -> F:
    options = [
        option("--since", metavar="AGE", help=strings.OPT_SINCE),
        option("--from", "start", metavar="TIME", help=strings.OPT_FROM),
        option("--to", "end", metavar="TIME", help=strings.OPT_TO),
        option("--status", "statuses", multiple=True, metavar="STATUS", help=strings.OPT_STATUS),
        option("--customer", metavar="ID|NAME", help=strings.OPT_CUSTOMER),
        option("--printer", metavar="ID|NAME", help=strings.OPT_PRINTER),
        option("--order", "order_reference", metavar="REF", help=strings.OPT_ONE_ORDER),
        option("--search", metavar="TEXT", help=strings.OPT_SEARCH),
        option("--query", "filter_text", metavar="QUERY", help=strings.OPT_QUERY),
        option("--limit", type=click.IntRange(min=0), metavar="N", help=strings.OPT_LIMIT),
        option(
            "--format",
            "output",
            type=click.Choice(["table", "json", "jsonl", "csv"]),
            default="table",
            show_default=True,
            help=strings.OPT_FORMAT,
        ),
        option("--tz", metavar="ZONE", help=strings.OPT_TZ_TABLE),
        _store_option,
    ]
    for add in reversed(options):
        command = add(command)
    return command


@cli.command(help=strings.CLI_REQUESTS)
@_list_options
@option(
    "--action",
    "actions",
    multiple=True,
    type=click.Choice(["submit", "cancel"]),
    help=strings.OPT_ACTION,
)
def requests(**flags: Any) -> None:
    """List request records, newest first."""
    _list("requests", **flags)


@cli.command(help=strings.CLI_POSTBACKS)
@_list_options
@option("--event", "events", multiple=True, metavar="EVENT", help=strings.OPT_EVENT)
def postbacks(**flags: Any) -> None:
    """List postback records, newest first."""
    _list("postbacks", **flags)


def _list(
    kind: str,
    *,
    since: str | None,
    start: str | None,
    end: str | None,
    statuses: tuple[str, ...],
    customer: str | None,
    printer: str | None,
    order_reference: str | None,
    search: str | None,
    filter_text: str | None,
    limit: int | None,
    output: str,
    tz: str | None,
    db: str | None,
    actions: tuple[str, ...] = (),
    events: tuple[str, ...] = (),
) -> None:
    from orderdesk.cli import listing
    from orderdesk.core.store import Store
    from orderdesk.core.timerange import resolve_zone

    settings = ReadSettings.load(db=db, tz=tz)
    zone = resolve_zone(settings.tz)
    query = list_query(
        kind,
        zone,
        since=since,
        start=start,
        end=end,
        statuses=statuses,
        customer=customer,
        printer=printer,
        order_reference=order_reference,
        search=search,
        filter_text=filter_text,
        actions=actions,
        events=events,
    )
    require_store(settings.db)
    # Scripts get every match unless they ask for fewer; a table keeps to a screenful.
    if limit is None:
        cut = listing.Cut(listing.screenful() if output == "table" else None)
    else:
        cut = listing.Cut(limit or None)
    with Store.open(settings.db) as store:
        listing.write_list(store, query, output, cut, zone, sys.stdout)  # type: ignore[arg-type]
        if cut.written == 0:
            # Imported only when needed: most lists are not empty.
            from orderdesk.cli.empty_list import why_empty

            click.echo(why_empty(store, query, zone=zone), err=True)
    if not cut.more:
        return
    if limit is None:
        click.echo(strings.LIST_MORE_TABLE)
    else:
        # Stdout stays the records alone: a script reads it, a person sees both.
        click.echo(strings.LIST_CUT.format(shown=cut.written), err=True)


def list_query(
    kind: str,
    zone: tzinfo,
    *,
    since: str | None,
    start: str | None,
    end: str | None,
    statuses: tuple[str, ...],
    customer: str | None,
    printer: str | None,
    order_reference: str | None,
    search: str | None,
    filter_text: str | None,
    actions: tuple[str, ...] = (),
    events: tuple[str, ...] = (),
) -> RecordQuery:
    """The records the list flags select, as ``requests`` and ``postbacks`` read them.

    The commands that act on records (``redeliver``, ``resubmit``) select theirs the same way.
    """
    from orderdesk.core.queries import RecordQuery
    from orderdesk.core.records import EVENTS
    from orderdesk.core.statuses import check_statuses

    check_statuses(kind, statuses)  # type: ignore[arg-type]
    _check_choices("--event", events, EVENTS)
    window = _time_range(since, start, end, zone)
    query = RecordQuery(
        kind=kind,  # type: ignore[arg-type]
        since=window.since,
        until=window.until,
        now=datetime.now(UTC),  # the moment a finding: filter judges findings open at
        statuses=statuses,
        events=events,
        actions=actions,
        customers=(customer,) if customer else (),
        printers=(printer,) if printer else (),
        order_references=(order_reference,) if order_reference else (),
        search=tuple((search or "").split()),
    )
    if filter_text is not None:
        query = _with_filter(query, filter_text)
    return query


def _time_range(since: str | None, start: str | None, end: str | None, zone: tzinfo) -> TimeRange:
    """The range ``--since``, ``--from`` and ``--to`` give; a moment in --since points to --from."""
    from orderdesk.core.timerange import TimeRange, parse_duration, parse_moment

    now = datetime.now(UTC)
    if since is not None:
        try:
            parse_duration(since.removeprefix("-"))
        except InputError:
            # `--since yesterday` means `--from yesterday`: say so, not only "not a duration".
            try:
                parse_moment(since, now=now, zone=zone)
            except InputError:
                raise InputError(strings.NOT_A_DURATION.format(text=since)) from None
            import shlex

            raise InputError(strings.SINCE_A_MOMENT.format(text=shlex.quote(since))) from None
    return TimeRange.from_flags(since=since, start=start, end=end, now=now, zone=zone)


@cli.command(help=strings.CLI_ORDER)
@click.argument("reference")
@option(
    "--format",
    "output",
    type=click.Choice(["table", "json", "markdown", "summary"]),
    default="table",
    show_default=True,
    help=strings.OPT_REPORT_FORMAT,
)
@option("--tz", metavar="ZONE", help=strings.OPT_REPORT_TZ)
@_store_option
def order(reference: str, output: str, tz: str | None, db: str | None) -> None:
    """One order's requests and postbacks, oldest first, and what is missing or wrong."""
    from orderdesk.cli.order_report import print_order
    from orderdesk.config import Settings

    print_order(Settings.load(db=db, tz=tz), reference, output)  # type: ignore[arg-type]


@cli.command(help=strings.SERVE_HELP)
@option("--host", default="127.0.0.1", show_default=True, help=strings.SERVE_OPT_HOST)
@option(
    "--port",
    default=8000,
    show_default=True,
    type=click.IntRange(1, 65535),
    help=strings.SERVE_OPT_PORT,
)
@option("--public", is_flag=True, help=strings.SERVE_OPT_PUBLIC)
@option("--public-url", metavar="URL", help=strings.SERVE_OPT_PUBLIC_URL)
@option("--allow-actions", is_flag=True, help=strings.SERVE_OPT_ALLOW_ACTIONS)
@option(
    "--actor-header",
    default="X-Forwarded-User",
    show_default=True,
    metavar="NAME",
    help=strings.SERVE_OPT_ACTOR_HEADER,
)
@option(
    "--trusted-proxy",
    "trusted_proxies",
    multiple=True,
    metavar="ADDRESS",
    help=strings.SERVE_OPT_TRUSTED_PROXY,
)
@option(
    "--max-sessions",
    default=10,
    show_default=True,
    type=click.IntRange(min=1),
    metavar="N",
    help=strings.SERVE_OPT_MAX_SESSIONS,
)
@option("--tz", metavar="ZONE", help=strings.OPT_TZ)
@option("--view", metavar="NAME", help=strings.OPT_VIEW)
@_source_options
@_store_option
@click.pass_context
def serve(
    ctx: click.Context,
    host: str,
    port: int,
    public: bool,
    public_url: str | None,
    allow_actions: bool,
    actor_header: str,
    trusted_proxies: tuple[str, ...],
    max_sessions: int,
    tz: str | None,
    view: str | None,
    api_url: str | None,
    api_key: str | None,
    db: str | None,
) -> None:
    """Serve the console to web browsers."""
    from orderdesk.config import Settings
    from orderdesk.web.serve import (
        ConsoleServer,
        check_host,
        check_public_url,
        console_command,
        is_loopback,
        serve_console,
    )
    from orderdesk.web.tab_actions import LOOPBACK, TabActions, check_header_name, check_proxy

    proxies = tuple(check_proxy(text) for text in trusted_proxies) or LOOPBACK
    actions = TabActions(allow_actions, check_header_name(actor_header), proxies)
    if (warning := check_host(host, public=public)) is not None:
        click.echo(warning, err=True)
    if allow_actions and not is_loopback(host):
        named = ", ".join(str(network) for network in proxies)
        warned = strings.SERVE_ACTIONS_WARNING.format(header=actor_header, proxies=named)
        click.echo(warned, err=True)
    settings = Settings.load(db=db, api_url=api_url, api_key=api_key, tz=tz)
    prepare_store(settings.db)
    launch = console_command(
        settings,
        source_url=_require_source(settings) if settings.api_url else None,
        view=view,
        lang=ctx.find_root().params.get("lang"),
    )
    server = ConsoleServer(
        launch,
        host=host,
        port=port,
        public_url=check_public_url(public_url),
        say=lambda line: click.echo(line, err=True),
        actions=actions,
        max_sessions=max_sessions,
    )
    serve_console(server)


def _with_filter(query: Any, text: str) -> Any:
    """The query narrowed by a ``--query`` filter; a mistake shows where it is."""
    from orderdesk.core.errors import FilterSyntaxError
    from orderdesk.core.filter_language import narrow, parse

    try:
        return narrow(query, parse(text, query.kind))
    except FilterSyntaxError as error:
        # The query again with a caret under the mistake; nothing unprintable echoed.
        shown = "".join(c if c.isprintable() else " " for c in text)
        raise InputError(
            strings.QUERY_ERROR.format(message=error, query=shown, caret=" " * error.position + "^")
        ) from None


def _check_choices(flag: str, given: tuple[str, ...], allowed: tuple[str, ...]) -> None:
    for value in given:
        if value not in allowed:
            raise InputError(
                strings.BAD_CHOICE.format(flag=flag, value=value, allowed=", ".join(allowed))
            )


def main(argv: list[str] | None = None) -> int:
    """Run the command line; return the exit code instead of raising.

    Without ``argv`` it is the process itself (``orderdesk``, ``python -m
    orderdesk``): after a command that only read, it ends the process once the
    answer is out, without the interpreter's teardown (``process_end``).
    """
    invocation = Invocation()
    try:
        code = _run(argv, invocation)
    except SystemExit as stopped:
        # Click's own exit on a closed pipe (`orderdesk requests | head -1`), among others.
        if argv is not None or not invocation.only_read or not isinstance(stopped.code, int):
            raise
        code = stopped.code
    if argv is None and invocation.only_read:
        end_process(code)
    return code


def _run(argv: list[str] | None, invocation: Invocation) -> int:
    try:
        result = cli.main(args=argv, prog_name="orderdesk", standalone_mode=False, obj=invocation)
    except click.UsageError as error:
        where = error.ctx.command_path if error.ctx is not None else "orderdesk"
        click.echo(
            strings.USAGE_ERROR.format(message=error.format_message(), where=where), err=True
        )
        return EXIT_USAGE
    except click.ClickException as error:
        click.echo(strings.ERROR_LINE.format(message=error.format_message()), err=True)
        return EXIT_USAGE
    except click.Abort:
        return 130
    except OrderdeskError as error:
        click.echo(strings.ERROR_LINE.format(message=error), err=True)
        return EXIT_USAGE
    except KeyboardInterrupt:
        return 130
    return result if isinstance(result, int) else 0


if __name__ == "__main__":
    sys.exit(main())
