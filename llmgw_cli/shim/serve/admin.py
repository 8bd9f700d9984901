"""The shim's own authenticated routes, under ``/_llmgw/`` (never forwarded upstream).

    GET  /_llmgw/status   what /health says, for `llmgw shim status --watch`
    POST /_llmgw/reload   re-read the config and profiles now; 200 {"reloaded": true}, or
                          409 {"reloaded": false, "error": why} with the running config kept

Both need the shim's local token (Bearer or x-api-key), like the API routes: a reload is
not something any local process should be able to trigger. ``/_llmgw/dashboard…`` goes to
the live dashboard (``dashboard.py``), which authenticates with its own session cookie.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable

from aiohttp import web

from llmgw_cli.shim.forward import auth, faults
from llmgw_cli.shim.serve.dashboard import PATH as DASHBOARD_PATH
from llmgw_cli.shim.serve.dashboard import Dashboard
from llmgw_cli.shim.serve.health import Health

PREFIX = "/_llmgw/"


class Admin:
    def __init__(
        self,
        local_auth: auth.LocalAuth,
        health: Health,
        reload: Callable[[], Awaitable[str | None]],
        dashboard: Dashboard | None = None,
    ) -> None:
        self._auth = local_auth
        self._health = health
        self._reload = reload
        self._dashboard = dashboard

    async def handle(self, request: web.BaseRequest) -> web.StreamResponse:
        if self._dashboard is not None and request.path.startswith(DASHBOARD_PATH):
            return await self._dashboard.handle(request)
        if not self._auth.ok(request.headers):
            return faults.error_response("other", 401, auth.UNAUTHORIZED)
        path, method = request.path, request.method
        if path == PREFIX + "status" and method == "GET":
            return _json(200, self._health.snapshot())
        if path == PREFIX + "reload" and method == "POST":
            reason = await self._reload()
            if reason is None:
                return _json(200, {"reloaded": True})
            return _json(409, {"reloaded": False, "error": reason})
        return faults.error_response(
            "other", 404, f"no such shim route {method} {path}; see GET {PREFIX}status"
        )


def _json(status: int, data: object) -> web.Response:
    return web.Response(
        status=status, body=json.dumps(data).encode(), content_type="application/json"
    )
