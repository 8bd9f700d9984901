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

from llmgw_cli.wire.sse import DONE, SSEParser, encode_json
from llmgw_cli.wire.stream_a2o import AnthropicToOpenAIStream
from llmgw_cli.wire.stream_o2a import OpenAIToAnthropicStream


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
        for ev in self._parser.feed(chunk):
            if ev.is_done:
                events = tr.finish()
            else:
                try:
                    data = ev.json()
                except ValueError:
                    continue
                events = tr.feed(data)
            out.extend(encode_json(e, e["type"]) for e in events)
        return b"".join(out)

    def finish(self) -> bytes:
        return b"".join(encode_json(e, e["type"]) for e in self.translator.finish())


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
            out.extend(encode_json(c) for c in tr.feed(data))
        return b"".join(out)

    def finish(self) -> bytes:
        out = [encode_json(c) for c in self.translator.finish()]
        if not self._done_sent:
            self._done_sent = True
            out.append(DONE)
        return b"".join(out)
