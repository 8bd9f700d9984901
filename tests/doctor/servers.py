"""Small real servers for doctor's tests (served by tests.helpers.appserver, optionally TLS with
trustme certificates): a configurable fake gateway for the failures `llmgw mock`
does not play (HTML pages, buffered streams, one header style, a choking query string,
a wrong clock, no count_tokens).
"""

from __future__ import annotations

import asyncio
import contextlib
import email.utils
import json
import ssl
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from aiohttp import web

from tests.helpers.appserver import serve_app


def sse(kind: str, data: dict[str, Any]) -> bytes:
    return f"event: {kind}\ndata: {json.dumps(data)}\n\n".encode()


def anthropic_events(text: str = "ok") -> list[bytes]:
    msg: dict[str, Any] = {
        "id": "msg_1",
        "type": "message",
        "role": "assistant",
        "model": "claude-opus-5-5",
        "content": [],
        "stop_reason": None,
        "stop_sequence": None,
        "usage": {"input_tokens": 5, "output_tokens": 1},
    }
    return [
        sse("message_start", {"type": "message_start", "message": msg}),
        sse(
            "content_block_start",
            {
                "type": "content_block_start",
                "index": 0,
                "content_block": {"type": "text", "text": ""},
            },
        ),
        sse("ping", {"type": "ping"}),
        *[
            sse(
                "content_block_delta",
                {
                    "type": "content_block_delta",
                    "index": 0,
                    "delta": {"type": "text_delta", "text": ch},
                },
            )
            for ch in text
        ],
        sse("content_block_stop", {"type": "content_block_stop", "index": 0}),
        sse(
            "message_delta",
            {
                "type": "message_delta",
                "delta": {"stop_reason": "end_turn"},
                "usage": {"output_tokens": len(text)},
            },
        ),
        sse("message_stop", {"type": "message_stop"}),
    ]


def message_body(text: str = "ok") -> dict[str, Any]:
    return {
        "id": "msg_1",
        "type": "message",
        "role": "assistant",
        "model": "claude-opus-5-5",
        "content": [{"type": "text", "text": text}],
        "stop_reason": "end_turn",
        "stop_sequence": None,
        "usage": {"input_tokens": 5, "output_tokens": 1},
    }


@dataclass
class Gateway:
    """What the fake gateway does differently from a healthy one."""

    html: bool = False  # every answer is an HTML login page with status 200
    burst_ms: float | None = None  # streams: wait this long, then send every event at once
    bursts: int | None = None  # only the first N streams burst (a cold gateway); None: all
    stream_gap_ms: float = 0.0  # streams: pause between events (a live stream)
    only_header: str | None = None  # "x-api-key" or "authorization": the only accepted style
    key: str = "right-key-0123456789"
    choke_beta_query: bool = False  # 404 when /v1/messages has a query string
    date_offset_s: float = 0.0  # the Date header is off by this much
    count_tokens: bool = True
    models: tuple[str, ...] = ("claude-opus-5-5", "claude-sonnet-4-5")

    def app(self) -> web.Application:
        app = web.Application(middlewares=[self._middleware])
        app.router.add_get("/v1/models", self._models)
        app.router.add_post("/v1/messages", self._messages)
        if self.count_tokens:
            app.router.add_post("/v1/messages/count_tokens", self._count)
        return app

    @web.middleware
    async def _middleware(self, request: web.Request, handler: Any) -> web.StreamResponse:
        if self.html:
            page = (
                "<!DOCTYPE html><html><head><title>Sign in - Corp SSO</title></head>"
                "<body>Login</body></html>"
            )
            return web.Response(text=page, content_type="text/html")
        if self.only_header and not self._authorised(request):
            return web.json_response(
                {
                    "type": "error",
                    "error": {"type": "authentication_error", "message": "invalid x-api-key"},
                },
                status=401,
            )
        response: web.StreamResponse = await handler(request)
        if self.date_offset_s and not response.prepared:
            response.headers["Date"] = email.utils.formatdate(
                time.time() + self.date_offset_s, usegmt=True
            )
        return response

    def _authorised(self, request: web.Request) -> bool:
        if self.only_header == "x-api-key":
            return request.headers.get("x-api-key") == self.key
        return request.headers.get("authorization") == f"Bearer {self.key}"

    async def _models(self, request: web.Request) -> web.StreamResponse:
        return web.json_response({"data": [{"id": m, "type": "model"} for m in self.models]})

    async def _count(self, request: web.Request) -> web.StreamResponse:
        return web.json_response({"input_tokens": 7})

    async def _messages(self, request: web.Request) -> web.StreamResponse:
        if self.choke_beta_query and request.query_string:
            return web.json_response({"error": {"message": "Not Found"}}, status=404)
        body = await request.json()
        if not body.get("stream"):
            return web.json_response(message_body())
        response = web.StreamResponse(headers={"Content-Type": "text/event-stream"})
        if self.date_offset_s:
            response.headers["Date"] = email.utils.formatdate(
                time.time() + self.date_offset_s, usegmt=True
            )
        events = anthropic_events("okay")
        burst = self.burst_ms is not None and (self.bursts is None or self.bursts > 0)
        if self.bursts:
            self.bursts -= 1
        if burst and self.burst_ms is not None:  # a buffering proxy: hold all, flush once
            await asyncio.sleep(self.burst_ms / 1000)
            await response.prepare(request)
            await response.write(b"".join(events))
        else:
            await response.prepare(request)
            for event in events:
                await response.write(event)
                if self.stream_gap_ms:
                    await asyncio.sleep(self.stream_gap_ms / 1000)
        await response.write_eof()
        return response


@contextlib.contextmanager
def gateway(
    config: Gateway | None = None, ssl_context: ssl.SSLContext | None = None
) -> Iterator[str]:
    scheme = "https" if ssl_context else "http"
    with serve_app((config or Gateway()).app(), ssl_context) as port:
        yield f"{scheme}://127.0.0.1:{port}"
