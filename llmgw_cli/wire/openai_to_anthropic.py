"""An OpenAI-speaking client (the openai SDK, OpenAI-style tools) in front of an Anthropic upstream.

    anthropic_body = openai_to_anthropic_request(openai_body)          # the client's request
    openai_body = anthropic_to_openai_response(anthropic_response)     # the upstream's answer

(streamed answers go through ``anthropic_stream_to_openai.AnthropicToOpenAIStream``;
whether the client asked for a final usage chunk is ``wants_usage(openai_body)``.)

Request rules:
- ``system`` and ``developer`` messages, wherever they stand, join into ``system``.
- ``role: tool`` messages become ``tool_result`` blocks in a user turn; consecutive turns of
  the same role are merged (tool results first), as Anthropic expects strict alternation.
- Assistant ``tool_calls`` become ``tool_use`` blocks with the same ids and exact names;
  ``reasoning_content`` is dropped (Anthropic accepts only signed thinking blocks).
- ``max_completion_tokens`` or ``max_tokens`` becomes ``max_tokens`` (required by
  Anthropic: ``default_max_tokens`` when the client sent none); ``temperature`` is clamped
  to Anthropic's 0..1; ``stop`` becomes ``stop_sequences``; ``user`` becomes
  ``metadata.user_id``; ``parallel_tool_calls: false`` becomes ``disable_parallel_tool_use``.
- ``n`` > 1 cannot be served and raises ``TranslationError``; ``response_format``,
  ``logprobs``, ``seed`` and other unknown fields are ignored.
"""

from __future__ import annotations

import time
from typing import Any

from llmgw_cli.wire.common import (
    JsonObj,
    TranslationError,
    anthropic_usage_to_openai,
    file_part_to_block,
    image_part_to_block,
    new_id,
    openai_finish,
    parse_arguments,
    text_of,
    tool_use_to_call,
)

_TOOL_CHOICE = {"auto": {"type": "auto"}, "required": {"type": "any"}, "none": {"type": "none"}}


def wants_usage(body: JsonObj) -> bool:
    """True when an OpenAI streaming request asked for the final usage chunk."""
    opts = body.get("stream_options")
    return isinstance(opts, dict) and bool(opts.get("include_usage"))


def openai_to_anthropic_request(body: JsonObj, *, default_max_tokens: int = 4096) -> JsonObj:
    """A Chat Completions request as an Anthropic Messages request."""
    if not isinstance(body, dict) or not isinstance(body.get("messages"), list):
        raise TranslationError("a Chat Completions request needs a `messages` list")
    n = body.get("n")
    if isinstance(n, int) and n > 1:
        raise TranslationError("`n` > 1 cannot be translated to Anthropic Messages; send n=1")
    system: list[str] = []
    messages: list[JsonObj] = []
    for msg in body["messages"]:
        if not isinstance(msg, dict):
            raise TranslationError("each entry of `messages` must be an object")
        _message(msg, system, messages)

    out: JsonObj = {"model": body.get("model"), "messages": messages}
    if system:
        out["system"] = "\n\n".join(system)
    _sampling(body, out, default_max_tokens)
    _tools(body, out)
    if isinstance(body.get("user"), str):
        out["metadata"] = {"user_id": body["user"]}
    return out


def _message(msg: JsonObj, system: list[str], messages: list[JsonObj]) -> None:
    role = msg.get("role")
    if role in ("system", "developer"):
        text = text_of(msg.get("content"))
        if text:
            system.append(text)
    elif role == "user":
        _append(messages, "user", _user_content(msg.get("content")))
    elif role == "assistant":
        content = _assistant_content(msg)
        if content:
            _append(messages, "assistant", content)
    elif role == "tool":
        _append(messages, "user", [_tool_result(msg)])


def _sampling(body: JsonObj, out: JsonObj, default_max_tokens: int) -> None:
    max_tokens = body.get("max_completion_tokens") or body.get("max_tokens")
    out["max_tokens"] = max_tokens if isinstance(max_tokens, int) else default_max_tokens
    temperature = body.get("temperature")
    if isinstance(temperature, (int, float)):
        out["temperature"] = min(max(float(temperature), 0.0), 1.0)
    if body.get("top_p") is not None:
        out["top_p"] = body["top_p"]
    stop = body.get("stop")
    if isinstance(stop, str):
        out["stop_sequences"] = [stop]
    elif isinstance(stop, list) and stop:
        out["stop_sequences"] = stop
    if body.get("stream"):
        out["stream"] = True


def _tools(body: JsonObj, out: JsonObj) -> None:
    # Only function tools translate (OpenAI's "custom" free-text tools have no schema).
    tools = [
        _function(t["function"])
        for t in body.get("tools") or ()
        if isinstance(t, dict)
        and t.get("type", "function") == "function"
        and isinstance(t.get("function"), dict)
        and t["function"].get("name")
    ]
    tools += [_function(f) for f in body.get("functions") or () if isinstance(f, dict)]
    if tools:
        out["tools"] = tools
        _tool_choice(body.get("tool_choice"), body.get("parallel_tool_calls"), out)


