"""Where the ``orderdesk`` process starts: ``--version`` answered at once, the rest by ``commands``.

``orderdesk --version`` is what a script or an install check asks first, and
its answer needs nothing but the version: click, the commands and the
language would triple the time of a process that prints one line. It is the
line click prints (the same in every language orderdesk speaks). Every other
command runs with orderdesk's thresholds for the cycle collector (``collector``).
"""

from __future__ import annotations

import sys

from orderdesk import __version__

__all__ = ["main"]


def main() -> int:
    """Run ``orderdesk`` with the process's arguments; return the exit code."""
    if sys.argv[1:] == ["--version"]:
        sys.stdout.write(f"orderdesk, version {__version__}\n")
        sys.stdout.flush()
        return 0
    from orderdesk.cli.collector import collect_less_often

    # Before the imports too: the console's libraries leave 100,000 objects to walk again.
    collect_less_often()
    from orderdesk.cli.commands import main as run

    return run()
