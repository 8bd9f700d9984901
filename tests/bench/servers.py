"""Small real HTTP servers for bench tests, for what the mock does not do on purpose:
a stream without usage, and an endpoint that serves one request at a time."""

from __future__ import annotations

import asyncio
import ssl
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager

from aiohttp import web

from llmgw_cli.wire.sse import encode_json
from tests.helpers.appserver import serve_app

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


@contextmanager
def serve(handler: Handler, tls: ssl.SSLContext | None = None) -> Iterator[str]:
    """Serve ``handler`` on every POST path, on 127.0.0.1:0, in a daemon thread
    (over TLS when given a server context: the URL is then https://localhost:PORT)."""
    app = web.Application()
    app.router.add_post("/{tail:.*}", handler)
    with serve_app(app, tls) as port:
        yield f"https://localhost:{port}" if tls else f"http://127.0.0.1:{port}"


async def no_usage_stream(request: web.Request) -> web.StreamResponse:
    """An Anthropic stream whose events carry no usage at all (some gateways strip it)."""
    await request.read()
    resp = web.StreamResponse(headers={"content-type": "text/event-stream"})
    await resp.prepare(request)
    await resp.write(
        encode_json({"type": "message_start", "message": {"id": "m"}}, "message_start")
    )
    for word in ("Hello", " there", ", friend", " of", " mine"):
        delta = {
            "type": "content_block_delta",
            "index": 0,
            "delta": {"type": "text_delta", "text": word},
        }
        await resp.write(encode_json(delta, "content_block_delta"))
        await asyncio.sleep(0.002)
    await resp.write(
        encode_json(
            {"type": "message_delta", "delta": {"stop_reason": "end_turn"}}, "message_delta"
        )
    )
    await resp.write(encode_json({"type": "message_stop"}, "message_stop"))
    return resp


def serial(service_s: float) -> Handler:
    """A non-streaming endpoint that serves one request at a time, each taking ``service_s``:
    its capacity is 1 / service_s requests per second, however many arrive."""
    lock = asyncio.Lock()

    async def handler(request: web.Request) -> web.StreamResponse:
        await request.read()
        async with lock:
            await asyncio.sleep(service_s)
        return web.json_response(
            {
                "type": "message",
                "content": [{"type": "text", "text": "ok"}],
                "usage": {"input_tokens": 3, "output_tokens": 1},
            }
        )

    return handler


async def fixed_message(request: web.Request) -> web.StreamResponse:
    await request.read()
    return web.json_response(
        {
            "type": "message",
            "content": [{"type": "text", "text": "ok"}],
            "usage": {"output_tokens": 1},
        }
    )


async def echo_key_401(request: web.Request) -> web.StreamResponse:
    """Rejects the key and quotes it back, as some gateways do."""
    key = request.headers.get("x-api-key", "")
    return web.json_response(
        {"error": {"message": f"Incorrect API key provided: {key}"}}, status=401
    )


async def html_200(request: web.Request) -> web.StreamResponse:
    """A captive portal or proxy login page: HTML with status 200."""
    return web.Response(text="<html><body>Please log in</body></html>", content_type="text/html")


async def redirect(request: web.Request) -> web.StreamResponse:
    raise web.HTTPTemporaryRedirect("https://elsewhere.invalid/v1/messages")
