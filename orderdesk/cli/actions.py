"""`orderdesk actions`: the action trail the sync stored, listed as records are.

A group, so that commands about actions join it (``orderdesk actions …``);
given none, it lists. The list reads like ``orderdesk requests``: newest
first, the same formats, a table cut to a screenful (and said so), machine
formats whole unless ``--limit``; nothing from the store reaches the
terminal raw.
"""

from __future__ import annotations

import csv
import io
import json
import shutil
import sys
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime, tzinfo
from typing import TextIO

import click

from orderdesk import i18n, strings
from orderdesk.action_words import result_code
from orderdesk.cli.language import LanguageGroup, option
from orderdesk.config import ReadSettings, require_store
from orderdesk.core.action_records import ACTION_STATUSES, ActionRecord
from orderdesk.core.text import show_controls

__all__ = ["actions", "actions_as_csv", "actions_as_table", "write_actions"]

#: The table's columns, by the names of ``strings.ACTION_HEADS``.
TABLE_COLUMNS = ("when", "actor", "kind", "target", "order reference", "status", "code")
#: CSV's columns: the contract's field names, for other tools.
CSV_COLUMNS = (
    "created_at",
    "id",
    "kind",
    "target_kind",
    "target_id",
    "order_reference_id",
    "customer",
    "actor",
    "reason",
    "mode",
    "force",
    "status",
    "status_code",
    "error",
    "record_id",
    "updated_at",
)


def _table_cells(action: ActionRecord, zone: tzinfo) -> tuple[str, ...]:
    cells = (
        i18n.format_moment(action.created_at.astimezone(zone)),
        action.actor,
        action.kind,
        f"{action.target.kind}/{action.target.id}",
        action.order_reference_id or "-",
        action.status,
        result_code(action),
    )
    return tuple(show_controls(cell) for cell in cells)


def actions_as_table(actions: Sequence[ActionRecord], zone: tzinfo, *, width: int) -> str:
    """Aligned columns that fit ``width``; the last column is cut, never wrapped."""
    if not actions:
        return ""
    heads = strings.ACTION_HEADS
    rows = [tuple(heads[column] for column in TABLE_COLUMNS)]
    rows += [_table_cells(action, zone) for action in actions]
    # As the records' table: one long value cannot push the rest off screen.
    widths = [max(len(row[i]) for row in rows) for i in range(len(TABLE_COLUMNS))]
    widths[:-1] = [min(size, 40) for size in widths[:-1]]
    lines = []
    for row in rows:
        cells = [cell[:size].ljust(size) for cell, size in zip(row, widths, strict=True)]
        lines.append("  ".join(cells).rstrip()[:width])
    return "\n".join(lines) + "\n"


def _csv_cells(action: ActionRecord) -> list[str]:
    result = action.result
    values: list[object] = [
        action.created_at.isoformat(),
        action.id,
        action.kind,
        action.target.kind,
        action.target.id,
        action.order_reference_id or "",
        action.customer.name if action.customer is not None else "",
        action.actor,
        action.reason,
        action.mode or "",
        "true" if action.force else "false",
        action.status,
        "" if result is None or result.status_code is None else result.status_code,
        "" if result is None or result.error is None else result.error,
        "" if result is None or result.record_id is None else result.record_id,
        action.updated_at.isoformat(),
    ]
    return [show_controls(str(value)) for value in values]


