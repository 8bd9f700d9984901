"""A ``Reply`` in the OpenAI Chat Completions shape: a ``chat.completion`` object, or
``chat.completion.chunk`` SSE events ending in ``data: [DONE]``.

The stream opens with a role chunk, sends content (or ``delta.tool_calls`` with the
arguments in pieces), then a chunk carrying ``finish_reason``; with
``stream_options.include_usage`` every chunk has ``"usage": null`` and one last chunk has
empty ``choices`` and the usage. Chunks share one per-request prefix, so they are glued
from bytes rather than serialised one by one.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from llmgw_cli.mock.replies import Reply
from llmgw_cli.wire.sse import DONE, dumps

Event = tuple[int | None, bytes]

FINISH = {
    "end_turn": "stop",
    "stop_sequence": "stop",
    "pause_turn": "stop",
    "max_tokens": "length",
    "tool_use": "tool_calls",
    "refusal": "content_filter",
}


@lru_cache(maxsize=4096)
def _content(text: str) -> bytes:
    return dumps({"content": text})


def usage(reply: Reply) -> dict[str, Any]:
    # OpenAI counts cached prompt tokens inside prompt_tokens; Anthropic keeps them apart.
    prompt = reply.input_tokens + reply.cache_read + reply.cache_creation
    return {
        "prompt_tokens": prompt,
        "completion_tokens": reply.output_tokens,
        "total_tokens": prompt + reply.output_tokens,
        "prompt_tokens_details": {"cached_tokens": reply.cache_read},
        "completion_tokens_details": {"reasoning_tokens": 0},
    }


def completion(reply: Reply, chunk_id: str, model: str, created: int) -> dict[str, Any]:
    message: dict[str, Any] = {
        "role": "assistant",
        "content": reply.text if reply.text_pieces or not reply.tools else None,
        "refusal": None,
        "annotations": [],
    }
    if reply.tools:
        message["tool_calls"] = [
            {"id": t.id, "type": "function", "function": {"name": t.name, "arguments": t.arguments}}
            for t in reply.tools
        ]
    return {
        "id": chunk_id,
        "object": "chat.completion",
        "created": created,
        "model": model,
        "choices": [
            {
                "index": 0,
                "message": message,
                "logprobs": None,
                "finish_reason": FINISH.get(reply.stop_reason, "stop"),
            }
        ],
        "usage": usage(reply),
        "system_fingerprint": None,
    }


def events(
    reply: Reply, chunk_id: str, model: str, created: int, include_usage: bool
) -> list[Event]:
    head = (
        b'data: {"id":' + dumps(chunk_id) + b',"object":"chat.completion.chunk","created":'
        + str(created).encode() + b',"model":' + dumps(model)
        + b',"system_fingerprint":null,"choices":['
    )  # fmt: skip
    tail = b',"usage":null}\n\n' if include_usage else b"}\n\n"

    def chunk(delta: bytes, finish: bytes = b"null") -> bytes:
        return (
            head
            + b'{"index":0,"delta":'
            + delta
            + b',"logprobs":null,"finish_reason":'
            + finish
            + b"}]"
            + tail
        )

    out: list[Event] = [(None, chunk(b'{"role":"assistant","content":"","refusal":null}'))]
    slot = 0
    for piece in reply.text_pieces:
        out.append((slot, chunk(_content(piece))))
        slot += 1
    for k, tool in enumerate(reply.tools):
        opening = {
            "tool_calls": [
                {
                    "index": k,
                    "id": tool.id,
                    "type": "function",
                    "function": {"name": tool.name, "arguments": ""},
                }
            ]
        }
        out.append((slot if tool.pieces else None, chunk(dumps(opening))))
        for piece in tool.pieces:
            more = {"tool_calls": [{"index": k, "function": {"arguments": piece}}]}
            out.append((slot, chunk(dumps(more))))
            slot += 1
    finish = FINISH.get(reply.stop_reason, "stop")
    out.append((None, chunk(b"{}", dumps(finish))))
    if include_usage:
        out.append((None, head + b"]," + b'"usage":' + dumps(usage(reply)) + b"}\n\n"))
    out.append((None, DONE))
    return out
