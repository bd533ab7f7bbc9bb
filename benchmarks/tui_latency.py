"""The console as a user meets it: a real ``orderdesk`` process in a real pseudo-terminal.

    python -m benchmarks.tui_latency --store STORE --first-reference REF \\
        --big-body-reference REF [--json PATH]

Starts ``orderdesk`` on a store of requests and postbacks (a SQLite file or
a PostgreSQL URL) in a 120x40 pseudo-terminal and reports the time from
process start to the first painted list; from a key (PgDn, ``G``/``g``, a
filter change, enter on a request with a 1 MB body) to the frame it causes;
and the resident memory at rest and after paging through many rows.

A frame ends when the app has written nothing for ``QUIET`` seconds; that
quiet is subtracted from the figures. The status line redraws itself once a
second (its ages must stay true), and the list's scrollbar with it, so each
timed key is sent just after such a redraw: the redraw never lands inside
the frame being timed.
"""

from __future__ import annotations

import argparse
import fcntl
import json
import math
import os
import pty
import re
import select
import statistics
import struct
import sys
import termios
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from orderdesk import strings
from orderdesk.tui.widgets import columns as list_columns

QUIET = 0.08
#: Longest wait for the status line's once-a-second redraw before a timed key.
TICK = 1.2
#: While paging for memory, a frame counts as done after this much quiet.
PAGING_QUIET = 0.02
#: A toast ("showing errors only") lives two seconds; its removal is a frame of its own.
TOAST = 2.2
FILTER_TOGGLES = 6
PAGE_DOWN = b"\x1b[6~"
ENTER = b"\r"
TAB = b"\t"
_ROWS_COUNTED = re.compile(r"(≥ )?([\d,]+) records")


@dataclass(frozen=True)
class Frame:
    """What one key caused: seconds to its first byte, to its last, and the bytes."""

    first: float
    last: float
    data: bytes
    #: Seconds until the awaited text was drawn, when there was one.
    drawn: float | None = None
    #: How much the terminal's counter grew from the key to the frame's end, when it has one.
    counted: int | None = None


