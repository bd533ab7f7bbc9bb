"""Files that take seconds to make, made once for the whole test run however many workers ask.

Under pytest-xdist each worker is a session of its own, so a session fixture is
built once per worker. A fixture whose result is a file (a filled SQLite store)
can instead be built by whichever worker asks first, in the folder the workers'
own temporary folders share, while the others wait for it; each then copies what
it needs. This is the pattern of pytest-xdist's documentation ("Making
session-scoped fixtures execute only once"), with the standard library's file
lock, since the tests already need a POSIX system (tests/engines.py).
"""

from __future__ import annotations

import fcntl
import os
import shutil
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest


@contextmanager
def locked(path: Path) -> Iterator[None]:
    """Hold the lock of the file at ``path`` (made if missing) for the block; others wait."""
    with path.open("a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def built_once(
    tmp_path_factory: pytest.TempPathFactory, name: str, build: Callable[[Path], None]
) -> Path:
    """A folder named ``name`` that ``build`` filled, once in the whole run.

    Read it, or copy from it; never write to it, as other workers read it too. A
    build that fails leaves nothing behind, so the next worker to ask tries again.
    """
    if os.environ.get("PYTEST_XDIST_WORKER") is None:  # one process: nobody to share with
        folder = tmp_path_factory.mktemp(name)
        build(folder)
        return folder
    # Each worker's temporary folder lies in the run's: the place they all see.
    shared = tmp_path_factory.getbasetemp().parent
    folder = shared / name
    built = shared / f"{name}.built"
    with locked(shared / f"{name}.lock"):
        if not built.exists():
            shutil.rmtree(folder, ignore_errors=True)
            folder.mkdir()
            try:
                build(folder)
            except BaseException:
                shutil.rmtree(folder, ignore_errors=True)
                raise
            built.touch()
    return folder
