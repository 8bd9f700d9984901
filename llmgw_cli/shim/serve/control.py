"""Talking to the running shim's ``/_llmgw/`` routes from the CLI (stdlib only, no aiohttp).

The shim itself validates a reload (it resolves ``${VAR}`` keys from its own environment,
which the CLI's may not share) and says why it refused; a shim that does not answer over
HTTP is sent SIGHUP instead.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from typing import Any

from llmgw_cli import shimstate
from llmgw_cli.errors import ConfigError, UpstreamError
from llmgw_cli.shim.serve import daemon


def _call(state: shimstate.ShimState, method: str, route: str, timeout: float) -> tuple[int, Any]:
    request = urllib.request.Request(
        state.url + "/_llmgw/" + route,
        method=method,
        data=b"" if method == "POST" else None,
        headers={"Authorization": f"Bearer {state.token}"},
    )
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # loopback: no proxy
    try:
        with opener.open(request, timeout=timeout) as resp:
            return resp.status, json.loads(resp.read())
    except urllib.error.HTTPError as exc:
        try:
            return exc.code, json.loads(exc.read())
        except ValueError:
            return exc.code, {}


def running() -> shimstate.ShimState:
    state = shimstate.read()
    if state is None:
        raise ConfigError("no shim is running: start one with `llmgw shim start --detach`")
    return state


def reload(timeout: float = 30.0) -> shimstate.ShimState:
    """Ask the running shim to reload; ConfigError with its reason when it refuses."""
    state = running()
    try:
        status, body = _call(state, "POST", "reload", timeout)
    except (OSError, ValueError):
        return daemon.reload()  # not answering over HTTP: the signal still works
    if status == 409:
        raise ConfigError(
            f"the shim refused the reload and kept its running config: "
            f"{body.get('error', 'no reason given')}"
        )
    if status != 200:
        return daemon.reload()
    return state


def status(state: shimstate.ShimState, timeout: float = 3.0) -> dict[str, Any]:
    """The shim's full status (members, breakers, latency, tokens)."""
    try:
        code, body = _call(state, "GET", "status", timeout)
    except (OSError, ValueError) as exc:
        raise UpstreamError(f"the shim at {state.url} is not answering: {exc}") from exc
    if code != 200 or not isinstance(body, dict):
        raise UpstreamError(f"the shim at {state.url} answered {code} to its status route")
    return body


def dashboard_url(state: shimstate.ShimState, timeout: float = 3.0) -> str:
    """A one-time link to the running shim's dashboard (the token never enters the URL)."""
    try:
        code, body = _call(state, "POST", "dashboard/code", timeout)
    except (OSError, ValueError) as exc:
        raise UpstreamError(f"the shim at {state.url} is not answering: {exc}") from exc
    if code != 200 or not isinstance(body, dict) or not isinstance(body.get("code"), str):
        raise UpstreamError(
            f"the shim at {state.url} answered {code} to its dashboard route; "
            "restart it with a current llmgw (`llmgw shim stop`, then `llmgw shim start`)"
        )
    return f"{state.url}/_llmgw/dashboard?code={body['code']}"
