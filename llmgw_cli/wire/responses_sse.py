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
import re
from typing import Any

from llmgw_cli.wire import jsoncodec
from llmgw_cli.wire.anthropic_stream_to_responses import AnthropicToResponsesStream
from llmgw_cli.wire.common import JsonObj
from llmgw_cli.wire.openai_stream_to_responses import OpenAIToResponsesStream
from llmgw_cli.wire.responses_stream_to_anthropic import ResponsesToAnthropicStream
from llmgw_cli.wire.responses_stream_to_openai import ResponsesToOpenAIStream
from llmgw_cli.wire.responses_tools import ToolNames
from llmgw_cli.wire.sse import DONE, SSEParser

_encode = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
_loads = jsoncodec.loads_data


def named(event: Any) -> bytes:
    """One event whose SSE name is its ``type`` (Anthropic and Responses streams)."""
    return f"event: {event['type']}\ndata: {_encode(event)}\n\n".encode()


def unnamed(chunk: Any) -> bytes:
    return f"data: {_encode(chunk)}\n\n".encode()


# Responses events the translation back ignores: not even parsed (in_progress repeats the
# whole request's instructions and tools; the .done events repeat what the deltas said).
_IGNORED = frozenset(
    (
        "response.in_progress",
        "response.content_part.added",
        "response.content_part.done",
        "response.output_text.done",
        "response.reasoning_summary_part.added",
        "response.reasoning_summary_part.done",
        "response.reasoning_summary_text.done",
    )
)
_IGNORED_BYTES = frozenset(name.encode() for name in _IGNORED)


class _Bridge:
    __slots__ = ("_parser", "_skip")

    def __init__(self, skip: bool = False) -> None:
        self._parser = SSEParser()
        self._skip = skip

    def _datas(self, chunk: bytes) -> list[bytes | None]:
        """The ``data`` of each complete event (None for ``[DONE]``), undecoded
        (``SSEParser.feed_raw``: whole events read without the line rules' decoding)."""
        skip = self._skip
        return [
            None if data == b"[DONE]" else data
            for name, data in self._parser.feed_raw(chunk)
            if not (skip and name in _IGNORED_BYTES)
        ]

    def _events(self, chunk: bytes) -> list[Any]:
        """The upstream's complete events: JSON data, or None for ``[DONE]``; data that is
        not JSON is skipped."""
        out: list[Any] = []
        for data in self._datas(chunk):
            if data is None:
                out.append(None)
                continue
            try:
                out.append(_loads(data))
            except ValueError:
                continue
        return out


# An Anthropic text or argument delta exactly as the API writes it (compact, in this key
# order): its string is copied into the Responses event without being decoded.
_ANTHROPIC_DELTA = re.compile(
    rb'\{"type":"content_block_delta","index":(\d+),"delta":\{"type":"(text_delta|input_json_delta)",'
    rb'"(?:text|partial_json)":("(?:[^"\\]|\\.)*")\}\}'
)
_ECHO = ("instructions", "tools")  # the big fields a response object echoes of its request


class _Echo:
    """Encodes Responses events; a response object's echo of the request's instructions and
    tools (tens of KB for Codex) is encoded once per stream, not in every response event."""

    __slots__ = ("_echo",)

    def __init__(self) -> None:
        self._echo: bytes | None = None

    def encode(self, event: JsonObj) -> bytes:
        resp = event.get("response")
        if not isinstance(resp, dict) or not all(k in resp for k in _ECHO):
            return named(event)
        kind: str = event["type"]
        if self._echo is None:  # orjson (``jsoncodec``): tens of KB, 6x faster than json
            self._echo = jsoncodec.dumps({k: resp[k] for k in _ECHO})
        rest = jsoncodec.dumps({k: v for k, v in resp.items() if k not in _ECHO})
        head = _encode({k: v for k, v in event.items() if k != "response"}).encode()
        body = head[:-1] + b',"response":' + rest[:-1] + b"," + self._echo[1:] + b"}"
        return b"event: " + kind.encode() + b"\ndata: " + body + b"\n\n"


class AnthropicToResponsesSSE(_Bridge):
    __slots__ = ("_echo", "translator")

    def __init__(
        self, request: JsonObj, names: ToolNames | None = None, *, model: str | None = None
    ) -> None:
        super().__init__()
        self._echo = _Echo()
        self.translator = AnthropicToResponsesStream(request, names, model=model)

    def feed(self, chunk: bytes) -> bytes:
        tr = self.translator
        encode = self._echo.encode
        out: list[bytes] = []
        for data in self._datas(chunk):
            if data is None:
                continue
            hot = _ANTHROPIC_DELTA.fullmatch(data)
            if hot is not None:
                literal = hot[3].decode("utf-8", "replace")
                fast = tr.raw_delta(int(hot[1]), hot[2] == b"text_delta", literal)
                if fast is not None:
                    out.append(fast)
                    continue
            try:
                event = _loads(data)
            except ValueError:
                continue
            out.extend(encode(e) for e in tr.feed(event))
        return b"".join(out)

    def finish(self) -> bytes:
        return b"".join(self._echo.encode(e) for e in self.translator.finish())

    def fail(self, message: str) -> bytes:
        """``response.failed`` now (the upstream broke off), numbered in sequence."""
        return b"".join(self._echo.encode(e) for e in self.translator.fail(message))


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

    def fail(self, message: str) -> bytes:
        return b"".join(named(e) for e in self.translator.responses.fail(message))


class ResponsesToAnthropicSSE(_Bridge):
    __slots__ = ("translator",)

    def __init__(self, *, model: str | None = None) -> None:
        super().__init__(skip=True)
        self.translator = ResponsesToAnthropicStream(model=model)

    def feed(self, chunk: bytes) -> bytes:
        tr = self.translator
        out: list[bytes] = []
        for data in self._events(chunk):
            if data is None:
                continue
            fast = tr.delta_bytes(data)
            if fast is not None:
                out.append(fast)
            else:
                out.extend(named(e) for e in tr.feed(data))
        return b"".join(out)

    def finish(self) -> bytes:
        return b"".join(named(e) for e in self.translator.finish())


class ResponsesToOpenAISSE(_Bridge):
    __slots__ = ("_done_sent", "translator")

    def __init__(self, *, include_usage: bool = False, model: str | None = None) -> None:
        super().__init__(skip=True)
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
