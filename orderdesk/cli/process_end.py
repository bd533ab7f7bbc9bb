"""Ending the ``orderdesk`` process as soon as a command that only read has answered.

When Python exits normally it tears down every module it imported, which for
SQLAlchemy, pydantic and the rest takes about a tenth of a second: as long as
the answer itself, for a command a script runs in a loop. A command that only
reads (a list, an order, the problems) has nothing left to do once its answer
is written and the store closed, so the process ends there with
``os._exit``. Anything else (the console, a sync, a watch, a server, the demo's
temporary store) has threads, files or clean-up handlers of its own, and exits
the usual way.
"""

from __future__ import annotations

import os
import sys
import threading
from dataclasses import dataclass

__all__ = ["READ_ONLY_COMMANDS", "Invocation", "end_process"]

#: The commands that open the store only to read it, inside a ``with`` that closes it.
READ_ONLY_COMMANDS = frozenset({"requests", "postbacks", "order", "orders", "problems"})


@dataclass
class Invocation:
    """What the command line ran, as far as ending the process early is concerned."""

    #: False once a command that is not read-only is about to run. Until a command
    #: runs (``--version``, ``--help``, a usage error) nothing was opened.
    only_read: bool = True

    def running(self, command: str | None) -> None:
        """Note the command about to run (None: the console, run without a command)."""
        self.only_read = command in READ_ONLY_COMMANDS


def _alone() -> bool:
    """Whether the main thread is the only one that would keep the process alive."""
    main = threading.main_thread()
    return all(thread is main or thread.daemon for thread in threading.enumerate())


def end_process(code: int) -> None:
    """End the process now with ``code``, once what was written is out.

    Returns instead (and the process exits the usual way) if something could
    still be lost: a stream that cannot be flushed, or another thread at work.
    """
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except (OSError, ValueError):
        # A closed pipe or stream: the usual exit reports it as it always has.
        return
    if not _alone():
        return
    if "logging" in sys.modules:
        sys.modules["logging"].shutdown()
    os._exit(code)
