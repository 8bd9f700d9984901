"""What a Responses API answer must look like to the openai SDK and Codex CLI: the
``response`` object, the named, numbered event stream, and a function call."""

from __future__ import annotations

import json
from typing import Any

from llmgw_cli.wire import responses as rw
from llmgw_cli.wire.sse import SSEEvent

_ENDS = ("response.completed", "response.incomplete", "response.failed")
_NEEDS = {
    "response.output_item.added": ("output_index", "item"),
    "response.output_item.done": ("output_index", "item"),
    "response.output_text.delta": ("item_id", "output_index", "content_index", "delta"),
    "response.function_call_arguments.delta": ("item_id", "output_index", "delta"),
    "response.function_call_arguments.done": ("item_id", "output_index", "arguments"),
}


def response(obj: Any) -> tuple[list[str], str]:
    """(problems, output text) of a whole answer."""
    if not isinstance(obj, dict):
        return ["the body is not a JSON object"], ""
    problems = []
    if obj.get("object") != "response":
        problems.append(f"object is {obj.get('object')!r}, not 'response'")
    if not isinstance(obj.get("id"), str):
        problems.append("id is missing")
    if obj.get("status") not in ("completed", "incomplete", "in_progress", "failed"):
        problems.append(f"status is {obj.get('status')!r}")
    if not isinstance(obj.get("output"), list):
        problems.append("output is not a list")
    usage = obj.get("usage")
    if usage is not None and (not isinstance(usage, dict) or "output_tokens" not in usage):
        problems.append("usage.output_tokens missing")
    return problems, rw.output_text(obj)


def stream(events: list[SSEEvent]) -> tuple[list[str], str]:
    """Named events numbered 0, 1, 2, …, from response.created to a final event."""
    problems: list[str] = []
    datas: list[dict[str, Any]] = []
    for ev in events:
        try:
            data = ev.json()
        except ValueError:
            return [f"an event's data is not JSON: {ev.data[:60]!r}"], ""
        if not isinstance(data, dict) or not isinstance(data.get("type"), str):
            return ["an event has no `type`"], ""
        if ev.event is not None and ev.event != data["type"]:
            problems.append(f"event {ev.event!r} carries type {data['type']!r}")
        missing = [k for k in _NEEDS.get(data["type"], ()) if k not in data]
        if missing:
            problems.append(f"{data['type']} lacks {', '.join(missing)}")
        datas.append(data)
    if not datas:
        return ["no events"], ""
    numbers = [d.get("sequence_number") for d in datas]
    if numbers != list(range(len(datas))):
        problems.append("sequence_number is not 0, 1, 2, … in order")
    if datas[0]["type"] != "response.created":
        problems.append(f"the first event is {datas[0]['type']}, not response.created")
    if datas[-1]["type"] not in _ENDS:
        problems.append(f"the stream ends with {datas[-1]['type']}, not response.completed")
    elif datas[-1]["type"] == "response.failed":
        err = (datas[-1].get("response") or {}).get("error") or {}
        problems.append(f"response.failed: {err.get('message', 'no message')}")
    text = "".join(
        str(d.get("delta", "")) for d in datas if d["type"] == "response.output_text.delta"
    )
    return problems, text


def function_call(obj: Any, name: str) -> tuple[list[str], dict[str, Any] | None]:
    """(problems, the call) for an answer that had to call function ``name``."""
    problems, _ = response(obj)
    if problems:
        return problems, None
    calls = [i for i in obj["output"] if isinstance(i, dict) and i.get("type") == "function_call"]
    if not calls:
        return [f"no function_call item although tool_choice named {name}"], None
    call = calls[0]
    if not isinstance(call.get("call_id"), str) or not call["call_id"]:
        problems.append("the function_call has no call_id")
    if call.get("name") != name:
        problems.append(f"the function_call names {call.get('name')!r}, not {name!r}")
    try:
        args = json.loads(call.get("arguments") or "")
    except (TypeError, ValueError):
        args = None
    if not isinstance(args, dict):
        problems.append("the function_call's arguments are not a JSON object")
    return problems, call
