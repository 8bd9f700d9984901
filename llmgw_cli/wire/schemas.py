"""Just enough of the Anthropic Messages and OpenAI Chat Completions reply schemas to tell a
working gateway from one that answers something else (doctor's request and stream checks).
Each function returns problems (empty: valid) and the text it found.
"""

from __future__ import annotations

from typing import Any

from llmgw_cli.wire.sse import SSEEvent

ANTHROPIC_EVENTS = frozenset(
    {
        "message_start",
        "content_block_start",
        "content_block_delta",
        "content_block_stop",
        "message_delta",
        "message_stop",
        "ping",
        "error",
    }
)


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def anthropic_message(obj: Any) -> tuple[list[str], str]:
    if not isinstance(obj, dict):
        return ["the body is not a JSON object"], ""
    problems = []
    if obj.get("type") != "message":
        problems.append(f"type is {obj.get('type')!r}, not 'message'")
    if obj.get("role") != "assistant":
        problems.append(f"role is {obj.get('role')!r}, not 'assistant'")
    if not isinstance(obj.get("id"), str):
        problems.append("id is missing")
    content = obj.get("content")
    text = ""
    if not isinstance(content, list):
        problems.append("content is not a list")
    else:
        for block in content:
            if not isinstance(block, dict) or not isinstance(block.get("type"), str):
                problems.append("a content block has no type")
            elif block["type"] == "text":
                if not isinstance(block.get("text"), str):
                    problems.append("a text block has no text")
                else:
                    text += block["text"]
    usage = obj.get("usage")
    if (
        not isinstance(usage, dict)
        or not _is_int(usage.get("input_tokens"))
        or not _is_int(usage.get("output_tokens"))
    ):
        problems.append("usage.input_tokens/output_tokens missing")
    if "stop_reason" not in obj:
        problems.append("stop_reason missing")
    return problems, text


def openai_chat(obj: Any) -> tuple[list[str], str]:
    if not isinstance(obj, dict):
        return ["the body is not a JSON object"], ""
    problems = []
    if obj.get("object") not in ("chat.completion", None):
        problems.append(f"object is {obj.get('object')!r}, not 'chat.completion'")
    choices = obj.get("choices")
    text = ""
    if not isinstance(choices, list) or not choices:
        problems.append("choices is missing or empty")
    else:
        first = choices[0] if isinstance(choices[0], dict) else {}
        message = first.get("message")
        if not isinstance(message, dict) or message.get("role") != "assistant":
            problems.append("choices[0].message.role is not 'assistant'")
        elif not isinstance(message.get("content"), (str, type(None))):
            problems.append("choices[0].message.content is not text")
        else:
            text = message.get("content") or ""
        if "finish_reason" not in first:
            problems.append("choices[0].finish_reason missing")
    usage = obj.get("usage")
    if usage is not None and (
        not isinstance(usage, dict) or not _is_int(usage.get("completion_tokens"))
    ):
        problems.append("usage.completion_tokens missing")
    return problems, text


def anthropic_stream(events: list[SSEEvent]) -> tuple[list[str], str]:
    """Event names, order and payloads as the Anthropic SDK (and so Claude Code) expects them."""
    problems: list[str] = []
    text = ""
    kinds: list[str] = []
    open_blocks: set[int] = set()
    for ev in events:
        parsed = _anthropic_event(ev, problems)
        if parsed is None:
            continue
        kind, data = parsed
        if not kinds and kind != "message_start":
            problems.append(f"the stream starts with {kind}, not message_start")
        kinds.append(kind)
        text += _anthropic_block(kind, data, open_blocks, problems)
    if not kinds:
        problems.append("no events")
    elif kinds[-1] != "message_stop":
        problems.append(f"the stream ends with {kinds[-1]}, not message_stop (cut short?)")
    if kinds and "message_delta" not in kinds:
        problems.append("no message_delta (stop_reason and usage)")
    return list(dict.fromkeys(problems)), text


def _anthropic_event(ev: SSEEvent, problems: list[str]) -> tuple[str, Any] | None:
    """The event's type and data, or None for pings and events the stream cannot use."""
    try:
        data = ev.json()
    except ValueError:
        problems.append(f"an event's data is not JSON: {ev.data[:60]!r}")
        return None
    kind = data.get("type") if isinstance(data, dict) else None
    if kind == "error":
        err = data.get("error") if isinstance(data.get("error"), dict) else {}
        problems.append(f"error event: {err.get('message', data)}")
        return None
    if kind not in ANTHROPIC_EVENTS:
        problems.append(f"unknown event type {kind!r}")
        return None
    if ev.event != kind:  # the SDK dispatches on the `event:` line
        problems.append(f"event name {ev.event!r} does not match data type {kind!r}")
    return None if kind == "ping" else (str(kind), data)


def _anthropic_block(kind: str, data: Any, open_blocks: set[int], problems: list[str]) -> str:
    """Track content blocks opening and closing; the text a text_delta adds."""
    index = data.get("index")
    if kind == "content_block_start" and _is_int(index):
        open_blocks.add(index)
    elif kind == "content_block_delta":
        if index not in open_blocks:
            problems.append(f"a delta for block {index} before its content_block_start")
        delta = data.get("delta") if isinstance(data.get("delta"), dict) else {}
        if delta.get("type") == "text_delta":
            return str(delta.get("text", ""))
    elif kind == "content_block_stop":
        open_blocks.discard(index if _is_int(index) else -1)
    return ""


def openai_stream(events: list[SSEEvent]) -> tuple[list[str], str]:
    problems: list[str] = []
    text = ""
    done = finished = False
    for ev in events:
        if ev.is_done:
            done = True
            continue
        if done:
            problems.append("data after [DONE]")
            break
        chunk = _openai_chunk(ev, problems)
        if chunk is not None:
            text += chunk[0]
            finished = finished or chunk[1]
    if not events:
        problems.append("no events")
    elif not done:
        problems.append("no data: [DONE] at the end (cut short?)")
    if events and not finished:
        problems.append("no chunk carries a finish_reason")
    return list(dict.fromkeys(problems)), text


def _openai_chunk(ev: SSEEvent, problems: list[str]) -> tuple[str, bool] | None:
    """One chunk's text and whether it carries a finish_reason; None when unusable."""
    try:
        data = ev.json()
    except ValueError:
        problems.append(f"a chunk is not JSON: {ev.data[:60]!r}")
        return None
    if isinstance(data, dict) and "error" in data:
        problems.append(f"error chunk: {data['error']}")
        return None
    choices = data.get("choices") if isinstance(data, dict) else None
    if not isinstance(choices, list):
        problems.append("a chunk has no choices list")
        return None
    if data.get("object") not in ("chat.completion.chunk", None):
        problems.append(f"object is {data.get('object')!r}, not 'chat.completion.chunk'")
    text, finished = "", False
    for choice in choices:
        if not isinstance(choice, dict):
            continue
        delta = choice.get("delta")
        if isinstance(delta, dict):
            text += str(delta.get("content") or "")
        finished = finished or bool(choice.get("finish_reason"))
    return text, finished
