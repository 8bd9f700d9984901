"""Model discovery and probes answered by the shim itself (docs/clients.md).

``GET /v1/models`` from an Anthropic client (it sends ``anthropic-version``) gets the
union of what the chain can serve: every member profile's models (default, opus, sonnet,
haiku), every seed provider's models, the aliases of the shim config's ``models:`` mapping,
each with its ``display_name`` (``display_names:`` in the shim config; an alias defaults to
"MODEL via MEMBER"). Nothing is fetched upstream, so the answer is immediate and never a
redirect. ``HEAD /api/hello`` (Claude Code's reachability probe) is answered with 200.
"""

from __future__ import annotations

import json
from collections.abc import Callable

from aiohttp import web

from llmgw_cli.shim.config import ShimConfig
from llmgw_cli.shim.route.router import Router
from llmgw_cli.wire import models as wire_models

MAX_LIMIT = 1000


def catalogue(config: ShimConfig, router: Router) -> tuple[list[str], dict[str, str]]:
    """The model ids the chain serves, in a stable order, and their display names."""
    ids: dict[str, None] = {}
    names: dict[str, str] = {}
    for member in router.members:
        m = member.profile.models
        for model in (m.default, m.opus, m.sonnet, m.haiku):
            if model:
                ids.setdefault(model, None)
                names.setdefault(model, f"{model} ({member.name})")
    for provider_name, provider in config.providers.items():
        for model in provider.models:
            ids.setdefault(model, None)
            names.setdefault(model, f"{model} ({provider_name})")
    for alias, targets in config.models.items():
        ids.setdefault(alias, None)
        if targets:
            via, model = next(iter(targets.items()))
            names[alias] = f"{model} via {via}"
    names.update(config.display_names)
    return list(ids), names


DISCOVERY_VAR = "CLAUDE_CODE_ENABLE_GATEWAY_MODEL_DISCOVERY"
HINTS_VAR = "CLAUDE_CODE_GATEWAY_HINT_HEADERS"


def client_env(config: ShimConfig, router: Router) -> dict[str, str]:
    """What `env --shim` turns on in Claude Code for this shim: model discovery when the
    shim serves a list Claude Code would show, hint headers when a rule reads them."""
    env: dict[str, str] = {}
    if config.discovery and any(
        wire_models.kept_by_claude_code(m) for m in catalogue(config, router)[0]
    ):
        env[DISCOVERY_VAR] = "1"
    if getattr(router, "uses_hints", False):
        env[HINTS_VAR] = "1"
    return env


class Discovery:
    def __init__(self, config: Callable[[], ShimConfig], router: Callable[[], Router]) -> None:
        self._config = config
        self._router = router
        self.served: list[str] = []  # each list request's query string, newest last (tests)

    def models(self, request: web.BaseRequest) -> web.Response | None:
        """The chain's list; None when the config names no model (the member's list then)."""
        ids, names = catalogue(self._config(), self._router())
        if not ids:
            return None
        try:
            limit = min(MAX_LIMIT, int(request.query.get("limit", "20")))
        except ValueError:
            limit = 20
        if len(self.served) < 100:
            self.served.append(request.query_string)
        body = json.dumps(wire_models.page(ids, names, limit)).encode()
        return web.Response(body=body, headers={"Content-Type": "application/json"})


def hello() -> web.Response:
    return web.Response(status=200)
