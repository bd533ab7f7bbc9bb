"""``orderdesk actions resume``: finish the actions a crash or a lost connection left unsent.

An action whose answer never reached the journal may or may not have been
taken by the service. Each is sent again with its own idempotency key: the
service answers a key it has taken with its first answer and sends nothing,
so no action goes out twice and none is skipped. Only the user's own entries
are resumed (``Settings.actor_name``), with the user's own key; no question is
asked, since each was confirmed when it was planned.
"""

from __future__ import annotations

from typing import Any

import click

from orderdesk import strings
from orderdesk.cli.acting import act_options, acting_client, follow_and_report
from orderdesk.cli.acting_report import Progress
from orderdesk.cli.long_running import require_source, stop_on_signals
from orderdesk.config import Settings, require_store
from orderdesk.core.acting import ActionRunner
from orderdesk.core.action_journal import ActionJournal
from orderdesk.core.errors import InputError
from orderdesk.core.store import Store
from orderdesk.core.text import show_controls

__all__ = ["resume"]


@click.command("resume", help=strings.CLI_ACTIONS_RESUME)
@act_options
def resume(**flags: Any) -> None:
    """Send again, with their own keys, this actor's actions left unsent."""
    code = _resume(**flags)
    if code:
        raise click.exceptions.Exit(code)


def _resume(api_url: str | None, api_key: str | None, db: str | None, pace: float) -> int:
    settings = Settings.load(db=db, api_url=api_url, api_key=api_key)
    if settings.read_only:
        raise InputError(strings.ACT_READ_ONLY_SETTING)
    actor = settings.actor_name()
    url = require_source(settings)
    require_store(settings.db)
    with Store.open(settings.db) as store:
        journal = ActionJournal(store)
        pending = journal.pending(actor)
        if not pending:
            click.echo(strings.RESUME_NOTHING.format(actor=show_controls(actor)), err=True)
            return 0
        click.echo(
            strings.RESUME_PLAN.format(count=len(pending), actor=show_controls(actor)), err=True
        )
        with (
            acting_client(url, settings.api_key_value()) as (client, waits),
            stop_on_signals(waits) as stop,
        ):
            runner = ActionRunner(journal, client, stop=stop.event)
            progress = Progress()
            summary = runner.resume(actor, progress, pace=pace)
            return follow_and_report(runner, summary, progress, stop)
