"""Three questions answered without orderdesk (jq and lnav over an export) and with it.

    python -m benchmarks.baselines --store /tmp/od.db --reference PP-000704 \\
        --rare-term Kingfisher --now 2026-11-23T12:00:00Z

An engineer without orderdesk would export the requests to JSON lines once and
ask jq or lnav. Each question is timed as whole processes, the way a user waits
for them: one untimed warm-up run (the export in the page cache), then the
median of ``--repeat`` runs. Each tool's answer is counted, so a reader can see
that the three tools found the same records.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

# The export's own format: fixed width, so times compare as strings.
_TIMESTAMP = "%Y-%m-%dT%H:%M:%S.%fZ"
_LIMIT = "1000000000"
_TOOLS = ("orderdesk", "jq", "lnav")
# Every command runs in the work folder, so the jq and lnav lines read as typed.
_EXPORT = "requests.jsonl"


def ensure_tools() -> dict[str, str]:
    """jq's and lnav's versions, installing them from Debian's packages when missing."""
    missing = [tool for tool in ("jq", "lnav") if shutil.which(tool) is None]
    if missing:
        _install(missing)
    # Even ``lnav -V`` writes its configuration under HOME: give it a throwaway one.
    with tempfile.TemporaryDirectory(prefix="orderdesk-baselines-") as home:
        env = {**os.environ, "HOME": home, "XDG_CONFIG_HOME": home}
        return {
            "jq": _output(["jq", "--version"], env),
            "lnav": _output(["lnav", "-V"], env).splitlines()[0],
        }


def _install(missing: list[str]) -> None:
    needed = " and ".join(missing)
    hint = f"install {needed} (apt-get install {' '.join(missing)}) and run again"
    if os.geteuid() != 0 or shutil.which("apt-get") is None:
        raise SystemExit(f"the baselines need {needed}: {hint}")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    for command in (["apt-get", "update", "-qq"], ["apt-get", "install", "-y", "-qq", *missing]):
        if subprocess.run(command, env=env, stdout=subprocess.DEVNULL).returncode != 0:
            raise SystemExit(f"{' '.join(command)} failed: {hint}")


def _output(command: list[str], env: dict[str, str]) -> str:
    finished = subprocess.run(command, env=env, check=True, capture_output=True, text=True)
    return finished.stdout.strip()


def _stamp(moment: datetime) -> str:
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).strftime(_TIMESTAMP)


def _literal(text: str) -> str:
    # A time's only character special in a regex is the dot.
    return text.replace(".", r"\.")


def _digits(lowest: str, highest: str) -> str:
    return lowest if lowest == highest else f"[{lowest}-{highest}]"


def _at_least(low: str) -> list[str]:
    """Regex prefixes of the strings shaped like ``low`` that sort at or after it."""
    # Trailing zeros bound nothing: a window from 12:00:00.000000 is the hours from 12.
    trimmed = low.rstrip("0:.")
    prefixes = []
    for at, digit in enumerate(trimmed):
        # The last digit may stay as it is; an earlier one must grow.
        lowest = digit if at == len(trimmed) - 1 else chr(ord(digit) + 1)
        if digit.isdigit() and lowest <= "9":
            prefixes.append(_literal(trimmed[:at]) + _digits(lowest, "9"))
    if not trimmed[-1:].isdigit():
        prefixes.append(_literal(trimmed))
    return prefixes


def _below(high: str) -> list[str]:
    """Regex prefixes of the strings shaped like ``high`` that sort before it."""
    return [
        _literal(high[:at]) + _digits("0", chr(ord(digit) - 1))
        for at, digit in enumerate(high)
        if digit.isdigit() and digit > "0"
    ]


def time_window_regex(start: datetime, end: datetime) -> str:
    """A regex for the export's times in [start, end): hour prefixes, finer only at the edges."""
    low, high = _stamp(start)[:-1], _stamp(end)[:-1]
    if low >= high:
        raise ValueError(f"an empty window: {low} to {high}")
    shared = next(at for at, (a, b) in enumerate(zip(low, high, strict=True)) if a != b)
    # The first difference is a digit: both times have one shape.
    head, first, last = _literal(low[:shared]), low[shared], high[shared]
    prefixes = [head + first + rest for rest in _at_least(low[shared + 1 :])]
    if ord(last) - ord(first) > 1:
        prefixes.append(head + _digits(chr(ord(first) + 1), chr(ord(last) - 1)))
    prefixes += [head + last + rest for rest in _below(high[shared + 1 :])]
    return "|".join(prefixes)


def _orderdesk(store: Path, *flags: str) -> list[str]:
    command = [sys.executable, "-m", "orderdesk", "requests", "--db", str(store.resolve())]
    return [*command, "--tz", "UTC", "--format", "jsonl", "--limit", _LIMIT, *flags]


