"""An Anthropic-speaking client (Claude Code) in front of an OpenAI Chat Completions upstream.

    openai_body = anthropic_to_openai_request(anthropic_body)       # the client's request
    anthropic_body = openai_to_anthropic_response(openai_response)  # the upstream's answer

(streamed answers go through ``openai_stream_to_anthropic.OpenAIToAnthropicStream``.)

Request rules, in the order a reader asks about them:
- ``system`` (string or text blocks; ``cache_control`` ignored) becomes one leading system
  message, blocks joined by a blank line.
- A user turn's ``tool_result`` blocks become ``role: tool`` messages placed first (OpenAI
  wants them right after the assistant's ``tool_calls``), then the rest of the turn as a user
  message. A lone text block becomes a plain string; several blocks stay a parts list, so no
  boundary is lost. Images in tool results move to that user message (tool messages carry
  text only). ``is_error`` has no OpenAI field: the text gets an ``Error: `` prefix.
- Assistant ``tool_use`` blocks become ``tool_calls`` with the same ids and exact names;
  thinking blocks are dropped (OpenAI-format servers reject or ignore them as input).
- An in-message ``role: system`` (Claude Code sends them mid-conversation) stays a system
  message where it stands.
- ``thinking`` (enabled with a budget, or adaptive) becomes ``reasoning_effort`` for a
  model that takes it (``with_reasoning``: o-series, gpt-5, gpt-oss); ``reasoning_content``
  in the answer comes back as a thinking block (unsigned).
- Tools without ``input_schema`` (Anthropic server tools) have no OpenAI equivalent and are
  skipped. ``context_management``, ``top_k``, betas and other unknown fields are
  ignored. The model name passes through unchanged.
"""

from __future__ import annotations

import re
from typing import Any

from llmgw_cli.wire.common import (
    JsonObj,
    TranslationError,
    anthropic_stop,
    document_block_to_part,
    image_block_to_part,
    new_id,
    openai_usage_to_anthropic,
    parse_arguments,
    text_of,
    tool_use_to_call,
)

_TOOL_CHOICE = {"auto": "auto", "any": "required", "none": "none"}


def anthropic_to_openai_request(
    body: JsonObj, *, max_tokens_field: str = "max_completion_tokens"
) -> JsonObj:
    """An Anthropic Messages request as a Chat Completions request.

    ``max_tokens_field`` is ``"max_tokens"`` for servers that predate
    ``max_completion_tokens``.
    """
    if not isinstance(body, dict) or not isinstance(body.get("messages"), list):
        raise TranslationError("an Anthropic Messages request needs a `messages` list")
    messages: list[JsonObj] = []
    system = body.get("system")
    if system:
        text = text_of(system)
        if text:
            messages.append({"role": "system", "content": text})
    for msg in body["messages"]:
        if not isinstance(msg, dict):
            raise TranslationError("each entry of `messages` must be an object")
        if msg.get("role") == "assistant":
            messages.append(_assistant(msg.get("content")))
        elif msg.get("role") == "system":  # Claude Code's mid-conversation system turns
            messages.append({"role": "system", "content": text_of(msg.get("content") or "")})
        else:
            _user(msg.get("content"), messages)

    out: JsonObj = {"model": body.get("model"), "messages": messages}
    _options(body, out, max_tokens_field)
    return out


_REASONING_MODELS = re.compile(r"^(?:[\w.-]+/)?(?:o\d|gpt-5|gpt-oss)", re.IGNORECASE)


def takes_reasoning_effort(model: Any) -> bool:
    return isinstance(model, str) and _REASONING_MODELS.match(model) is not None


def with_reasoning(body: JsonObj, out: JsonObj) -> None:
    """Anthropic ``thinking`` as ``reasoning_effort`` when ``out``'s model takes it: a
    budget under 4k tokens is low, under 16k medium, more high; adaptive is medium."""
    thinking = body.get("thinking")
    if not isinstance(thinking, dict) or not takes_reasoning_effort(out.get("model")):
        return
    kind = thinking.get("type")
    if kind == "adaptive":
        out["reasoning_effort"] = "medium"
    elif kind == "enabled":
        budget = thinking.get("budget_tokens")
        budget = budget if isinstance(budget, int) else 8192
        out["reasoning_effort"] = "low" if budget < 4096 else "medium" if budget < 16384 else "high"


def _options(body: JsonObj, out: JsonObj, max_tokens_field: str) -> None:
    """Sampling, stop, stream, tools and user: what follows the messages."""
    if body.get("max_tokens") is not None:
        out[max_tokens_field] = body["max_tokens"]
    for key in ("temperature", "top_p"):
        if body.get(key) is not None:
            out[key] = body[key]
    if body.get("stop_sequences"):
        out["stop"] = body["stop_sequences"]
    if body.get("stream"):
        out["stream"] = True
        out["stream_options"] = {"include_usage": True}  # usage for the final message_delta
    tools = [_tool(t) for t in body.get("tools") or () if isinstance(t, dict)]
    tools = [t for t in tools if t is not None]
    if tools:
        out["tools"] = tools
        _tool_choice(body.get("tool_choice"), out)
    metadata = body.get("metadata")
    if isinstance(metadata, dict) and isinstance(metadata.get("user_id"), str):
        out["user"] = metadata["user_id"]


