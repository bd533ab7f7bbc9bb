"""How fast an ``orderdesk`` command answers as a whole process, each beside its floor.

    python -m benchmarks.startup --store /tmp/orderdesk-bench/store-1000000-7.db

A whole process's time depends on the machine and on what else runs on it; so
every command is timed beside its floor, the least any program could take to
give the same answer, run for run in turn, and the figure that counts is the
ratio of their medians, which a noisy machine moves far less than either.

- ``orderdesk --version`` beside the same Python printing the same line;
- ``orderdesk requests --order REF --format jsonl`` beside Python reading the
  same rows with ``sqlite3``, ``zlib`` and ``json`` and writing the same bytes
  (checked: a floor that wrote something else would prove nothing);
- ``orderdesk problems`` as typed (the last 24 hours) and over 30 days, beside
  the Python interpreter doing nothing.

Prints the figures as JSON; ``python -m benchmarks`` measures them too.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from benchmarks.store_builder import BigStore

__all__ = ["JSONL_FLOOR", "measure_startup", "report_lines"]

# The least a program can do to print one order's requests as ``--format jsonl``
# does: read the rows, unpack the long stages, put the template's source back,
# and write each record's fields in the contract's order.
JSONL_FLOOR = r"""
import json, sqlite3, sys, zlib
path, reference = sys.argv[1], sys.argv[2]
database = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
database.row_factory = sqlite3.Row
rows = database.execute(
    "SELECT r.*, t.source AS template_source FROM requests r "
    "LEFT JOIN template_sources t ON t.id = r.template_source_id "
    "WHERE r.order_reference_id = ? ORDER BY r.created_at DESC, r.id DESC",
    (reference,),
)
dictionaries = {}
def stage(value):
    if isinstance(value, bytes) and value[:1] == b"d":  # packed with the store's dictionary
        number = int.from_bytes(value[1:3], "big")
        if number not in dictionaries:
            dictionaries[number] = database.execute(
                "SELECT dictionary FROM stage_dictionaries WHERE id = ?", (number,)).fetchone()[0]
        inflater = zlib.decompressobj(zdict=dictionaries[number])
        value = (inflater.decompress(value[3:]) + inflater.flush()).decode("utf-8", "surrogatepass")
    elif isinstance(value, bytes):
        value = zlib.decompress(value[1:]).decode("utf-8", "surrogatepass")
    return None if value is None else json.loads(value)
def moment(text):
    return text.replace(" ", "T") + "Z"
out = []
for row in rows:
    record = {"id": row["id"], "action": row["action"],
              "created_at": moment(row["created_at"]), "updated_at": moment(row["updated_at"]),
              "order_reference_id": row["order_reference_id"], "order_id": row["order_id"],
              "customer": {"id": row["customer_id"], "name": row["customer_name"]},
              "printer": None if row["printer_id"] is None
              else {"id": row["printer_id"], "name": row["printer_name"]},
              "status": row["status"],
              "error": None if row["error_stage"] is None else {
                  "stage": row["error_stage"], "code": row["error_code"],
                  "message": row["error_message"]},
              "original": stage(row["original"])}
    template = stage(row["template"])
    if template is not None:
        head = {key: template.pop(key) for key in ("name", "version", "engine")}
        template = {**head, "source": row["template_source"], **template}
    record["template"] = template
    record["final"] = stage(row["final"])
    response = stage(row["response"])
    if response is not None:  # log API 1.1's fields, null on a request's answer
        response.setdefault("trigger", None)
        response.setdefault("action_id", None)
    record["response"] = response
    # The store keeps no resubmit_of or action_id of a request yet: always null.
    record["resubmit_of"] = None
    record["action_id"] = None
    out.append(json.dumps(record, ensure_ascii=True, separators=(",", ":")) + "\n")
sys.stdout.write("".join(out))
"""


def _orderdesk(*args: str) -> list[str]:
    return [sys.executable, "-m", "orderdesk", *args]


def _commands(built: BigStore) -> dict[str, tuple[list[str], list[str]]]:
    """Each figure's (orderdesk command, floor command)."""
    return {
        "version": (
            _orderdesk("--version"),
            [sys.executable, "-c", "print('orderdesk, version 0.1.0')"],
        ),
        "requests_order_jsonl": (
            _orderdesk(
                "requests", "--order", built.rare_reference, "--format", "jsonl", "--db", built.path
            ),
            [sys.executable, "-c", JSONL_FLOOR, built.path, built.rare_reference],
        ),
        "problems": (_orderdesk("problems", "--db", built.path), [sys.executable, "-c", "pass"]),
        # The whole store's month: the findings' grouping then sorts every row.
        "problems_30d": (
            _orderdesk("problems", "--since", "30d", "--db", built.path),
            [sys.executable, "-c", "pass"],
        ),
    }


# As an install runs: modules compiled once and cached, and output buffered.
_ENVIRONMENT = {
    name: value
    for name, value in os.environ.items()
    if name not in ("PYTHONDONTWRITEBYTECODE", "PYTHONUNBUFFERED")
}


def _run(command: list[str]) -> tuple[float, bytes, int]:
    started = time.perf_counter()
    done = subprocess.run(command, capture_output=True, check=False, env=_ENVIRONMENT)
    return time.perf_counter() - started, done.stdout, done.returncode


def measure_startup(built: BigStore, repeat: int = 20) -> dict[str, dict[str, Any]]:
    """Median seconds of each command and of its floor, run in turn, and their ratio."""
    figures: dict[str, dict[str, Any]] = {}
    for name, (command, floor) in _commands(built).items():
        _run(command)  # once unmeasured, so both start with the files in the page cache
        _run(floor)
        ours, theirs = [], []
        for _ in range(repeat):
            seconds, answer, code = _run(command)
            ours.append(seconds)
            floor_seconds, floor_answer, _ = _run(floor)
            theirs.append(floor_seconds)
        median, floor_median = statistics.median(ours), statistics.median(theirs)
        figures[name] = {
            "orderdesk_s": round(median, 4),
            "floor_s": round(floor_median, 4),
            "ratio": round(median / floor_median, 1),
            "exit_code": code,
            "same_answer": None if name.startswith("problems") else answer == floor_answer,
            "bytes": len(answer),
        }
    return figures


def report_lines(figures: dict[str, dict[str, Any]]) -> list[str]:
    """The start-up figures as a Markdown table."""
    lines = [
        "| whole process (median) | orderdesk | floor | ratio |",
        "| --- | --- | --- | --- |",
    ]
    for name, figure in figures.items():
        lines.append(
            f"| {name.replace('_', ' ')} | {figure['orderdesk_s']:.3f} s "
            f"| {figure['floor_s']:.3f} s | {figure['ratio']:g}x |"
        )
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--store", type=Path, required=True, help="A store store_builder built.")
    parser.add_argument("--repeat", type=int, default=20)
    options = parser.parse_args()
    figures = measure_startup(BigStore.load(Path(f"{options.store}.json")), options.repeat)
    print("\n".join(report_lines(figures)), file=sys.stderr)
    print(json.dumps(figures, indent=2))


if __name__ == "__main__":
    main()