def _questions(
    store: Path, *, now: datetime, reference: str, rare_term: str
) -> dict[str, dict[str, list[str]]]:
    """Each question as the command line each tool answers it with."""

    def jq(program: str, **values: str) -> list[str]:
        arguments = [part for name, value in values.items() for part in ("--arg", name, value)]
        return ["jq", "-c", *arguments, f"select({program})", _EXPORT]

    def lnav(pattern: str) -> list[str]:
        return ["lnav", "-n", "-c", f":filter-in {pattern}", _EXPORT]

    start, end = _stamp(now - timedelta(days=1)), _stamp(now)
    window = time_window_regex(now - timedelta(days=1), now)
    reference_field = '"order_reference_id":' + json.dumps(reference)
    return {
        "failed_last_day": {
            "orderdesk": _orderdesk(store, "--from", start, "--to", end, "--status", "failed"),
            "jq": jq(
                '.status == "failed" and .created_at >= $from and .created_at < $to',
                **{"from": start, "to": end},
            ),
            # In the export "status" follows "created_at" and appears once a line:
            # the bodies are JSON strings, so their own quotes are escaped.
            "lnav": lnav(f'"created_at":"(?:{window})[^"]*".*"status":"failed"'),
        },
        "one_reference": {
            "orderdesk": _orderdesk(store, "--order", reference),
            "jq": jq(".order_reference_id == $ref", ref=reference),
            "lnav": lnav(re.escape(reference_field)),
        },
        # orderdesk's search folds case, so the baselines do too (jq's
        # ascii_downcase would cost twenty times the search itself).
        "text_search": {
            "orderdesk": _orderdesk(store, "--search", rare_term),
            "jq": jq('tostring | test($t; "i")', t=re.escape(rare_term)),
            "lnav": lnav(f"(?i){re.escape(rare_term)}"),
        },
    }


#: Timed runs of orderdesk per question, however few the slower tools get.
ORDERDESK_RUNS = 5


def _run(command: list[str], output: Path, env: dict[str, str]) -> float:
    """Seconds one whole process takes in ``output``'s folder, its answer written there."""
    with output.open("wb") as sink:
        began = time.perf_counter()
        finished = subprocess.run(
            command,
            cwd=output.parent,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=sink,
            stderr=subprocess.PIPE,
        )
        seconds = time.perf_counter() - began
    # lnav reports a bad command on stderr and still exits 0.
    if finished.returncode != 0 or finished.stderr.strip():
        error = finished.stderr.decode(errors="replace").strip()
        raise RuntimeError(f"{command[0]} failed ({finished.returncode}): {error}")
    return seconds


def _lines(path: Path) -> int:
    with path.open("rb") as answer:
        return sum(1 for _ in answer)


def _answer(
    commands: dict[str, list[str]], work: Path, name: str, env: dict[str, str], repeat: int
) -> dict[str, object]:
    """One question's medians, ratios and each tool's count of records found."""
    medians: dict[str, float] = {}
    matches: dict[str, int] = {}
    for tool in _TOOLS:
        output = work / f"{name}.{tool}.out"
        # The export was just written, so it is in the page cache already; a
        # warm-up still pays lnav's first start and orderdesk's store pages. At
        # a million records one jq run takes a minute: a second would add little.
        if tool != "jq" or repeat > 1:
            _run(commands[tool], output, env)
        # orderdesk's runs are short, so a noisy neighbour moves them most: take more.
        runs = max(repeat, ORDERDESK_RUNS) if tool == "orderdesk" else repeat
        medians[tool] = statistics.median(_run(commands[tool], output, env) for _ in range(runs))
        matches[tool] = _lines(output)
    answer: dict[str, object] = {f"{tool}_s": round(medians[tool], 4) for tool in _TOOLS}
    for tool in ("lnav", "jq"):
        answer[f"{tool}_ratio"] = round(medians[tool] / medians["orderdesk"], 2)
    answer["matches"] = matches
    answer["agree"] = len(set(matches.values())) == 1
    answer["commands"] = {tool: shlex.join(commands[tool]) for tool in ("jq", "lnav")}
    return answer


def measure_baselines(
    store: Path, work: Path, *, now: datetime, reference: str, rare_term: str, repeat: int = 3
) -> dict[str, object]:
    """Export the store's requests, then time each question with orderdesk, jq and lnav."""
    tools = ensure_tools()
    work.mkdir(parents=True, exist_ok=True)
    export = work / _EXPORT
    # lnav writes its configuration under HOME on its first run: a throwaway HOME
    # keeps it out of the user's, and keeps the user's settings out of all three.
    home = work / "home"
    home.mkdir(exist_ok=True)
    env = {**os.environ, "HOME": str(home), "XDG_CONFIG_HOME": str(home / ".config")}
    seconds = _run(_orderdesk(store), export, env)
    questions = _questions(store, now=now, reference=reference, rare_term=rare_term)
    return {
        "export": {
            "seconds": round(seconds, 3),
            "megabytes": round(export.stat().st_size / 1_000_000, 1),
            "records": _lines(export),
        },
        "questions": {
            name: _answer(commands, work, name, env, repeat) for name, commands in questions.items()
        },
        "tools": tools,
        "now": _stamp(now),
        "repeat": repeat,
    }


def _moment(text: str) -> datetime:
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        example = "2026-11-23T12:00Z"
        raise argparse.ArgumentTypeError(f"{text!r} is not an ISO time like {example}") from None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def main() -> None:
    """Measure the baselines on one store and print them as JSON."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--store", type=Path, required=True, help="a SQLite store")
    parser.add_argument("--reference", required=True, help="an order reference in the store")
    parser.add_argument("--rare-term", required=True, help="a word in a few records' bodies")
    parser.add_argument("--now", type=_moment, required=True, help="the end of the last day")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--work", type=Path, help="where the export goes [a temporary folder]")
    options = parser.parse_args()
    if not options.store.is_file():
        raise SystemExit(f"no store at {options.store}: give a SQLite file with --store")
    with tempfile.TemporaryDirectory(prefix="orderdesk-baselines-") as folder:
        figures = measure_baselines(
            options.store,
            options.work or Path(folder),
            now=options.now,
            reference=options.reference,
            rare_term=options.rare_term,
            repeat=options.repeat,
        )
    print(json.dumps(figures, indent=2))


if __name__ == "__main__":
    main()
