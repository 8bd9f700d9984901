"""Serve an aiohttp app on loopback in a daemon thread, for tests (optionally over TLS).

with serve_app(app) as port: ...                          # http://127.0.0.1:PORT
with serve_app(app, ssl_context=ctx) as port: ...         # https, e.g. a trustme cert
"""

from __future__ import annotations

import asyncio
import contextlib
import ssl
import threading
from collections.abc import Iterator
from concurrent.futures import Future

from aiohttp import web


@contextlib.contextmanager
def serve_app(
    app: web.Application, ssl_context: ssl.SSLContext | None = None, host: str = "127.0.0.1"
) -> Iterator[int]:
    """Serve ``app`` on a free port of ``host`` in a daemon thread; yield the port."""
    loop = asyncio.new_event_loop()
    ready: Future[tuple[web.AppRunner, int]] = Future()

    async def start() -> tuple[web.AppRunner, int]:
        runner = web.AppRunner(app, access_log=None)
        await runner.setup()
        site = web.TCPSite(runner, host, 0, ssl_context=ssl_context)
        await site.start()
        return runner, runner.addresses[0][1]

    def main() -> None:
        asyncio.set_event_loop(loop)
        try:
            ready.set_result(loop.run_until_complete(start()))
        except BaseException as exc:
            ready.set_exception(exc)
            return
        loop.run_forever()
        loop.run_until_complete(ready.result()[0].cleanup())
        loop.close()

    thread = threading.Thread(target=main, name="test-app", daemon=True)
    thread.start()
    _, port = ready.result(timeout=30)
    try:
        yield port
    finally:
        loop.call_soon_threadsafe(loop.stop)
        thread.join(timeout=15)
