"""Anthropic stream events -> Responses stream events (for Codex and ``responses.create``).

    tr = AnthropicToResponsesStream(responses_request, names)
    for event in upstream_events:     # parsed JSON of each Anthropic SSE `data:` line
        for ev in tr.feed(event):     # Responses event dicts; the SSE event name is ev["type"]
            send(ev)
    for ev in tr.finish():            # when the upstream body ends
        send(ev)

The sequence is the API's own: ``response.created`` and ``response.in_progress`` at
``message_start``; each content block becomes one output item, announced by
``response.output_item.added`` and closed by ``response.output_item.done``:
- text: ``response.content_part.added``, ``response.output_text.delta``…,
  ``response.output_text.done``, ``response.content_part.done``;
- thinking: a reasoning item with ``response.reasoning_summary_part.added``,
  ``response.reasoning_summary_text.delta``…, ``….done``; its signature travels in the
  item's ``encrypted_content`` (see ``wire.responses``);
- tool_use: a function_call item (``call_id`` = the tool_use id) with
  ``response.function_call_arguments.delta``… and ``….done``.
``message_stop`` ends with ``response.completed`` (``response.incomplete`` for max_tokens or
a refusal) carrying every item and the usage; an ``error`` event, or a body that ends
before ``message_stop``, ends with ``response.failed``. Every event has ``sequence_number``
0, 1, 2, … ``ping`` and unknown events produce nothing.
"""

from __future__ import annotations

import json
from json.encoder import encode_basestring

from llmgw_cli.wire import responses as rw
from llmgw_cli.wire.common import JsonObj, new_id
from llmgw_cli.wire.responses_to_anthropic import status_of
from llmgw_cli.wire.responses_tools import ToolNames

_TEXT = b"response.output_text.delta"
_ARGS = b"response.function_call_arguments.delta"


def _heads(kind: bytes, item_id: str, output_index: int, text: bool) -> tuple[bytes, bytes, bytes]:
    """The fixed bytes around a delta event's sequence number and delta, per item."""
    middle = b',"item_id":' + encode_basestring(item_id).encode()
    middle += b',"output_index":' + str(output_index).encode()
    middle += b',"content_index":0,"delta":' if text else b',"delta":'
    tail = b',"logprobs":[]}\n\n' if text else b"}\n\n"
    return b"event: " + kind + b'\ndata: {"type":"' + kind + b'","sequence_number":', middle, tail


class _Open:
    """An output item being streamed; its text kept JSON-escaped, decoded once at the end."""

    __slots__ = ("heads", "index", "item", "kind", "parts")

    def __init__(self, index: int, kind: str, item: JsonObj) -> None:
        self.index = index  # output_index
        self.kind = kind
        self.item = item
        self.parts: list[str] = []  # pieces as JSON string bodies (escaped, no quotes)
        self.heads: tuple[bytes, bytes, bytes] | None = None  # see delta_bytes

    def add(self, piece: str) -> None:
        self.parts.append(encode_basestring(piece)[1:-1])

    def text(self) -> str:
        if not self.parts:
            return ""
        value: str = json.loads('"' + "".join(self.parts) + '"')
        return value


