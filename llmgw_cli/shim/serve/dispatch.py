"""The shim's front door: which handler answers a request, by path.

``/health``, the admin routes, ``/metrics`` and (with discovery on) ``/v1/models`` and
``/api/hello`` are answered here; everything else goes to the forwarder.
"""

from __future__ import annotations

from aiohttp import web

from llmgw_cli.shim.forward import auth
from llmgw_cli.shim.forward.entry import Forwarder
from llmgw_cli.shim.serve import discovery as discovery_mod
from llmgw_cli.shim.serve.admin import PREFIX as ADMIN_PREFIX
from llmgw_cli.shim.serve.admin import Admin
from llmgw_cli.shim.serve.discovery import Discovery
from llmgw_cli.shim.serve.health import Health


def dispatcher(  # type: ignore[no-untyped-def]
    forwarder: Forwarder,
    health: Health,
    metrics_open: bool,
    admin: Admin,
    discovery: Discovery | None = None,
):
    from llmgw_cli.shim.forward import faults

    forward = forwarder.handle
    plugins = forwarder.plugins

    async def handle(request: web.BaseRequest) -> web.StreamResponse:
        path = request.path
        if discovery is not None and path in _LOCAL:
            answer = _local(request, discovery, forwarder.auth)
            if answer is not None:
                return answer
        if path == "/health":
            return await health.handle(request)
        if path.startswith(ADMIN_PREFIX):
            return await admin.handle(request)
        if path == "/metrics" and request.method == "GET":
            if not metrics_open and not forwarder.auth.ok(request.headers):
                return faults.error_response("other", 401, auth.UNAUTHORIZED)
            rendered = plugins.render_metrics()
            if rendered is None:
                return faults.error_response(
                    "other", 404, "metrics are off; enable plugins.metrics in the shim config"
                )
            body, ctype = rendered
            return web.Response(body=body, headers={"Content-Type": ctype})
        return await forward(request)

    return handle


_LOCAL = frozenset({"/v1/models", "/api/hello"})


def _local(
    request: web.BaseRequest, discovery: Discovery, local_auth: auth.LocalAuth
) -> web.Response | None:
    """Discovery and probes the shim answers itself; None: forward as usual."""
    from llmgw_cli.shim.forward import faults

    if request.path == "/api/hello":
        return discovery_mod.hello() if request.method in ("HEAD", "GET") else None
    if request.method != "GET" or "anthropic-version" not in request.headers:
        return None  # an OpenAI client's model list comes from the member
    if not local_auth.ok(request.headers):
        return faults.error_response("anthropic", 401, auth.UNAUTHORIZED)
    return discovery.models(request)
