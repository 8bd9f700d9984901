"""A ``Reply`` in the Anthropic Messages shape: a JSON message, or the SSE event sequence

    message_start, content_block_start, ping, content_block_delta (text_delta)...,
    content_block_stop, [content_block_start tool_use, input_json_delta..., content_block_stop]...,
    message_delta (stop_reason, usage), message_stop

Each event is paired with its timing slot (``None``: send right away after the previous one).
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from llmgw_cli.mock.replies import Reply
from llmgw_cli.wire.sse import encode_json

Event = tuple[int | None, bytes]

PING = encode_json({"type": "ping"}, "ping")
MESSAGE_STOP = encode_json({"type": "message_stop"}, "message_stop")


@lru_cache(maxsize=4096)
def _text_delta(index: int, text: str) -> bytes:
    return encode_json(
        {
            "type": "content_block_delta",
            "index": index,
            "delta": {"type": "text_delta", "text": text},
        },
        "content_block_delta",
    )


@lru_cache(maxsize=64)
def _text_start(index: int) -> bytes:
    return encode_json(
        {
            "type": "content_block_start",
            "index": index,
            "content_block": {"type": "text", "text": ""},
        },
        "content_block_start",
    )


@lru_cache(maxsize=64)
def _block_stop(index: int) -> bytes:
    return encode_json({"type": "content_block_stop", "index": index}, "content_block_stop")


def usage(reply: Reply, output_tokens: int) -> dict[str, Any]:
    result: dict[str, Any] = {
        "input_tokens": reply.input_tokens,
        "cache_creation_input_tokens": reply.cache_creation,
        "cache_read_input_tokens": reply.cache_read,
        "output_tokens": output_tokens,
    }
    if reply.cache_ttl_split is not None:
        five, hour = reply.cache_ttl_split
        result["cache_creation"] = {
            "ephemeral_5m_input_tokens": five,
            "ephemeral_1h_input_tokens": hour,
        }
    return result


def message(reply: Reply, msg_id: str, model: str) -> dict[str, Any]:
    content: list[dict[str, Any]] = []
    if reply.text_pieces or not reply.tools:
        content.append({"type": "text", "text": reply.text})
    content.extend(
        {"type": "tool_use", "id": t.id, "name": t.name, "input": t.input} for t in reply.tools
    )
    return {
        "id": msg_id,
        "type": "message",
        "role": "assistant",
        "model": model,
        "content": content,
        "stop_reason": reply.stop_reason,
        "stop_sequence": None,
        "usage": usage(reply, reply.output_tokens),
    }


def events(reply: Reply, msg_id: str, model: str) -> list[Event]:
    start: dict[str, Any] = {
        "id": msg_id,
        "type": "message",
        "role": "assistant",
        "model": model,
        "content": [],
        "stop_reason": None,
        "stop_sequence": None,
        "usage": usage(reply, min(1, reply.output_tokens)),
    }
    out: list[Event] = [
        (None, encode_json({"type": "message_start", "message": start}, "message_start"))
    ]
    slot = index = 0
    if reply.text_pieces or not reply.tools:
        out.append((None, _text_start(0)))
        out.append((None, PING))
        for piece in reply.text_pieces:
            out.append((slot, _text_delta(0, piece)))
            slot += 1
        out.append((None, _block_stop(0)))
        index = 1
    else:
        out.append((None, PING))
    for tool in reply.tools:
        block = {"type": "tool_use", "id": tool.id, "name": tool.name, "input": {}}
        first = slot if tool.pieces else None
        out.append(
            (
                first,
                encode_json(
                    {"type": "content_block_start", "index": index, "content_block": block},
                    "content_block_start",
                ),
            )
        )
        for piece in tool.pieces:
            delta = {"type": "input_json_delta", "partial_json": piece}
            out.append(
                (
                    slot,
                    encode_json(
                        {"type": "content_block_delta", "index": index, "delta": delta},
                        "content_block_delta",
                    ),
                )
            )
            slot += 1
        out.append((None, _block_stop(index)))
        index += 1
    end = {
        "type": "message_delta",
        "delta": {"stop_reason": reply.stop_reason, "stop_sequence": None},
        "usage": usage(reply, reply.output_tokens),
    }
    out.append((None, encode_json(end, "message_delta")))
    out.append((None, MESSAGE_STOP))
    return out
