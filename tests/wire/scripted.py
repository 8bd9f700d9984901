"""Scripted model turns rendered in either wire format, for the SDK and bridge tests.

A ``Turn`` is what a model says: optional reasoning, optional text, tool calls. ``openai_chunks``
renders it the way an OpenAI-compatible server streams it (text in small deltas, tool
arguments in fragments, a usage-only final chunk); ``anthropic_events`` the way the Anthropic
API streams it. Both are written by hand from the APIs' documentation, independent of the
translators under test.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

Obj = dict[str, Any]


@dataclass
class Call:
    id: str
    name: str
    input: Obj


@dataclass
class Turn:
    text: str = ""
    reasoning: str = ""
    calls: list[Call] = field(default_factory=list)
    input_tokens: int = 40
    cached_tokens: int = 8
    output_tokens: int = 12


def _pieces(text: str, size: int = 4) -> list[str]:
    return [text[i : i + size] for i in range(0, len(text), size)]


def openai_chunks(turn: Turn, model: str = "qwen3-coder") -> list[Obj]:
    def chunk(delta: Obj, finish: str | None = None) -> Obj:
        return {
            "id": "chatcmpl-s1",
            "object": "chat.completion.chunk",
            "created": 1700000000,
            "model": model,
            "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
        }

    out = [chunk({"role": "assistant", "content": ""})]
    out += [chunk({"reasoning_content": p}) for p in _pieces(turn.reasoning)]
    out += [chunk({"content": p}) for p in _pieces(turn.text)]
    for i, call in enumerate(turn.calls):
        out.append(
            chunk(
                {
                    "tool_calls": [
                        {
                            "index": i,
                            "id": call.id,
                            "type": "function",
                            "function": {"name": call.name, "arguments": ""},
                        }
                    ]
                }
            )
        )
        args = json.dumps(call.input)
        out += [
            chunk({"tool_calls": [{"index": i, "function": {"arguments": p}}]})
            for p in _pieces(args, 5)
        ]
    out.append(chunk({}, "tool_calls" if turn.calls else "stop"))
    out.append(
        {
            "id": "chatcmpl-s1",
            "object": "chat.completion.chunk",
            "created": 1700000000,
            "model": model,
            "choices": [],
            "usage": _openai_usage(turn),
        }
    )
    return out


def openai_completion(turn: Turn, model: str = "qwen3-coder") -> Obj:
    message: Obj = {"role": "assistant", "content": turn.text or None}
    if turn.reasoning:
        message["reasoning_content"] = turn.reasoning
    if turn.calls:
        message["tool_calls"] = [
            {
                "id": c.id,
                "type": "function",
                "function": {"name": c.name, "arguments": json.dumps(c.input)},
            }
            for c in turn.calls
        ]
    return {
        "id": "chatcmpl-s2",
        "object": "chat.completion",
        "created": 1700000000,
        "model": model,
        "choices": [
            {
                "index": 0,
                "message": message,
                "finish_reason": "tool_calls" if turn.calls else "stop",
            }
        ],
        "usage": _openai_usage(turn),
    }


def _openai_usage(turn: Turn) -> Obj:
    return {
        "prompt_tokens": turn.input_tokens + turn.cached_tokens,
        "completion_tokens": turn.output_tokens,
        "total_tokens": turn.input_tokens + turn.cached_tokens + turn.output_tokens,
        "prompt_tokens_details": {"cached_tokens": turn.cached_tokens},
    }


def anthropic_events(turn: Turn, model: str = "claude-sonnet-4-5") -> list[Obj]:
    out: list[Obj] = [
        {
            "type": "message_start",
            "message": {
                "id": "msg_s1",
                "type": "message",
                "role": "assistant",
                "model": model,
                "content": [],
                "stop_reason": None,
                "stop_sequence": None,
                "usage": {
                    "input_tokens": turn.input_tokens,
                    "cache_read_input_tokens": turn.cached_tokens,
                    "cache_creation_input_tokens": 0,
                    "output_tokens": 1,
                },
            },
        }
    ]
    index = 0

    def block(start: Obj, deltas: list[Obj]) -> None:
        nonlocal index
        out.append({"type": "content_block_start", "index": index, "content_block": start})
        if index == 0:
            out.append({"type": "ping"})
        out.extend({"type": "content_block_delta", "index": index, "delta": d} for d in deltas)
        out.append({"type": "content_block_stop", "index": index})
        index += 1

    if turn.reasoning:
        block(
            {"type": "thinking", "thinking": "", "signature": ""},
            [{"type": "thinking_delta", "thinking": p} for p in _pieces(turn.reasoning)]
            + [{"type": "signature_delta", "signature": "EqQBCkgIARAB"}],
        )
    if turn.text:
        block(
            {"type": "text", "text": ""},
            [{"type": "text_delta", "text": p} for p in _pieces(turn.text)],
        )
    for call in turn.calls:
        block(
            {"type": "tool_use", "id": call.id, "name": call.name, "input": {}},
            [{"type": "input_json_delta", "partial_json": ""}]
            + [
                {"type": "input_json_delta", "partial_json": p}
                for p in _pieces(json.dumps(call.input), 5)
            ],
        )
    out.append(
        {
            "type": "message_delta",
            "delta": {
                "stop_reason": "tool_use" if turn.calls else "end_turn",
                "stop_sequence": None,
            },
            "usage": {"output_tokens": turn.output_tokens},
        }
    )
    out.append({"type": "message_stop"})
    return out


def anthropic_message(turn: Turn, model: str = "claude-sonnet-4-5") -> Obj:
    content: list[Obj] = []
    if turn.reasoning:
        content.append({"type": "thinking", "thinking": turn.reasoning, "signature": "EqQB"})
    if turn.text:
        content.append({"type": "text", "text": turn.text})
    content += [
        {"type": "tool_use", "id": c.id, "name": c.name, "input": c.input} for c in turn.calls
    ]
    return {
        "id": "msg_s2",
        "type": "message",
        "role": "assistant",
        "model": model,
        "content": content,
        "stop_reason": "tool_use" if turn.calls else "end_turn",
        "stop_sequence": None,
        "usage": {
            "input_tokens": turn.input_tokens,
            "output_tokens": turn.output_tokens,
            "cache_read_input_tokens": turn.cached_tokens,
            "cache_creation_input_tokens": 0,
        },
    }
