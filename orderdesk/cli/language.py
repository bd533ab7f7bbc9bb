"""Click, speaking the language in use: the group that chooses it, and translated help.

Click reads a command's and an option's help when it shows ``--help``, but
the decorators hand it the text when ``commands`` is imported, before the language
is chosen; these classes translate that English text as it is shown. Click's
own words ("Usage:", its errors) go through the process's gettext domain,
which ``i18n.activate`` points at orderdesk's catalog.
"""

from __future__ import annotations

import importlib
import os
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from functools import partial
from typing import Any

import click

from orderdesk import i18n, strings
from orderdesk.config import environment_setting

__all__ = ["LanguageGroup", "TranslatedOption", "option"]


class TranslatedOption(click.Option):
    """An option whose help is read in the language in use, not the one at import."""

    def get_help_record(self, ctx: click.Context) -> tuple[str, str] | None:
        """The option's line in ``--help``, translated."""
        with _translated_help(self):
            return super().get_help_record(ctx)


class _TranslatedCommand(click.Command):
    """A command whose help is read in the language in use."""

    def format_help_text(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """The command's description in ``--help``, translated."""
        with _translated_help(self):
            super().format_help_text(ctx, formatter)

    def get_help_option(self, ctx: click.Context) -> click.Option | None:
        """``--help``, its line in the language in use (click makes it once, and keeps it)."""
        made = super().get_help_option(ctx)
        if made is not None:
            made.help = strings.CLICK_HELP_OPTION
        return made

    def get_short_help_str(self, limit: int = 45) -> str:
        """The command's line in its group's ``--help``, translated."""
        with _translated_help(self):
            return super().get_short_help_str(limit)


class LanguageGroup(_TranslatedCommand, click.Group):
    """The ``orderdesk`` group: it picks the language before anything is parsed or shown.

    Its ``lazy_commands`` (name: ``module:attribute``) are imported only when run
    or listed, as click's "Lazily Loading Subcommands" does, so that starting
    ``orderdesk`` costs only the command that runs.
    """

    command_class = _TranslatedCommand

    def __init__(
        self, *args: Any, lazy_commands: Mapping[str, str] | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.lazy_commands = dict(lazy_commands or {})

    def list_commands(self, ctx: click.Context) -> list[str]:
        """Every command's name, the lazy ones included, in order."""
        return sorted({*super().list_commands(ctx), *self.lazy_commands})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        """The command of that name, imported now if it is a lazy one."""
        where = self.lazy_commands.get(cmd_name)
        if where is None or cmd_name in self.commands:
            return super().get_command(ctx, cmd_name)
        module, attribute = where.split(":")
        command = getattr(importlib.import_module(module), attribute)
        if not isinstance(command, click.Command):
            raise TypeError(f"{where} is not a click command")
        self.add_command(command, cmd_name)
        return command

    def make_context(
        self,
        info_name: str | None,
        args: list[str],
        parent: click.Context | None = None,
        **extra: Any,
    ) -> click.Context:
        """Speak the chosen language from the start, so ``--help`` and errors use it too.

        Only the outermost group chooses: a group within (``orderdesk actions``)
        speaks the language its parent chose from the whole command line.
        """
        if parent is None:
            setting = environment_setting("lang")
            names = {*self.commands, *self.lazy_commands}
            i18n.activate(i18n.choose(_lang_flag(args, names), setting, os.environ))
        return super().make_context(info_name, args, parent, **extra)


@contextmanager
def _translated_help(described: click.Command | click.Option) -> Iterator[None]:
    english = described.help
    described.help = i18n.gettext(english) if english else english
    try:
        yield
    finally:
        described.help = english


def _lang_flag(args: list[str], commands: set[str]) -> str | None:
    """The value of ``--lang`` among the group's own arguments (before the command)."""
    for position, arg in enumerate(args):
        if arg in commands:
            return None
        if arg == "--lang" and position + 1 < len(args):
            return args[position + 1]
        if arg.startswith("--lang="):
            return arg.removeprefix("--lang=")
    return None


#: ``click.option`` with help read in the language in use.
option = partial(click.option, cls=TranslatedOption)
