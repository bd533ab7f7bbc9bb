"""The console across a network: its keys timed on PostgreSQL directly, then through a delay.

    python -m benchmarks.remote --db postgresql+psycopg://postgres@127.0.0.1:5432/orderdesk \\
        --first-reference REF [--delay-ms 20] [--json PATH]

A team's console often reaches its store through an SSH tunnel, tens of
milliseconds away. This starts ``orderdesk --db URL`` twice in a real
pseudo-terminal, as ``benchmarks.tui_latency`` does: once connected straight
to the server, once through ``benchmarks.latency_proxy``, which adds ``--delay-ms``
to every round trip. Each run reports process start to the first painted
list, and key to next frame (and to the frame's end) for PgDn, ``G``/``g``,
errors only and a status filter. Through the proxy it also counts round trips
to the store: until the first paint, per key, and per second while the
console sits idle, which says where the delay goes. A key's count is of every
round trip from the key to its frame's end, the console's own polls included
when they fall in that time. The JSON also holds each press, so that a slow
one can be told by its round trips. Figures are reported, never asserted.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine
from sqlalchemy.engine import URL, make_url

from benchmarks.latency_proxy import LatencyProxy
from benchmarks.tui_latency import Frame, KeyFrames, Terminal, drawn_reference, time_keys

__all__ = ["measure_remote", "report_lines"]

POSTGRESQL_PORT = 5432
#: Questions asked to time one round trip to the store, directly and through the proxy.
PINGS = 20
#: A frame ends after this long without output, in both runs. Through the proxy the
#: console draws part of a frame (a dialog closing), waits on a few round trips, then
#: draws the rest: tui_latency's 80 ms of quiet ended such frames at their first part.
#: It stays well under the second between two redraws of the status line.
FRAME_QUIET_MS = 300.0
#: The rows of the table: a figure of a run, and its name in the table.
_ROWS = (
    ("page_down_next_frame", "PgDn to next frame"),
    ("page_down_frame_done", "PgDn to frame done"),
    ("first_or_last_row_next_frame", "G / g to next frame"),
    ("first_or_last_row_frame_done", "G / g to frame done"),
    ("errors_only_frame_done", "errors only (e) to frame done"),
    ("status_filter_frame_done", "a status filter to frame done"),
)


def proxied(url: str, port: int) -> str:
    """The same store's URL, reached through a proxy listening on 127.0.0.1:``port``."""
    return make_url(url).set(host="127.0.0.1", port=port).render_as_string(hide_password=False)


def _server(url: URL) -> tuple[str, int]:
    if not url.host:
        raise SystemExit(f"{url!r}: the store must be reached over TCP: give a host in the URL")
    return url.host, url.port or POSTGRESQL_PORT


def ping_ms(url: str, times: int = PINGS) -> float:
    """Milliseconds a ``SELECT 1`` takes on an open connection, the median of ``times``."""
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            took = []
            for _ in range(times):
                started = time.perf_counter()
                connection.exec_driver_sql("SELECT 1").scalar_one()
                took.append(time.perf_counter() - started)
    finally:
        engine.dispose()
    return round(statistics.median(took) * 1000, 2)


def _counts(frames: list[Frame]) -> dict[str, float]:
    counted = [frame.counted for frame in frames if frame.counted is not None]
    return {"median": statistics.median(counted), "max": max(counted)} if counted else {}


def _pressed(keys: KeyFrames) -> dict[str, list[Frame]]:
    pressed = {
        "page_down": keys.page_down,
        "first_or_last_row": keys.ends,
        "errors_only": keys.errors,
        "status_filter": keys.statuses,
    }
    return {name: frames for name, frames in pressed.items() if frames}


def _each_press(frames: list[Frame]) -> list[tuple[float, float, int | None]]:
    """Each press as (ms to next frame, ms to frame done, round trips), in the order pressed."""
    return [
        (round(frame.first * 1000, 1), round(frame.last * 1000, 1), frame.counted)
        for frame in frames
    ]


