"""A recording upstream for the gateway-guide tests: it keeps every request's headers, query
and raw body bytes, and answers as the test tells it (a JSON reply, an exact error body, a
stream with a long silence in it), in the Anthropic or the OpenAI format."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from tests.helpers.appserver import serve_app

REPLY = {
    "id": "msg_1",
    "type": "message",
    "role": "assistant",
    "model": "claude-sonnet-4-5",
    "content": [{"type": "text", "text": "Hello"}],
    "stop_reason": "end_turn",
    "stop_sequence": None,
    "usage": {"input_tokens": 10, "output_tokens": 2},
}


def sse(event: str, data: dict[str, Any]) -> bytes:
    return f"event: {event}\ndata: {json.dumps(data)}\n\n".encode()


def anthropic_events(text: str = "Hello") -> list[bytes]:
    msg = {**REPLY, "content": [], "stop_reason": None}
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
        sse(
            "content_block_delta",
            {
                "type": "content_block_delta",
                "index": 0,
                "delta": {"type": "text_delta", "text": text},
            },
        ),
        sse("content_block_stop", {"type": "content_block_stop", "index": 0}),
        sse(
            "message_delta",
            {
                "type": "message_delta",
                "delta": {"stop_reason": "end_turn"},
                "usage": {"output_tokens": 2},
            },
        ),
        sse("message_stop", {"type": "message_stop"}),
    ]


def openai_chunks(text: str = "Hello") -> list[bytes]:
    def chunk(delta: dict[str, Any], finish: str | None = None) -> bytes:
        body = {
            "id": "c1",
            "object": "chat.completion.chunk",
            "model": "gpt-x",
            "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
        }
        return f"data: {json.dumps(body)}\n\n".encode()

    return [
        chunk({"role": "assistant", "content": ""}),
        chunk({"content": text}),
        chunk({}, "stop"),
        b"data: [DONE]\n\n",
    ]


@dataclass
class Seen:
    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    body: bytes


@dataclass
class Recorder:
    """What the upstream answers; set the fields before the request."""

    status: int = 200
    body: bytes | None = None  # an exact body (e.g. an error); None: the usual reply
    headers: dict[str, str] = field(default_factory=dict)
    events: list[bytes] | None = None  # stream these (SSE)
    silence_after: int = -1  # stream: sleep ``silence_s`` after this many events
    silence_s: float = 0.0
    openai: bool = False
    seen: list[Seen] = field(default_factory=list)
    url: str = ""

    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_route("*", "/{tail:.*}", self.handle)
        return app

    async def handle(self, request: web.Request) -> web.StreamResponse:
        body = await request.read()
        self.seen.append(
            Seen(request.method, request.path, dict(request.query), dict(request.headers), body)
        )
        if self.events is not None:
            return await self._stream(request)
        data = self.body if self.body is not None else json.dumps(REPLY).encode()
        return web.Response(
            status=self.status,
            body=data,
            headers={"Content-Type": "application/json", **self.headers},
        )

    async def _stream(self, request: web.Request) -> web.StreamResponse:
        resp = web.StreamResponse(
            status=self.status, headers={"Content-Type": "text/event-stream", **self.headers}
        )
        await resp.prepare(request)
        for i, event in enumerate(self.events or []):
            if i == self.silence_after:
                await asyncio.sleep(self.silence_s)
            await resp.write(event)
        await resp.write_eof()
        return resp

    def posts(self) -> list[Seen]:
        return [s for s in self.seen if s.method == "POST"]


@contextmanager
def recording() -> Iterator[Recorder]:
    rec = Recorder()
    with serve_app(rec.app()) as port:
        rec.url = f"http://127.0.0.1:{port}"
        yield rec


def events_of(raw: bytes) -> list[str]:
    """The event names of an SSE body, in order."""
    names = []
    for block in raw.replace(b"\r\n", b"\n").split(b"\n\n"):
        for line in block.split(b"\n"):
            if line.startswith(b"event:"):
                names.append(line[6:].strip().decode())
    return names
