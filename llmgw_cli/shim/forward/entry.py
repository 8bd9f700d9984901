"""The hot path's entry: one client request in, its answer out, the plugins told after.

Per request: check the local token, read the body as bytes (never parsed unless a plugin,
the router or a translator asks), build the ``Exchange`` and hand it to the attempt loop
(``attempts``: router, members, ``outgoing`` request, ``relay`` of the answer). Whatever
happens, the router hears that the request finished and the plugins' ``on_complete`` runs
once the answer has gone out.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
import os
import time
from collections.abc import Callable, Coroutine
from typing import Any

from aiohttp import web

from llmgw_cli.shim.config import Limits
from llmgw_cli.shim.forward import attempts, faults, incoming, target
from llmgw_cli.shim.forward.auth import UNAUTHORIZED, LocalAuth
from llmgw_cli.shim.plugins.contract import Exchange
from llmgw_cli.shim.plugins.host import PluginHost
from llmgw_cli.shim.plugins.scrub import Scrubber
from llmgw_cli.shim.route.router import Router
from llmgw_cli.wire.format import classify

perf = time.perf_counter
log = logging.getLogger("llmgw.shim")


def client_format(path: str, headers: Any) -> str:
    """The client's wire format by its path (``wire.format``), else by its headers."""
    fmt, kind = classify(path)
    if fmt is not None and kind != "models":
        return fmt.name
    return "anthropic" if "anthropic-version" in headers else "other"


class Stats:
    __slots__ = ("errors", "in_flight", "requests", "started")

    def __init__(self) -> None:
        self.started = time.time()
        self.requests = 0
        self.errors = 0
        self.in_flight = 0


class Forwarder:
    def __init__(
        self,
        router: Router,
        plugins: PluginHost,
        auth: LocalAuth,
        stats: Stats,
        limits: Limits | None = None,
        scrub: Scrubber | None = None,
    ) -> None:
        self.router = router  # swapped whole on reload; each request keeps the one it started with
        self.limits = limits or Limits()
        self.plugins = plugins  # swapped too; in-flight requests finish on the old instances
        self.auth = auth
        self.scrub = scrub or Scrubber(s for m in router.members for s in m.secrets())
        self.stats = stats
        self._ids = itertools.count(1)
        self._id_prefix = "req_" + os.urandom(4).hex() + "_"
        self._completing: set[asyncio.Task[None]] = set()
        # Told of every finished request (the dashboard's feed, serve wing); None: nothing.
        self.observe: Callable[[Exchange], None] | None = None

    async def handle(self, request: web.BaseRequest) -> web.StreamResponse:
        t0 = perf()
        headers = request.headers
        stats = self.stats
        stats.requests += 1
        try:  # once, before auth, routing and the plugins (forward/target.py)
            path, query = target.parse(request.raw_path)
        except target.BadTarget as exc:
            stats.errors += 1
            return faults.error_response(client_format("/", headers), 400, exc.message)
        fmt = client_format(path, headers)
        if not self.auth.ok(headers):
            stats.errors += 1
            return faults.error_response(fmt, 401, UNAUTHORIZED)
        if headers.get("expect", "").lower() == "100-continue":
            await _continue(request)  # curl sends large bodies only after this
        body, refused = await incoming.read_body(request, self.limits)
        ex = Exchange(
            f"{self._id_prefix}{next(self._ids)}",
            request.method,
            path,
            fmt,
            headers,
            body,
            started=t0,
            query=query,
            scrub=self.scrub,
        )
        stats.in_flight += 1
        plugins = self.plugins
        plugins.active += 1  # a reload retires this host's plugins only once it is 0
        try:
            response: web.StreamResponse
            if refused is not None:
                response = faults.fail(ex, *refused)
            else:
                response = await attempts.forward(request, ex, self.router, plugins, t0)
            if (ex.status is not None and ex.status >= 400) or ex.error is not None:
                stats.errors += 1
            return response
        except BaseException:
            if ex.error is None:
                ex.error = "client disconnected"
            stats.errors += 1
            raise
        finally:
            stats.in_flight -= 1
            self.router.finished(ex)  # the chain's notes hold what it needs, even after a reload
            if plugins:
                if ex.e2e_ms is None:
                    ex.e2e_ms = (perf() - t0) * 1000
                self._complete(plugins, ex)
            else:
                plugins.active -= 1
            if self.observe is not None:
                self.observe(ex)

    def _complete(self, plugins: PluginHost, ex: Exchange) -> None:
        """Run ``on_complete`` after the answer has gone out, not before: a whole (non-
        streamed) response is only sent once this handler returns, and the audit write and
        the budget's SQLite settle need not hold it. A callback, not a task per request:
        the hooks that are plain calls run in it (``PluginHost.complete_now``); the rest
        nearly always finish without waiting; one that waits goes on in a task, which
        ``drain`` waits for on shutdown."""
        asyncio.get_running_loop().call_soon(self._completing_now, plugins, ex)

    def _completing_now(self, plugins: PluginHost, ex: Exchange) -> None:
        try:
            rest = plugins.complete_now(ex)
        except BaseException:
            plugins.active -= 1
            raise
        if rest is None:
            plugins.active -= 1
        else:
            self._step(_completed(plugins, rest))

    def _step(self, coro: Coroutine[Any, Any, None]) -> None:
        try:
            waiting = coro.send(None)
        except StopIteration:
            return
        except Exception:  # the host logs a plugin's failure; this is the host's own
            log.warning("plugins' on_complete failed", exc_info=True)
            return
        task = asyncio.get_running_loop().create_task(_resume(coro, waiting))
        self._completing.add(task)
        task.add_done_callback(self._completing.discard)

    async def drain(self, timeout: float = 10.0) -> None:
        """Wait for pending ``on_complete`` calls (shutdown, before the plugins close)."""
        await asyncio.sleep(0)  # the callbacks already scheduled run (or become tasks) first
        if self._completing:
            await asyncio.wait(set(self._completing), timeout=timeout)


async def _completed(plugins: PluginHost, rest: Coroutine[Any, Any, None]) -> None:
    """The rest of ``on_complete``, then this host counts the request done (a reload's
    retirement)."""
    try:
        await rest
    finally:
        plugins.active -= 1


async def _resume(coro: Coroutine[Any, Any, None], waiting: Any) -> None:
    """Go on with a coroutine that ``_step`` started and that is waiting for ``waiting``
    (the future it yielded, or None for a bare ``sleep(0)``), as a task would."""
    while True:
        try:
            if waiting is None:
                await asyncio.sleep(0)
                value = None
            else:
                value = await waiting
        except BaseException as exc:  # handed to the coroutine, as a task does
            try:
                waiting = coro.throw(exc)
            except StopIteration:
                return
        else:
            try:
                waiting = coro.send(value)
            except StopIteration:
                return


async def _continue(request: web.BaseRequest) -> None:
    if request.writer is not None:
        await request.writer.write(b"HTTP/1.1 100 Continue\r\n\r\n")
