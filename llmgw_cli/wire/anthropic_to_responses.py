"""An Anthropic-speaking client (Claude Code) in front of a Responses-only member.

    responses_body = anthropic_to_responses_request(anthropic_body)       # the request
    anthropic_body = responses_to_anthropic_response(responses_response)  # the answer

(streamed answers go through ``responses_stream_to_anthropic.ResponsesToAnthropicStream``.)

Request rules:
- ``system`` becomes ``instructions``; user text, images and documents become ``input_text``,
  ``input_image`` and ``input_file`` parts of user messages; assistant text becomes an
  assistant message with ``output_text``.
- ``tool_use`` blocks become ``function_call`` items (``call_id`` = the tool_use id, exactly)
  and ``tool_result`` blocks ``function_call_output`` items (``is_error`` adds an ``Error: ``
  prefix). Thinking blocks are dropped: a Responses member cannot check Anthropic signatures.
- Tools become function tools (``strict: false``); ``max_tokens`` becomes
  ``max_output_tokens``; a thinking budget becomes ``reasoning.effort``; ``store`` is false
  (the whole conversation is sent each time). ``stop_sequences`` have no Responses field and
  are dropped; ``top_k``, betas and ``context_management`` are ignored.
"""

from __future__ import annotations

from typing import Any

from llmgw_cli.wire import responses as rw
from llmgw_cli.wire.common import (
    JsonObj,
    TranslationError,
    document_block_to_part,
    dumps_compact,
    image_block_to_part,
    new_id,
    parse_arguments,
    text_of,
)

_TOOL_CHOICE = {"auto": "auto", "any": "required", "none": "none"}


def effort_for(budget: Any) -> str:
    if not isinstance(budget, int) or budget < 4096:
        return "low"
    return "medium" if budget < 16384 else "high"


def anthropic_to_responses_request(body: JsonObj) -> JsonObj:
    """An Anthropic Messages request as a Responses request."""
    if not isinstance(body, dict) or not isinstance(body.get("messages"), list):
        raise TranslationError("an Anthropic Messages request needs a `messages` list")
    items: list[JsonObj] = []
    for msg in body["messages"]:
        if not isinstance(msg, dict):
            raise TranslationError("each entry of `messages` must be an object")
        if msg.get("role") == "assistant":
            _assistant(msg.get("content"), items)
        else:
            _user(msg.get("content"), items)
    out: JsonObj = {"model": body.get("model"), "input": items, "store": False}
    system = text_of(body.get("system")) if body.get("system") else ""
    if system:
        out["instructions"] = system
    _settings(body, out)
    tools = [_tool(t) for t in body.get("tools") or () if isinstance(t, dict)]
    tools = [t for t in tools if t is not None]
    if tools:
        out["tools"] = tools
        _tool_choice(body.get("tool_choice"), out)
    metadata = body.get("metadata")
    if isinstance(metadata, dict) and isinstance(metadata.get("user_id"), str):
        out["user"] = metadata["user_id"]
    return out


def _settings(body: JsonObj, out: JsonObj) -> None:
    """Limits, sampling, thinking and streaming."""
    if isinstance(body.get("max_tokens"), int):
        out["max_output_tokens"] = body["max_tokens"]
    for key in ("temperature", "top_p"):
        if body.get(key) is not None:
            out[key] = body[key]
    thinking = body.get("thinking")
    if isinstance(thinking, dict) and thinking.get("type") in ("enabled", "adaptive"):
        out["reasoning"] = {"effort": effort_for(thinking.get("budget_tokens")), "summary": "auto"}
    if body.get("stream"):
        out["stream"] = True


def _user(content: Any, items: list[JsonObj]) -> None:
    if isinstance(content, str):
        items.append({"type": "message", "role": "user", "content": content})
        return
    parts: list[JsonObj] = []
    for block in content if isinstance(content, list) else ():
        if not isinstance(block, dict):
            continue
        kind = block.get("type")
        if kind == "tool_result":
            items.append(_tool_output(block))
            continue
        part = _part(block)
        if part is not None:
            parts.append(part)
    if parts:
        items.append({"type": "message", "role": "user", "content": parts})


def _part(block: JsonObj) -> JsonObj | None:
    kind = block.get("type")
    if kind == "text":
        return {"type": "input_text", "text": block.get("text", "")}
    if kind == "image":
        part = image_block_to_part(block)
        if part is None:
            return None
        return {"type": "input_image", "image_url": part["image_url"]["url"], "detail": "auto"}
    if kind == "document":
        part = document_block_to_part(block)
        if part is None:
            return None
        if part["type"] == "text":
            return {"type": "input_text", "text": part["text"]}
        return {"type": "input_file", **part["file"]}
    return None


