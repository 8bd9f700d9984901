"""The mock's test hooks: ``/health`` and the ``/_mock/*`` request log and counters."""

from __future__ import annotations

from aiohttp import web

from llmgw_cli.mock.recorder import Recorder


class HookRoutes:
    """Handlers mixed into ``MockApp``; they read only its recorder and server."""

    rec: Recorder
    server: web.Server | None

    async def health(self, request: web.Request) -> web.StreamResponse:
        return web.Response(body=b'{"status":"ok"}', content_type="application/json")

    async def log_get(self, request: web.Request) -> web.StreamResponse:
        return web.json_response(self.rec.requests_json(request.query.get("path")))

    async def log_clear(self, request: web.Request) -> web.StreamResponse:
        self.rec.clear()
        return web.json_response({"cleared": True})

    async def stats(self, request: web.Request) -> web.StreamResponse:
        open_now = len(self.server.connections) if self.server is not None else 0
        return web.json_response(self.rec.stats_json(open_now))
