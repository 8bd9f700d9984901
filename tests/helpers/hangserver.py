"""A server that accepts connections and then never answers (or answers headers only).

    with hanging_server() as url: ...                 # reads the request, sends nothing
    with hanging_server(headers_first=True) as url:   # sends SSE headers, then no body byte

Stands for a gateway that stalls before its first byte. Connections are counted
(``server.connections``) so a test can tell whether anything reached it.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

SSE_HEADERS = (
    b"HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\n"
    b"Cache-Control: no-cache\r\nTransfer-Encoding: chunked\r\n\r\n"
)


@dataclass
class Hanging:
    url: str
    connections: list[int] = field(default_factory=lambda: [0])

    @property
    def count(self) -> int:
        return self.connections[0]


@contextmanager
def hanging_server(headers_first: bool = False) -> Iterator[Hanging]:
    loop = asyncio.new_event_loop()
    ready = threading.Event()
    holder: dict[str, object] = {}
    counter = [0]
    stop = asyncio.Event()

    async def on_client(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        counter[0] += 1
        try:
            await reader.readuntil(b"\r\n\r\n")
            if headers_first:
                writer.write(SSE_HEADERS)
                await writer.drain()
            await stop.wait()
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()

    async def main() -> None:
        server = await asyncio.start_server(on_client, "127.0.0.1", 0)
        holder["port"] = server.sockets[0].getsockname()[1]
        ready.set()
        async with server:
            await stop.wait()

    thread = threading.Thread(target=loop.run_until_complete, args=(main(),), daemon=True)
    thread.start()
    ready.wait(10)
    try:
        yield Hanging(f"http://127.0.0.1:{holder['port']}", counter)
    finally:
        loop.call_soon_threadsafe(stop.set)
        thread.join(10)
        loop.close()