def _user(content: Any, messages: list[JsonObj]) -> None:
    if isinstance(content, str):
        messages.append({"role": "user", "content": content})
        return
    if not isinstance(content, list):
        raise TranslationError("message `content` must be a string or a list of blocks")
    parts: list[JsonObj] = []
    for block in content:
        if not isinstance(block, dict):
            continue
        if block.get("type") == "tool_result":
            messages.append(_tool_message(block, parts))
            continue
        part = _user_part(block)
        if part is not None:
            parts.append(part)
    if len(parts) == 1 and parts[0]["type"] == "text":
        messages.append({"role": "user", "content": parts[0]["text"]})
    elif parts:
        messages.append({"role": "user", "content": parts})


def _user_part(block: JsonObj) -> JsonObj | None:
    """A user content block as a Chat content part (None: no equivalent)."""
    kind = block.get("type")
    if kind == "text":
        return {"type": "text", "text": block.get("text", "")}
    if kind == "image":
        return image_block_to_part(block)
    if kind == "document":
        return document_block_to_part(block)
    return None


def _tool_message(block: JsonObj, spill: list[JsonObj]) -> JsonObj:
    content = block.get("content")
    if isinstance(content, list):
        texts: list[str] = []
        for item in content:
            if not isinstance(item, dict):
                continue
            if item.get("type") == "text":
                texts.append(item.get("text", ""))
            elif item.get("type") == "image":
                part = image_block_to_part(item)
                if part is not None:
                    spill.append(part)
        text = "\n".join(texts)
    else:
        text = content if isinstance(content, str) else ""
    if block.get("is_error"):
        text = "Error: " + text
    return {"role": "tool", "tool_call_id": block.get("tool_use_id", ""), "content": text}


def _assistant(content: Any) -> JsonObj:
    if isinstance(content, str):
        return {"role": "assistant", "content": content}
    texts: list[str] = []
    calls: list[JsonObj] = []
    for block in content if isinstance(content, list) else ():
        if not isinstance(block, dict):
            continue
        kind = block.get("type")
        if kind == "text":
            texts.append(block.get("text", ""))
        elif kind == "tool_use":
            calls.append(tool_use_to_call(block))
    msg: JsonObj = {"role": "assistant"}
    if len(texts) == 1:
        msg["content"] = texts[0]
    elif texts:
        msg["content"] = [{"type": "text", "text": t} for t in texts]
    else:
        msg["content"] = None if calls else ""
    if calls:
        msg["tool_calls"] = calls
    return msg


def _tool(tool: JsonObj) -> JsonObj | None:
    schema = tool.get("input_schema")
    if not isinstance(schema, dict):
        return None
    fn: JsonObj = {"name": tool.get("name", "")}
    if tool.get("description"):
        fn["description"] = tool["description"]
    fn["parameters"] = schema
    return {"type": "function", "function": fn}


def _tool_choice(choice: Any, out: JsonObj) -> None:
    if not isinstance(choice, dict):
        return
    kind = choice.get("type")
    if kind == "tool":
        out["tool_choice"] = {"type": "function", "function": {"name": choice.get("name", "")}}
    elif kind in _TOOL_CHOICE:
        out["tool_choice"] = _TOOL_CHOICE[kind]
    if choice.get("disable_parallel_tool_use") and kind != "none":
        out["parallel_tool_calls"] = False


def openai_to_anthropic_response(resp: JsonObj, *, model: str | None = None) -> JsonObj:
    """A chat.completion object as an Anthropic message (``model`` overrides the name)."""
    if not isinstance(resp, dict):
        raise TranslationError("an OpenAI chat completion must be a JSON object")
    choices = resp.get("choices")
    choice = choices[0] if isinstance(choices, list) and choices else {}
    choice = choice if isinstance(choice, dict) else {}
    message = choice.get("message")
    message = message if isinstance(message, dict) else {}
    content: list[JsonObj] = []
    reasoning = message.get("reasoning_content") or message.get("reasoning")
    if isinstance(reasoning, str) and reasoning:
        content.append({"type": "thinking", "thinking": reasoning, "signature": ""})
    text = message.get("content")
    if isinstance(text, list):
        text = text_of(text, "")
    if isinstance(text, str) and text:
        content.append({"type": "text", "text": text})
    refusal = message.get("refusal")
    if isinstance(refusal, str) and refusal:
        content.append({"type": "text", "text": refusal})
    calls = message.get("tool_calls")
    for call in calls if isinstance(calls, list) else ():
        fn = call.get("function") or {}
        content.append(
            {
                "type": "tool_use",
                "id": call.get("id") or new_id("toolu_"),
                "name": fn.get("name", ""),
                "input": parse_arguments(fn.get("arguments")),
            }
        )
    stop_reason, stop_sequence = anthropic_stop(
        choice.get("finish_reason"), choice.get("stop_reason"), bool(calls)
    )
    return {
        "id": resp.get("id") or new_id("msg_"),
        "type": "message",
        "role": "assistant",
        "model": model or resp.get("model", ""),
        "content": content,
        "stop_reason": stop_reason,
        "stop_sequence": stop_sequence,
        "usage": openai_usage_to_anthropic(resp.get("usage")),
    }
