"""A store of N requests and N postbacks, built in minutes from the simulator's own traffic.

    python -m benchmarks.store_builder --records 1000000 --store /tmp/big.db

Syncing a million records through the real path takes ten minutes; a
benchmark run cannot wait for that before it starts measuring. So the
simulator generates half a day of traffic once (the pool), the real store
saves it (schema, redaction, compression, template sources, search index),
and then the pool's rows are copied round after round into the past, each
round half a day older than the one after it, until each kind holds N rows.
A copy gets its own id, order reference (``<reference>-<round>``), printer
order id and times; its stages keep the pool's text, already compressed, so
copying costs an insert and the tokenising of its search document, not a
render and a compression. The pool's stored findings are copied with its
rounds, shifted and renamed alike, so the problems' queries meet a million
orders' findings too. Every 100,000th request, counted from the 501st
newest, carries a 1 MB original body: an ERP order of a few thousand lines.

The newest round is the pool itself, so the store's newest records are
exactly what the simulator serves, and its watermarks are theirs.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
import zlib
from collections.abc import Iterator, Mapping
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from benchmarks.store_sinks import Sink, database_name, fresh_store, is_url, open_sink
from orderdesk.core.backends.base import Entry
from orderdesk.core.records import Kind, LogRecord, Watermark
from orderdesk.core.search import document
from orderdesk.core.stage_codec import unpack
from orderdesk.core.store import Store
from orderdesk.core.stored_findings import ALWAYS, NEVER
from orderdesk.sim import Simulation

__all__ = ["BigStore", "build_store", "facts_path"]

#: Half a day of traffic at 20 orders a minute: about 15,000 records of each kind.
POOL_SPAN = timedelta(hours=12)
POOL_RATE = 20.0
#: A 1 MB body every this many requests.
BIG_BODY_EVERY = 100_000
BIG_BODY_BYTES = 1_000_000
#: The same text form SQLAlchemy gives the store's datetimes, so copies sort as its own rows do.
_MOMENT = "%Y-%m-%d %H:%M:%S.%f"
_COMMIT_EVERY = 50_000
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_KINDS: tuple[Kind, ...] = ("requests", "postbacks")


@dataclass(frozen=True)
class BigStore:
    """What the benchmarks need to know about a built store."""

    path: str
    records: int
    seed: int
    built_at: str
    seconds: float
    #: The newest request's created_at, ISO 8601 UTC: "now" for the store's data.
    newest: str
    oldest: str
    #: The newest request's order reference: the first row a console shows.
    newest_reference: str
    #: A reference from the middle of the store, held by one order.
    rare_reference: str
    #: A printer order id from the middle of the store: a rare search term.
    rare_term: str
    #: A word in most bodies.
    common_word: str
    #: The reference of the newest request with a 1 MB body ("" when N is too small for one).
    big_body_reference: str
    customer_id: str
    #: The reference of the newest request whose three stages are each 1 MB: the
    #: original, the template's output and the body sent on ("" when N is too small).
    big_stages_reference: str = ""

    def save(self, path: Path) -> None:
        """Write these facts beside the store, so a later run can reuse it."""
        path.write_text(json.dumps(asdict(self), indent=2) + "\n")

    @classmethod
    def load(cls, path: Path) -> BigStore:
        """The facts a previous build wrote."""
        return cls(**json.loads(path.read_text()))


def _pool(seed: int, now: datetime) -> dict[Kind, list[LogRecord]]:
    simulation = Simulation(seed=seed, history=POOL_SPAN, history_rate=POOL_RATE, rate=0.0, now=now)
    return {kind: simulation.records(kind) for kind in _KINDS}


def _save_pool(target: str | Path, pool: dict[Kind, list[LogRecord]]) -> None:
    """Save the pool through the real store, as a sync would, page by page."""
    with Store.open(target) as store:
        for kind, records in pool.items():
            ordered = sorted(records, key=lambda record: (record.updated_at, record.id))
            for start in range(0, len(ordered), 500):
                page = ordered[start : start + 500]
                last = page[-1]
                store.save_page(kind, page, Watermark(last.updated_at, last.id))


def _text(value: Any, dictionaries: Mapping[int, bytes]) -> Any:
    """A stage column's text, however the pool's store packed it."""
    if isinstance(value, bytes):
        return unpack(value, dictionaries.__getitem__)
    return value


def _big_original(
    row: dict[str, Any], dictionaries: Mapping[int, bytes], *, packed: bool
) -> str | bytes:
    """The row's original stage with its body's order lines repeated up to 1 MB.

    Compressed as the store packs a stage alone, where the engine packs stages.
    """
    original = json.loads(_text(row["original"], dictionaries))
    body: str = original["body"]
    start, end = body.index("<Line>"), body.rindex("</Line>") + len("</Line>")
    lines = body[start:end]
    copies = BIG_BODY_BYTES // len(lines) + 1
    original["body"] = body[:start] + lines * copies + body[end:]
    return _stored(original, packed=packed)


def _stored(stage: dict[str, Any], *, packed: bool) -> str | bytes:
    """A stage as its column holds it: JSON text, compressed alone where the engine packs."""
    text = json.dumps(stage, ensure_ascii=False, separators=(",", ":"))
    if not packed:
        return text
    return b"z" + zlib.compress(text.encode("utf-8", "surrogatepass"))


def _big_stages(
    row: dict[str, Any], dictionaries: Mapping[int, bytes], *, packed: bool
) -> dict[str, str | bytes]:
    """The row's three stages at 1 MB each: a big order, rendered, and sent on as rendered.

    The template's output and the final body are the rendered order with its
    items repeated, as a template would render a few thousand lines.
    """
    template = json.loads(_text(row["template"], dictionaries))
    final = json.loads(_text(row["final"], dictionaries))
    rendered = json.loads(template["output"])
    items = rendered["items"]
    one = len(json.dumps(items[0], indent=2))
    rendered["items"] = items * (BIG_BODY_BYTES // (one * len(items)) + 1)
    template["output"] = json.dumps(rendered, indent=2)
    final["body"] = json.dumps(rendered)
    return {
        "original": _big_original(row, dictionaries, packed=packed),
        "template": _stored(template, packed=packed),
        "final": _stored(final, packed=packed),
    }


def _copy_id(value: str | None, round_: int) -> str | None:
    """A copy's id: the pool's with its last five characters naming the round."""
    if value is None or round_ == 0:
        return value
    return f"{value[:-5]}{round_:05x}"


class _Copier:
    """Writes round after round of one kind's pool rows into its table, oldest first."""

    def __init__(self, sink: Sink, kind: Kind, rows: list[dict[str, Any]]):
        self.sink = sink
        self.dictionaries = sink.dictionaries()
        self.kind = kind
        self.rows = sorted(rows, key=lambda row: (row["created_at"], row["id"]))
        self.columns = list(self.rows[0])
        # The search document of each pool row: the bodies never change between
        # rounds, only the references and ids do.
        self.bodies = [document({**row, **self._stages(row)})[1] for row in self.rows]
        self.big_original: str | bytes | None = None
        self.big_stages: dict[str, str | bytes] | None = None
        if kind == "requests":
            erp = next(
                (
                    row
                    for row in self.rows
                    if "<Line>" in (_text(row["original"], self.dictionaries) or "")
                ),
                None,
            )
            if erp is not None:
                self.big_original = _big_original(erp, self.dictionaries, packed=sink.PACKS_STAGES)
                if erp["template"] is not None and erp["final"] is not None:
                    self.big_stages = _big_stages(erp, self.dictionaries, packed=sink.PACKS_STAGES)

    def _stages(self, row: dict[str, Any]) -> dict[str, Any]:
        names = ("original", "template", "final", "response", "attempts")
        return {name: _text(row[name], self.dictionaries) for name in names if name in row}

    def copies(self, count: int) -> Iterator[tuple[int, dict[str, Any], str]]:
        """``count`` rows (pk, values, search body), oldest first, the pool itself last."""
        size = len(self.rows)
        rounds = -(-count // size)
        skip = rounds * size - count  # the oldest round is cut short
        pk = 0
        for round_ in range(rounds - 1, -1, -1):
            shift = POOL_SPAN * round_
            for index, row in enumerate(self.rows):
                if round_ == rounds - 1 and index < skip:
                    continue
                pk += 1
                yield pk, self._copy(row, round_, shift), self.bodies[index]

    def _copy(self, row: dict[str, Any], round_: int, shift: timedelta) -> dict[str, Any]:
        if round_ == 0:
            return row
        copy = dict(row)
        for column in ("created_at", "updated_at"):
            copy[column] = _earlier(row[column], shift)
        copy["id"] = _copy_id(row["id"], round_)
        copy["order_id"] = _copy_id(row["order_id"], round_)
        if row["order_reference_id"] is not None:
            copy["order_reference_id"] = f"{row['order_reference_id']}-{round_:03d}"
        return copy

    def write(self, count: int, progress: Any) -> list[dict[str, Any]]:
        """Insert ``count`` rows with their search documents; returns a few chosen rows."""
        chosen: list[dict[str, Any]] = []
        middle = {count // 2, count // 3}
        batch: list[tuple[Any, ...]] = []
        documents: list[Entry] = []
        for pk, values, body in self.copies(count):
            if self.big_original is not None and (count - pk) % BIG_BODY_EVERY == 500:
                values = {**values, "original": self.big_original}
                chosen.append({"big": True, **values})
                body = body + "\n" + _text(self.big_original, self.dictionaries)
            elif self.big_stages is not None and (count - pk) % BIG_BODY_EVERY == 600:
                values = {**values, **self.big_stages}
                chosen.append({"big_stages": True, **values})
                body = document({**values, **self._stages(values)})[1]
            if pk in middle or pk == count:
                chosen.append(values)
            batch.append((pk, *(values[column] for column in self.columns)))
            refs = (values.get(key) for key in ("order_reference_id", "order_id", "id"))
            tracking = values.get("tracking_code")
            documents.append((pk, " ".join([*filter(None, refs), *filter(None, [tracking])]), body))
            if len(batch) == _COMMIT_EVERY:
                self.sink.write(self.kind, self.columns, batch, documents)
                batch.clear()
                documents.clear()
                progress(self.kind, pk, count)
        if batch:
            self.sink.write(self.kind, self.columns, batch, documents)
            progress(self.kind, count, count)
        return chosen


def _copy_findings(sink: Sink, rounds: int) -> int:
    """Copy the pool's findings into each older round, as its records were; returns the rows."""
    rows = sink.findings()
    if not rows:
        return 0
    columns = [name for name in rows[0] if name != "pk"]
    # Moments are microseconds since 1970; the open ends of a span stay where they are.
    shift_us = int(POOL_SPAN.total_seconds() * 1_000_000)
    ends = {"due_at": ALWAYS, "until_at": NEVER}
    sentinels = {
        name: (moment - _EPOCH) // timedelta(microseconds=1) for name, moment in ends.items()
    }
    copied = 0
    for round_ in range(1, rounds):
        batch = []
        for row in rows:
            copy = dict(row)
            for name in ("at", "since", "waited_from", "due_at", "until_at"):
                if copy[name] is not None and copy[name] != sentinels.get(name):
                    copy[name] -= shift_us * round_
            copy["order_reference_id"] = f"{row['order_reference_id']}-{round_:03d}"
            copy["record_id"] = _copy_id(row["record_id"], round_)
            copy["order_id"] = _copy_id(row["order_id"], round_)
            copy["records"] = json.dumps(
                [[kind, _copy_id(id_, round_)] for kind, id_ in json.loads(row["records"])]
            )
            batch.append(tuple(copy[name] for name in columns))
        sink.add_findings(columns, batch)
        copied += len(batch)
    return copied + len(rows)


def _earlier(moment: str | datetime, shift: timedelta) -> str | datetime:
    """A stored moment ``shift`` earlier, in the form its engine stores it."""
    if isinstance(moment, datetime):
        return moment - shift
    return (datetime.strptime(moment, _MOMENT) - shift).strftime(_MOMENT)


def _iso(moment: str | datetime) -> str:
    if isinstance(moment, str):
        moment = datetime.strptime(moment, _MOMENT)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def facts_path(target: str | Path) -> Path:
    """Where a built store's facts are kept: beside its file, or named after its database."""
    if is_url(str(target)):
        return (
            Path(tempfile.gettempdir()) / "orderdesk-bench" / f"{database_name(str(target))}.json"
        )
    return Path(f"{target}.json")


def build_store(
    target: str | Path,
    records: int,
    *,
    seed: int = 7,
    now: datetime | None = None,
    quiet: bool = False,
    facts: Path | None = None,
) -> BigStore:
    """Build a store of ``records`` requests and ``records`` postbacks at a path or a URL.

    A PostgreSQL URL's database is dropped and made again, empty, first. The
    facts are written to ``facts`` (by default :func:`facts_path`).
    """
    started = time.perf_counter()
    now = (now or datetime.now(UTC)).replace(second=0, microsecond=0)
    fresh_store(target)

    def progress(kind: str, done: int, total: int) -> None:
        if not quiet:
            elapsed = time.perf_counter() - started
            print(f"  {kind:9} {done:>10,} / {total:,}  {elapsed:6.1f} s", flush=True)

    pool = _pool(seed, now)
    _save_pool(target, pool)
    chosen: dict[Kind, list[dict[str, Any]]] = {}
    with open_sink(target) as sink:
        for kind in _KINDS:
            rows = sink.take_pool(kind)
            chosen[kind] = _Copier(sink, kind, rows).write(records, progress)
            sink.finish_kind(kind)
        rounds = max(-(-records // len(pool[kind])) for kind in _KINDS)
        _copy_findings(sink, rounds)
        sink.finish()
        oldest = sink.oldest()

    requests = chosen["requests"]
    newest = requests[-1]
    big = [row for row in requests if row.get("big")]
    big_stages = [row for row in requests if row.get("big_stages")]
    middle = [row for row in requests if not row.get("big") and not row.get("big_stages")][:2]
    with_order_id = next((row for row in middle if row["order_id"]), newest)
    built = BigStore(
        path=str(target),
        records=records,
        seed=seed,
        built_at=datetime.now(UTC).isoformat(timespec="seconds"),
        seconds=round(time.perf_counter() - started, 1),
        newest=_iso(newest["created_at"]),
        oldest=_iso(oldest),
        newest_reference=newest["order_reference_id"],
        rare_reference=middle[-1]["order_reference_id"],
        rare_term=with_order_id["order_id"] or with_order_id["id"],
        common_word="shipping",
        big_body_reference=big[-1]["order_reference_id"] if big else "",
        customer_id=newest["customer_id"],
        big_stages_reference=big_stages[-1]["order_reference_id"] if big_stages else "",
    )
    facts = facts or facts_path(target)
    facts.parent.mkdir(parents=True, exist_ok=True)
    built.save(facts)
    return built


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=1_000_000)
    parser.add_argument(
        "--store",
        default="/tmp/orderdesk-bench/store.db",
        help="A SQLite file, or a PostgreSQL URL whose database is made again, empty.",
    )
    parser.add_argument("--seed", type=int, default=7)
    options = parser.parse_args()
    if not is_url(options.store):
        Path(options.store).parent.mkdir(parents=True, exist_ok=True)
    built = build_store(options.store, options.records, seed=options.seed)
    print(json.dumps(asdict(built), indent=2))


if __name__ == "__main__":
    main()