class AnthropicToResponsesStream:
    """State machine for one streamed response; not reusable."""

    __slots__ = (
        "_blocks",
        "_id",
        "_items",
        "_model",
        "_names",
        "_request",
        "_seq",
        "_started",
        "_status",
        "_stop",
        "_usage",
        "done",
    )

    def __init__(
        self,
        request: JsonObj,
        names: ToolNames | None = None,
        *,
        response_id: str | None = None,
        model: str | None = None,
    ) -> None:
        self._request = request
        self._names = names or ToolNames.of(request)
        self._id = response_id or new_id("resp_")
        self._model = model
        self._seq = 0
        self._started = False
        self._blocks: dict[int, _Open] = {}
        self._items: list[tuple[int, JsonObj]] = []  # (output_index, item) once done
        self._usage: JsonObj = {}
        self._stop: str | None = None
        self._status: str | None = None
        self.done = False

    @property
    def usage(self) -> JsonObj:
        """Anthropic-shaped usage seen so far (for the shim's plugins)."""
        return self._usage

    @property
    def response_id(self) -> str:
        return self._id

    @property
    def status(self) -> str | None:
        """completed | incomplete | failed once the stream ended, else None."""
        return self._status

    @property
    def output(self) -> list[JsonObj]:
        """The finished output items, in output order (kept for previous_response_id)."""
        return [item for _, item in sorted(self._items, key=lambda pair: pair[0])]

    def feed(self, event: JsonObj) -> list[JsonObj]:
        if self.done or not isinstance(event, dict):
            return []
        kind = event.get("type")
        if kind == "content_block_delta":
            return self._delta(event)
        out: list[JsonObj] = [] if self._started else self._start(event)
        if kind == "content_block_start":
            self._block_start(event, out)
        elif kind == "content_block_stop":
            self._block_stop(event.get("index"), out)
        elif kind == "message_delta":
            delta = event.get("delta")
            if isinstance(delta, dict) and delta.get("stop_reason"):
                self._stop = delta["stop_reason"]
            self._take_usage(event.get("usage"))
        elif kind == "message_stop":
            out.extend(self._end())
        elif kind == "error":
            err = event.get("error")
            message = err.get("message") if isinstance(err, dict) else None
            out.extend(self.fail(str(message or "the upstream stream failed")))
        return out

    def finish(self) -> list[JsonObj]:
        """Closing events when the upstream body ended without ``message_stop``."""
        if self.done:
            return []
        out = [] if self._started else self._start({})
        out.extend(self.fail("the upstream stream ended before the answer was complete"))
        return out

    def fail(self, message: str, code: str = "server_error") -> list[JsonObj]:
        if self.done:
            return []
        self.done = True
        self._status = "failed"
        error = {"code": code, "message": message}
        return [self._ev("response.failed", response=self._response("failed", error=error))]

    # -- events ----------------------------------------------------------------------------

    def _ev(self, kind: str, **fields: object) -> JsonObj:
        ev: JsonObj = {"type": kind, "sequence_number": self._seq, **fields}
        self._seq += 1
        return ev

    def _response(
        self, status: str, reason: str | None = None, error: JsonObj | None = None
    ) -> JsonObj:
        final = status != "in_progress"
        return rw.response_object(
            self._request,
            response_id=self._id,
            model=self._model or str(self._request.get("model") or ""),
            output=self.output if final else [],
            status=status,
            usage_obj=rw.usage_from_anthropic(self._usage) if final else None,
            incomplete_reason=reason,
            error_obj=error,
        )

    def _start(self, event: JsonObj) -> list[JsonObj]:
        self._started = True
        msg = event.get("message") if event.get("type") == "message_start" else None
        if isinstance(msg, dict):
            self._take_usage(msg.get("usage"))
            if not self._model and isinstance(msg.get("model"), str):
                self._model = msg["model"]
        created = self._response("in_progress")
        return [
            self._ev("response.created", response=created),
            self._ev("response.in_progress", response=created),
        ]

    def _take_usage(self, usage: object) -> None:
        if isinstance(usage, dict):
            self._usage.update({k: v for k, v in usage.items() if v is not None})

    def _block_start(self, event: JsonObj, out: list[JsonObj]) -> None:
        block, index = event.get("content_block"), event.get("index")
        if not isinstance(block, dict) or not isinstance(index, int) or index in self._blocks:
            return
        kind = block.get("type")
        at = len(self._items) + len(self._blocks)
        if kind == "text":
            item = rw.message_item("", status="in_progress")
            op = self._blocks[index] = _Open(at, "text", item)
            out.append(self._ev("response.output_item.added", output_index=at, item=dict(item)))
            out.append(self._part_event("response.content_part.added", op, rw.text_part("")))
            if block.get("text"):
                out.extend(self._text(op, block["text"]))
        elif kind == "tool_use":
            fields = self._names.call_fields(str(block.get("name", "")))
            item = rw.function_call_item(str(block.get("id", "")), "", "", status="in_progress")
            item.update(fields)
            self._blocks[index] = _Open(at, "tool", item)
            out.append(self._ev("response.output_item.added", output_index=at, item=dict(item)))
        elif kind in ("thinking", "redacted_thinking"):
            item = rw.reasoning_item("")
            if kind == "redacted_thinking":
                item["encrypted_content"] = rw.REDACTED + str(block.get("data", ""))
            op = self._blocks[index] = _Open(at, kind, item)
            out.append(self._ev("response.output_item.added", output_index=at, item=dict(item)))
            if kind == "thinking":
                out.append(self._summary_event("response.reasoning_summary_part.added", op))

    def _part_event(self, kind: str, op: _Open, part: JsonObj) -> JsonObj:
        return self._ev(
            kind, item_id=op.item["id"], output_index=op.index, content_index=0, part=part
        )

    def _summary_event(self, kind: str, op: _Open) -> JsonObj:
        part = {"type": "summary_text", "text": op.text()}
        return self._ev(
            kind, item_id=op.item["id"], output_index=op.index, summary_index=0, part=part
        )

    def _text(self, op: _Open, text: str) -> list[JsonObj]:
        op.add(text)
        return [
            self._ev(
                "response.output_text.delta",
                item_id=op.item["id"],
                output_index=op.index,
                content_index=0,
                delta=text,
                logprobs=[],
            )
        ]

    def delta_bytes(self, event: JsonObj) -> bytes | None:
        """The SSE bytes of a text or argument delta, without building the event dict (the
        hot path of a stream: the same bytes ``feed`` + encoding would give); None for
        anything else, which goes through ``feed``."""
        if event.get("type") != "content_block_delta" or self.done:
            return None
        index, delta = event.get("index"), event.get("delta")
        op = self._blocks.get(index) if isinstance(index, int) else None
        if op is None or not isinstance(delta, dict):
            return None
        kind = delta.get("type")
        if kind == "text_delta" and op.kind == "text":
            piece = delta.get("text")
        elif kind == "input_json_delta" and op.kind == "tool":
            piece = delta.get("partial_json")
        else:
            return None
        if not isinstance(piece, str) or not piece:
            return b""
        return self._delta_out(op, encode_basestring(piece))

    def raw_delta(self, index: int, text: bool, literal: str) -> bytes | None:
        """Like ``delta_bytes`` for a delta read straight off the wire: ``literal`` is the
        piece as the upstream wrote it, a JSON string, copied through without decoding."""
        op = self._blocks.get(index)
        if op is None or self.done or op.kind != ("text" if text else "tool"):
            return None
        return self._delta_out(op, literal) if len(literal) > 2 else b""

    def _delta_out(self, op: _Open, literal: str) -> bytes:
        op.parts.append(literal[1:-1])
        heads = op.heads
        if heads is None:
            text = op.kind == "text"
            heads = op.heads = _heads(_TEXT if text else _ARGS, op.item["id"], op.index, text)
        seq = self._seq
        self._seq += 1
        return b"".join((heads[0], str(seq).encode(), heads[1], literal.encode(), heads[2]))

    def _delta(self, event: JsonObj) -> list[JsonObj]:
        index = event.get("index")
        op = self._blocks.get(index) if isinstance(index, int) else None
        delta = event.get("delta")
        if op is None or not isinstance(delta, dict):
            return []
        kind = delta.get("type")
        if kind == "text_delta" and delta.get("text"):
            return self._text(op, delta["text"])
        if kind == "input_json_delta" and delta.get("partial_json"):
            op.add(delta["partial_json"])
            return [
                self._ev(
                    "response.function_call_arguments.delta",
                    item_id=op.item["id"],
                    output_index=op.index,
                    delta=delta["partial_json"],
                )
            ]
        if kind == "thinking_delta" and delta.get("thinking"):
            op.add(delta["thinking"])
            return [
                self._ev(
                    "response.reasoning_summary_text.delta",
                    item_id=op.item["id"],
                    output_index=op.index,
                    summary_index=0,
                    delta=delta["thinking"],
                )
            ]
        if kind == "signature_delta" and isinstance(delta.get("signature"), str):
            op.item["encrypted_content"] = (
                op.item.get("encrypted_content", rw.SIGNED) + delta["signature"]
            )
        return []

    def _block_stop(self, index: object, out: list[JsonObj]) -> None:
        op = self._blocks.pop(index, None) if isinstance(index, int) else None
        if op is None:
            return
        text = op.text()
        ids = {"item_id": op.item["id"], "output_index": op.index}
        item = op.item
        if op.kind == "text":
            out.append(
                self._ev(
                    "response.output_text.done", **ids, content_index=0, text=text, logprobs=[]
                )
            )
            out.append(self._part_event("response.content_part.done", op, rw.text_part(text)))
            item["content"] = [rw.text_part(text)]
        elif op.kind == "tool":
            item["arguments"] = text or "{}"
            out.append(
                self._ev(
                    "response.function_call_arguments.done",
                    **ids,
                    name=item["name"],
                    arguments=item["arguments"],
                )
            )
        elif op.kind == "thinking":
            out.append(
                self._ev("response.reasoning_summary_text.done", **ids, summary_index=0, text=text)
            )
            out.append(self._summary_event("response.reasoning_summary_part.done", op))
            item["summary"] = [{"type": "summary_text", "text": text}] if text else []
        if op.kind in ("text", "tool"):
            item["status"] = "completed"
        self._items.append((op.index, item))
        out.append(self._ev("response.output_item.done", output_index=op.index, item=item))

    def _end(self) -> list[JsonObj]:
        out: list[JsonObj] = []
        for index in sorted(self._blocks):  # blocks the upstream never closed
            self._block_stop(index, out)
        status, reason = status_of(self._stop)
        self.done = True
        self._status = status
        kind = "response.completed" if status == "completed" else "response.incomplete"
        out.append(self._ev(kind, response=self._response(status, reason)))
        return out