def _round_trips_from_now(proxy: LatencyProxy) -> Callable[[], int]:
    before = proxy.round_trips
    return lambda: proxy.round_trips - before


def console_run(
    url: str,
    *,
    first_reference: str,
    proxy: LatencyProxy | None = None,
    presses: int = 30,
    ends: int = 5,
    errors: int = 4,
    statuses: int = 2,
    idle_s: float = 5.0,
    frame_quiet_ms: float = FRAME_QUIET_MS,
    columns: int = 120,
    lines: int = 40,
) -> dict[str, Any]:
    """One console on ``url``, timed; with a proxy in the way, its round trips counted too."""
    # Counted from here: the proxy may have served others before this console.
    counter = None if proxy is None else _round_trips_from_now(proxy)
    connected = 0 if proxy is None else proxy.connections
    terminal = Terminal(
        ["--db", url, "--tz", "UTC"],
        columns,
        lines,
        counter=counter,
        frame_quiet=frame_quiet_ms / 1000,
    )
    try:
        first_paint = terminal.read_until(drawn_reference(first_reference, columns))
        until_paint = None if counter is None else counter()
        terminal.settle()
        idle = None
        if counter is not None:
            idle_from = counter()
            terminal.idle(idle_s)
            idle = counter() - idle_from
        keys = time_keys(terminal, presses=presses, ends=ends, errors=errors, statuses=statuses)
    finally:
        terminal.quit()
    pressed = _pressed(keys)
    figures: dict[str, Any] = {
        "first_paint_s": round(first_paint, 3),
        **keys.figures(),
        "each_press": {name: _each_press(frames) for name, frames in pressed.items()},
    }
    if proxy is not None and until_paint is not None and idle is not None:
        figures["round_trips"] = {
            "until_first_paint": until_paint,
            "idle_per_s": round(idle / idle_s, 2) if idle_s else None,
            "per_key": {name: _counts(frames) for name, frames in pressed.items()},
            "connections": proxy.connections - connected,
        }
    return figures


def first_paints(
    url: str, *, first_reference: str, runs: int, columns: int = 120, lines: int = 40
) -> list[float]:
    """Process start to the first painted list, ``runs`` more times: nothing else timed."""
    paints = []
    for _ in range(runs):
        terminal = Terminal(["--db", url, "--tz", "UTC"], columns, lines)
        try:
            paints.append(round(terminal.read_until(drawn_reference(first_reference, columns)), 3))
        finally:
            terminal.quit()
    return paints


def _more_paints(figures: dict[str, Any], url: str, first_reference: str, paints: int) -> None:
    """Time the first paint ``paints`` times in all: one run says little, as it varies by 20%."""
    if paints <= 1:
        return
    taken = [
        figures["first_paint_s"],
        *first_paints(url, first_reference=first_reference, runs=paints - 1),
    ]
    figures["first_paints_s"] = taken
    figures["first_paint_s"] = round(statistics.median(taken), 3)


def measure_remote(
    url: str,
    *,
    first_reference: str,
    delay_ms: float = 20.0,
    paints: int = 1,
    **run: Any,
) -> dict[str, Any]:
    """The console on ``url`` directly, then through a proxy adding ``delay_ms`` a round trip.

    ``run`` holds :func:`console_run`'s options, the same for both runs. With
    ``paints`` above 1, the first paint is the median of that many starts.
    """
    target = _server(make_url(url))
    figures: dict[str, Any] = {
        "store": make_url(url).render_as_string(hide_password=True),
        "delay_ms": delay_ms,
        "frame_quiet_ms": run.get("frame_quiet_ms", FRAME_QUIET_MS),
        "select_1_ms": {"direct": ping_ms(url)},
        "direct": console_run(url, first_reference=first_reference, **run),
    }
    _more_paints(figures["direct"], url, first_reference, paints)
    with LatencyProxy(target, delay_ms=delay_ms) as proxy:
        through = proxied(url, proxy.port)
        figures["select_1_ms"]["through_proxy"] = ping_ms(through)
        figures["through_proxy"] = console_run(
            through, first_reference=first_reference, proxy=proxy, **run
        )
        _more_paints(figures["through_proxy"], through, first_reference, paints)
    return figures