class Terminal:
    """``orderdesk`` running in a pseudo-terminal of a given size.

    A ``counter`` (round trips to the store through a proxy, say) is read as
    each timed key is sent and as its frame ends: see :attr:`Frame.counted`.
    A timed frame ends after ``frame_quiet`` seconds without output, ``QUIET``
    unless the app may pause longer within a frame (waiting on a distant store).
    """

    def __init__(
        self,
        args: list[str],
        columns: int = 120,
        lines: int = 40,
        *,
        counter: Callable[[], int] | None = None,
        frame_quiet: float = QUIET,
    ) -> None:
        self.counter = counter
        self.frame_quiet = frame_quiet
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

    def key(self, data: bytes, *, needle: bytes | None = None, timeout: float = 5.0) -> Frame:
        """Send a key just after the status line's redraw, and time the frames it causes.

        With a ``needle``, the frame does not end before the needle is drawn,
        however long the app pauses on the way (a drill-down loading a body).
        """
        self._after_tick()
        start = len(self.output)
        counted = None if self.counter is None else self.counter()
        sent = time.perf_counter()
        os.write(self.fd, data)
        first = last = drawn = None
        deadline = sent + timeout
        while True:
            if drawn is None and needle is not None and needle in self.output[start:]:
                drawn = (last or time.perf_counter()) - sent
            waiting = last is None or (needle is not None and drawn is None)
            if self._read(min(0.5, timeout) if waiting else self.frame_quiet):
                last = time.perf_counter()
                first = first or last
            elif not waiting:
                break
            if time.perf_counter() > deadline:
                raise TimeoutError(f"{data!r} caused no frame (or never drew {needle!r})")
        assert first is not None and last is not None
        if self.counter is not None and counted is not None:
            counted = self.counter() - counted
        return Frame(first - sent, last - sent, bytes(self.output[start:]), drawn, counted)

    def type(self, data: bytes) -> None:
        """Send keys whose frames are not timed, and let their frames pass."""
        os.write(self.fd, data)
        self._read(2.0)
        while self._read(QUIET):
            pass

    def idle(self, seconds: float) -> None:
        """Read whatever the app draws for a while."""
        deadline = time.perf_counter() + seconds
        while (left := deadline - time.perf_counter()) > 0:
            self._read(left)

    def page_down(self, presses: int) -> None:
        """PgDn ``presses`` times, each after the previous frame has started and gone quiet."""
        for _ in range(presses):
            os.write(self.fd, PAGE_DOWN)
            self._read(2.0)
            while self._read(PAGING_QUIET):
                pass

    def resident_mb(self) -> float:
        """The app's resident memory, in MB."""
        for line in Path(f"/proc/{self.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
        return float("nan")

    def rows_counted(self) -> int | None:
        """The row count the filter bar shows last, when it is exact."""
        found = _ROWS_COUNTED.findall(self.output.decode("utf-8", "replace"))
        if not found or found[-1][0]:
            return None
        return int(found[-1][1].replace(",", ""))

    def quit(self) -> None:
        """Quit the app and wait for the process to end."""
        os.write(self.fd, b"q")
        self.settle()  # reading a closed terminal ends quietly, see _read
        os.waitpid(self.pid, 0)
        os.close(self.fd)

    def _after_tick(self) -> None:
        while self._read(QUIET):
            pass
        if self._read(TICK):
            while self._read(QUIET):
                pass

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


def drawn_reference(reference: str, columns: int) -> bytes:
    """An order reference as the Requests list draws it: cut or padded to its column."""
    # The list is the terminal less its one-column scrollbar; the padding tells
    # the row apart from the filter bar's "search: REF" chip.
    layout = list_columns.layout("requests", columns - 1)
    width = next((width for column, width in layout if column.key == "reference"), None)
    return (reference if width is None else list_columns.fit(reference, width)).encode()


def rows_per_page(frame: Frame, columns: int) -> int:
    """Records one PgDn moves by: the list's height less its header."""
    # The scrollbar, in the last column, runs the list's whole height.
    scrollbar = re.findall(rb"\x1b\[(\d+);%dH" % columns, frame.data)
    return max(1, len(set(scrollbar)) - 1)


def _ms(seconds: list[float]) -> dict[str, float]:
    ordered = sorted(seconds)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return {"p50_ms": round(statistics.median(ordered) * 1000, 1), "p95_ms": round(p95 * 1000, 1)}


def _toggle_errors(terminal: Terminal) -> Frame:
    terminal.idle(TOAST)  # the last toggle's toast goes first
    return terminal.key(b"e")


def _toggle_first_status(terminal: Terminal) -> Frame:
    """Open the filters, toggle the first status, and time enter in the customer box."""
    terminal.type(b"f")
    terminal.type(b" ")
    terminal.type(TAB)
    return terminal.key(ENTER)


@dataclass(frozen=True)
class KeyFrames:
    """The frames of the keys a list is timed with: moving, and changing its filter."""

    page_down: list[Frame]
    #: ``G`` and ``g`` in turn: to the last row and back to the first.
    ends: list[Frame]
    errors: list[Frame]
    statuses: list[Frame]

    def figures(self) -> dict[str, dict[str, float]]:
        """p50 and p95 of each key's next frame and frame done; keys not pressed are left out."""
        timed = {
            "page_down_next_frame": [frame.first for frame in self.page_down],
            "page_down_frame_done": [frame.last for frame in self.page_down],
            "first_or_last_row_next_frame": [frame.first for frame in self.ends],
            "first_or_last_row_frame_done": [frame.last for frame in self.ends],
            "errors_only_frame_done": [frame.last for frame in self.errors],
            "status_filter_frame_done": [frame.last for frame in self.statuses],
        }
        return {name: _ms(seconds) for name, seconds in timed.items() if seconds}


def time_keys(
    terminal: Terminal,
    *,
    presses: int = 30,
    ends: int = 2,
    errors: int = FILTER_TOGGLES,
    statuses: int = 2,
) -> KeyFrames:
    """PgDn ``presses`` times, ``G`` then ``g`` ``ends`` times, then toggle the filters.

    An even number of toggles leaves the list as it was: errors only (``e``),
    and the first status in the filters dialog.
    """
    return KeyFrames(
        page_down=[terminal.key(PAGE_DOWN) for _ in range(presses)],
        ends=[terminal.key(key) for key in (b"G", b"g") * ends],
        errors=[_toggle_errors(terminal) for _ in range(errors)],
        statuses=[_toggle_first_status(terminal) for _ in range(statuses)],
    )


def _drill_down(
    store: Path | str, first_reference: str, reference: str, columns: int, lines: int
) -> Frame:
    """A fresh console finds ``reference`` and opens its request: the frames of that enter."""
    terminal = Terminal(["--db", str(store), "--tz", "UTC"], columns, lines)
    try:
        # Keys typed before the first paint would be lost.
        terminal.read_until(drawn_reference(first_reference, columns))
        terminal.settle()
        terminal.type(b"/")
        terminal.type(reference.encode())
        terminal.key(ENTER, needle=drawn_reference(reference, columns), timeout=30.0)
        return terminal.key(ENTER, needle=strings.STAGE_ORIGINAL.encode(), timeout=60.0)
    finally:
        terminal.quit()


def measure_ui(
    store: Path | str,
    *,
    first_reference: str,
    big_body_reference: str,
    big_stages_reference: str = "",
    columns: int = 120,
    lines: int = 40,
    presses: int = 30,
    page_rows: int = 10_000,
) -> dict[str, object]:
    """Start the console on the store (a path or a URL) and time what a user feels.

    With ``big_stages_reference``, a second console opens that request, whose
    three stages are each 1 MB.
    """
    terminal = Terminal(["--db", str(store), "--tz", "UTC"], columns, lines)
    try:
        first_paint = terminal.read_until(drawn_reference(first_reference, columns))
        terminal.settle()
        at_rest = terminal.resident_mb()

        keys = time_keys(terminal, presses=presses)

        page = rows_per_page(keys.page_down[0], columns)
        total = terminal.rows_counted()
        rows = min(page_rows, total) if total is not None else page_rows
        paging_presses = math.ceil(rows / page)
        paging_started = time.perf_counter()
        terminal.page_down(paging_presses)
        paging_s = time.perf_counter() - paging_started
        after_paging = terminal.resident_mb()

        terminal.key(b"g")
        terminal.type(b"/")
        terminal.type(big_body_reference.encode())
        terminal.key(ENTER, needle=drawn_reference(big_body_reference, columns), timeout=30.0)
        opened = terminal.key(ENTER, needle=strings.STAGE_ORIGINAL.encode(), timeout=60.0)
        after_big_body = terminal.resident_mb()
    finally:
        terminal.quit()
    stages = (
        _drill_down(store, first_reference, big_stages_reference, columns, lines)
        if big_stages_reference
        else None
    )
    return {
        "columns": columns,
        "lines": lines,
        "first_paint_s": round(first_paint, 2),
        **keys.figures(),
        "big_body_stage_title_s": round(opened.drawn or opened.last, 3),
        "big_body_drill_down_s": round(opened.last, 3),
        **({"big_stages_drill_down_s": round(stages.last, 3)} if stages is not None else {}),
        "resident_mb_at_rest": round(at_rest, 1),
        "rows_per_page": page,
        "rows_paged": min(rows, paging_presses * page),
        "paging_s": round(paging_s, 1),
        "resident_mb_after_paging": round(after_paging, 1),
        "resident_mb_after_big_body": round(after_big_body, 1),
    }


def main() -> None:
    """Measure the console on one store and print the figures as JSON."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--store", required=True, help="a SQLite file or a PostgreSQL URL")
    parser.add_argument("--first-reference", required=True, help="the newest request's reference")
    parser.add_argument(
        "--big-body-reference", required=True, help="the reference of a request with a 1 MB body"
    )
    parser.add_argument(
        "--big-stages-reference",
        default="",
        help="the reference of a request whose three stages are each 1 MB [not timed]",
    )
    parser.add_argument("--presses", type=int, default=30)
    parser.add_argument("--page-rows", type=int, default=10_000)
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    options = parser.parse_args()
    figures = measure_ui(
        options.store,
        first_reference=options.first_reference,
        big_body_reference=options.big_body_reference,
        big_stages_reference=options.big_stages_reference,
        presses=options.presses,
        page_rows=options.page_rows,
    )
    print(json.dumps(figures, indent=2))
    if options.json:
        options.json.write_text(json.dumps(figures, indent=2) + "\n")


if __name__ == "__main__":
    main()
