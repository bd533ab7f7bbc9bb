"""Click, speaking the language in use: the group that chooses it, and translated help.

Click reads a command's and an option's help when it shows ``--help``, but
the decorators hand it the text when ``commands`` is imported, before the language
is chosen; these classes translate that English text as it is shown. Click's
own words ("Usage:", its errors) go through the process's gettext domain,
which ``i18n.activate`` points at orderdesk's catalog.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from functools import partial
from typing import Any

import click

from orderdesk import i18n, strings
from orderdesk.config import Settings

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
    """The ``orderdesk`` group: it picks the language before anything is parsed or shown."""

    command_class = _TranslatedCommand

    def make_context(
        self,
        info_name: str | None,
        args: list[str],
        parent: click.Context | None = None,
        **extra: Any,
    ) -> click.Context:
        """Speak the chosen language from the start, so ``--help`` and errors use it too."""
        setting = Settings.load().lang
        i18n.activate(i18n.choose(_lang_flag(args, self.commands), setting, os.environ))
        return super().make_context(info_name, args, parent, **extra)


@contextmanager
def _translated_help(described: click.Command | click.Option) -> Iterator[None]:
    english = described.help
    described.help = i18n.gettext(english) if english else english
    try:
        yield
    finally:
        described.help = english


def _lang_flag(args: list[str], commands: Mapping[str, object]) -> str | None:
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