def _timed(run: dict[str, Any], name: str) -> str:
    figure = run.get(name)
    return "-" if figure is None else f"{figure['p50_ms']:g} / {figure['p95_ms']:g}"


def _per_key(run: dict[str, Any], name: str) -> str:
    key = name.removesuffix("_next_frame").removesuffix("_frame_done")
    counted = run.get("round_trips", {}).get("per_key", {}).get(key)
    return f"{counted['median']:g} ({counted['max']} at most)" if counted else "-"


def _of_runs(run: dict[str, Any]) -> str:
    taken = run.get("first_paints_s")
    return f", median of {len(taken)}" if taken else ""


def _paint(run: dict[str, Any]) -> str:
    taken = run.get("first_paints_s")
    if not taken:
        return f"{run['first_paint_s']:g}"
    return f"{run['first_paint_s']:g} ({min(taken):g} to {max(taken):g})"


def report_lines(figures: dict[str, Any]) -> list[str]:
    """The figures as a markdown table: each run side by side, with round trips per key."""
    direct, through = figures["direct"], figures["through_proxy"]
    delay = f"{figures['delay_ms']:g} ms"
    trips = through.get("round_trips", {})
    lines = [
        f"| figure (ms, p50 / p95) | direct | through {delay} | round trips through it |",
        "| --- | --- | --- | --- |",
        f"| process start to first painted list (s{_of_runs(direct)}) | {_paint(direct)} "
        f"| {_paint(through)} | {trips.get('until_first_paint', '-')} |",
    ]
    lines += [
        f"| {label} | {_timed(direct, name)} | {_timed(through, name)} "
        f"| {_per_key(through, name)} |"
        for name, label in _ROWS
        if name in direct or name in through
    ]
    pings = figures["select_1_ms"]
    lines += [
        f"| `SELECT 1` on an open connection, p50 | {pings['direct']:g} "
        f"| {pings['through_proxy']:g} | 1 |",
        "",
        f"Through the proxy, the idle console made {trips.get('idle_per_s', '-')} round trips "
        f"a second, on {trips.get('connections', '-')} connections in all.",
    ]
    return lines


def main() -> None:
    """Measure the console on one PostgreSQL store, directly and through the proxy."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--db", required=True, help="the store's PostgreSQL URL")
    parser.add_argument("--first-reference", required=True, help="the newest request's reference")
    parser.add_argument("--delay-ms", type=float, default=20.0, help="added to each round trip")
    parser.add_argument("--presses", type=int, default=30, help="PgDn presses timed")
    parser.add_argument("--ends", type=int, default=5, help="G then g, this many times")
    parser.add_argument("--errors", type=int, default=4, help="errors only toggled (even)")
    parser.add_argument("--statuses", type=int, default=2, help="a status toggled (even)")
    parser.add_argument("--idle-s", type=float, default=5.0, help="round trips counted at rest")
    parser.add_argument("--paints", type=int, default=1, help="first paints timed, each way")
    parser.add_argument(
        "--frame-quiet-ms", type=float, default=FRAME_QUIET_MS, help="quiet that ends a frame"
    )
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    options = vars(parser.parse_args())
    out: Path | None = options.pop("json")
    # The other options are named as measure_remote and console_run name them.
    figures = measure_remote(options.pop("db"), **options)
    print("\n".join(report_lines(figures)))
    if out is not None:
        out.write_text(json.dumps(figures, indent=2) + "\n")


if __name__ == "__main__":
    main()
