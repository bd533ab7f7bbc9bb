"""The databases a store test runs on: a SQLite file, and PostgreSQL on a throwaway server.

``engine`` is parametrised over both, so a test that asks for ``store_url`` (or
for ``engine`` itself, to make several stores) runs once on each and neither
engine can drift. The PostgreSQL server is a cluster of its own, made with
``initdb`` in a temporary folder when the first test needs it and stopped at
the end of the session; each test gets a database of its own on it. Under
pytest-xdist the workers share one server: the first worker to need it starts it,
the others connect to it, and the controller stops it once every worker is done.
Each worker names its databases after itself, so none meets another's. A run
that never meets a PostgreSQL test never starts one.

A database that takes long to fill and is only ever copied (the TUI tests'
simulated day) is filled once per server, whichever worker asks first: see
:meth:`PostgresCluster.filled`.

PostgreSQL refuses to run as root, so as root the server runs as the
``postgres`` user (created as ``orderdesk-pg`` if the machine has no such user).
Without PostgreSQL's binaries the PostgreSQL half of the tests is skipped, or
fails when ``ORDERDESK_REQUIRE_POSTGRES=1`` (as in CI).
"""

from __future__ import annotations

import glob
import itertools
import json
import os
import pwd
import re
import shutil
import socket
import subprocess
import tempfile
import zlib
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from typing import Any, Protocol

import psycopg
import pytest

from tests.once_per_run import locked

# Read at import: the autouse fixture in conftest.py clears ORDERDESK_* for each test.
REQUIRE_POSTGRES = os.environ.get("ORDERDESK_REQUIRE_POSTGRES") == "1"

HOW_TO_INSTALL = (
    "install PostgreSQL (Debian: apt-get install -y postgresql) or put the folder "
    "holding initdb and pg_ctl on PATH"
)

_SERVER_USER = "orderdesk-pg"


class StoreEngine(Protocol):
    """A kind of database a store can live in, handing out fresh empty databases."""

    name: str

    def database(self) -> AbstractContextManager[str]:
        """A URL (or path) of a new empty database, removed when the block ends."""
        ...


class SqliteEngine:
    """Stores in SQLite files, each in a folder of its own."""

    name = "sqlite"

    @contextmanager
    def database(self) -> Iterator[str]:
        """The path of a SQLite file that does not exist yet."""
        with tempfile.TemporaryDirectory(prefix="orderdesk-sqlite-") as folder:
            yield str(Path(folder) / "orderdesk.db")


def postgres_bin() -> Path | None:
    """The folder holding initdb and pg_ctl: on PATH, or Debian's newest version."""
    found = shutil.which("initdb")
    if found is not None and shutil.which("pg_ctl") is not None:
        return Path(found).parent

    def version(path: str) -> int:
        match = re.search(r"/postgresql/(\d+)/", path)
        return int(match.group(1)) if match else 0

    installed = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=version)
    return Path(installed[-1]).parent if installed else None


