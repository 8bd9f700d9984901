"""What one member is sent: the URL, the body and the headers for the client's request.

The body stays the client's bytes unless something must change in it: a translator
rewrites it into the member's format; otherwise the route's per-member model replaces the
client's, ``stream_options`` is added when a plugin needs exact usage from an OpenAI stream
(``openai_usage``), and unsigned thinking is dropped for a native Anthropic member.
"""

from __future__ import annotations

from typing import NamedTuple

from aiohttp import web
from multidict import CIMultiDict
from yarl import URL

from llmgw_cli.shim.forward import bodyscan, openai_usage, target
from llmgw_cli.shim.members.member import Member
from llmgw_cli.shim.plugins.contract import Exchange
from llmgw_cli.shim.route.router import Route
from llmgw_cli.shim.translate import bridges, registry
from llmgw_cli.wire.common import with_model
from llmgw_cli.wire.sse import dumps


class Outgoing(NamedTuple):
    url: URL
    data: bytes
    headers: CIMultiDict[str]
    # True when the usage we asked the member for must be stripped from the stream.
    strip: bool


def build(
    request: web.BaseRequest,
    ex: Exchange,
    member: Member,
    route: Route,
    tr: registry.Translator | None,
    needs_usage: bool,
) -> Outgoing:
    """Raises ``BadBody`` (not JSON where it had to be read) or a translator's ``ValueError``
    / ``LocalAnswer``; the attempt loop answers those."""
    model = route.models.get(member.name) if route.models else None
    path, query = ex.path, ex.query  # canonical (forward/target.py), never the raw target
    data = ex.body
    strip = False
    if tr is not None:
        path, data = tr.request(ex, member, model)
        query = ""
    else:
        strip = (
            ex.client_format == "openai"
            and member.stream_usage
            and needs_usage
            and openai_usage.wants_injection(ex)
        )
        if model is not None or strip:
            data = _rewritten(ex, model, strip)
        # Thinking an OpenAI-format member produced; the scan on reading already knows
        # whether the client's bytes hold any (forward/bodyscan.py).
        if ex.client_format == "anthropic" and bodyscan.may_hold_unsigned(data):
            data = bridges.strip_unsigned_thinking(data)
    headers = member.outgoing_headers(request.headers)
    # Plain bytes back, whatever the client accepts (httpx, hence both SDKs, sends gzip):
    # the usage tap, the scrubber and the translators read them (docs/architecture.md).
    headers["Accept-Encoding"] = "identity"
    if tr is not None:
        for name, value in tr.headers.items():
            if name not in headers:
                headers[name] = value
    return Outgoing(target.join(member.url, path, query), data, headers, strip)


def _rewritten(ex: Exchange, model: str | None, strip: bool) -> bytes:
    """The client's body with the route's model and/or ``stream_options``; only the model
    changed: spliced into the client's bytes (``system`` stays byte for byte)."""
    payload = ex.json()
    if not isinstance(payload, dict):
        return ex.body
    old = payload.get("model")
    if model is not None and not strip and isinstance(old, str) and old != model:
        spliced = with_model(ex.body, old, model)
        if spliced is not None:
            return spliced
    if strip:
        payload = openai_usage.with_usage(payload)
    if model is not None and payload.get("model") != model:
        payload = {**payload, "model": model}
    return dumps(payload) if payload is not ex.json() else ex.body
