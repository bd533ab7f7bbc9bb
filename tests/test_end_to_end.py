"""The whole data path over real loopback HTTP: simulator, client, sync, store.

These are the promises a support engineer relies on at 3 a.m.: whatever the
service sends, however the sync is interrupted, the store ends up holding
exactly what the service holds, byte for byte, with no secret in it.
"""

from __future__ import annotations

import random
import sqlite3
import subprocess
import sys
import time
from contextlib import closing
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import create_engine, inspect

from orderdesk.core.client import LogApiClient
from orderdesk.core.queries import get_record
from orderdesk.core.query_check import truth
from orderdesk.core.records import (
    KINDS,
    HttpMessage,
    HttpResponse,
    Kind,
    LogRecord,
    Party,
    PostbackRecord,
    RecordError,
    RequestRecord,
    TemplateProcessing,
)
from orderdesk.core.redact import redact_record
from orderdesk.core.store import Store
from orderdesk.core.sync import sync_once
from orderdesk.sim import Faults, Simulation, SimulatorServer

KEY = "e2e-key"

pytestmark = pytest.mark.slow


def _sync_command(url: str, path: Path) -> list[str]:
    return [
        sys.executable,
        "-m",
        "orderdesk",
        "sync",
        "--once",
        "--api-url",
        url,
        "--api-key",
        KEY,
        "--db",
        str(path),
    ]


def _rows_stored(path: Path) -> int:
    """The rows a sync has committed so far, read without disturbing it (0 before its tables)."""
    if not path.exists():
        return 0
    try:
        with closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=5)) as database:
            return sum(
                database.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0]
                for table in ("requests", "postbacks")
            )
    except sqlite3.OperationalError:
        return 0


def _stored_count(path: Path) -> int:
    if not path.exists():
        return 0
    with Store.open(path) as store:
        return sum(len(truth(store, kind)) for kind in KINDS)


def test_sigkill_during_a_large_pull_loses_nothing_and_duplicates_nothing(tmp_path: Path) -> None:
    sim = Simulation(seed=21, history=timedelta(days=1), history_rate=10.0, rate=600.0)
    faults = Faults.parse("5xx=0.03,reset=0.02,malformed=0.02,late=0.1,late_max=3,seed=2")
    path = tmp_path / "orderdesk.db"
    chance = random.Random(21)
    counts_after_kills: list[int] = []
    with SimulatorServer(sim, api_key=KEY, faults=faults) as server:
        total = sum(len(sim.truth(kind)) for kind in KINDS)
        assert total > 25_000, "the pull should be large enough to kill mid-way"
        for _ in range(4):
            with subprocess.Popen(
                _sync_command(server.url, path),
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            ) as child:
                # Killed a moment after this run saved its first page, wherever that lands:
                # a fixed delay missed the pull altogether on a machine busy enough.
                before, deadline = _rows_stored(path), time.monotonic() + 120
                while child.poll() is None and time.monotonic() < deadline:
                    if _rows_stored(path) > before:
                        break
                    time.sleep(0.05)
                time.sleep(chance.uniform(0.0, 1.5))
                child.kill()
                child.wait()
            counts_after_kills.append(_stored_count(path))
        # Live traffic went on meanwhile: records were updated after being fetched.
        sim.freeze()
        sim.settle()
        finished = subprocess.run(_sync_command(server.url, path), capture_output=True, text=True)
        assert finished.returncode == 0, finished.stderr
        with Store.open(path) as store:
            for kind in KINDS:
                assert truth(store, kind) == sim.truth(kind)
    assert any(0 < count < total for count in counts_after_kills), (
        f"no kill landed mid-pull ({counts_after_kills} of {total}); the test proved nothing"
    )
    with sqlite3.connect(path) as database:
        assert database.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        for table in ("requests", "postbacks"):
            rows, ids = database.execute(
                f"SELECT COUNT(*), COUNT(DISTINCT id) FROM {table}"
            ).fetchone()
            assert rows == ids
    database.close()


