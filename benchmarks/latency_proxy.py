"""A network between the console and its store: a TCP proxy that makes every round trip slower.

    python -m benchmarks.latency_proxy --listen 6544 --to 127.0.0.1:5432 --delay-ms 20

Listens on 127.0.0.1 and forwards each connection to the server, holding every
chunk for half the delay in each direction, so that a question and its answer
take the whole delay longer, as through an SSH tunnel to a distant database.
Chunks keep their order, a connection's two directions are held apart, and
connections never wait for each other; bandwidth is not limited, only latency.

From Python, as a context manager that serves from a thread of its own::

    with LatencyProxy(("127.0.0.1", 5432), delay_ms=20) as proxy:
        ...  # connect to 127.0.0.1:proxy.port

It also counts round trips: each time a client speaks again after the server
answered it, which is what a delay costs.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import threading
from collections.abc import Callable

__all__ = ["LatencyProxy"]

_CHUNK = 65536


class LatencyProxy:
    """A proxy on 127.0.0.1 to ``target`` that adds ``delay_ms`` to every round trip."""

    def __init__(self, target: tuple[str, int], *, delay_ms: float = 20.0, port: int = 0) -> None:
        self.target = target
        self.delay_ms = delay_ms
        #: The port it listens on; a free one is picked when 0 is asked for.
        self.port = port
        #: Connections accepted so far.
        self.connections = 0
        self._round_trips = 0
        self._counting = threading.Lock()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stopped: asyncio.Event | None = None
        self._thread: threading.Thread | None = None
        self._ready = threading.Event()
        self._failure: BaseException | None = None

    @property
    def round_trips(self) -> int:
        """Times a client spoke again after its server had answered, on every connection."""
        with self._counting:
            return self._round_trips

    def __enter__(self) -> LatencyProxy:
        self._thread = threading.Thread(
            target=lambda: asyncio.run(self.serve()), name="latency-proxy", daemon=True
        )
        self._thread.start()
        self._ready.wait()
        if self._failure is not None:
            raise self._failure
        return self

    def __exit__(self, *raised: object) -> None:
        self.stop()

    def stop(self) -> None:
        """Close the listener and every connection through it, and wait for the thread."""
        if self._loop is not None and self._stopped is not None:
            self._loop.call_soon_threadsafe(self._stopped.set)
        if self._thread is not None:
            self._thread.join()
            self._thread = None

    async def serve(self) -> None:
        """Serve until :meth:`stop`; a port that cannot be listened on is raised by ``with``."""
        self._loop = asyncio.get_running_loop()
        self._stopped = asyncio.Event()
        pipes: set[asyncio.Task[None]] = set()

        def accepted(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            task = asyncio.create_task(self._connection(reader, writer))
            pipes.add(task)
            task.add_done_callback(pipes.discard)

        try:
            server = await asyncio.start_server(accepted, "127.0.0.1", self.port)
        except OSError as error:
            self._failure = error
            self._ready.set()
            return
        self.port = int(server.sockets[0].getsockname()[1])
        self._ready.set()
        async with server:
            await self._stopped.wait()
            server.close()
            for task in list(pipes):
                task.cancel()
            await asyncio.gather(*pipes, return_exceptions=True)

    async def _connection(
        self, client_reader: asyncio.StreamReader, client_writer: asyncio.StreamWriter
    ) -> None:
        self.connections += 1
        try:
            server_reader, server_writer = await asyncio.open_connection(*self.target)
        except BaseException as error:  # the server is not there, or the proxy stops
            await _closed(client_writer)
            if isinstance(error, OSError):
                return  # the client sees its connection closed, as without a proxy
            raise
        # A client speaking after its server (or first) starts a round trip.
        server_spoke_last = True

        def client_spoke() -> None:
            nonlocal server_spoke_last
            if server_spoke_last:
                with self._counting:
                    self._round_trips += 1
            server_spoke_last = False

        def server_spoke() -> None:
            nonlocal server_spoke_last
            server_spoke_last = True

        one_way = self.delay_ms / 2000
        try:
            await asyncio.gather(
                _delayed(client_reader, server_writer, one_way, client_spoke),
                _delayed(server_reader, client_writer, one_way, server_spoke),
            )
        finally:
            await _closed(client_writer, server_writer)


async def _closed(*writers: asyncio.StreamWriter) -> None:
    for writer in writers:
        writer.close()
    for writer in writers:
        with contextlib.suppress(OSError):
            await writer.wait_closed()


async def _delayed(
    reader: asyncio.StreamReader,
    writer: asyncio.StreamWriter,
    delay: float,
    spoke: Callable[[], None],
) -> None:
    """Copy ``reader`` to ``writer``, each chunk ``delay`` seconds after it was read.

    Reading goes on while chunks wait, so a delay adds latency without cutting
    bandwidth; one queue per direction keeps the chunks in order.
    """
    loop = asyncio.get_running_loop()
    held: asyncio.Queue[tuple[float, bytes]] = asyncio.Queue()

    async def carry() -> None:
        while True:
            due, chunk = await held.get()
            wait = due - loop.time()
            if wait > 0:
                await asyncio.sleep(wait)
            if not chunk:
                break
            writer.write(chunk)
            await writer.drain()
        if writer.can_write_eof():
            with contextlib.suppress(OSError):
                writer.write_eof()

    carrier = asyncio.create_task(carry())
    try:
        with contextlib.suppress(OSError):  # the peer went away: pass on what came, then the end
            while chunk := await reader.read(_CHUNK):
                spoke()
                held.put_nowait((loop.time() + delay, chunk))
        held.put_nowait((loop.time() + delay, b""))
        with contextlib.suppress(OSError):  # the other side went away first
            await carrier
    finally:
        carrier.cancel()


def _address(text: str) -> tuple[str, int]:
    host, _, port = text.rpartition(":")
    if not host or not port.isdigit():
        raise argparse.ArgumentTypeError(f"{text!r} is not HOST:PORT, e.g. 127.0.0.1:5432")
    return host, int(port)


def main() -> None:
    """Run the proxy in the foreground until interrupted (Ctrl-C)."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--listen", type=int, required=True, help="the port to listen on")
    parser.add_argument("--to", type=_address, required=True, help="the server, as HOST:PORT")
    parser.add_argument("--delay-ms", type=float, default=20.0, help="added to each round trip")
    options = parser.parse_args()
    host, port = options.to
    try:
        with LatencyProxy(options.to, delay_ms=options.delay_ms, port=options.listen) as proxy:
            print(
                f"127.0.0.1:{proxy.port} -> {host}:{port}, +{options.delay_ms:g} ms a round trip",
                flush=True,
            )
            with contextlib.suppress(KeyboardInterrupt):
                threading.Event().wait()
    except OSError as error:
        raise SystemExit(f"cannot listen on 127.0.0.1:{options.listen}: {error}") from None


if __name__ == "__main__":
    main()
