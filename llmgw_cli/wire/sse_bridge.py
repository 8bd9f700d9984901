"""Byte-level adapters: upstream SSE bytes in, translated client SSE bytes out.

    bridge = OpenAIToAnthropicSSE()          # Claude Code client, OpenAI upstream
    for chunk in upstream_body:              # any cut of the byte stream
        client.write(bridge.feed(chunk))     # b"" until a complete event arrived
    client.write(bridge.finish())            # closing events (nothing if [DONE] already came)

    bridge = AnthropicToOpenAISSE(include_usage=wants_usage(openai_request))
    … the same; ``finish()`` always ends with ``data: [DONE]`` exactly once.

Each upstream event is translated and encoded as soon as it is complete, so a streaming
response stays unbuffered. Data that is not JSON (a stray keep-alive) is skipped; comments
(``: ping``) never reach the translators. ``bridge.translator.usage`` gives the final usage
for the shim's plugins.
"""

from __future__ import annotations

import json
from typing import Any

from llmgw_cli.wire import jsoncodec
from llmgw_cli.wire.anthropic_stream_to_openai import AnthropicToOpenAIStream
from llmgw_cli.wire.openai_stream_to_anthropic import OpenAIToAnthropicStream
from llmgw_cli.wire.sse import DONE, SSEParser

# One reusable C encoder: json.dumps with non-default arguments builds a new encoder per
# call, which is a third of the cost of encoding a small stream event. Same output as
# sse.encode_json (compact, UTF-8 kept).
_encode = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode


_loads = jsoncodec.loads_data


def _named(event: Any) -> bytes:
    return f"event: {event['type']}\ndata: {_encode(event)}\n\n".encode()


def _unnamed(chunk: Any) -> bytes:
    return f"data: {_encode(chunk)}\n\n".encode()


class OpenAIToAnthropicSSE:
    __slots__ = ("_parser", "translator")

    def __init__(
        self, *, model: str | None = None, message_id: str | None = None, input_tokens: int = 0
    ) -> None:
        self._parser = SSEParser()
        self.translator = OpenAIToAnthropicStream(
            model=model, message_id=message_id, input_tokens=input_tokens
        )

    def feed(self, chunk: bytes) -> bytes:
        out: list[bytes] = []
        tr = self.translator
        fast = tr.delta_bytes
        for _, raw in self._parser.feed_raw(chunk):
            if raw == b"[DONE]":
                out.extend(_named(e) for e in tr.finish())
                continue
            try:
                data = _loads(raw)
            except ValueError:
                continue
            piece = fast(data)  # a fragment of the open block: its bytes, no event dicts
            if piece is not None:
                out.append(piece)
            else:
                out.extend(_named(e) for e in tr.feed(data))
        return b"".join(out)

    def finish(self) -> bytes:
        return b"".join(_named(e) for e in self.translator.finish())


class AnthropicToOpenAISSE:
    __slots__ = ("_done_sent", "_parser", "translator")

    def __init__(self, *, include_usage: bool = False, model: str | None = None) -> None:
        self._parser = SSEParser()
        self._done_sent = False
        self.translator = AnthropicToOpenAIStream(include_usage=include_usage, model=model)

    def feed(self, chunk: bytes) -> bytes:
        out: list[bytes] = []
        tr = self.translator
        for ev in self._parser.feed(chunk):
            try:
                data = ev.json()
            except ValueError:
                continue
            out.extend(_unnamed(c) for c in tr.feed(data))
        return b"".join(out)

    def finish(self) -> bytes:
        out = [_unnamed(c) for c in self.translator.finish()]
        if not self._done_sent:
            self._done_sent = True
            out.append(DONE)
        return b"".join(out)
