"""Chat Completions chunks -> Responses stream events (Codex on a Chat-only member).

    tr = OpenAIToResponsesStream(responses_request, names)
    for chunk in upstream_chunks:     # parsed JSON of each `data:` line except [DONE]
        for ev in tr.feed(chunk):
            send(ev)
    for ev in tr.finish():            # at [DONE] or at the end of the upstream body
        send(ev)

Two state machines in a row: the chunks become Anthropic events
(``openai_stream_to_anthropic``), which become Responses events
(``anthropic_stream_to_responses``), so both Chat paths share the rules of the Anthropic
ones: one item per block, call ids and names kept, the usage chunk becoming the final
``usage``. A chunk stream that ends without ``[DONE]`` still completes
(Chat has no final event to miss); an ``error`` chunk ends in ``response.failed``.
"""

from __future__ import annotations

from llmgw_cli.wire.anthropic_stream_to_responses import AnthropicToResponsesStream
from llmgw_cli.wire.common import JsonObj
from llmgw_cli.wire.openai_stream_to_anthropic import OpenAIToAnthropicStream
from llmgw_cli.wire.responses_tools import ToolNames


class OpenAIToResponsesStream:
    __slots__ = ("_chat", "done", "responses")

    def __init__(
        self,
        request: JsonObj,
        names: ToolNames | None = None,
        *,
        response_id: str | None = None,
        model: str | None = None,
    ) -> None:
        self._chat = OpenAIToAnthropicStream(model=model)
        self.responses = AnthropicToResponsesStream(
            request, names, response_id=response_id, model=model
        )
        self.done = False

    @property
    def usage(self) -> JsonObj:
        return self._chat.usage

    @property
    def status(self) -> str | None:
        return self.responses.status

    @property
    def response_id(self) -> str:
        return self.responses.response_id

    @property
    def output(self) -> list[JsonObj]:
        return self.responses.output

    def feed(self, chunk: JsonObj) -> list[JsonObj]:
        out: list[JsonObj] = []
        feed = self.responses.feed
        for event in self._chat.feed(chunk):
            out.extend(feed(event))
        self.done = self.responses.done
        return out

    def finish(self) -> list[JsonObj]:
        out: list[JsonObj] = []
        feed = self.responses.feed
        for event in self._chat.finish():
            out.extend(feed(event))
        out.extend(self.responses.finish())
        self.done = True
        return out
