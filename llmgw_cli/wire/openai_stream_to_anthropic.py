"""OpenAI chat.completion.chunk objects -> Anthropic stream events (for Claude Code).

    tr = OpenAIToAnthropicStream()
    for chunk in upstream_chunks:       # parsed JSON of each `data:` line except [DONE]
        for event in tr.feed(chunk):    # Anthropic event dicts; the SSE event name is event["type"]
            send(event)
    for event in tr.finish():           # at [DONE] or at the end of the upstream body
        send(event)

Output order is the one Claude Code expects: ``message_start``; for each block
``content_block_start``, its deltas, ``content_block_stop`` (one block open at a time);
``message_delta`` (stop_reason and usage); ``message_stop``.

How OpenAI deltas map:
- ``delta.reasoning_content`` (vLLM, DeepSeek) or ``delta.reasoning`` (Ollama, OpenRouter)
  -> a thinking block (empty signature); ``delta.content`` -> a text block. A change of kind
  closes the open block and opens a new one; empty deltas produce nothing.
- ``delta.tool_calls[i]`` -> a tool_use block per tool-call index, ids and names kept. A
  tool's block opens at its first argument fragment, not at its header, so a server that
  announces several tools before streaming their arguments still yields whole blocks. A
  fragment for a tool whose block was already closed (true interleaving, which no server we
  know does) is still sent, as a delta on that block's index.
- ``finish_reason`` and ``usage`` (the usage-only final chunk of ``include_usage``) are held
  until ``finish()``, since usage arrives after the finish reason.
- A chunk carrying ``error`` becomes an Anthropic ``error`` event and ends the stream.
"""

from __future__ import annotations

from json.encoder import encode_basestring
from typing import Any

from llmgw_cli.wire.common import (
    JsonObj,
    anthropic_stop,
    dumps_compact,
    new_id,
    openai_usage_to_anthropic,
)
from llmgw_cli.wire.error_bodies import openai_error_to_anthropic

_HEAD = b'event: content_block_delta\ndata: {"type":"content_block_delta","index":'
# What follows the index, per delta kind.
_KINDS = {
    "text": b',"delta":{"type":"text_delta","text":',
    "thinking": b',"delta":{"type":"thinking_delta","thinking":',
    "tool": b',"delta":{"type":"input_json_delta","partial_json":',
}
# Delta keys feed() reads; a fast delta has only the one of its kind.
_READ = ("content", "reasoning_content", "reasoning", "refusal", "tool_calls")
_OTHER = object()  # _only's answer when another key is set


def _delta_event(index: int, kind: str, piece: str) -> bytes:
    """``feed``'s content_block_delta for ``piece``, encoded as the bridges encode it."""
    return b"".join(
        (_HEAD, str(index).encode(), _KINDS[kind], encode_basestring(piece).encode(), b"}}\n\n")
    )


def _only(delta: JsonObj, key: str) -> Any:
    """``delta[key]`` when no other key feed() reads is set; ``_OTHER`` otherwise."""
    for other in _READ:
        if other != key and delta.get(other):
            return _OTHER
    return delta.get(key)


class _Tool:
    __slots__ = ("block", "id", "name")

    def __init__(self, id: str, name: str) -> None:
        self.id = id
        self.name = name
        self.block = -1  # content block index once started


