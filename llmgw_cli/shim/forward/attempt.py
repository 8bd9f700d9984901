"""``Attempt``: one try of one member for one request, and what ``relay`` needs of it once
the attempt loop (``attempts.forward``) has chosen its answer."""

from __future__ import annotations

from dataclasses import dataclass

import aiohttp
from aiohttp import web

from llmgw_cli.shim.members.member import Member
from llmgw_cli.shim.plugins.contract import Exchange
from llmgw_cli.shim.route.router import Route
from llmgw_cli.shim.translate import registry


@dataclass(slots=True)
class Attempt:
    request: web.BaseRequest
    ex: Exchange
    member: Member
    route: Route
    t0: float  # when the request arrived
    upstream_s: float  # time spent waiting on members so far: not the shim's overhead
    needs_usage: bool  # a plugin reads usage: ask a streaming OpenAI member for it
    wants_tap: bool  # read TTFT and usage off the answer (plugins or the router want them)
    tr: registry.Translator | None = None  # the member does not speak the client's format
    strip: bool = False  # drop the usage chunk we asked for, the client did not
    first: bytes = b""  # body bytes read ahead (a stream's first chunk)
    resp: aiohttp.ClientResponse | None = None
    done: bool = False  # the member's answer was read to its end (the connection is reusable)
    ping_s: float = 0.0  # synthesize SSE pings after this much upstream silence (0: never)
