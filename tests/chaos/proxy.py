"""A TCP proxy that misbehaves on purpose, between the simulated phones and gunicorn.

Each connection carries one HTTP request (the phones send `Connection: close`), and gets
one fate, drawn from a seeded `random.Random`:

- `pass`: bytes flow both ways untouched;
- `refuse`: the connection is reset before anything reaches the server;
- `cut`: the request reaches the server, the proxy waits for the server's whole answer
  and then resets the phone's connection instead: the batch is stored, the phone cannot
  know it;
- `delay`: the answer is held back for a while, then delivered;
- `stall`: the answer is held back longer than the phones' read timeout (a dropped link).

While the server is down (killed), connecting upstream fails and the phone's connection
is reset (`upstream_down`); a request the server died under ends the same way
(`upstream_lost`). `counts` keeps how often each happened. The proxy runs its own event
loop in a thread and keeps running while the server behind it is killed and restarted.
Given several upstream ports, it takes them in turn, a connection each (round robin, as
a load balancer in front of several app servers would; it does not skip a dead one).
"""

from __future__ import annotations

import asyncio
import random
import socket
import struct
import threading
from collections import Counter

FATES = {"pass": 50, "refuse": 13, "cut": 20, "delay": 14, "stall": 3}


def _reset(writer: asyncio.StreamWriter) -> None:
    """Close with a TCP RST (SO_LINGER 0), as a dropped mobile link or a middlebox does."""
    sock = writer.get_extra_info("socket")
    if sock is not None:
        try:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        except OSError:
            pass
    writer.transport.abort()


async def _pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    """Copy one direction; an end passes on as an end, a reset as a reset (a server left
    waiting for the rest of a request would hold one of its threads)."""
    try:
        while data := await reader.read(65536):
            writer.write(data)
            await writer.drain()
        if writer.can_write_eof():
            writer.write_eof()
    except OSError:
        _reset(writer)


async def _read_all(reader: asyncio.StreamReader, timeout: float) -> bytes:
    """The server's whole answer: gunicorn closes the connection after it."""
    chunks = []
    try:
        async with asyncio.timeout(timeout):
            while data := await reader.read(65536):
                chunks.append(data)
    except (OSError, TimeoutError):
        pass
    return b"".join(chunks)


class ChaosProxy:
    def __init__(self, upstream_port: int | list[int], *, seed: int, delay=(0.2, 1.5),
                 stall: float = 6.0, fates: dict[str, int] | None = None):
        self.upstream_ports = ([upstream_port] if isinstance(upstream_port, int)
                               else list(upstream_port))
        self.fates = fates or FATES
        self.rng = random.Random(seed)
        self.delay, self.stall = delay, stall
        self.counts: Counter[str] = Counter()
        self.port = 0
        self._loop = asyncio.new_event_loop()
        self._server: asyncio.Server | None = None
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        # asyncio holds tasks weakly, and a stream's protocol forgets its handler task once
        # the phone's side is closed: without these references a handler still waiting on
        # the server could be garbage-collected mid-flight.
        self._tasks: set[asyncio.Task] = set()

    def start(self) -> ChaosProxy:
        self._thread.start()
        self._server = asyncio.run_coroutine_threadsafe(
            asyncio.start_server(self._handle, "127.0.0.1", 0), self._loop).result(10)
        self.port = self._server.sockets[0].getsockname()[1]
        return self

    def stop(self) -> None:
        async def close():
            self._server.close()
            for task in self._tasks:
                task.cancel()
            await asyncio.gather(*self._tasks, return_exceptions=True)

        asyncio.run_coroutine_threadsafe(close(), self._loop).result(10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)
        self._loop.close()

    def _fate(self) -> str:
        return self.rng.choices(list(self.fates), weights=list(self.fates.values()))[0]

    def _keep(self, task: asyncio.Task) -> asyncio.Task:
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return task

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter):
        self._keep(asyncio.current_task())
        try:
            await self._serve(reader, writer, self._fate())
        except asyncio.CancelledError:
            writer.transport.abort()  # the proxy is stopping
        finally:
            writer.close()  # after what was written is flushed; a no-op after a reset

    async def _serve(self, reader, writer, fate: str) -> None:
        self.counts["connections"] += 1
        upstream = self.upstream_ports[self.counts["connections"] % len(self.upstream_ports)]
        if fate == "refuse":
            self.counts["refuse"] += 1
            _reset(writer)
            return
        try:
            up_reader, up_writer = await asyncio.wait_for(
                asyncio.open_connection("127.0.0.1", upstream), 2)
        except (OSError, TimeoutError):
            self.counts["upstream_down"] += 1
            _reset(writer)
            return
        upload = self._keep(asyncio.create_task(_pipe(reader, up_writer)))
        try:
            if fate == "pass":
                await _pipe(up_reader, writer)
                self.counts["pass"] += 1
                return
            answer = await _read_all(up_reader, 60)
            if not answer:
                # The server died under this request (SIGKILL): nothing to hold back.
                self.counts["upstream_lost"] += 1
                _reset(writer)
            elif fate == "cut":
                self.counts["cut"] += 1
                if answer.startswith(b"HTTP/1.1 200"):
                    self.counts["cut_after_200"] += 1
                _reset(writer)
            else:
                await asyncio.sleep(self.rng.uniform(*self.delay) if fate == "delay"
                                    else self.stall)
                self.counts[fate] += 1
                writer.write(answer)
                await writer.drain()
        except OSError:
            self.counts["client_gone"] += 1
        finally:
            up_writer.transport.abort()
            upload.cancel()
            await asyncio.gather(upload, return_exceptions=True)
