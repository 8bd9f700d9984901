"""Responses stream events -> Anthropic stream events (Claude Code on a Responses member).

    tr = ResponsesToAnthropicStream()
    for event in upstream_events:     # parsed JSON of each Responses SSE `data:` line
        for ev in tr.feed(event):     # Anthropic event dicts; the SSE event name is ev["type"]
            send(ev)
    for ev in tr.finish():            # when the upstream body ends
        send(ev)

``response.created`` -> ``message_start``; an ``output_text`` (or ``refusal``) content part
-> a text block; reasoning summary or reasoning text deltas -> a thinking block (empty
signature, unless the item carries one from an Anthropic member); a ``function_call`` item
-> a ``tool_use`` block whose id is the ``call_id``, its argument deltas ->
``input_json_delta`` (a server that sends only ``response.function_call_arguments.done``
still gives the whole arguments). ``response.completed``/``incomplete`` ->
``message_delta`` (stop_reason, usage) and ``message_stop``; ``response.failed`` or an
``error`` event -> an Anthropic ``error`` event.
One block is open at a time, as Claude Code expects.
"""

from __future__ import annotations

from json.encoder import encode_basestring
from typing import Any

from llmgw_cli.wire import responses as rw
from llmgw_cli.wire.anthropic_to_responses import stop_reason
from llmgw_cli.wire.common import JsonObj, new_id

_HOT = {
    "response.output_text.delta": ("text", b'"text_delta","text":'),
    "response.function_call_arguments.delta": ("tool", b'"input_json_delta","partial_json":'),
}


