"""A ``Reply`` in the OpenAI Responses shape: a ``response`` object, or its SSE events

    response.created, response.in_progress,
    [response.output_item.added (message), response.content_part.added,
     response.output_text.delta..., response.output_text.done, response.content_part.done,
     response.output_item.done],
    [response.output_item.added (function_call), response.function_call_arguments.delta...,
     response.function_call_arguments.done, response.output_item.done]...,
    response.completed | response.incomplete (max_tokens)

each named (``event: <type>``) and numbered by ``sequence_number``, paired with its timing
slot. Which scripted turn answers follows ``mock.script``: the assistant turns are the runs
of assistant messages and function calls in ``input``; a request whose last item is a
``function_call_output`` gets ``on_tool_result``.
"""

from __future__ import annotations

from typing import Any

from llmgw_cli.mock.replies import Reply
from llmgw_cli.mock.script import Script, Turn
from llmgw_cli.wire import responses as rw
from llmgw_cli.wire.sse import encode_json

Event = tuple[int | None, bytes]
_ASSISTANT_SIDE = ("function_call", "reasoning", "custom_tool_call")


def pick_turn(script: Script, body: dict[str, Any]) -> Turn:
    items = rw.input_items(body)
    turns, previous = 0, False
    for item in items:
        kind = rw.item_kind(item)
        mine = kind in _ASSISTANT_SIDE or (kind == "message" and item.get("role") == "assistant")
        turns += mine and not previous
        previous = mine
    last = rw.item_kind(items[-1]) if items else ""
    return script.choose(turns, last == "function_call_output")


def usage(reply: Reply) -> dict[str, Any]:
    prompt = reply.input_tokens + reply.cache_read + reply.cache_creation
    return rw.usage(prompt, reply.output_tokens, reply.cache_read, reply.cache_creation)


def _items(reply: Reply, resp_id: str) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    if reply.text_pieces or not reply.tools:
        items.append(rw.message_item(reply.text, f"msg_{resp_id[5:]}"))
    for k, tool in enumerate(reply.tools):
        items.append(
            rw.function_call_item(tool.id, tool.name, tool.arguments, f"fc_{resp_id[5:]}_{k}")
        )
    return items


def _final(reply: Reply, resp_id: str, model: str, body: dict[str, Any]) -> dict[str, Any]:
    incomplete = reply.stop_reason == "max_tokens"
    return rw.response_object(
        body,
        response_id=resp_id,
        model=model,
        output=_items(reply, resp_id),
        status="incomplete" if incomplete else "completed",
        usage_obj=usage(reply),
        incomplete_reason="max_output_tokens" if incomplete else None,
    )


def response(reply: Reply, resp_id: str, model: str, body: dict[str, Any]) -> dict[str, Any]:
    return _final(reply, resp_id, model, body)


def events(reply: Reply, resp_id: str, model: str, body: dict[str, Any]) -> list[Event]:
    out: list[Event] = []
    seq = 0

    def send(slot: int | None, kind: str, **fields: Any) -> None:
        nonlocal seq
        out.append((slot, encode_json({"type": kind, "sequence_number": seq, **fields}, kind)))
        seq += 1

    final = _final(reply, resp_id, model, body)
    started = rw.response_object(
        body, response_id=resp_id, model=model, output=[], status="in_progress"
    )
    send(None, "response.created", response=started)
    send(None, "response.in_progress", response=started)
    slot = 0
    for index, item in enumerate(final["output"]):
        at = {"item_id": item["id"], "output_index": index}
        if item["type"] == "message":
            send(
                None,
                "response.output_item.added",
                output_index=index,
                item={**item, "status": "in_progress", "content": []},
            )
            send(None, "response.content_part.added", **at, content_index=0, part=rw.text_part(""))
            for piece in reply.text_pieces:
                send(
                    slot,
                    "response.output_text.delta",
                    **at,
                    content_index=0,
                    delta=piece,
                    logprobs=[],
                )
                slot += 1
            text = reply.text
            send(None, "response.output_text.done", **at, content_index=0, text=text, logprobs=[])
            send(None, "response.content_part.done", **at, content_index=0, part=rw.text_part(text))
        else:
            tool = reply.tools[index - (len(final["output"]) - len(reply.tools))]
            send(
                None,
                "response.output_item.added",
                output_index=index,
                item={**item, "status": "in_progress", "arguments": ""},
            )
            for piece in tool.pieces:
                send(slot, "response.function_call_arguments.delta", **at, delta=piece)
                slot += 1
            send(
                None,
                "response.function_call_arguments.done",
                **at,
                name=tool.name,
                arguments=tool.arguments,
            )
        send(None, "response.output_item.done", output_index=index, item=item)
    kind = "response.completed" if final["status"] == "completed" else "response.incomplete"
    send(None, kind, response=final)
    return out
