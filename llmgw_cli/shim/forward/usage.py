"""Reads usage, model and time to first token off a response as it is relayed.

Built only when an enabled plugin declares ``needs_usage``. Chunks are looked at after they
were written to the client, so the tap never delays one. Usage parsing is
``wire.usage`` (JSON parsed only for events that can hold usage); TTFT is the arrival of the
first chunk carrying generated content (an Anthropic ``content_block_delta``, an OpenAI
delta with content or tool calls), or of the first body byte when not streamed.
"""

from __future__ import annotations

import contextlib
import re
import time

from llmgw_cli.shim.plugins.contract import Exchange
from llmgw_cli.wire import jsoncodec
from llmgw_cli.wire.usage import SSEUsageScanner, UsageTap

MAX_JSON = 8 << 20  # a larger non-streamed body is relayed but not parsed for usage
# Non-empty content only: Anthropic's message_start carries `"content":[]` before any token.
_CONTENT = re.compile(
    rb'content_block_delta|"(?:content|tool_calls|reasoning_content)"\s*:\s*(?:\[\s*[^\]\s]|"[^"])'
)


class ResponseTap:
    __slots__ = ("_body", "_ex", "_scanner", "_size", "_t0", "_tap")

    def __init__(self, exchange: Exchange, streaming: bool, t0: float) -> None:
        self._ex = exchange
        self._t0 = t0
        self._tap = UsageTap()
        self._scanner = SSEUsageScanner(self._tap) if streaming else None
        self._body: list[bytes] | None = None if streaming else []
        self._size = 0

    def feed(self, chunk: bytes) -> None:
        ex = self._ex
        if self._scanner is not None:
            if ex.ttft_ms is None and _CONTENT.search(chunk):
                ex.ttft_ms = (time.perf_counter() - self._t0) * 1000
            self._scanner.feed(chunk)
            return
        if ex.ttft_ms is None:
            ex.ttft_ms = (time.perf_counter() - self._t0) * 1000
        if self._body is not None:
            self._size += len(chunk)
            self._body.append(chunk)
            if self._size > MAX_JSON:
                self._body = None

    def finish(self) -> None:
        if self._scanner is not None:
            self._scanner.close()
        elif self._body:
            with contextlib.suppress(ValueError):
                self._tap.feed_body(jsoncodec.loads(b"".join(self._body)))
        if self._tap.found:
            self._ex.usage = self._tap.usage
        if self._tap.model is not None:
            self._ex.upstream_model = self._tap.model