class ResponsesToAnthropicStream:
    """State machine for one streamed response; not reusable."""

    __slots__ = ("_args_sent", "_calls", "_model", "_next", "_open", "_started", "_usage", "done")

    def __init__(self, *, model: str | None = None) -> None:
        self._model = model
        self._started = False
        self._next = 0  # next Anthropic block index
        self._open: tuple[Any, str, int] | None = None  # (output_index, kind, block index)
        self._calls: dict[Any, JsonObj] = {}  # output_index -> function_call item
        self._args_sent: set[Any] = set()
        self._usage: JsonObj = {"input_tokens": 0, "output_tokens": 0}
        self.done = False

    @property
    def usage(self) -> JsonObj:
        return self._usage

    def feed(self, event: JsonObj) -> list[JsonObj]:
        if self.done or not isinstance(event, dict):
            return []
        kind = event.get("type")
        out: list[JsonObj] = [] if self._started else self._start(event)
        where = event.get("output_index")
        if kind == "response.output_text.delta" or kind == "response.refusal.delta":
            self._to(where, "text", out)
            self._delta(out, {"type": "text_delta", "text": str(event.get("delta", ""))})
        elif kind in ("response.reasoning_summary_text.delta", "response.reasoning_text.delta"):
            self._to(where, "thinking", out)
            self._delta(out, {"type": "thinking_delta", "thinking": str(event.get("delta", ""))})
        elif kind == "response.function_call_arguments.delta":
            self._arguments(where, str(event.get("delta", "")), out)
        elif kind == "response.output_item.added":
            item = event.get("item")
            if isinstance(item, dict) and item.get("type") == "function_call":
                self._calls[where] = item
        elif kind == "response.function_call_arguments.done" and where not in self._args_sent:
            self._arguments(where, str(event.get("arguments", "")), out)
        elif kind == "response.output_item.done":
            self._item_done(where, event.get("item"), out)
        elif kind in ("response.completed", "response.incomplete"):
            self._end(event.get("response"), out)
        elif kind in ("response.failed", "error"):
            out.append(self._error(event))
        return out

    def delta_bytes(self, event: JsonObj) -> bytes | None:
        """The SSE bytes of a text or argument delta for the block already open, without
        building the event dict (a stream's hot path); None for anything else."""
        hot = _HOT.get(event.get("type"))  # type: ignore[arg-type]
        opened = self._open
        if hot is None or opened is None or self.done:
            return None
        if opened[0] != event.get("output_index") or opened[1] != hot[0]:
            return None
        piece = event.get("delta")
        if not isinstance(piece, str):
            return None
        if not piece:
            return b""
        if hot[0] == "tool":
            self._args_sent.add(opened[0])
        return b"".join(
            (
                b'event: content_block_delta\ndata: {"type":"content_block_delta","index":',
                str(opened[2]).encode(),
                b',"delta":{"type":',
                hot[1],
                encode_basestring(piece).encode(),
                b"}}\n\n",
            )
        )

    def finish(self) -> list[JsonObj]:
        """When the body ended without a final event: the answer so far, then an error."""
        if self.done:
            return []
        out = [] if self._started else self._start({})
        self._close(out)
        self.done = True
        out.append(
            {
                "type": "error",
                "error": {
                    "type": "api_error",
                    "message": "the upstream stream ended before the answer was complete",
                },
            }
        )
        return out

    def _start(self, event: JsonObj) -> list[JsonObj]:
        self._started = True
        resp = event.get("response")
        resp = resp if isinstance(resp, dict) else {}
        return [
            {
                "type": "message_start",
                "message": {
                    "id": resp.get("id") or new_id("msg_"),
                    "type": "message",
                    "role": "assistant",
                    "model": self._model or resp.get("model") or "",
                    "content": [],
                    "stop_reason": None,
                    "stop_sequence": None,
                    "usage": {"input_tokens": 0, "output_tokens": 0},
                },
            }
        ]

    def _to(self, where: Any, kind: str, out: list[JsonObj]) -> None:
        """Make the open block the ``kind`` block of output item ``where``."""
        if self._open is not None and self._open[0] == where and self._open[1] == kind:
            return
        self._close(out)
        block: JsonObj
        if kind == "text":
            block = {"type": "text", "text": ""}
        elif kind == "thinking":
            block = {"type": "thinking", "thinking": "", "signature": ""}
        else:
            call = self._calls.get(where) or {}
            block = {
                "type": "tool_use",
                "id": call.get("call_id") or new_id("toolu_"),
                "name": call.get("name", ""),
                "input": {},
            }
        self._open = (where, kind, self._next)
        out.append({"type": "content_block_start", "index": self._next, "content_block": block})
        self._next += 1

    def _delta(self, out: list[JsonObj], delta: JsonObj) -> None:
        assert self._open is not None
        out.append({"type": "content_block_delta", "index": self._open[2], "delta": delta})

    def _arguments(self, where: Any, text: str, out: list[JsonObj]) -> None:
        self._to(where, "tool", out)
        if text:
            self._args_sent.add(where)
            self._delta(out, {"type": "input_json_delta", "partial_json": text})

    def _item_done(self, where: Any, item: Any, out: list[JsonObj]) -> None:
        if isinstance(item, dict) and item.get("type") == "function_call":
            self._calls[where] = item
            if where not in self._args_sent:  # no argument events: the whole item now
                self._arguments(where, str(item.get("arguments") or ""), out)
        if self._open is not None and self._open[0] == where:
            if self._open[1] == "thinking":
                self._signature(item, out)
            self._close(out)

    def _signature(self, item: Any, out: list[JsonObj]) -> None:
        """A signature from an Anthropic member that came through a Responses client."""
        sealed = item.get("encrypted_content") if isinstance(item, dict) else None
        if isinstance(sealed, str) and sealed.startswith(rw.SIGNED):
            self._delta(out, {"type": "signature_delta", "signature": sealed[len(rw.SIGNED) :]})

    def _close(self, out: list[JsonObj]) -> None:
        if self._open is not None:
            out.append({"type": "content_block_stop", "index": self._open[2]})
            self._open = None

    def _end(self, resp: Any, out: list[JsonObj]) -> None:
        self._close(out)
        resp = resp if isinstance(resp, dict) else {}
        details = resp.get("incomplete_details")
        reason = details.get("reason") if isinstance(details, dict) else None
        self._usage = rw.usage_to_anthropic(resp.get("usage"))
        stop = stop_reason(resp.get("status"), reason, bool(self._calls))
        out.append(
            {
                "type": "message_delta",
                "delta": {"stop_reason": stop, "stop_sequence": None},
                "usage": self._usage,
            }
        )
        out.append({"type": "message_stop"})
        self.done = True

    def _error(self, event: JsonObj) -> JsonObj:
        self.done = True
        resp = event.get("response")
        err = resp.get("error") if isinstance(resp, dict) else event
        message = err.get("message") if isinstance(err, dict) else None
        code = err.get("code") if isinstance(err, dict) else None
        kind = "rate_limit_error" if code == "rate_limit_exceeded" else "api_error"
        return {
            "type": "error",
            "error": {"type": kind, "message": str(message or "the upstream response failed")},
        }