NASTY_BODIES = {
    "escapes": "\x1b]52;c;aGFja2Vk\x07\x1b]0;pwned\x07\x1b[2J\x1b[31mred\x9b1mcsi8",
    "markup": "[bold]not bold[/bold] [TODO] [/] [link=http://x]y[/link]",
    "nul": "before\x00after",
    "invalid json": '{"order": {"id": "ORD-1", "items": [}',
    "xml": '<?xml version="1.0"?><Order id="ORD-2"><Item sku="A&amp;B"/></Order>',
    "five megabytes": ("0123456789abcdef" * 65_536 * 5)[: 5 * 1024 * 1024],
    "unicode": "Müller 東京 🚚 \u202eevil\u202c \ud7ff",
}


def _dump(store_url: str) -> str:
    """Everything the database holds, as text."""
    if "://" not in store_url:
        with sqlite3.connect(store_url) as database:
            dump = "\n".join(database.iterdump())
        database.close()
        return dump
    engine = create_engine(store_url)
    with engine.connect() as connection:
        tables = inspect(connection).get_table_names()
        rows = [
            connection.exec_driver_sql(f"SELECT t::text FROM {table} AS t").scalars().all()
            for table in tables
        ]
    engine.dispose()
    return "\n".join(line for table in rows for line in table)


def _request_with(name: str, body: str, at: datetime) -> RequestRecord:
    reference = f"ORD-{abs(hash(name)) % 10_000:04d}"
    return RequestRecord(
        id=f"req_nasty_{name.replace(' ', '_')}",
        action="submit",
        created_at=at,
        updated_at=at,
        order_reference_id=reference + body[:20],
        customer=Party(id="cus_x", name="Customer " + body[:10]),
        printer=Party(id="prn_x", name="Printer"),
        status="failed",
        error=RecordError(stage="printer", code="weird", message=body[:200]),
        original=HttpMessage(
            at=at,
            method="POST",
            url="https://intake.example/orders",
            headers={"Content-Type": "application/json", "X-API-KEY": "sk_live_abcdef0123456789"},
            content_type="application/json",
            body=body,
        ),
        template=TemplateProcessing(
            name="Order Submit Request",
            version=3,
            source="{{ order | tojson }}",
            output=body,
        ),
        final=HttpMessage(
            at=at,
            method="POST",
            url="https://printer.example/v4/orders",
            headers={"Authorization": "Bearer eyJhbGciOi.secret.token"},
            body=body,
        ),
        response=HttpResponse(
            at=at, status_code=400, headers={"Set-Cookie": "s=1"}, body=body, duration_ms=12
        ),
    )


def _postback_with(name: str, body: str, at: datetime) -> PostbackRecord:
    attempt = HttpResponse(at=at, status_code=500, body=body, duration_ms=30)
    return PostbackRecord(
        id=f"pb_nasty_{name.replace(' ', '_')}",
        event="shipped",
        created_at=at,
        updated_at=at,
        order_reference_id="ORD-9",
        customer=Party(id="cus_x", name="Customer"),
        printer=Party(id="prn_x", name="Printer"),
        status="failed",
        original=HttpMessage(
            at=at, method="POST", url="https://intake.example/v2/order/status", body=body
        ),
        final=HttpMessage(
            at=at,
            method="POST",
            url="https://customer.example/hook",
            body=body,
            headers={"X-Webhook-Token": "whsec_123"},
        ),
        attempts=[attempt, attempt, attempt],
        response=attempt,
    )


def test_bad_bodies_are_stored_byte_for_byte(store_url: str) -> None:
    sim = Simulation(seed=2, history=timedelta(minutes=30), history_rate=2.0, rate=0.0)
    sim.freeze()
    at = datetime.now(UTC) - timedelta(minutes=5)
    sent: list[LogRecord] = []
    for name, body in NASTY_BODIES.items():
        sent += [_request_with(name, body, at), _postback_with(name, body, at)]
    for record in sent:
        sim.inject(record)
    with (
        SimulatorServer(sim, api_key=KEY, live=False) as server,
        LogApiClient(server.url, KEY) as client,
        Store.open(store_url) as store,
    ):
        sync_once(client, store)
        for record in sent:
            kind: Kind = "requests" if isinstance(record, RequestRecord) else "postbacks"
            stored = get_record(store, kind, record.id)
            assert stored == redact_record(record), record.id
            assert stored is not None and stored.original.body == record.original.body
    dump = _dump(store_url)
    for secret in ("sk_live_abcdef0123456789", "eyJhbGciOi.secret.token", "whsec_123"):
        assert secret not in dump, f"a secret reached the store: {secret}"
