"""Running the ``orderdesk`` command in a test: in this process, or as a process of its own.

Most CLI tests are about what a command prints and the code it exits with. The
same ``main()`` that ``python -m orderdesk`` runs gives them that here, with
its own standard streams and environment, in a fraction of a second; starting
Python and importing orderdesk for each of them cost the test loop a minute.
What only a process shows (that the command starts at all, a sync a script
runs) goes through ``orderdesk_process``.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Mapping

from click.testing import CliRunner

from orderdesk.cli.commands import main
from orderdesk.i18n import speaking

__all__ = ["orderdesk_here", "orderdesk_process"]


def orderdesk_process(
    *args: str, env: Mapping[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """Run ``orderdesk`` as its own process, as a shell script would."""
    return subprocess.run(
        [sys.executable, "-m", "orderdesk", *args],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, **(env or {})},
    )


def orderdesk_here(
    *args: str, env: Mapping[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """Run ``orderdesk``'s ``main()`` in this process, its streams and ``env`` its own.

    An exception that escapes ``main()`` fails the test where a process would
    have printed a traceback; the language the command chose is not left behind.
    """
    with speaking("en"), CliRunner().isolation(env=env) as (out, err, _):
        code = main(list(args))
        sys.stdout.flush()
        sys.stderr.flush()
        stdout, stderr = out.getvalue().decode(), err.getvalue().decode()
    return subprocess.CompletedProcess(["orderdesk", *args], code, stdout, stderr)
