"""A Responses-speaking client (Codex CLI, the openai SDK's ``responses.create``) in front of
an Anthropic Messages member.

    names = ToolNames.of(responses_body)
    anthropic_body = responses_to_anthropic_request(responses_body, names)      # the request
    responses_body = anthropic_to_responses_response(message, responses_body, names)  # answer

(streamed answers go through ``anthropic_stream_to_responses.AnthropicToResponsesStream``.)

Request rules:
- ``instructions`` and ``system``/``developer`` messages, wherever they stand, join into
  ``system``; user and assistant messages keep their order; consecutive turns of one role
  merge (Anthropic wants strict alternation).
- ``function_call`` items become ``tool_use`` blocks whose id is the ``call_id``, exactly;
  ``function_call_output`` items become ``tool_result`` blocks of the next user turn.
- ``reasoning`` items that came from an Anthropic member (``encrypted_content`` behind
  ``responses.SIGNED``/``REDACTED``) become the signed thinking blocks they were; others are
  dropped (Anthropic accepts only its own signatures).
- Function tools become Anthropic tools; the function tools of a ``namespace`` tool (Codex's
  ``multi_agent_v1``) are flattened to ``namespace__name`` and named back in the answer.
  Hosted tools (``web_search``, ``file_search``, …) and ``custom`` tools have no Anthropic
  equivalent and are left out.
- ``max_output_tokens`` becomes ``max_tokens`` (``default_max_tokens`` when absent: Anthropic
  requires it); ``reasoning.effort`` becomes a thinking budget that fits under it;
  ``temperature`` is clamped to 0..1; ``text.format`` and ``include`` are ignored.
"""

from __future__ import annotations

from typing import Any

from llmgw_cli.wire import responses as rw
from llmgw_cli.wire.common import (
    JsonObj,
    TranslationError,
    dumps_compact,
    file_part_to_block,
    image_part_to_block,
    new_id,
    parse_arguments,
)
from llmgw_cli.wire.responses_tools import ToolNames, anthropic_tool_choice, anthropic_tools

_BUDGET = {"low": 2048, "medium": 8192, "high": 24576, "xhigh": 32000}


def responses_to_anthropic_request(
    body: JsonObj, names: ToolNames | None = None, *, default_max_tokens: int = 8192
) -> JsonObj:
    """A Responses request as an Anthropic Messages request."""
    if not isinstance(body, dict):
        raise TranslationError("a Responses request must be a JSON object")
    if not isinstance(body.get("input"), (str, list)):
        raise TranslationError("a Responses request needs `input` (a string or a list of items)")
    names = names or ToolNames.of(body)
    system: list[str] = []
    if isinstance(body.get("instructions"), str) and body["instructions"]:
        system.append(body["instructions"])
    messages: list[JsonObj] = []
    for item in rw.input_items(body):
        _item(item, names, system, messages)
    out: JsonObj = {"model": body.get("model"), "messages": messages}
    if system:
        out["system"] = "\n\n".join(system)
    max_tokens = body.get("max_output_tokens")
    out["max_tokens"] = max_tokens if isinstance(max_tokens, int) else default_max_tokens
    _sampling(body, out)
    if body.get("stream"):
        out["stream"] = True
    tools = anthropic_tools(body.get("tools"))
    if tools:
        out["tools"] = tools
        anthropic_tool_choice(body.get("tool_choice"), body.get("parallel_tool_calls"), out)
    user = body.get("user") or body.get("safety_identifier")
    if isinstance(user, str) and user:
        out["metadata"] = {"user_id": user}
    return out


def _sampling(body: JsonObj, out: JsonObj) -> None:
    reasoning = body.get("reasoning")
    effort = reasoning.get("effort") if isinstance(reasoning, dict) else None
    budget = _BUDGET.get(effort) if isinstance(effort, str) else None
    if budget is not None and out["max_tokens"] > 1024:
        out["thinking"] = {"type": "enabled", "budget_tokens": min(budget, out["max_tokens"] - 1)}
        return  # Anthropic refuses temperature/top_p other than the defaults with thinking
    temperature = body.get("temperature")
    if isinstance(temperature, (int, float)) and not isinstance(temperature, bool):
        out["temperature"] = min(max(float(temperature), 0.0), 1.0)
    if isinstance(body.get("top_p"), (int, float)):
        out["top_p"] = body["top_p"]


def _item(item: Any, names: ToolNames, system: list[str], messages: list[JsonObj]) -> None:
    kind = rw.item_kind(item)
    if kind == "message":
        role = item.get("role")
        if role in ("system", "developer"):
            text = rw.content_text(item.get("content"))
            if text:
                system.append(text)
        elif role == "assistant":
            _append(messages, "assistant", _assistant_blocks(item.get("content")))
        else:
            _append(messages, "user", _user_blocks(item.get("content")))
    elif kind == "function_call":
        block = {
            "type": "tool_use",
            "id": item.get("call_id") or item.get("id") or new_id("toolu_"),
            "name": names.to_anthropic(str(item.get("name", "")), item.get("namespace")),
            "input": parse_arguments(item.get("arguments")),
        }
        _append(messages, "assistant", [block])
    elif kind == "function_call_output":
        _append(messages, "user", [_tool_result(item)])
    elif kind == "reasoning":
        thinking = _thinking(item)
        if thinking is not None:
            _append(messages, "assistant", [thinking])
    elif kind == "item_reference":
        raise TranslationError(
            "`item_reference` input items need the server's stored items; "
            "send the items themselves (store them on the client)"
        )
    # other items (web_search_call, …) carry nothing an Anthropic member can read