def _tool_output(block: JsonObj) -> JsonObj:
    content = block.get("content")
    text = text_of(content, "\n") if isinstance(content, list) else content
    text = text if isinstance(text, str) else ""
    if block.get("is_error"):
        text = "Error: " + text
    return {"type": "function_call_output", "call_id": block.get("tool_use_id", ""), "output": text}


def _assistant(content: Any, items: list[JsonObj]) -> None:
    if isinstance(content, str):
        if content:
            items.append(_said(content))
        return
    for block in content if isinstance(content, list) else ():
        if not isinstance(block, dict):
            continue
        kind = block.get("type")
        if kind == "text" and block.get("text"):
            items.append(_said(block["text"]))
        elif kind == "tool_use":
            items.append(
                {
                    "type": "function_call",
                    "call_id": block.get("id", ""),
                    "name": block.get("name", ""),
                    "arguments": dumps_compact(block.get("input") or {}),
                }
            )


def _said(text: str) -> JsonObj:
    return {
        "type": "message",
        "role": "assistant",
        "content": [{"type": "output_text", "text": text}],
    }


def _tool(tool: JsonObj) -> JsonObj | None:
    schema = tool.get("input_schema")
    if not isinstance(schema, dict):
        return None  # Anthropic server tools have no Responses function equivalent
    out: JsonObj = {"type": "function", "name": tool.get("name", "")}
    if tool.get("description"):
        out["description"] = tool["description"]
    out["parameters"] = schema
    out["strict"] = False
    return out


def _tool_choice(choice: Any, out: JsonObj) -> None:
    if not isinstance(choice, dict):
        return
    kind = choice.get("type")
    if kind == "tool":
        out["tool_choice"] = {"type": "function", "name": choice.get("name", "")}
    elif kind in _TOOL_CHOICE:
        out["tool_choice"] = _TOOL_CHOICE[kind]
    if choice.get("disable_parallel_tool_use") and kind != "none":
        out["parallel_tool_calls"] = False


def stop_reason(status: Any, reason: Any, has_calls: bool) -> str:
    """Anthropic's stop_reason for a Responses status and incomplete reason."""
    if status == "incomplete":
        return "refusal" if reason == "content_filter" else "max_tokens"
    return "tool_use" if has_calls else "end_turn"


def responses_to_anthropic_response(resp: JsonObj, *, model: str | None = None) -> JsonObj:
    """A Responses ``response`` object as an Anthropic message."""
    if not isinstance(resp, dict) or not isinstance(resp.get("output"), list):
        raise TranslationError("a Responses answer must be an object with an `output` list")
    content: list[JsonObj] = []
    calls = False
    for item in resp["output"]:
        kind = rw.item_kind(item)
        if kind == "reasoning":
            text = rw.content_text(item.get("summary"), "") or rw.content_text(
                item.get("content"), ""
            )
            sealed = item.get("encrypted_content")
            signed = isinstance(sealed, str) and sealed.startswith(rw.SIGNED)
            if text or signed:
                signature = sealed[len(rw.SIGNED) :] if signed else ""
                content.append({"type": "thinking", "thinking": text, "signature": signature})
        elif kind == "message":
            for part in item.get("content") or ():
                text = _answer_text(part)
                if text:
                    content.append({"type": "text", "text": text})
        elif kind == "function_call":
            calls = True
            content.append(
                {
                    "type": "tool_use",
                    "id": item.get("call_id") or new_id("toolu_"),
                    "name": item.get("name", ""),
                    "input": parse_arguments(item.get("arguments")),
                }
            )
    details = resp.get("incomplete_details")
    reason = details.get("reason") if isinstance(details, dict) else None
    return {
        "id": resp.get("id") or new_id("msg_"),
        "type": "message",
        "role": "assistant",
        "model": model or resp.get("model", ""),
        "content": content,
        "stop_reason": stop_reason(resp.get("status"), reason, calls),
        "stop_sequence": None,
        "usage": rw.usage_to_anthropic(resp.get("usage")),
    }


def _answer_text(part: Any) -> str:
    if not isinstance(part, dict):
        return ""
    value = part.get("refusal") if part.get("type") == "refusal" else part.get("text")
    return value if isinstance(value, str) else ""
