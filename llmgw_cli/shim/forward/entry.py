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
import os
import time
from typing import Any

from aiohttp import web

from llmgw_cli.shim.forward import attempts, faults, target
from llmgw_cli.shim.forward.auth import UNAUTHORIZED, LocalAuth
from llmgw_cli.shim.plugins.contract import Exchange
from llmgw_cli.shim.plugins.host import PluginHost
from llmgw_cli.shim.plugins.scrub import Scrubber
from llmgw_cli.shim.route.router import Router
from llmgw_cli.wire.format import classify

perf = time.perf_counter


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
        scrub: Scrubber | None = None,
    ) -> None:
        self.router = router  # swapped whole on reload; each request keeps the one it started with
        self.plugins = plugins  # swapped too; in-flight requests finish on the old instances
        self.auth = auth
        self.scrub = scrub or Scrubber(s for m in router.members for s in m.secrets())
        self.stats = stats
        self._ids = itertools.count(1)
        self._id_prefix = "req_" + os.urandom(4).hex() + "_"
        self._completing: set[asyncio.Task[None]] = set()

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
        body = await request.read()
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

    def _complete(self, plugins: PluginHost, ex: Exchange) -> None:
        """Run ``on_complete`` after the answer has gone out, not before: a whole (non-
        streamed) response is only sent once this handler returns, and the audit write and
        the budget's SQLite settle need not hold it. ``drain`` waits for these on shutdown."""
        task = asyncio.get_running_loop().create_task(plugins.on_complete(ex))
        self._completing.add(task)
        task.add_done_callback(self._completing.discard)
        task.add_done_callback(lambda _: _release(plugins))

    async def drain(self, timeout: float = 10.0) -> None:
        """Wait for pending ``on_complete`` calls (shutdown, before the plugins close)."""
        if self._completing:
            await asyncio.wait(set(self._completing), timeout=timeout)


def _release(plugins: PluginHost) -> None:
    plugins.active -= 1


async def _continue(request: web.BaseRequest) -> None:
    if request.writer is not None:
        await request.writer.write(b"HTTP/1.1 100 Continue\r\n\r\n")
