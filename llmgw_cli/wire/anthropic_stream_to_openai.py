"""Anthropic stream events -> OpenAI chat.completion.chunk objects (for OpenAI-style clients).

    tr = AnthropicToOpenAIStream(include_usage=wants_usage(openai_request))
    for event in upstream_events:       # parsed JSON of each Anthropic SSE `data:` line
        for chunk in tr.feed(event):    # send each as `data: <json>`
            send(chunk)
    for chunk in tr.finish():           # when the upstream body ends
        send(chunk)
    send([DONE])

Mapping: ``message_start`` -> the first chunk (``role: assistant``, empty content);
``text_delta`` -> ``delta.content``; a ``tool_use`` block start -> ``delta.tool_calls`` with
its id, exact name and empty arguments, numbered 0, 1, … in block order; ``input_json_delta``
-> that tool call's ``function.arguments`` fragment; ``thinking_delta`` ->
``delta.reasoning_content`` (the field vLLM and DeepSeek use); ``message_delta`` -> a chunk
with ``finish_reason``; ``message_stop`` -> the usage-only chunk (``choices: []``) when the
client asked for ``stream_options.include_usage``. ``ping``, ``signature_delta`` and
citations produce nothing; an ``error`` event becomes a chunk with an ``error`` object, which
the openai SDK raises as ``APIError``.
"""

from __future__ import annotations

import time

from llmgw_cli.wire.common import (
    JsonObj,
    anthropic_usage_to_openai,
    dumps_compact,
    new_id,
    openai_finish,
)
from llmgw_cli.wire.error_bodies import anthropic_error_to_openai


class AnthropicToOpenAIStream:
    """State machine for one streamed response; not reusable."""

    __slots__ = (
        "_created",
        "_finished",
        "_id",
        "_include_usage",
        "_model",
        "_model_override",
        "_started",
        "_tool_of_block",
        "_usage",
        "_usage_sent",
        "done",
    )

    def __init__(self, *, include_usage: bool = False, model: str | None = None) -> None:
        """``model`` overrides the upstream's model name in every chunk."""
        self._include_usage = include_usage
        self._model_override = model
        self._model = model or ""
        self._id = ""
        self._created = int(time.time())
        self._started = False
        self._finished = False  # a chunk with finish_reason was sent
        self._usage_sent = False
        self._tool_of_block: dict[int, int] = {}
        self._usage: JsonObj = {}
        self.done = False

    @property
    def usage(self) -> JsonObj:
        """Anthropic-shaped usage seen so far (input, output, cache read/write tokens)."""
        return self._usage

    def feed(self, event: JsonObj) -> list[JsonObj]:
        if self.done or not isinstance(event, dict):
            return []
        kind = event.get("type")
        if kind == "content_block_delta":  # the hot path first
            return self._block_delta(event)
        if kind == "message_start":
            return self._message_start(event)
        if kind == "content_block_start":
            return self._block_start(event)
        if kind == "message_delta":
            delta = event.get("delta")
            usage = event.get("usage")
            if isinstance(usage, dict):
                self._usage.update({k: v for k, v in usage.items() if v is not None})
            stop = delta.get("stop_reason") if isinstance(delta, dict) else None
            if self._finished:
                return []
            self._finished = True
            return [*self._prefix(), self._chunk({}, openai_finish(stop))]
        if kind == "message_stop":
            return self.finish()
        if kind == "error":
            self.done = True
            return [anthropic_error_to_openai(500, event)]
        return []  # ping, content_block_stop, unknown future events

    def finish(self) -> list[JsonObj]:
        """The closing chunks (finish_reason if none came, usage if asked for)."""
        if self.done:
            return []
        out = self._prefix()
        if not self._finished:
            self._finished = True
            out.append(self._chunk({}, "tool_calls" if self._tool_of_block else "stop"))
        if self._include_usage and not self._usage_sent:
            self._usage_sent = True
            out.append(
                {
                    "id": self._id,
                    "object": "chat.completion.chunk",
                    "created": self._created,
                    "model": self._model,
                    "choices": [],
                    "usage": anthropic_usage_to_openai(self._usage),
                }
            )
        self.done = True
        return out

    def _message_start(self, event: JsonObj) -> list[JsonObj]:
        msg = event.get("message")
        msg = msg if isinstance(msg, dict) else {}
        self._id = msg.get("id") or new_id("chatcmpl-")
        if not self._model_override:
            self._model = msg.get("model") or ""
        usage = msg.get("usage")
        if isinstance(usage, dict):
            self._usage.update({k: v for k, v in usage.items() if v is not None})
        if self._started:
            return []
        self._started = True
        return [self._chunk({"role": "assistant", "content": ""})]

    def _prefix(self) -> list[JsonObj]:
        """The role chunk, when the upstream skipped message_start."""
        if self._started:
            return []
        self._started = True
        self._id = self._id or new_id("chatcmpl-")
        return [self._chunk({"role": "assistant", "content": ""})]

    def _block_start(self, event: JsonObj) -> list[JsonObj]:
        block = event.get("content_block")
        index = event.get("index")
        if not isinstance(block, dict) or not isinstance(index, int):
            return []
        out = self._prefix()
        kind = block.get("type")
        if kind == "tool_use":
            number = len(self._tool_of_block)
            self._tool_of_block[index] = number
            initial = block.get("input")
            call = {
                "index": number,
                "id": block.get("id", ""),
                "type": "function",
                "function": {
                    "name": block.get("name", ""),
                    "arguments": dumps_compact(initial) if initial else "",
                },
            }
            out.append(self._chunk({"tool_calls": [call]}))
        elif kind == "text" and block.get("text"):
            out.append(self._chunk({"content": block["text"]}))
        elif kind == "thinking" and block.get("thinking"):
            out.append(self._chunk({"reasoning_content": block["thinking"]}))
        return out

    def _block_delta(self, event: JsonObj) -> list[JsonObj]:
        delta = event.get("delta")
        if not isinstance(delta, dict):
            return []
        kind = delta.get("type")
        if kind == "text_delta":
            text = delta.get("text")
            return [*self._prefix(), self._chunk({"content": text})] if text else []
        if kind == "input_json_delta":
            part = delta.get("partial_json")
            number = self._tool_of_block.get(event.get("index", -1))
            if not part or number is None:
                return []
            call = {"index": number, "function": {"arguments": part}}
            return [self._chunk({"tool_calls": [call]})]
        if kind == "thinking_delta":
            text = delta.get("thinking")
            return [*self._prefix(), self._chunk({"reasoning_content": text})] if text else []
        return []  # signature_delta, citations_delta

    def _chunk(self, delta: JsonObj, finish_reason: str | None = None) -> JsonObj:
        return {
            "id": self._id,
            "object": "chat.completion.chunk",
            "created": self._created,
            "model": self._model,
            "choices": [
                {"index": 0, "delta": delta, "logprobs": None, "finish_reason": finish_reason}
            ],
        }
