"""An HTTPS Anthropic-style upstream signed by a private CA (trustme), for the corporate path.

with tls_upstream(ca, require_client_cert=False) as up:
    up.url        # https://localhost:PORT
    up.seen       # headers of every request it answered
"""

from __future__ import annotations

import contextlib
import ssl
from collections.abc import Iterator
from dataclasses import dataclass, field

import trustme
from aiohttp import web

from tests.helpers.appserver import serve_app

REPLY = {
    "id": "msg_tls",
    "type": "message",
    "role": "assistant",
    "model": "claude-sonnet-4-5",
    "content": [{"type": "text", "text": "hello over TLS"}],
    "stop_reason": "end_turn",
    "stop_sequence": None,
    "usage": {"input_tokens": 3, "output_tokens": 3},
}


@dataclass
class TLSUpstream:
    url: str = ""
    seen: list[dict[str, str]] = field(default_factory=list)


@contextlib.contextmanager
def tls_upstream(ca: trustme.CA, require_client_cert: bool = False) -> Iterator[TLSUpstream]:
    up = TLSUpstream()
    ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("localhost", "127.0.0.1").configure_cert(ctx)
    if require_client_cert:
        ctx.verify_mode = ssl.CERT_REQUIRED
        ca.configure_trust(ctx)

    async def messages(request: web.Request) -> web.Response:
        await request.read()
        up.seen.append({k.lower(): v for k, v in request.headers.items()})
        return web.json_response(REPLY)

    app = web.Application()
    app.router.add_post("/v1/messages", messages)
    with serve_app(app, ctx) as port:
        up.url = f"https://localhost:{port}"
        yield up
