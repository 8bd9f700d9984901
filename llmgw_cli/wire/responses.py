"""The OpenAI Responses API (``POST /v1/responses``): what its requests, answers, streams,
usage and errors look like, for the mock, the shim's bridges, doctor and bench.

    request   {"model", "input": str | [items], "instructions", "tools", "tool_choice",
               "max_output_tokens", "reasoning": {"effort"}, "text": {"format"}, "stream",
               "store", "previous_response_id", ...}
    items     {"type": "message", "role", "content": str | [input_text | output_text | ...]}
              {"type": "function_call", "call_id", "name", "arguments": "<json>", "id"}
              {"type": "function_call_output", "call_id", "output": str | [parts]}
              {"type": "reasoning", "id", "summary": [{"type": "summary_text", "text"}],
               "encrypted_content"}
    answer    {"id": "resp_…", "object": "response", "status": completed | incomplete | failed,
               "output": [items], "usage": {...}, "incomplete_details": {"reason"}, ...}
    stream    named SSE events (``event: response.created``), each with ``sequence_number``:
              response.created, response.in_progress, then per output item
              response.output_item.added, (response.content_part.added,
              response.output_text.delta…, response.output_text.done,
              response.content_part.done | response.function_call_arguments.delta…,
              response.function_call_arguments.done), response.output_item.done, and last
              response.completed | response.incomplete | response.failed.
    errors    the OpenAI shape, ``{"error": {"message", "type", "param", "code"}}``.

Reasoning that came from an Anthropic member keeps its signature in ``encrypted_content``
behind ``SIGNED`` (``REDACTED`` for redacted thinking), so a later turn sent back to an
Anthropic member carries a thinking block the API accepts (docs/architecture.md).
"""

from __future__ import annotations

import json
import time
from typing import Any

from llmgw_cli.wire import error_bodies
from llmgw_cli.wire.common import JsonObj, new_id

PATH = "/v1/responses"
INPUT_TOKENS_PATH = "/v1/responses/input_tokens"
COMPACT_PATH = "/v1/responses/compact"
SIGNED = "llmgw.anthropic.signature:"
REDACTED = "llmgw.anthropic.redacted:"

# What a response echoes of its request (the SDK's Response type requires some of them).
_ECHOED = (
    "instructions",
    "max_output_tokens",
    "metadata",
    "previous_response_id",
    "reasoning",
    "temperature",
    "text",
    "top_p",
    "truncation",
    "user",
    "store",
)


_TEXT_PARTS = ("input_text", "output_text", "text", "summary_text", "reasoning_text")


def _int(value: Any) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) else 0


def content_text(content: Any, sep: str = "\n\n") -> str:
    """The text of a string or of a list of text parts (input_text, output_text, …)."""
    if isinstance(content, str):
        return content
    if not isinstance(content, list):
        return ""
    return sep.join(
        p["text"]
        for p in content
        if isinstance(p, dict) and p.get("type") in _TEXT_PARTS and isinstance(p.get("text"), str)
    )


# -- usage ---------------------------------------------------------------------------------


def usage(
    input_tokens: int,
    output_tokens: int,
    cached: int = 0,
    cache_write: int = 0,
    reasoning: int = 0,
) -> JsonObj:
    """A Responses usage object; ``input_tokens`` counts cached and written tokens too."""
    return {
        "input_tokens": input_tokens,
        "input_tokens_details": {"cached_tokens": cached, "cache_write_tokens": cache_write},
        "output_tokens": output_tokens,
        "output_tokens_details": {"reasoning_tokens": reasoning},
        "total_tokens": input_tokens + output_tokens,
    }


def usage_from_anthropic(u: Any, reasoning: int = 0) -> JsonObj:
    """Anthropic counts cache reads and writes apart from ``input_tokens``; Responses inside."""
    if not isinstance(u, dict):
        u = {}
    read = _int(u.get("cache_read_input_tokens"))
    written = _int(u.get("cache_creation_input_tokens"))
    prompt = _int(u.get("input_tokens")) + read + written
    return usage(prompt, _int(u.get("output_tokens")), read, written, reasoning)


def usage_to_anthropic(u: Any) -> JsonObj:
    """A Responses usage object in Anthropic's terms (cache reads and writes apart)."""
    input_tokens, output_tokens, read, written, _ = parse_usage(u)
    return {
        "input_tokens": max(input_tokens - read - written, 0),
        "output_tokens": output_tokens,
        "cache_read_input_tokens": read,
        "cache_creation_input_tokens": written,
    }