def _server_user() -> str | None:
    """Whom the server runs as: ourselves, unless we are root, whom PostgreSQL refuses."""
    if os.geteuid() != 0:
        return None
    for name in ("postgres", _SERVER_USER):
        try:
            pwd.getpwnam(name)
        except KeyError:
            continue
        return name
    # Two test workers may both find no such user: whichever adds it second fails,
    # and the user is there all the same.
    subprocess.run(
        ["useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin", _SERVER_USER],
        capture_output=True,
    )
    pwd.getpwnam(_SERVER_USER)  # KeyError if neither worker could add it
    return _SERVER_USER


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class PostgresCluster:
    """A PostgreSQL server of our own in a temporary folder, trusting local connections.

    ``names`` starts the name of every database this object makes, so that processes
    sharing the server (pytest-xdist workers, each with an object of its own) never
    pick the same name.
    """

    name = "postgresql"

    def __init__(
        self, binaries: Path, *, folder: Path | None = None, port: int = 0, names: str = "store"
    ) -> None:
        self.binaries = binaries
        self.user = _server_user()
        self.folder = (
            folder if folder is not None else Path(tempfile.mkdtemp(prefix="orderdesk-pg-"))
        )
        self.port = port
        self._prefix = names
        self._names = itertools.count(1)
        self._admin: psycopg.Connection[tuple[object, ...]] | None = None

    def _run(self, *command: str) -> None:
        as_user = [] if self.user is None else ["runuser", "-u", self.user, "--"]
        done = subprocess.run([*as_user, *command], capture_output=True, text=True)
        if done.returncode != 0:
            log = self.folder / "server.log"
            tail = log.read_text(errors="replace")[-2000:] if log.exists() else ""
            raise RuntimeError(
                f"{' '.join(command)} failed ({done.returncode}):\n{done.stdout}{done.stderr}{tail}"
            )

    def start(self) -> None:
        """initdb, then start the server on a free port; its socket stays in the folder."""
        if self.user is not None:
            shutil.chown(self.folder, self.user)
        data = str(self.folder / "data")
        self._run(
            str(self.binaries / "initdb"),
            "--pgdata", data, "--auth", "trust", "--username", "postgres",
            "--encoding", "UTF8", "--locale", "C", "--no-sync",
        )  # fmt: skip
        # Durability is worthless in a throwaway cluster and costs seconds per test run.
        # The connections are those of every worker sharing the server.
        options = (
            f"-p {{port}} -k {self.folder} -c listen_addresses=127.0.0.1 -c fsync=off "
            "-c synchronous_commit=off -c full_page_writes=off -c max_connections=900"
        )
        for attempt in range(3):
            self.port = _free_port()
            try:
                self._run(
                    str(self.binaries / "pg_ctl"),
                    "--pgdata", data, "--log", str(self.folder / "server.log"),
                    "--options", options.format(port=self.port), "--wait", "start",
                )  # fmt: skip
                break
            except RuntimeError:
                if attempt == 2:  # another process took the port, three times over
                    raise
        self.connect()

    def connect(self) -> None:
        """Open the superuser's connection to a started server, which ``execute`` uses."""
        self._admin = psycopg.connect(
            host="127.0.0.1", port=self.port, user="postgres", dbname="postgres", autocommit=True
        )

    def disconnect(self) -> None:
        """Close the superuser's connection, leaving the server running for others."""
        if self._admin is not None:
            self._admin.close()
            self._admin = None

    def stop(self) -> None:
        """Stop the server at once and remove its folder."""
        self.disconnect()
        if (self.folder / "data" / "postmaster.pid").exists():
            self._run(
                str(self.binaries / "pg_ctl"),
                "--pgdata", str(self.folder / "data"), "--mode", "immediate", "stop",
            )  # fmt: skip
        shutil.rmtree(self.folder, ignore_errors=True)

    def url(self, database: str = "postgres") -> str:
        """The SQLAlchemy URL of a database on this server."""
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{database}"

    def execute(self, sql: str) -> None:
        """Run one statement as the superuser, outside any transaction."""
        assert self._admin is not None, "the server is not started"
        self._admin.execute(sql.encode())

    def _exists(self, database: str) -> bool:
        assert self._admin is not None, "the server is not started"
        found = self._admin.execute(b"SELECT 1 FROM pg_database WHERE datname = %s", (database,))
        return found.fetchone() is not None

    @contextmanager
    def database(self, template: str = "template1") -> Iterator[str]:
        """The URL of a new database, empty or a copy of ``template``, dropped afterwards.

        A template must have no connection open while it is copied: fill it, close
        its store, and from then on only copy it.
        """
        name = f"{self._prefix}_{next(self._names)}"
        # Copying the template's files beats logging them (WAL_LOG, the default)
        # by a factor of five when the server need not fsync.
        self.execute(f"CREATE DATABASE {name} TEMPLATE {template} STRATEGY FILE_COPY")
        try:
            yield self.url(name)
        finally:
            self.execute(f"DROP DATABASE {name} WITH (FORCE)")

    def filled(self, name: str, fill: Callable[[str], None]) -> str:
        """The database ``name``, filled by ``fill(url)`` the first time any process asks.

        It is a template, to be copied with :meth:`database` and never opened: the
        processes sharing the server would otherwise each fill one of their own.
        They take turns with an advisory lock, so the second waits for the first's
        fill and then finds it; a fill that fails leaves nothing under ``name``.
        """
        lock = f"SELECT pg_advisory_{{}}lock({zlib.crc32(name.encode())})"
        self.execute(lock.format(""))
        try:
            if not self._exists(name):
                filling = f"{name}_filling"
                self.execute(f"DROP DATABASE IF EXISTS {filling} WITH (FORCE)")
                self.execute(f"CREATE DATABASE {filling}")
                fill(self.url(filling))
                self.execute(f"ALTER DATABASE {filling} RENAME TO {name}")
        finally:
            self.execute(lock.format("un"))
        return name


