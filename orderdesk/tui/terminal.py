"""Run the app on the terminal even when stderr is redirected to a file.

Textual draws on stderr. ``orderdesk 2>errors.log`` (or a wrapper that
captures stderr) would then send the whole screen into the file and leave the
terminal blank; when stdout is still the terminal, draw there instead.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager

__all__ = ["drawing_on_terminal"]


@contextmanager
def drawing_on_terminal() -> Iterator[None]:
    """While the block runs, stderr is the terminal if stdout is and stderr is not."""
    if _is_tty(sys.__stderr__) or not _is_tty(sys.__stdout__):
        yield
        return
    sys.stderr.flush()
    saved = os.dup(2)
    os.dup2(1, 2)
    try:
        yield
    finally:
        sys.stderr.flush()
        os.dup2(saved, 2)
        os.close(saved)


def _is_tty(stream: object) -> bool:
    isatty = getattr(stream, "isatty", None)
    return bool(isatty is not None and isatty())
