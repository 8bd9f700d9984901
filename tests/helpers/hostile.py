"""Hostile peers: upstreams and clients that a broken gateway, a misconfigured proxy or a
buggy (or malicious) program on the same machine would be. Every later feature is tried
against them.

Servers (each a context manager yielding a ``Peer``; real sockets on 127.0.0.1, port 0;
the server thread always stops on exit, with every connection it holds)::

    with endless_json() as peer: ...        # 200 application/json, a body that never ends
    with endless_sse() as peer: ...         # 200 text/event-stream, deltas forever, fast
    with drip(interval_s=2) as peer: ...    # 200, then one body byte every 2 s, forever
    with gzip_bomb() as peer: ...           # ~1 MB gzip body that inflates to 1 GiB
    with garbage() as peer: ...             # random bytes, never an HTTP reply
    with never_answering() as peer: ...     # reads the request, sends nothing
    with endless_sse(only="/v1/messages"):  # other paths get a proper small JSON answer
    with never_closing() as peer: ...       # headers say 1 MB, 10 bytes come, then silence
    with header_flood() as peer: ...        # a status line, then header lines forever

Clients (against any host and port)::

    with idle_sockets(host, port, 300) as socks: ...   # connected, never send a byte
    with slow_headers(host, port) as sock: ...         # a request line, then 1 header byte/s
    deep_json(5000)                                    # a Messages body nested 5000 deep
    gzip_bomb_bytes(1 << 30)                           # gzip bytes inflating to 1 GiB
    closed_after(sock, timeout)                        # seconds until the peer closed, or None

And ``RssWatch(pid)``: polls a process's resident memory (psutil) so a test can assert the
peak stayed within a bound of the idle figure.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import json
import os
import socket
import struct
import threading
import time
import zlib
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import psutil

Handler = Callable[[asyncio.StreamReader, asyncio.StreamWriter, asyncio.Event], Awaitable[None]]
# What a well-behaved gateway answers on the paths a hostile server spares (``only=``).
MODELS = json.dumps(
    {
        "data": [
            {"id": name, "type": "model", "display_name": name}
            for name in ("claude-opus-5-5", "claude-sonnet-4-5", "claude-haiku-4-5")
        ]
    }
).encode()

MIB = 1 << 20
GIB = 1 << 30
_CHUNK = 64 * 1024


@dataclass
class Peer:
    """A running hostile server: where it is and how many connections it has seen."""

    host: str
    port: int
    counter: list[int] = field(default_factory=lambda: [0])

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def connections(self) -> int:
        return self.counter[0]


def _head(content_type: str, extra: str = "", status: str = "200 OK") -> bytes:
    return (
        f"HTTP/1.1 {status}\r\nContent-Type: {content_type}\r\n"
        f"Transfer-Encoding: chunked\r\nCache-Control: no-cache\r\n{extra}\r\n"
    ).encode()


def _chunk(data: bytes) -> bytes:
    return b"%x\r\n%s\r\n" % (len(data), data)


async def _read_request(reader: asyncio.StreamReader) -> bytes:
    """Read the request head and a Content-Length body (bounded), so the client is not reset;
    return the request line."""
    head = await reader.readuntil(b"\r\n\r\n")
    for line in head.split(b"\r\n"):
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            left = min(int(value.strip() or b"0"), 64 * MIB)
            while left > 0:
                got = await reader.read(min(left, _CHUNK))
                if not got:
                    break
                left -= len(got)
    return head.split(b"\r\n", 1)[0]


@contextlib.contextmanager
def serve(handler: Handler, only: str | None = None) -> Iterator[Peer]:
    """Run ``handler(reader, writer, stop)`` for every connection, in a daemon thread,
    once the request is read.

    ``only``: a path prefix (e.g. ``"/v1/messages"``); other requests get a small, proper
    JSON answer (a model list), so a client's earlier steps pass and the hostile part is
    met where the test wants it.
    """
    loop = asyncio.new_event_loop()
    ready = threading.Event()
    peer = Peer("127.0.0.1", 0)
    stop: asyncio.Event | None = None
    writers: set[asyncio.StreamWriter] = set()
    tasks: set[asyncio.Task[None]] = set()

    async def on_client(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        assert stop is not None
        peer.counter[0] += 1
        writers.add(writer)
        tasks.add(asyncio.current_task())  # type: ignore[arg-type]
        try:
            while True:
                line = await _read_request(reader)
                target = line.split(b" ")[1].decode() if line.count(b" ") >= 2 else "/"
                if only is None or target.startswith(only):
                    await handler(reader, writer, stop)
                    break
                writer.write(
                    b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                    b"Content-Length: %d\r\n\r\n%s" % (len(MODELS), MODELS)
                )
                await writer.drain()
        except (ConnectionError, asyncio.IncompleteReadError, asyncio.LimitOverrunError):
            pass
        finally:
            writers.discard(writer)
            tasks.discard(asyncio.current_task())
            writer.close()

    async def main() -> None:
        nonlocal stop
        stop = asyncio.Event()
        server = await asyncio.start_server(on_client, peer.host, 0, limit=1 << 20)
        peer.port = server.sockets[0].getsockname()[1]
        ready.set()
        async with server:
            await stop.wait()
            for w in list(writers):
                w.transport.abort()
            if tasks:  # handlers see ``stop`` (or a dead transport) and end by themselves
                await asyncio.wait(list(tasks), timeout=5)

    thread = threading.Thread(target=loop.run_until_complete, args=(main(),), daemon=True)
    thread.start()
    if not ready.wait(10):
        raise RuntimeError("hostile server did not start")
    try:
        yield peer
    finally:
        if stop is not None:
            loop.call_soon_threadsafe(stop.set)
        thread.join(10)
        loop.close()


async def _forever(
    writer: asyncio.StreamWriter, stop: asyncio.Event, piece: bytes, pause_s: float = 0.0
) -> None:
    while not stop.is_set():
        writer.write(piece)
        await writer.drain()
        if pause_s:
            await asyncio.sleep(pause_s)


def endless_json(
    status: str = "200 OK", only: str | None = None
) -> contextlib.AbstractContextManager[Peer]:
    """A JSON reply whose string never ends (chunked, as fast as the client reads)."""

    async def handler(r: asyncio.StreamReader, w: asyncio.StreamWriter, s: asyncio.Event) -> None:
        w.write(_head("application/json", status=status))
        w.write(_chunk(b'{"id":"msg_x","type":"message","content":[{"type":"text","text":"'))
        await _forever(w, s, _chunk(b"a" * _CHUNK))

    return serve(handler, only)


def _sse_delta(fmt: str) -> bytes:
    if fmt == "openai":
        choice = {"index": 0, "delta": {"content": "a"}}
        data: dict[str, Any] = {"id": "c", "object": "chat.completion.chunk", "choices": [choice]}
        return f"data: {json.dumps(data)}\n\n".encode()
    delta = {
        "type": "content_block_delta",
        "index": 0,
        "delta": {"type": "text_delta", "text": "a"},
    }
    return f"event: content_block_delta\ndata: {json.dumps(delta)}\n\n".encode()


def _sse_start(fmt: str) -> bytes:
    if fmt == "openai":
        choice = {"index": 0, "delta": {"role": "assistant", "content": ""}}
        first: dict[str, Any] = {"id": "c", "object": "chat.completion.chunk", "choices": [choice]}
        return f"data: {json.dumps(first)}\n\n".encode()
    start = {
        "type": "message_start",
        "message": {"id": "m", "type": "message", "role": "assistant", "content": []},
    }
    block = {
        "type": "content_block_start",
        "index": 0,
        "content_block": {"type": "text", "text": ""},
    }
    return (
        f"event: message_start\ndata: {json.dumps(start)}\n\n"
        f"event: content_block_start\ndata: {json.dumps(block)}\n\n"
    ).encode()


def endless_sse(
    fmt: str = "anthropic", only: str | None = None, pause_s: float = 0.0
) -> contextlib.AbstractContextManager[Peer]:
    """An event stream of text deltas that never ends (``fmt``: anthropic or openai); 64
    deltas a write, ``pause_s`` between writes (0: as fast as the client reads)."""

    async def handler(r: asyncio.StreamReader, w: asyncio.StreamWriter, s: asyncio.Event) -> None:
        w.write(_head("text/event-stream") + _chunk(_sse_start(fmt)))
        await _forever(w, s, _chunk(_sse_delta(fmt) * 64), pause_s)

    return serve(handler, only)


def drip(
    interval_s: float = 2.0, sse: bool = False, fmt: str = "anthropic", only: str | None = None
) -> contextlib.AbstractContextManager[Peer]:
    """Headers at once, then one body byte every ``interval_s`` seconds, forever.

    ``sse=True``: an event-stream reply that starts properly (message_start) and then drips
    a delta event one byte at a time, so it never completes an event again.
    """

    async def handler(r: asyncio.StreamReader, w: asyncio.StreamWriter, s: asyncio.Event) -> None:
        if sse:
            w.write(_head("text/event-stream") + _chunk(_sse_start(fmt)))
            body = _sse_delta(fmt)
        else:
            w.write(_head("application/json"))
            body = b'{"id":"msg_x","content":[{"type":"text","text":"' + b"a" * 10**6
        await w.drain()
        i = 0
        while not s.is_set():
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(s.wait(), interval_s)
            w.write(_chunk(body[i % len(body) : i % len(body) + 1]))
            await w.drain()
            i += 1

    return serve(handler, only)


@functools.lru_cache(maxsize=4)
def gzip_bomb_bytes(inflated: int = GIB) -> bytes:
    """gzip bytes that inflate to ``inflated`` zero bytes (a multiple of 1 MiB); ~1 KB per MiB.

    Built from one compressed MiB repeated (a full flush resets the compressor, so every
    block is the same bytes) and a trailer with the real CRC and size: cheap to make, never
    held inflated.
    """
    zeros = bytes(MIB)
    comp = zlib.compressobj(9, zlib.DEFLATED, -15)
    block = comp.compress(zeros) + comp.flush(zlib.Z_FULL_FLUSH)
    again = comp.compress(zeros) + comp.flush(zlib.Z_FULL_FLUSH)
    assert block == again, "a full flush must make identical blocks"
    count = max(1, inflated // MIB)
    crc = 0
    for _ in range(count):
        crc = zlib.crc32(zeros, crc)
    header = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x02\xff"
    trailer = struct.pack("<II", crc, (count * MIB) & 0xFFFFFFFF)
    return header + block * count + comp.flush(zlib.Z_FINISH) + trailer


def gzip_bomb(
    inflated: int = GIB, content_type: str = "application/json", only: str | None = None
) -> contextlib.AbstractContextManager[Peer]:
    """A 200 reply with ``Content-Encoding: gzip`` and a small body inflating to ``inflated``."""

    async def handler(r: asyncio.StreamReader, w: asyncio.StreamWriter, s: asyncio.Event) -> None:
        body = gzip_bomb_bytes(inflated)
        w.write(
            f"HTTP/1.1 200 OK\r\nContent-Type: {content_type}\r\nContent-Encoding: gzip\r\n"
            f"Content-Length: {len(body)}\r\n\r\n".encode()
        )
        for i in range(0, len(body), _CHUNK):
            w.write(body[i : i + _CHUNK])
            await w.drain()
        await s.wait()

    return serve(handler, only)


def garbage(
    endless: bool = True, only: str | None = None
) -> contextlib.AbstractContextManager[Peer]:
    """Random bytes instead of an HTTP reply (forever, or 4 KB and close)."""

    async def handler(r: asyncio.StreamReader, w: asyncio.StreamWriter, s: asyncio.Event) -> None:
        w.write(os.urandom(4096))
        if endless:
            await _forever(w, s, os.urandom(_CHUNK))

    return serve(handler, only)


def never_answering(only: str | None = None) -> contextlib.AbstractContextManager[Peer]:
    """Reads the request, then holds the connection open without a byte."""

    async def handler(r: asyncio.StreamReader, w: asyncio.StreamWriter, s: asyncio.Event) -> None:
        await s.wait()

    return serve(handler, only)


def never_closing(only: str | None = None) -> contextlib.AbstractContextManager[Peer]:
    """Headers announcing a 1 MB JSON body; 10 bytes of it come, then silence, never a close."""

    async def handler(r: asyncio.StreamReader, w: asyncio.StreamWriter, s: asyncio.Event) -> None:
        w.write(
            b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
            b'Content-Length: 1000000\r\n\r\n{"id":"m",'
        )
        await w.drain()
        await s.wait()

    return serve(handler, only)


def header_flood(only: str | None = None) -> contextlib.AbstractContextManager[Peer]:
    """A status line, then header lines forever (the blank line never comes)."""

    async def handler(r: asyncio.StreamReader, w: asyncio.StreamWriter, s: asyncio.Event) -> None:
        w.write(b"HTTP/1.1 200 OK\r\n")
        line = b"X-Flood: " + b"a" * 1000 + b"\r\n"
        await _forever(w, s, line * 64)

    return serve(handler, only)


# ---- clients ---------------------------------------------------------------------------


@contextlib.contextmanager
def idle_sockets(host: str, port: int, count: int) -> Iterator[list[socket.socket]]:
    """``count`` TCP connections that never send a byte; all closed on exit."""
    socks: list[socket.socket] = []
    try:
        for _ in range(count):
            socks.append(socket.create_connection((host, port), timeout=10))
        yield socks
    finally:
        for sock in socks:
            sock.close()


@contextlib.contextmanager
def slow_headers(
    host: str, port: int, interval_s: float = 1.0, path: str = "/health"
) -> Iterator[socket.socket]:
    """A connection that sends a request line, then one header byte every ``interval_s``."""
    sock = socket.create_connection((host, port), timeout=10)
    stop = threading.Event()

    def trickle() -> None:
        with contextlib.suppress(OSError):
            sock.sendall(f"GET {path} HTTP/1.1\r\nHost: x\r\n".encode())
            while not stop.wait(interval_s):
                sock.sendall(b"X")

    thread = threading.Thread(target=trickle, daemon=True)
    thread.start()
    try:
        yield sock
    finally:
        stop.set()
        sock.close()
        thread.join(5)


def closed_after(sock: socket.socket, timeout: float) -> float | None:
    """Seconds until the peer closed ``sock`` (EOF or reset), or None if it stayed open
    for ``timeout`` (0: is it closed already?).

    Whatever the peer sent meanwhile (an error reply, say) is read and dropped; the close
    that follows it is still seen, even with ``timeout`` 0.
    """
    start = time.monotonic()
    deadline = start + timeout
    while True:
        sock.settimeout(max(deadline - time.monotonic(), 0.05))
        try:
            if not sock.recv(65536):
                return time.monotonic() - start
        except TimeoutError:
            return None
        except OSError:
            return time.monotonic() - start
        if time.monotonic() > deadline + 5:  # a peer that keeps sending: not closed
            return None


def deep_json(depth: int, model: str = "claude-sonnet-4-5", where: str = "metadata") -> bytes:
    """A Messages request whose ``where`` field nests ``depth`` objects deep (built as text)."""
    nested = '{"a":' * depth + "1" + "}" * depth
    head = json.dumps(
        {"model": model, "max_tokens": 8, "messages": [{"role": "user", "content": "hi"}]}
    )
    return (head[:-1] + f', "{where}": {nested}}}').encode()


# ---- measuring -------------------------------------------------------------------------


class RssWatch:
    """Poll a process's RSS (and its children's) every ``every_s`` in a thread.

    with RssWatch(proc.pid) as rss: ...; assert rss.peak - rss.idle < 100 * MIB
    """

    def __init__(self, pid: int, every_s: float = 0.02) -> None:
        self.process = psutil.Process(pid)
        self.every_s = every_s
        self.idle = self._rss()
        self.peak = self.idle
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._poll, daemon=True)

    def _rss(self) -> int:
        try:
            total = int(self.process.memory_info().rss)
            for child in self.process.children(recursive=True):
                with contextlib.suppress(psutil.Error):
                    total += int(child.memory_info().rss)
            return total
        except psutil.Error:
            return 0

    def _poll(self) -> None:
        while not self._stop.wait(self.every_s):
            self.peak = max(self.peak, self._rss())

    @property
    def grew_mb(self) -> float:
        return (self.peak - self.idle) / MIB

    def __enter__(self) -> RssWatch:
        self._thread.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self._stop.set()
        self._thread.join(5)