# Under pytest-xdist, the controller names a folder for the run's one server and hands
# it to each worker; the worker that starts the server records it there, and the
# controller stops it when the run ends.
_SHARED_SERVER = "orderdesk_postgres_folder"
_run_folder = pytest.StashKey[Path]()


@pytest.hookimpl(optionalhook=True)
def pytest_configure_node(node: Any) -> None:
    """In the controller: give each worker the folder where the shared server is recorded."""
    config: pytest.Config = node.config
    if _run_folder not in config.stash:
        config.stash[_run_folder] = Path(tempfile.mkdtemp(prefix="orderdesk-pg-run-"))
    node.workerinput[_SHARED_SERVER] = str(config.stash[_run_folder])


def pytest_unconfigure(config: pytest.Config) -> None:
    """In the controller, once every worker is done: stop the server a worker started."""
    folder = config.stash.get(_run_folder, None)
    if folder is None:
        return
    record = folder / "server.json"
    if record.exists():
        server = json.loads(record.read_text())
        PostgresCluster(Path(server["binaries"]), folder=Path(server["folder"])).stop()
    shutil.rmtree(folder, ignore_errors=True)


@contextmanager
def _shared_server(binaries: Path, folder: Path, worker: str) -> Iterator[PostgresCluster]:
    """The run's server, started by whichever worker comes first; the controller stops it."""
    record = folder / "server.json"
    names = f"store_{worker}"
    with locked(folder / "server.lock"):
        if record.exists():
            server = json.loads(record.read_text())
            cluster = PostgresCluster(
                binaries,
                folder=Path(server["folder"]),
                port=server["port"],
                names=names,
            )
            cluster.connect()
        else:
            cluster = PostgresCluster(binaries, names=names)
            try:
                cluster.start()
            except BaseException:
                cluster.stop()
                raise
            server = {
                "binaries": str(binaries),
                "folder": str(cluster.folder),
                "port": cluster.port,
            }
            record.write_text(json.dumps(server))
    try:
        yield cluster
    finally:
        cluster.disconnect()


@pytest.fixture(scope="session")
def postgres_cluster(request: pytest.FixtureRequest) -> Iterator[PostgresCluster]:
    """A throwaway PostgreSQL server for the whole run; skipped (or failed) if none."""
    binaries = postgres_bin()
    if binaries is None:
        message = f"PostgreSQL is not installed: {HOW_TO_INSTALL}"
        if REQUIRE_POSTGRES:
            pytest.fail(f"ORDERDESK_REQUIRE_POSTGRES=1 but {message}", pytrace=False)
        pytest.skip(message)
    workerinput: dict[str, Any] | None = getattr(request.config, "workerinput", None)
    if workerinput is not None and _SHARED_SERVER in workerinput:
        folder = Path(workerinput[_SHARED_SERVER])
        with _shared_server(binaries, folder, workerinput["workerid"]) as shared:
            yield shared
        return
    cluster = PostgresCluster(binaries)
    try:
        cluster.start()
        yield cluster
    finally:
        cluster.stop()


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def engine(request: pytest.FixtureRequest) -> StoreEngine:
    """Each kind of database a store can live in; a test using it runs on both."""
    if request.param == "sqlite":
        return SqliteEngine()
    cluster: PostgresCluster = request.getfixturevalue("postgres_cluster")
    return cluster


@pytest.fixture
def store_url(engine: StoreEngine) -> Iterator[str]:
    """Where a new, empty store can be opened: a SQLite path or a PostgreSQL URL."""
    with engine.database() as url:
        yield url


def pytest_report_header() -> str:
    """Say which PostgreSQL the run uses, so a skipped half is never a surprise."""
    binaries = postgres_bin()
    required = " (required)" if REQUIRE_POSTGRES else ""
    if binaries is None:
        return f"postgresql: not found, its tests are skipped{required}"
    return f"postgresql: {binaries}{required}"
