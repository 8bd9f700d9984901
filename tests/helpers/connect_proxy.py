"""A small HTTP proxy on loopback for tests: CONNECT tunnels and absolute-form forwarding.

    with connect_proxy() as proxy:                    # proxy.url, proxy.seen
        ...HTTPS_PROXY=proxy.url...
    with connect_proxy(require_auth=("user", "pw")) as proxy: ...   # 407 without them
    with connect_proxy(resolve_to="127.0.0.1") as proxy: ...        # any host name → loopback

``seen`` lists ``(method, target)`` for every request the proxy received, so a test can tell
which client went through it. Forwarded (non-CONNECT) requests are sent with
``Connection: close``, so each one is a fresh proxy request and shows up in ``seen``.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import threading
from collections.abc import Iterator
from concurrent.futures import Future
from dataclasses import dataclass, field
from urllib.parse import urlsplit


@dataclass
class ProxyHandle:
    url: str = ""
    seen: list[tuple[str, str]] = field(default_factory=list)

    def targets(self, method: str | None = None) -> list[str]:
        return [t for m, t in self.seen if method is None or m == method]


async def _pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    try:
        while data := await reader.read(65536):
            writer.write(data)
            await writer.drain()
    except (ConnectionError, asyncio.CancelledError):
        pass
    finally:
        with contextlib.suppress(Exception):
            writer.close()


class _Proxy:
    def __init__(
        self, handle: ProxyHandle, auth: tuple[str, str] | None, resolve_to: str | None
    ) -> None:
        self.handle = handle
        self.expected = (
            "Basic " + base64.b64encode(f"{auth[0]}:{auth[1]}".encode()).decode() if auth else None
        )
        self.resolve_to = resolve_to

    async def serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            head = await reader.readuntil(b"\r\n\r\n")
        except (asyncio.IncompleteReadError, asyncio.LimitOverrunError, ConnectionError):
            writer.close()
            return
        lines = head.decode("latin-1").split("\r\n")
        method, target, version = [*lines[0].split(" "), "", ""][:3]
        headers = [line for line in lines[1:] if line]
        self.handle.seen.append((method, target))
        auth = next(
            (
                h.split(":", 1)[1].strip()
                for h in headers
                if h.lower().startswith("proxy-authorization:")
            ),
            None,
        )
        if self.expected and auth != self.expected:
            writer.write(
                b"HTTP/1.1 407 Proxy Authentication Required\r\n"
                b'Proxy-Authenticate: Basic realm="test"\r\nContent-Length: 0\r\n\r\n'
            )
            await writer.drain()
            writer.close()
            return
        if method == "CONNECT":
            host, _, port = target.rpartition(":")
            await self._tunnel(reader, writer, host.strip("[]"), int(port), None)
            return
        parts = urlsplit(target)
        path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        kept = [
            h for h in headers if not h.lower().startswith(("proxy-", "connection:", "keep-alive:"))
        ]
        request = "\r\n".join([f"{method} {path} {version}", *kept, "Connection: close", "", ""])
        await self._tunnel(reader, writer, parts.hostname or "", parts.port or 80, request.encode())

    async def _tunnel(
        self,
        reader: asyncio.StreamReader,
        writer: asyncio.StreamWriter,
        host: str,
        port: int,
        first: bytes | None,
    ) -> None:
        try:
            up_reader, up_writer = await asyncio.open_connection(self.resolve_to or host, port)
        except OSError:
            writer.write(b"HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\n\r\n")
            await writer.drain()
            writer.close()
            return
        if first is None:
            writer.write(b"HTTP/1.1 200 Connection established\r\n\r\n")
            await writer.drain()
        else:
            up_writer.write(first)
        await asyncio.gather(_pipe(reader, up_writer), _pipe(up_reader, writer))


@contextlib.contextmanager
def connect_proxy(
    require_auth: tuple[str, str] | None = None, resolve_to: str | None = None
) -> Iterator[ProxyHandle]:
    handle = ProxyHandle()
    proxy = _Proxy(handle, require_auth, resolve_to)
    loop = asyncio.new_event_loop()
    ready: Future[asyncio.AbstractServer] = Future()

    def main() -> None:
        asyncio.set_event_loop(loop)
        try:
            server = loop.run_until_complete(asyncio.start_server(proxy.serve, "127.0.0.1", 0))
        except BaseException as exc:
            ready.set_exception(exc)
            return
        ready.set_result(server)
        loop.run_forever()
        server.close()
        tasks = asyncio.all_tasks(loop)
        for task in tasks:
            task.cancel()
        loop.run_until_complete(asyncio.gather(*tasks, return_exceptions=True))
        loop.close()

    thread = threading.Thread(target=main, name="test-connect-proxy", daemon=True)
    thread.start()
    server = ready.result(timeout=30)
    assert isinstance(server, asyncio.Server)
    handle.url = f"http://127.0.0.1:{server.sockets[0].getsockname()[1]}"
    try:
        yield handle
    finally:
        loop.call_soon_threadsafe(loop.stop)
        thread.join(timeout=10)