def _append(messages: list[JsonObj], role: str, blocks: list[JsonObj]) -> None:
    if not blocks:
        return
    if messages and messages[-1]["role"] == role:
        prev = messages[-1]["content"]
        if role == "user" and blocks[0]["type"] == "tool_result":
            # tool results first: Anthropic wants them right after the tool_use turn
            at = sum(1 for b in prev if b.get("type") == "tool_result")
            prev[at:at] = [b for b in blocks if b["type"] == "tool_result"]
            prev.extend(b for b in blocks if b["type"] != "tool_result")
        else:
            prev.extend(blocks)
        return
    messages.append({"role": role, "content": list(blocks)})


def _user_blocks(content: Any) -> list[JsonObj]:
    if isinstance(content, str):
        return [{"type": "text", "text": content}] if content else []
    blocks: list[JsonObj] = []
    for part in content if isinstance(content, list) else ():
        if not isinstance(part, dict):
            continue
        block = _part(part)
        if block is not None:
            blocks.append(block)
    return blocks


def _part(part: JsonObj) -> JsonObj | None:
    kind = part.get("type")
    if kind in ("input_text", "output_text", "text"):
        text = part.get("text")
        return {"type": "text", "text": text} if isinstance(text, str) and text else None
    if kind == "input_image":
        return image_part_to_block({"image_url": part.get("image_url")})
    if kind == "input_file":
        return file_part_to_block(
            {"file": {"file_data": part.get("file_data"), "filename": part.get("filename")}}
        )
    return None


def _assistant_blocks(content: Any) -> list[JsonObj]:
    if isinstance(content, str):
        return [{"type": "text", "text": content}] if content else []
    blocks: list[JsonObj] = []
    for part in content if isinstance(content, list) else ():
        if isinstance(part, dict) and part.get("type") in ("output_text", "refusal", "text"):
            text = part.get("text") if part.get("type") != "refusal" else part.get("refusal")
            if isinstance(text, str) and text:
                blocks.append({"type": "text", "text": text})
    return blocks


def _tool_result(item: JsonObj) -> JsonObj:
    output = item.get("output")
    content: str | list[JsonObj]
    if isinstance(output, list):
        content = [b for p in output if isinstance(p, dict) for b in [_part(p)] if b is not None]
    else:
        content = output if isinstance(output, str) else dumps_compact(output)
    return {"type": "tool_result", "tool_use_id": item.get("call_id", ""), "content": content}


def _thinking(item: JsonObj) -> JsonObj | None:
    sealed = item.get("encrypted_content")
    if not isinstance(sealed, str):
        return None
    if sealed.startswith(rw.REDACTED):
        return {"type": "redacted_thinking", "data": sealed[len(rw.REDACTED) :]}
    if not sealed.startswith(rw.SIGNED):
        return None
    text = rw.content_text(item.get("summary"), "") or rw.content_text(item.get("content"), "")
    return {"type": "thinking", "thinking": text, "signature": sealed[len(rw.SIGNED) :]}


def anthropic_to_responses_response(
    message: JsonObj,
    request: JsonObj,
    names: ToolNames | None = None,
    *,
    response_id: str | None = None,
    model: str | None = None,
) -> JsonObj:
    """An Anthropic message as a Responses ``response`` object answering ``request``."""
    if not isinstance(message, dict):
        raise TranslationError("an Anthropic message must be a JSON object")
    names = names or ToolNames.of(request)
    output = output_items(message.get("content"), names)
    status, reason = status_of(message.get("stop_reason"))
    return rw.response_object(
        request,
        response_id=response_id or new_id("resp_"),
        model=model or str(message.get("model") or request.get("model") or ""),
        output=output,
        status=status,
        usage_obj=rw.usage_from_anthropic(message.get("usage")),
        incomplete_reason=reason,
    )


def status_of(stop_reason: Any) -> tuple[str, str | None]:
    """(status, incomplete reason) for an Anthropic stop_reason."""
    if stop_reason in ("max_tokens", "model_context_window_exceeded"):
        return "incomplete", "max_output_tokens"
    if stop_reason == "refusal":
        return "incomplete", "content_filter"
    return "completed", None


def output_items(content: Any, names: ToolNames) -> list[JsonObj]:
    """Anthropic content blocks as Responses output items, in order."""
    items: list[JsonObj] = []
    texts: list[str] = []
    for block in content if isinstance(content, list) else ():
        if not isinstance(block, dict):
            continue
        kind = block.get("type")
        if kind == "text":
            texts.append(str(block.get("text", "")))
            continue
        if texts:
            items.append(rw.message_item("".join(texts)))
            texts = []
        if kind == "tool_use":
            call = rw.function_call_item(
                str(block.get("id", "")), "", dumps_compact(block.get("input") or {})
            )
            call.update(names.call_fields(str(block.get("name", ""))))
            items.append(call)
        elif kind == "thinking":
            items.append(
                rw.reasoning_item(str(block.get("thinking", "")), block.get("signature") or "")
            )
        elif kind == "redacted_thinking":
            item = rw.reasoning_item("")
            item["encrypted_content"] = rw.REDACTED + str(block.get("data", ""))
            items.append(item)
    if texts:
        items.append(rw.message_item("".join(texts)))
    return items
