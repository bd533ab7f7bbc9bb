"""The console as a user meets it on a big store: a real process in a real pseudo-terminal.

    python -m benchmarks.tui_latency --records 1000000

Builds (or reuses) a store of N requests, starts ``orderdesk`` on it in a
120x40 pseudo-terminal, and reports the time from process start to the first
painted list, from a key (PgDn, ``G``) to the end of the frame it causes, and
the resident memory. A frame ends when the app has written nothing for 80 ms;
that quiet is subtracted from the figures.
"""

from __future__ import annotations

import argparse
import fcntl
import json
import os
import pty
import select
import statistics
import struct
import sys
import termios
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
QUIET = 0.08
PAGE_DOWN = b"\x1b[6~"


def build_store(path: Path, rows: int) -> None:
    """A store of ``rows`` requests, written straight into its table."""
    sys.path.insert(0, str(ROOT / "tests" / "tui"))
    from datetime import UTC, datetime, timedelta

    from big_store import build_big_store

    from orderdesk.sim import Simulation

    sim = Simulation(
        seed=7,
        history=timedelta(hours=1),
        history_rate=2.0,
        rate=0.0,
        now=datetime(2026, 11, 23, 12, tzinfo=UTC),
    )
    build_big_store(path, sim.records("requests")[0], rows)  # type: ignore[arg-type]


class Terminal:
    """``orderdesk`` running in a pseudo-terminal of a given size."""

    def __init__(self, args: list[str], columns: int = 120, lines: int = 40) -> None:
        self.started = time.perf_counter()
        self.pid, self.fd = pty.fork()
        if self.pid == 0:  # the child: become orderdesk
            os.environ.update(TERM="xterm-256color", COLUMNS=str(columns), LINES=str(lines))
            os.execv(sys.executable, [sys.executable, "-m", "orderdesk", *args])
        fcntl.ioctl(self.fd, termios.TIOCSWINSZ, struct.pack("HHHH", lines, columns, 0, 0))
        self.output = bytearray()

    def read_until(self, needle: bytes, timeout: float = 60.0) -> float:
        """Seconds from start until ``needle`` appears in the output."""
        deadline = time.perf_counter() + timeout
        while needle not in self.output:
            if time.perf_counter() > deadline:
                raise TimeoutError(f"{needle!r} never appeared")
            self._read(0.5)
        return time.perf_counter() - self.started

    def settle(self) -> None:
        """Read until the app has been quiet for a while."""
        while self._read(0.5):
            pass

    def key(self, data: bytes) -> tuple[float, float]:
        """Seconds from sending a key to the next frame's first byte, and to its last."""
        self.settle()
        sent = time.perf_counter()
        os.write(self.fd, data)
        first = last = None
        while self._read(2.0 if last is None else QUIET):
            last = time.perf_counter()
            first = first or last
        if first is None or last is None:
            raise TimeoutError("the key caused no frame")
        return first - sent, last - sent

    def resident_mb(self) -> float:
        """The app's resident memory, in MB."""
        for line in Path(f"/proc/{self.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
        return float("nan")

    def quit(self) -> None:
        os.write(self.fd, b"q")
        self.settle()  # reading a closed terminal ends quietly, see _read
        os.waitpid(self.pid, 0)
        os.close(self.fd)

    def _read(self, wait: float) -> bool:
        ready, _, _ = select.select([self.fd], [], [], wait)
        if not ready:
            return False
        try:
            chunk = os.read(self.fd, 65536)
        except OSError:
            return False
        self.output += chunk
        return bool(chunk)


def _ms(seconds: list[float]) -> dict[str, float]:
    ordered = sorted(seconds)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return {"p50_ms": round(statistics.median(ordered) * 1000, 1), "p95_ms": round(p95 * 1000, 1)}


def measure(path: Path, presses: int) -> dict[str, object]:
    """Start the console on the store and time what a user feels."""
    terminal = Terminal(["--db", str(path), "--tz", "UTC"])
    try:
        first_paint = terminal.read_until(b"BIG-")
        terminal.settle()
        at_rest = terminal.resident_mb()
        page_down = [terminal.key(PAGE_DOWN) for _ in range(presses)]
        end = [terminal.key(b"G"), terminal.key(b"g"), terminal.key(b"G"), terminal.key(b"g")]
        after_paging = terminal.resident_mb()
    finally:
        terminal.quit()
    return {
        "records": None,
        "first_paint_s": round(first_paint, 2),
        "page_down_next_frame": _ms([first for first, _ in page_down]),
        "page_down_frame_done": _ms([last for _, last in page_down]),
        "first_or_last_row_next_frame": _ms([first for first, _ in end]),
        "first_or_last_row_frame_done": _ms([last for _, last in end]),
        "resident_mb_at_rest": round(at_rest, 1),
        "resident_mb_after_paging": round(after_paging, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=1_000_000)
    parser.add_argument("--store", type=Path, default=Path("/tmp/orderdesk-bench-big.db"))
    parser.add_argument("--presses", type=int, default=30)
    parser.add_argument("--json", type=Path)
    options = parser.parse_args()
    if not options.store.exists():
        print(f"building a store of {options.records:,} requests at {options.store} ...")
        build_store(options.store, options.records)
    figures = measure(options.store, options.presses)
    figures["records"] = options.records
    print(json.dumps(figures, indent=2))
    if options.json:
        options.json.write_text(json.dumps(figures, indent=2) + "\n")


if __name__ == "__main__":
    main()
