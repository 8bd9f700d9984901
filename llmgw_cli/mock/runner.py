"""Running the mock: ``MockServer`` (start/stop inside a running loop), ``serve_forever``
for the CLI (until SIGINT/SIGTERM), and ``run_in_thread`` for tests, demo, doctor and bench::

    with run_in_thread(MockConfig(ttft_ms=50)) as url:
        httpx.post(f"{url}/v1/messages", json=...)

Port 0 picks a free port; the URL says which. Stopping is graceful: the listener closes,
in-flight streams get ``shutdown_timeout`` seconds, then the rest are cancelled.
"""

from __future__ import annotations

import asyncio
import contextlib
import signal
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import Future

from aiohttp import web

from llmgw_cli.errors import UsageError
from llmgw_cli.mock.app import MockApp
from llmgw_cli.mock.config import MockConfig

_WILDCARDS = {"0.0.0.0": "127.0.0.1", "::": "::1", "": "127.0.0.1"}


class MockServer:
    def __init__(self, config: MockConfig) -> None:
        self.config = config.validate()
        self.state = MockApp(config)
        self.url = ""
        self._runner: web.AppRunner | None = None

    async def start(self) -> str:
        cfg = self.config
        runner = web.AppRunner(
            self.state.application(),
            access_log=None,
            handle_signals=False,
            handler_cancellation=True,  # a client that hangs up stops its stream at once
            shutdown_timeout=cfg.shutdown_timeout,
        )
        await runner.setup()
        site = web.TCPSite(runner, cfg.host, cfg.port, backlog=1024)
        try:
            await site.start()
        except OSError as exc:
            await runner.cleanup()
            raise UsageError(
                f"llmgw mock cannot listen on {cfg.host}:{cfg.port} ({exc.strerror}); "
                "choose another --port, or --port 0 for a free one"
            ) from exc
        self._runner = runner
        self.state.server = runner.server
        port = runner.addresses[0][1]
        host = _WILDCARDS.get(cfg.host, cfg.host)
        self.url = f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"
        return self.url

    async def stop(self) -> None:
        """Stop listening, give replies in flight ``shutdown_timeout`` s, cancel the rest."""
        runner, self._runner = self._runner, None
        if runner is None:
            return
        for site in list(runner.sites):
            await site.stop()
        busy = set(self.state.busy)
        if busy:
            _, late = await asyncio.wait(busy, timeout=self.config.shutdown_timeout)
            for task in late:
                task.cancel()
            await asyncio.gather(*late, return_exceptions=True)
        await runner.cleanup()

    async def serve(
        self, stop: asyncio.Event, on_ready: Callable[[str], None] | None = None
    ) -> None:
        await self.start()
        try:
            if on_ready is not None:
                on_ready(self.url)
            await stop.wait()
        finally:
            await self.stop()


def serve_forever(config: MockConfig, on_ready: Callable[[str], None] | None = None) -> None:
    """Serve in the foreground until SIGINT or SIGTERM, then stop gracefully."""

    async def main() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            with contextlib.suppress(NotImplementedError):  # Windows: Ctrl-C still raises
                loop.add_signal_handler(sig, stop.set)
        await MockServer(config).serve(stop, on_ready)

    asyncio.run(main())


@contextlib.contextmanager
def run_in_thread(config: MockConfig) -> Iterator[str]:
    """Serve on a private event loop in a daemon thread; yield the URL; stop on exit."""
    server = MockServer(config)  # validation and script errors surface in the caller
    loop = asyncio.new_event_loop()
    started: Future[str] = Future()

    def main() -> None:
        asyncio.set_event_loop(loop)
        try:
            started.set_result(loop.run_until_complete(server.start()))
        except BaseException as exc:
            started.set_exception(exc)
            loop.close()
            return
        try:
            loop.run_forever()
            loop.run_until_complete(server.stop())
        finally:
            _cancel_rest(loop)
            loop.close()

    thread = threading.Thread(target=main, name="llmgw-mock", daemon=True)
    thread.start()
    url = started.result(timeout=60)
    try:
        yield url
    finally:
        loop.call_soon_threadsafe(loop.stop)
        thread.join(timeout=config.shutdown_timeout + 30)


def _cancel_rest(loop: asyncio.AbstractEventLoop) -> None:
    tasks = asyncio.all_tasks(loop)
    for task in tasks:
        task.cancel()
    if tasks:
        loop.run_until_complete(asyncio.gather(*tasks, return_exceptions=True))
    loop.run_until_complete(loop.shutdown_asyncgens())
