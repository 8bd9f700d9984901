"""Byte-level adapters for the Responses format: upstream SSE bytes in, the client's SSE out.

    bridge = AnthropicToResponsesSSE(responses_request, names)   # Codex on an Anthropic member
    for chunk in upstream_body:
        client.write(bridge.feed(chunk))      # b"" until a complete event arrived
    client.write(bridge.finish())             # closing events (nothing once the end came)

``OpenAIToResponsesSSE`` (Codex on a Chat member), ``ResponsesToAnthropicSSE`` (Claude Code on
a Responses member) and ``ResponsesToOpenAISSE`` (a Chat client on a Responses member, which
ends with ``data: [DONE]`` exactly once) work the same way. Each upstream event is
translated and written as soon as it is complete (no buffering); data that is not JSON is
skipped; ``bridge.translator.usage`` is the final usage in Anthropic's terms, for the
plugins.
"""

from __future__ import annotations

import json
from typing import Any

from llmgw_cli.wire.anthropic_stream_to_responses import AnthropicToResponsesStream
from llmgw_cli.wire.common import JsonObj
from llmgw_cli.wire.openai_stream_to_responses import OpenAIToResponsesStream
from llmgw_cli.wire.responses_stream_to_anthropic import ResponsesToAnthropicStream
from llmgw_cli.wire.responses_stream_to_openai import ResponsesToOpenAIStream
from llmgw_cli.wire.responses_tools import ToolNames
from llmgw_cli.wire.sse import DONE, SSEParser

_encode = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode


def named(event: Any) -> bytes:
    """One event whose SSE name is its ``type`` (Anthropic and Responses streams)."""
    return f"event: {event['type']}\ndata: {_encode(event)}\n\n".encode()


def unnamed(chunk: Any) -> bytes:
    return f"data: {_encode(chunk)}\n\n".encode()


class _Bridge:
    __slots__ = ("_parser",)

    def __init__(self) -> None:
        self._parser = SSEParser()

    def _events(self, chunk: bytes) -> list[Any]:
        """The upstream's complete events: JSON data, or None for ``[DONE]``."""
        out: list[Any] = []
        for ev in self._parser.feed(chunk):
            if ev.is_done:
                out.append(None)
                continue
            try:
                out.append(ev.json())
            except ValueError:
                continue
        return out


class AnthropicToResponsesSSE(_Bridge):
    __slots__ = ("translator",)

    def __init__(
        self, request: JsonObj, names: ToolNames | None = None, *, model: str | None = None
    ) -> None:
        super().__init__()
        self.translator = AnthropicToResponsesStream(request, names, model=model)

    def feed(self, chunk: bytes) -> bytes:
        feed = self.translator.feed
        return b"".join(named(e) for data in self._events(chunk) for e in feed(data))

    def finish(self) -> bytes:
        return b"".join(named(e) for e in self.translator.finish())


class OpenAIToResponsesSSE(_Bridge):
    __slots__ = ("translator",)

    def __init__(
        self, request: JsonObj, names: ToolNames | None = None, *, model: str | None = None
    ) -> None:
        super().__init__()
        self.translator = OpenAIToResponsesStream(request, names, model=model)

    def feed(self, chunk: bytes) -> bytes:
        tr = self.translator
        out: list[bytes] = []
        for data in self._events(chunk):
            events = tr.finish() if data is None else tr.feed(data)
            out.extend(named(e) for e in events)
        return b"".join(out)

    def finish(self) -> bytes:
        return b"".join(named(e) for e in self.translator.finish())


class ResponsesToAnthropicSSE(_Bridge):
    __slots__ = ("translator",)

    def __init__(self, *, model: str | None = None) -> None:
        super().__init__()
        self.translator = ResponsesToAnthropicStream(model=model)

    def feed(self, chunk: bytes) -> bytes:
        feed = self.translator.feed
        return b"".join(
            named(e) for data in self._events(chunk) if data is not None for e in feed(data)
        )

    def finish(self) -> bytes:
        return b"".join(named(e) for e in self.translator.finish())


class ResponsesToOpenAISSE(_Bridge):
    __slots__ = ("_done_sent", "translator")

    def __init__(self, *, include_usage: bool = False, model: str | None = None) -> None:
        super().__init__()
        self._done_sent = False
        self.translator = ResponsesToOpenAIStream(include_usage=include_usage, model=model)

    def feed(self, chunk: bytes) -> bytes:
        feed = self.translator.feed
        return b"".join(
            unnamed(c) for data in self._events(chunk) if data is not None for c in feed(data)
        )

    def finish(self) -> bytes:
        out = [unnamed(c) for c in self.translator.finish()]
        if not self._done_sent:
            self._done_sent = True
            out.append(DONE)
        return b"".join(out)
