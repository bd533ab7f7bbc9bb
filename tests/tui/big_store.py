"""A store of a million requests, written straight into its table in a few seconds."""

from __future__ import annotations

import sqlite3
from datetime import timedelta
from pathlib import Path

from orderdesk.core.records import RequestRecord
from orderdesk.core.store import Store


def build_big_store(path: Path, model: RequestRecord, rows: int) -> None:
    """``rows`` requests one second apart, ending at the model's creation, every 20th failed."""
    with Store.open(path) as store:
        store.save_page("requests", [model], None)
    connection = sqlite3.connect(path)
    try:
        cursor = connection.execute("SELECT * FROM requests")
        columns = [description[0] for description in cursor.description]
        template = dict(zip(columns, cursor.fetchone(), strict=True))
        connection.execute("DELETE FROM requests")
        connection.commit()
        # The lists read only summary columns; the stages are not needed here and
        # would make the file gigabytes large.
        for stage in ("original", "template", "final", "response"):
            if stage in template:
                template[stage] = "{}" if stage == "original" else None
        end = model.created_at.replace(tzinfo=None)
        names = ", ".join(columns)
        marks = ", ".join("?" for _ in columns)
        connection.execute("PRAGMA synchronous = OFF")

        def row(n: int) -> tuple[object, ...]:
            # The same text form SQLAlchemy stores, so rows sort as the store's own do.
            moment = (end - timedelta(seconds=rows - 1 - n)).strftime("%Y-%m-%d %H:%M:%S.%f")
            values = dict(
                template,
                pk=n + 1,
                id=f"req_big_{n:07d}",
                created_at=moment,
                updated_at=moment,
                order_reference_id=f"BIG-{n:07d}",
                status="failed" if n % 20 == 0 else "succeeded",
            )
            return tuple(values[column] for column in columns)

        with connection:
            connection.executemany(
                f"INSERT INTO requests ({names}) VALUES ({marks})", (row(n) for n in range(rows))
            )
    finally:
        connection.close()
