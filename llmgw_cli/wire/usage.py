"""Exact token usage from upstream responses, streamed or not, in every wire format: the one
``Usage`` type and the one tap, used by the shim's plugins, bench and the prices.

The upstream's ``usage`` is the only exact count. It comes in three shapes, recognised by
their keys rather than by the path, so a gateway that translates formats is read right:

- Anthropic: ``input_tokens`` (uncached), ``output_tokens``, ``cache_creation_input_tokens``,
  ``cache_read_input_tokens``, ``cache_creation.ephemeral_1h_input_tokens``. Streams carry it
  in ``message_start`` (``message.usage``) and ``message_delta`` (``usage``, cumulative).
- OpenAI chat: ``prompt_tokens`` (includes cached), ``completion_tokens``,
  ``prompt_tokens_details.cached_tokens``; streamed in the last chunk when the request asked
  for ``stream_options.include_usage``.
- OpenAI responses: ``input_tokens`` (includes cached), ``input_tokens_details.cached_tokens``,
  ``output_tokens``; streamed in ``response.completed``.

``Usage.input_tokens`` is always normalised to the uncached input.

    tap = UsageTap()
    tap.feed_event(event_name, data_dict)      # per parsed SSE event, or
    tap.feed_body(parsed_json)                 # once for a whole JSON response, or
    scanner = SSEUsageScanner(tap); scanner.feed(chunk)   # raw bytes, parses only usage events
    exchange.usage = tap.usage                  # exact=True once any usage was seen
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from llmgw_cli.wire import jsoncodec


@dataclass
class Usage:
    """Token usage of one exchange; ``input_tokens`` is always the uncached input."""

    input_tokens: int = 0
    output_tokens: int = 0
    cache_read_tokens: int = 0
    cache_write_tokens: int = 0
    exact: bool = False  # True when taken from the upstream's `usage`, False for an estimate
    # Of cache_write_tokens, those written with Anthropic's 1-hour TTL (priced at 2× input,
    # not 1.25×). A subset: not added again to ``total``.
    cache_write_1h_tokens: int = 0

    @property
    def total(self) -> int:
        cached = self.cache_read_tokens + self.cache_write_tokens
        return self.input_tokens + self.output_tokens + cached

    @property
    def prompt_tokens(self) -> int:
        """All input, cached or not (what bench reports as the request's input)."""
        return self.input_tokens + self.cache_read_tokens + self.cache_write_tokens


def _int(value: Any) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) and value > 0 else 0


class UsageTap:
    """Accumulates the usage and model reported by one response."""

    __slots__ = ("final_output", "model", "usage")

    def __init__(self) -> None:
        self.usage = Usage()
        self.model: str | None = None
        # False while the output count is only message_start's placeholder (Anthropic).
        self.final_output = False

    @property
    def found(self) -> bool:
        return self.usage.exact

    def feed_body(self, body: Any) -> None:
        """A whole (non-streaming) JSON response."""
        if not isinstance(body, dict):
            return
        self._model(body.get("model"))
        if isinstance(body.get("usage"), dict):
            self.apply(body["usage"])

    def feed_event(self, event: str | None, data: Any) -> None:
        """One parsed SSE event: its ``event:`` name (None when unnamed) and its JSON data."""
        if not isinstance(data, dict):
            return
        kind = data.get("type", event)
        if kind == "message_start":
            message = data.get("message")
            if isinstance(message, dict):
                self.feed_body(message)
                self.final_output = False
        elif kind in ("response.completed", "response.incomplete", "response.failed"):
            self.feed_body(data.get("response"))
        else:  # message_delta, OpenAI chat chunks
            self._model(data.get("model"))
            if isinstance(data.get("usage"), dict):
                self.apply(data["usage"])

    def apply(self, raw: dict[str, Any]) -> None:
        """Lay one usage object over what was seen (streamed figures are cumulative)."""
        usage = self.usage
        if "prompt_tokens" in raw or "completion_tokens" in raw:
            details = raw.get("prompt_tokens_details")
            cached = _int(details.get("cached_tokens")) if isinstance(details, dict) else 0
            if "prompt_tokens" in raw:
                usage.input_tokens = max(_int(raw["prompt_tokens"]) - cached, 0)
                usage.cache_read_tokens = cached
            if "completion_tokens" in raw:
                usage.output_tokens = _int(raw["completion_tokens"])
        elif "input_tokens_details" in raw:
            details = raw.get("input_tokens_details")
            cached = _int(details.get("cached_tokens")) if isinstance(details, dict) else 0
            usage.input_tokens = max(_int(raw.get("input_tokens")) - cached, 0)
            usage.cache_read_tokens = cached
            usage.output_tokens = _int(raw.get("output_tokens"))
        else:
            # Anthropic: a key absent from a message_delta keeps the message_start value.
            if "input_tokens" in raw:
                usage.input_tokens = _int(raw["input_tokens"])
            if "output_tokens" in raw:
                usage.output_tokens = _int(raw["output_tokens"])
            if "cache_read_input_tokens" in raw:
                usage.cache_read_tokens = _int(raw["cache_read_input_tokens"])
            if "cache_creation_input_tokens" in raw:
                usage.cache_write_tokens = _int(raw["cache_creation_input_tokens"])
            creation = raw.get("cache_creation")
            if isinstance(creation, dict) and "ephemeral_1h_input_tokens" in creation:
                usage.cache_write_1h_tokens = _int(creation["ephemeral_1h_input_tokens"])
        usage.exact = True
        self.final_output = True

    def _model(self, model: Any) -> None:
        if isinstance(model, str) and model and self.model is None:
            self.model = model


# Only events whose data holds a usage object (or Anthropic's message_start, whose usage
# sits one level down) are worth a json.loads; text deltas are skipped unparsed.
_WORTH = re.compile(rb'"usage"\s*:\s*\{|"type"\s*:\s*"message_start"')
# A line longer than this, or an event with more data lines, is no usage event: dropped,
# never held (a stream of bytes without a newline must not grow whoever taps it).
MAX_PENDING = 1 << 20
MAX_DATA_LINES = 4096


class SSEUsageScanner:
    """Feeds a ``UsageTap`` from raw SSE bytes, parsing JSON only where usage can be."""

    __slots__ = ("_buf", "_data", "_event", "tap")

    def __init__(self, tap: UsageTap | None = None) -> None:
        self.tap = tap or UsageTap()
        self._buf = b""
        self._data: list[bytes] = []
        self._event: bytes | None = None

    def feed(self, chunk: bytes) -> None:
        data = self._buf + chunk if self._buf else chunk
        cut = data.rfind(b"\n")
        if cut < 0:
            self._buf = data if len(data) <= MAX_PENDING else b""
            return
        self._buf = data[cut + 1 :]
        for line in data[:cut].split(b"\n"):
            line = line.rstrip(b"\r")
            if not line:
                self._dispatch()
            elif line.startswith(b"data:"):
                self._data.append(line[6:] if line[5:6] == b" " else line[5:])
                if len(self._data) > MAX_DATA_LINES:
                    self._data = []
            elif line.startswith(b"event:"):
                self._event = line[6:].strip()

    def close(self) -> None:
        """End of stream: an unterminated last event still counts."""
        if self._buf:
            self.feed(b"\n")
        self._dispatch()

    def _dispatch(self) -> None:
        data, event = self._data, self._event
        self._data, self._event = [], None
        if not data:
            return
        payload = b"\n".join(data)
        if not _WORTH.search(payload):
            return
        try:
            parsed = jsoncodec.loads(payload)
        except ValueError:
            return
        self.tap.feed_event(event.decode("utf-8", "replace") if event else None, parsed)
