"""Responses stream events -> Chat Completions chunks (a Chat client on a Responses member).

    tr = ResponsesToOpenAIStream(include_usage=wants_usage(chat_request))
    for event in upstream_events:     # parsed JSON of each Responses SSE `data:` line
        for chunk in tr.feed(event):  # send each as `data: <json>`
            send(chunk)
    for chunk in tr.finish():
        send(chunk)
    send([DONE])

Two state machines in a row: Responses events become Anthropic events
(``responses_stream_to_anthropic``), which become chunks (``anthropic_stream_to_openai``);
tool calls keep their call ids, names and arguments, reasoning becomes ``delta.reasoning_content``.
"""

from __future__ import annotations

from llmgw_cli.wire.anthropic_stream_to_openai import AnthropicToOpenAIStream
from llmgw_cli.wire.common import JsonObj
from llmgw_cli.wire.responses_stream_to_anthropic import ResponsesToAnthropicStream


class ResponsesToOpenAIStream:
    __slots__ = ("_anthropic", "chat", "done")

    def __init__(self, *, include_usage: bool = False, model: str | None = None) -> None:
        self._anthropic = ResponsesToAnthropicStream(model=model)
        self.chat = AnthropicToOpenAIStream(include_usage=include_usage, model=model)
        self.done = False

    @property
    def usage(self) -> JsonObj:
        return self._anthropic.usage

    def feed(self, event: JsonObj) -> list[JsonObj]:
        out: list[JsonObj] = []
        feed = self.chat.feed
        for ev in self._anthropic.feed(event):
            out.extend(feed(ev))
        self.done = self.chat.done
        return out

    def finish(self) -> list[JsonObj]:
        out: list[JsonObj] = []
        feed = self.chat.feed
        for ev in self._anthropic.finish():
            out.extend(feed(ev))
        out.extend(self.chat.finish())
        self.done = True
        return out