def actions_as_csv(actions: Iterable[ActionRecord]) -> str:
    """CSV with a header row; control characters are shown as escapes, not written."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    writer.writerows(_csv_cells(action) for action in actions)
    return buffer.getvalue()


def _action_json(action: ActionRecord) -> str:
    # ASCII only, as records are written: no escape sequence reaches a terminal that prints it.
    return json.dumps(action.model_dump(mode="json"), ensure_ascii=True, separators=(",", ":"))


def write_actions(
    actions: Sequence[ActionRecord], output: str, zone: tzinfo, out: TextIO, *, width: int
) -> None:
    """Write ``actions`` in ``output``: table, json, jsonl or csv."""
    if output == "json":
        out.write("[" + ",\n".join(_action_json(a) for a in actions) + "]\n")
    elif output == "jsonl":
        out.writelines(_action_json(a) + "\n" for a in actions)
    elif output == "csv":
        out.write(actions_as_csv(actions))
    else:
        out.write(actions_as_table(actions, zone, width=width))
    out.flush()


@click.group(
    cls=LanguageGroup,
    # Resuming sends: its modules are imported only when it runs, not to list the trail.
    lazy_commands={"resume": "orderdesk.cli.actions_resume:resume"},
    help=strings.CLI_ACTIONS,
    invoke_without_command=True,
)
@option("--since", metavar="AGE", help=strings.OPT_ACTIONS_SINCE)
@option("--from", "start", metavar="TIME", help=strings.OPT_FROM)
@option("--to", "end", metavar="TIME", help=strings.OPT_TO)
@option("--actor", metavar="NAME", help=strings.OPT_ACTOR)
@option("--kind", type=click.Choice(["redeliver", "resubmit"]), help=strings.OPT_ACTION_KIND)
@option("--status", type=click.Choice(ACTION_STATUSES), help=strings.OPT_ACTION_STATUS)
@option("--order", "order_reference", metavar="REF", help=strings.OPT_ACTION_ORDER)
@option("--customer", metavar="ID|NAME", help=strings.OPT_CUSTOMER)
@option("--limit", type=click.IntRange(min=0), metavar="N", help=strings.OPT_ACTIONS_LIMIT)
@option(
    "--format",
    "output",
    type=click.Choice(["table", "json", "jsonl", "csv"]),
    default="table",
    show_default=True,
    help=strings.OPT_FORMAT,
)
@option("--tz", metavar="ZONE", help=strings.OPT_TZ_TABLE)
@option("--db", metavar="PATH|URL", help=strings.OPT_DB)
@click.pass_context
def actions(
    context: click.Context,
    since: str | None,
    start: str | None,
    end: str | None,
    actor: str | None,
    kind: str | None,
    status: str | None,
    order_reference: str | None,
    customer: str | None,
    limit: int | None,
    output: str,
    tz: str | None,
    db: str | None,
) -> None:
    """List the stored actions, newest first, when no subcommand is given."""
    if context.invoked_subcommand is not None:
        return
    from orderdesk.cli.listing import screenful
    from orderdesk.core.action_trail import ActionFilter, count_actions, list_actions
    from orderdesk.core.store import Store
    from orderdesk.core.timerange import TimeRange, resolve_zone

    settings = ReadSettings.load(db=db, tz=tz)
    zone = resolve_zone(settings.tz)
    window = TimeRange.from_flags(
        since=since, start=start, end=end, now=datetime.now(UTC), zone=zone
    )
    where = ActionFilter(
        since=window.since,
        until=window.until,
        actor=actor,
        kind=kind,  # type: ignore[arg-type]  # click's Choice holds the kinds
        status=status,  # type: ignore[arg-type]
        order_reference_id=order_reference,
        customer=customer,
    )
    # Scripts get every match unless they ask for fewer; a table keeps to a screenful.
    shown = (screenful() if output == "table" else None) if limit is None else (limit or None)
    require_store(settings.db)
    with Store.open(settings.db) as store:
        listed = list_actions(store, where, limit=shown)
        width = shutil.get_terminal_size((200, 24)).columns if sys.stdout.isatty() else 10_000
        write_actions(listed.actions, output, zone, sys.stdout, width=width)
        if not listed.actions:
            stored = count_actions(store)
            said = strings.ACTIONS_NONE_MATCH.format(count=stored) if stored else None
            click.echo(said or strings.ACTIONS_NONE_STORED, err=True)
    if not listed.cut:
        return
    if limit is None:
        click.echo(strings.ACTIONS_MORE_TABLE)
    else:
        # Stdout stays the actions alone: a script reads it, a person sees both.
        click.echo(strings.ACTIONS_CUT.format(shown=len(listed.actions)), err=True)