class OpenAIToAnthropicStream:
    """State machine for one streamed response; not reusable."""

    __slots__ = (
        "_finish_reason",
        "_input_tokens",
        "_matched",
        "_message_id",
        "_model",
        "_next_block",
        "_open",
        "_open_index",
        "_started",
        "_tools",
        "_usage",
        "done",
    )

    def __init__(
        self, *, model: str | None = None, message_id: str | None = None, input_tokens: int = 0
    ) -> None:
        """``model`` overrides the upstream's model name in ``message_start``;
        ``input_tokens`` is an estimate for ``message_start`` (the exact figure follows in
        ``message_delta`` when the upstream reports usage)."""
        self._model = model
        self._message_id = message_id
        self._input_tokens = input_tokens
        self._started = False
        self._next_block = 0
        self._open: str | None = None  # "text" | "thinking" | "tool"
        self._open_index = -1
        self._tools: dict[Any, _Tool] = {}
        self._finish_reason: str | None = None
        self._matched: Any = None
        self._usage: Any = None
        self.done = False

    @property
    def usage(self) -> JsonObj:
        """Anthropic-shaped usage from the upstream's usage chunk (zeros until it came)."""
        if self._usage:
            return openai_usage_to_anthropic(self._usage)
        return {"input_tokens": self._input_tokens, "output_tokens": 0}

    def feed(self, chunk: JsonObj) -> list[JsonObj]:
        if self.done or not isinstance(chunk, dict):
            return []
        out: list[JsonObj] = []
        choices = chunk.get("choices")
        if chunk.get("error") is not None and not choices:
            self.done = True
            return [openai_error_to_anthropic(500, {"error": chunk["error"]})]
        if not self._started:
            self._start(chunk, out)
        usage = chunk.get("usage")
        if usage:
            self._usage = usage
        for choice in choices if isinstance(choices, list) else ():
            if not isinstance(choice, dict) or choice.get("index", 0) != 0:
                continue  # n > 1 is refused at request time; only choice 0 exists
            delta = choice.get("delta")
            if isinstance(delta, dict):
                self._delta(delta, out)
            if choice.get("finish_reason"):
                self._finish_reason = choice["finish_reason"]
                self._matched = choice.get("stop_reason")
        return out

    def delta_bytes(self, chunk: JsonObj) -> bytes | None:
        """The SSE bytes ``feed`` + the bridge's encoding give for a chunk that only
        continues a block already open (a text, thinking or argument fragment), without
        building the event dicts: a stream's hot path. None for any other chunk."""
        if type(chunk) is not dict or self.done:
            return None
        choices = chunk.get("choices")
        if type(choices) is not list or len(choices) != 1:
            return None
        choice = choices[0]
        if type(choice) is not dict or choice.get("finish_reason") or choice.get("index", 0) != 0:
            return None
        delta = choice.get("delta")
        if type(delta) is not dict:
            return None
        open_kind = self._open
        if open_kind == "text" or open_kind == "thinking":
            key = "content" if open_kind == "text" else "reasoning_content"
            piece = delta.get(key) if len(delta) == 1 else None  # the common case
            if piece is None:
                piece = self._piece(delta, open_kind)
            if type(piece) is not str:
                return None if piece is _OTHER or piece else b""
            out: bytes | None = _delta_event(self._open_index, open_kind, piece) if piece else b""
        else:
            out = self._fast_args(delta)
        if out is not None:
            usage = chunk.get("usage")
            if usage:
                self._usage = usage
        return out

    def hot_key(self, chunk: JsonObj) -> tuple[str, bytes] | None:
        """For a chunk ``delta_bytes`` just sent as a text or thinking piece: its delta's one
        key and the event's bytes before the piece (what ``chunk_template.learn`` needs);
        None for any other chunk, or one that carries usage."""
        if (self._open != "text" and self._open != "thinking") or chunk.get("usage"):
            return None
        delta = chunk["choices"][0]["delta"]
        if len(delta) != 1:
            return None
        return next(iter(delta)), _HEAD + str(self._open_index).encode() + _KINDS[self._open]

    @staticmethod
    def _piece(delta: JsonObj, kind: str) -> Any:
        """The text or thinking piece of ``delta``; ``_OTHER`` when it carries more."""
        if kind == "text":
            return _only(delta, "content")
        return _only(delta, "reasoning_content" if delta.get("reasoning_content") else "reasoning")

    def _fast_args(self, delta: JsonObj) -> bytes | None:
        calls = _only(delta, "tool_calls")
        if type(calls) is not list or len(calls) != 1 or type(calls[0]) is not dict:
            return None
        index, fn = calls[0].get("index"), calls[0].get("function")
        tool = self._tools.get(index) if type(index) is int else None
        args = fn.get("arguments") if type(fn) is dict else None
        if tool is None or tool.block < 0 or type(args) is not str or not args:
            return None
        return _delta_event(tool.block, "tool", args)

    def finish(self) -> list[JsonObj]:
        """The closing events; call once at ``[DONE]`` or when the upstream body ends."""
        if self.done:
            return []
        out: list[JsonObj] = []
        if not self._started:
            self._start({}, out)
        self._close(out)
        for tool in self._tools.values():  # announced but never given arguments
            if tool.block < 0:
                self._start_tool(tool, out)
                self._close(out)
        stop_reason, stop_sequence = anthropic_stop(
            self._finish_reason, self._matched, bool(self._tools)
        )
        usage = self.usage
        out.append(
            {
                "type": "message_delta",
                "delta": {"stop_reason": stop_reason, "stop_sequence": stop_sequence},
                "usage": usage,
            }
        )
        out.append({"type": "message_stop"})
        self.done = True
        return out

    def _start(self, chunk: JsonObj, out: list[JsonObj]) -> None:
        self._started = True
        out.append(
            {
                "type": "message_start",
                "message": {
                    "id": self._message_id or chunk.get("id") or new_id("msg_"),
                    "type": "message",
                    "role": "assistant",
                    "model": self._model or chunk.get("model") or "",
                    "content": [],
                    "stop_reason": None,
                    "stop_sequence": None,
                    "usage": {"input_tokens": self._input_tokens, "output_tokens": 0},
                },
            }
        )

    def _delta(self, delta: JsonObj, out: list[JsonObj]) -> None:
        reasoning = delta.get("reasoning_content") or delta.get("reasoning")
        if reasoning and isinstance(reasoning, str):
            self._text("thinking", reasoning, out)
        content = delta.get("content")
        if content and isinstance(content, str):
            self._text("text", content, out)
        refusal = delta.get("refusal")
        if refusal and isinstance(refusal, str):
            self._text("text", refusal, out)
        calls = delta.get("tool_calls")
        if isinstance(calls, list):
            for call in calls:
                if isinstance(call, dict):
                    self._tool_call(call, out)

    def _text(self, kind: str, text: str, out: list[JsonObj]) -> None:
        if self._open != kind:
            self._close(out)
            block: JsonObj = (
                {"type": "text", "text": ""}
                if kind == "text"
                else {"type": "thinking", "thinking": "", "signature": ""}
            )
            self._open_index = self._next_block
            self._next_block += 1
            self._open = kind
            out.append(
                {"type": "content_block_start", "index": self._open_index, "content_block": block}
            )
        delta = (
            {"type": "text_delta", "text": text}
            if kind == "text"
            else {"type": "thinking_delta", "thinking": text}
        )
        out.append({"type": "content_block_delta", "index": self._open_index, "delta": delta})

    def _tool_call(self, call: JsonObj, out: list[JsonObj]) -> None:
        fn = call.get("function")
        fn = fn if isinstance(fn, dict) else {}
        key = self._tool_key(call)
        tool = self._tools.get(key)
        if tool is None:
            tool = _Tool(call.get("id") or new_id("toolu_"), fn.get("name") or "")
            self._tools[key] = tool
        elif tool.block < 0 and not tool.name and fn.get("name"):
            tool.name = fn["name"]
        args = fn.get("arguments")
        if isinstance(args, dict):  # some servers send whole objects
            args = dumps_compact(args)
        if not isinstance(args, str) or not args:
            return
        if tool.block < 0:
            self._close(out)
            self._start_tool(tool, out)
        out.append(
            {
                "type": "content_block_delta",
                "index": tool.block,
                "delta": {"type": "input_json_delta", "partial_json": args},
            }
        )

    def _tool_key(self, call: JsonObj) -> Any:
        index = call.get("index")
        if isinstance(index, int):
            return index
        # No index (some Gemini/Ollama builds): a new id is a new tool, else the latest one.
        call_id = call.get("id")
        if call_id:
            for key, tool in self._tools.items():
                if tool.id == call_id:
                    return key
            return ("id", call_id)
        return next(reversed(self._tools), 0) if self._tools else 0

    def _start_tool(self, tool: _Tool, out: list[JsonObj]) -> None:
        tool.block = self._next_block
        self._next_block += 1
        self._open, self._open_index = "tool", tool.block
        out.append(
            {
                "type": "content_block_start",
                "index": tool.block,
                "content_block": {
                    "type": "tool_use",
                    "id": tool.id,
                    "name": tool.name,
                    "input": {},
                },
            }
        )

    def _close(self, out: list[JsonObj]) -> None:
        if self._open is not None:
            out.append({"type": "content_block_stop", "index": self._open_index})
            self._open = None
