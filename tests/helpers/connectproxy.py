"""A small HTTP CONNECT proxy on loopback, like a corporate egress proxy, for tests.

    with connect_proxy() as proxy:
        proxy.url          # http://127.0.0.1:PORT, for a profile's proxy.https
        proxy.targets      # every CONNECT target it was asked for, in order

It tunnels only to loopback addresses and answers anything but CONNECT with 405.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field

LOOPBACK = ("127.0.0.1", "localhost", "::1")


@dataclass
class ConnectProxy:
    url: str = ""
    targets: list[str] = field(default_factory=list)
    auth_headers: list[str | None] = field(default_factory=list)


async def _pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    try:
        while data := await reader.read(65536):
            writer.write(data)
            await writer.drain()
    except (ConnectionError, OSError):
        pass
    finally:
        with contextlib.suppress(Exception):
            writer.close()


async def _handle(
    proxy: ConnectProxy, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
) -> None:
    try:
        request = await reader.readuntil(b"\r\n\r\n")
    except (asyncio.IncompleteReadError, asyncio.LimitOverrunError, ConnectionError):
        writer.close()
        return
    lines = request.decode("latin-1").split("\r\n")
    method, target, _ = [*lines[0].split(" "), "", ""][:3]
    auth = next(
        (
            ln.split(":", 1)[1].strip()
            for ln in lines[1:]
            if ln.lower().startswith("proxy-authorization:")
        ),
        None,
    )
    host, _, port = target.rpartition(":")
    if method != "CONNECT" or host.strip("[]") not in LOOPBACK or not port.isdigit():
        writer.write(b"HTTP/1.1 405 Method Not Allowed\r\nContent-Length: 0\r\n\r\n")
        writer.close()
        return
    proxy.targets.append(target)
    proxy.auth_headers.append(auth)
    try:
        up_reader, up_writer = await asyncio.open_connection(host.strip("[]"), int(port))
    except OSError:
        writer.write(b"HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\n\r\n")
        writer.close()
        return
    writer.write(b"HTTP/1.1 200 Connection established\r\n\r\n")
    await writer.drain()
    await asyncio.gather(_pipe(reader, up_writer), _pipe(up_reader, writer))


@contextlib.contextmanager
def connect_proxy() -> Iterator[ConnectProxy]:
    proxy = ConnectProxy()
    loop = asyncio.new_event_loop()
    ready = threading.Event()
    holder: dict[str, asyncio.Server] = {}

    async def start() -> None:
        server = await asyncio.start_server(lambda r, w: _handle(proxy, r, w), "127.0.0.1", 0)
        holder["server"] = server
        proxy.url = f"http://127.0.0.1:{server.sockets[0].getsockname()[1]}"
        ready.set()

    def main() -> None:
        asyncio.set_event_loop(loop)
        loop.run_until_complete(start())
        loop.run_forever()

    thread = threading.Thread(target=main, name="connect-proxy", daemon=True)
    thread.start()
    ready.wait(10)
    try:
        yield proxy
    finally:

        def stop() -> None:
            holder["server"].close()
            loop.stop()

        loop.call_soon_threadsafe(stop)
        thread.join(10)