def _append(messages: list[JsonObj], role: str, content: str | list[JsonObj]) -> None:
    if messages and messages[-1]["role"] == role:
        prev = messages[-1]
        prev_content = prev["content"]
        if isinstance(prev_content, str):
            prev_content = [{"type": "text", "text": prev_content}] if prev_content else []
        if isinstance(content, str):
            content = [{"type": "text", "text": content}] if content else []
        prev["content"] = prev_content + content
        return
    messages.append({"role": role, "content": content})


def _user_content(content: Any) -> str | list[JsonObj]:
    if isinstance(content, str):
        return content
    blocks: list[JsonObj] = []
    for part in content if isinstance(content, list) else ():
        if not isinstance(part, dict):
            continue
        kind = part.get("type")
        block: JsonObj | None = None
        if kind in ("text", "input_text"):
            if part.get("text"):  # Anthropic rejects empty text blocks
                block = {"type": "text", "text": part["text"]}
        elif kind == "image_url":
            block = image_part_to_block(part)
        elif kind == "file":
            block = file_part_to_block(part)
        if block is not None:
            blocks.append(block)
    return blocks


def _assistant_content(msg: JsonObj) -> list[JsonObj]:
    blocks: list[JsonObj] = []
    content = msg.get("content")
    if isinstance(content, str):
        if content:
            blocks.append({"type": "text", "text": content})
    elif isinstance(content, list):
        blocks.extend(
            {"type": "text", "text": p["text"]}
            for p in content
            if isinstance(p, dict) and p.get("type") == "text" and p.get("text")
        )
    for call in msg.get("tool_calls") or ():
        if not isinstance(call, dict):
            continue
        fn = call.get("function") or {}
        blocks.append(
            {
                "type": "tool_use",
                "id": call.get("id") or new_id("toolu_"),
                "name": fn.get("name", ""),
                "input": parse_arguments(fn.get("arguments")),
            }
        )
    return blocks


def _tool_result(msg: JsonObj) -> JsonObj:
    content = msg.get("content")
    if isinstance(content, list):
        value: str | list[JsonObj] = [
            {"type": "text", "text": p["text"]}
            for p in content
            if isinstance(p, dict) and p.get("type") == "text" and p.get("text")
        ]
    else:
        value = content if isinstance(content, str) else ""
    return {"type": "tool_result", "tool_use_id": msg.get("tool_call_id", ""), "content": value}


def _function(fn: JsonObj) -> JsonObj:
    out: JsonObj = {"name": fn.get("name", "")}
    if fn.get("description"):
        out["description"] = fn["description"]
    params = fn.get("parameters")
    if not isinstance(params, dict):
        params = {"type": "object", "properties": {}}
    out["input_schema"] = params
    return out


def _tool_choice(choice: Any, parallel: Any, out: JsonObj) -> None:
    result: JsonObj | None = None
    if isinstance(choice, str) and choice in _TOOL_CHOICE:
        result = dict(_TOOL_CHOICE[choice])
    elif isinstance(choice, dict):
        fn = choice.get("function")
        if isinstance(fn, dict) and fn.get("name"):
            result = {"type": "tool", "name": fn["name"]}
    if parallel is False and (result is None or result["type"] != "none"):
        result = result or {"type": "auto"}
        result["disable_parallel_tool_use"] = True
    if result is not None:
        out["tool_choice"] = result


def anthropic_to_openai_response(resp: JsonObj, *, model: str | None = None) -> JsonObj:
    """An Anthropic message as a chat.completion object (``model`` overrides the name)."""
    if not isinstance(resp, dict):
        raise TranslationError("an Anthropic message must be a JSON object")
    texts: list[str] = []
    thinking: list[str] = []
    calls: list[JsonObj] = []
    for block in resp.get("content") or ():
        if not isinstance(block, dict):
            continue
        kind = block.get("type")
        if kind == "text":
            texts.append(block.get("text", ""))
        elif kind == "thinking":
            thinking.append(block.get("thinking", ""))
        elif kind == "tool_use":
            calls.append(tool_use_to_call(block))
    message: JsonObj = {
        "role": "assistant",
        "content": "".join(texts) if texts or not calls else None,
    }
    if calls:
        message["tool_calls"] = calls
    if thinking:
        message["reasoning_content"] = "".join(thinking)
    return {
        "id": resp.get("id") or new_id("chatcmpl-"),
        "object": "chat.completion",
        "created": int(time.time()),
        "model": model or resp.get("model", ""),
        "choices": [
            {
                "index": 0,
                "message": message,
                "logprobs": None,
                "finish_reason": openai_finish(resp.get("stop_reason")),
            }
        ],
        "usage": anthropic_usage_to_openai(resp.get("usage")),
    }
