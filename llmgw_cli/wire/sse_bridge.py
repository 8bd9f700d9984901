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
from llmgw_cli.wire.chunk_template import ChunkTemplate, learn
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


# Templates a stream may learn (chunk_template): one per block, a few failures allowed.
_LEARN = 8


class OpenAIToAnthropicSSE:
    __slots__ = ("_learn", "_parser", "_tpl", "translator")

    def __init__(
        self, *, model: str | None = None, message_id: str | None = None, input_tokens: int = 0
    ) -> None:
        self._parser = SSEParser()
        self._tpl: ChunkTemplate | None = None  # the open block's chunk, while it stays open
        self._learn = _LEARN
        self.translator = OpenAIToAnthropicStream(
            model=model, message_id=message_id, input_tokens=input_tokens
        )

    def feed(self, chunk: bytes) -> bytes:
        out: list[bytes] = []
        tr, tpl = self.translator, self._tpl
        for _, raw in self._parser.feed_raw(chunk):
            if tpl is not None:  # the open block's next piece: no parse at all
                event = tpl.event(raw)
                if event is not None:
                    out.append(event)
                    continue
            try:
                data = None if raw == b"[DONE]" else _loads(raw)
            except ValueError:
                continue
            piece = None if data is None else tr.delta_bytes(data)  # no event dicts
            if piece is None:  # anything else may change the open block: general path
                self._tpl = tpl = None
                out.extend(_named(e) for e in (tr.finish() if data is None else tr.feed(data)))
                continue
            out.append(piece)
            if tpl is None and piece and self._learn > 0:
                self._learn -= 1
                self._tpl = tpl = self._learned(raw, data)
        return b"".join(out)

    def _learned(self, raw: bytes, data: Any) -> ChunkTemplate | None:
        hot = self.translator.hot_key(data)
        return None if hot is None else learn(raw, data, *hot)

    def finish(self) -> bytes:
        self._tpl = None
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
