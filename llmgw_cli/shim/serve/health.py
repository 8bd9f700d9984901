"""``GET /health``: the shim's own liveness plus each member's cached reachability.

Reachability comes from real traffic (every attempt marks its member) and, when that is
older than ``health_interval_s``, from a TCP connect to the member (or its proxy) run in
the background: /health itself never waits on the network.
"""

from __future__ import annotations

import asyncio
import json
import os
import time
from collections.abc import Callable

from aiohttp import web
from yarl import URL

from llmgw_cli.shim.forward.entry import Stats
from llmgw_cli.shim.members.member import Member
from llmgw_cli.shim.route.router import Router

PROBE_TIMEOUT_S = 3.0


async def probe(member: Member) -> None:
    """Open (and close) a TCP connection to where the member's requests go first."""
    target = member.proxy or URL(member.base)
    host = target.host or "localhost"
    port = target.port or (443 if target.scheme == "https" else 80)
    try:
        _, writer = await asyncio.wait_for(asyncio.open_connection(host, port), PROBE_TIMEOUT_S)
    except (OSError, asyncio.TimeoutError) as exc:
        errno = exc.errno if isinstance(exc, OSError) else None
        reason = os.strerror(errno) if errno else type(exc).__name__
        member.mark(False, f"cannot connect to {host}:{port}: {reason}")
        return
    writer.close()
    member.mark(True)


class Health:
    def __init__(
        self, router: Callable[[], Router], stats: Stats, interval_s: float, info: dict[str, object]
    ) -> None:
        self._router = router
        self._stats = stats
        self._interval = interval_s
        self._info = info  # static facts: pid, url, profile/chain, plugins
        self._probing: asyncio.Future[list[None]] | None = None

    def snapshot(self) -> dict[str, object]:
        router = self._router()
        stats = self._stats
        members = router.public()
        ok = any(m.reachable is not False for m in router.members)
        return {
            "status": "ok" if ok else "degraded",
            **self._info,
            "pid": os.getpid(),
            "started": stats.started,
            "uptime_s": round(time.time() - stats.started, 3),
            "requests": stats.requests,
            "errors": stats.errors,
            "in_flight": stats.in_flight,
            **members,
        }

    def _refresh(self) -> None:
        if self._probing is not None and not self._probing.done():
            return
        now = time.monotonic()
        stale = [m for m in self._router().members if now - m.checked_at > self._interval]
        if stale:
            self._probing = asyncio.gather(*(probe(m) for m in stale))

    async def handle(self, request: web.BaseRequest) -> web.Response:
        self._refresh()
        return web.Response(
            body=json.dumps(self.snapshot()).encode(), content_type="application/json"
        )