def parse_usage(u: Any) -> tuple[int, int, int, int, int]:
    """(input incl. cache, output, cache read, cache write, reasoning) of a usage object."""
    if not isinstance(u, dict):
        return 0, 0, 0, 0, 0
    details = u.get("input_tokens_details")
    details = details if isinstance(details, dict) else {}
    out_details = u.get("output_tokens_details")
    out_details = out_details if isinstance(out_details, dict) else {}
    return (
        _int(u.get("input_tokens")),
        _int(u.get("output_tokens")),
        _int(details.get("cached_tokens")),
        _int(details.get("cache_write_tokens")),
        _int(out_details.get("reasoning_tokens")),
    )


# -- errors ----------------------------------------------------------------------------


def error(status: int, message: str, code: str | None = None, param: str | None = None) -> JsonObj:
    """An error body as the Responses API sends it: the OpenAI shape and table
    (``error_bodies.OPENAI_BY_STATUS``), ``code`` when given."""
    body = error_bodies.openai_error(status, message, None, code)
    body["error"]["param"] = param
    return body


def stream_error(message: str) -> bytes:
    """The event that ends a passed-through stream whose upstream died (a translated one
    ends in its own numbered ``response.failed``)."""
    event = {"type": "error", "code": "server_error", "message": message, "param": None}
    return b"event: error\ndata: " + json.dumps({**event, "sequence_number": 0}).encode() + b"\n\n"


# -- input ---------------------------------------------------------------------------------


def input_items(body: JsonObj) -> list[Any]:
    """The request's ``input`` as a list of items (a string is one user message)."""
    value = body.get("input")
    if isinstance(value, str):
        return [{"type": "message", "role": "user", "content": value}]
    return value if isinstance(value, list) else []


def item_kind(item: Any) -> str:
    """An input item's type; role-only items (the SDK's easy messages) are messages."""
    if not isinstance(item, dict):
        return ""
    kind = item.get("type")
    if isinstance(kind, str):
        return kind
    return "message" if "role" in item else ""


# -- answers -------------------------------------------------------------------------------


def message_item(text: str, item_id: str | None = None, status: str = "completed") -> JsonObj:
    return {
        "id": item_id or new_id("msg_"),
        "type": "message",
        "role": "assistant",
        "status": status,
        "content": [text_part(text)] if status == "completed" else [],
    }


def text_part(text: str) -> JsonObj:
    return {"type": "output_text", "text": text, "annotations": [], "logprobs": []}


def function_call_item(
    call_id: str, name: str, arguments: str, item_id: str | None = None, status: str = "completed"
) -> JsonObj:
    return {
        "id": item_id or new_id("fc_"),
        "type": "function_call",
        "status": status,
        "call_id": call_id,
        "name": name,
        "arguments": arguments,
    }


def reasoning_item(text: str, signature: str = "", item_id: str | None = None) -> JsonObj:
    item: JsonObj = {
        "id": item_id or new_id("rs_"),
        "type": "reasoning",
        "summary": [{"type": "summary_text", "text": text}] if text else [],
    }
    if signature:
        item["encrypted_content"] = SIGNED + signature
    return item


def response_object(
    request: JsonObj,
    *,
    response_id: str,
    model: str,
    output: list[JsonObj],
    status: str = "completed",
    usage_obj: JsonObj | None = None,
    incomplete_reason: str | None = None,
    error_obj: JsonObj | None = None,
    created_at: int | None = None,
) -> JsonObj:
    """A ``response`` object echoing what the request asked for, as the API does."""
    now = created_at if created_at is not None else int(time.time())
    out: JsonObj = {
        "id": response_id,
        "object": "response",
        "created_at": now,
        "status": status,
        "error": error_obj,
        "incomplete_details": {"reason": incomplete_reason} if incomplete_reason else None,
        "model": model,
        "output": output,
        "parallel_tool_calls": request.get("parallel_tool_calls", True) is not False,
        "tool_choice": request.get("tool_choice") or "auto",
        "tools": [t for t in request.get("tools") or () if isinstance(t, dict)],
        "usage": usage_obj,
    }
    for key in _ECHOED:
        out[key] = request.get(key)
    if out["store"] is None:
        out["store"] = True
    if status == "completed":
        out["completed_at"] = int(time.time())
    return out


def output_text(response: Any) -> str:
    """All ``output_text`` of a response object, joined (the SDK's ``output_text``)."""
    if not isinstance(response, dict):
        return ""
    parts = []
    for item in response.get("output") or ():
        if isinstance(item, dict) and item.get("type") == "message":
            parts.append(content_text(item.get("content"), ""))
    return "".join(parts)
