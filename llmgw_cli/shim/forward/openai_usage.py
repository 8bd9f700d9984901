"""Exact usage for OpenAI streams the client did not ask usage for.

An OpenAI-format upstream reports usage in a stream only when the request sets
``stream_options.include_usage``; most clients do not. When a plugin needs usage, the
forwarder asks for it (``wants_injection`` / ``with_usage``) and gives the client back the
stream it asked for: ``StripUsage`` drops the extra usage-only chunk (``"choices": []``)
and the ``"usage": null`` member the upstream then adds to every chunk. The usage tap reads
the upstream's bytes before this filter, so it still sees the figures.

Only structural JSON is touched: inside a JSON string every ``"`` is escaped, so the bytes
``"usage":null`` can only be a member of an object, never model output.
"""

from __future__ import annotations

import re
from typing import Any

from llmgw_cli.shim.plugins.contract import BadBody, Exchange
from llmgw_cli.wire.format import OPENAI, bare_path

PATHS = OPENAI.paths("chat", "completions")
_EVENT = re.compile(rb".*?(?:\r\n\r\n|\n\n|\r\r)", re.S)
_NULL = re.compile(rb',\s*"usage"\s*:\s*null(?=\s*[,}])|"usage"\s*:\s*null\s*,')
_NO_CHOICES = re.compile(rb'"choices"\s*:\s*\[\s*\]')
_USAGE_OBJ = re.compile(rb'"usage"\s*:\s*\{')


def wants_injection(exchange: Exchange) -> bool:
    """An OpenAI streaming completion whose client did not ask for usage."""
    if exchange.method != "POST" or bare_path(exchange.path) not in PATHS:
        return False
    if b'"stream"' not in exchange.body:  # cheap: no parse for the non-streamed majority
        return False
    try:
        body = exchange.json()
    except BadBody:
        return False
    if not isinstance(body, dict) or body.get("stream") is not True:
        return False
    options = body.get("stream_options")
    return not (isinstance(options, dict) and options.get("include_usage") is True)


def with_usage(payload: dict[str, Any]) -> dict[str, Any]:
    """The request with ``stream_options.include_usage`` set, other options kept."""
    options = payload.get("stream_options")
    merged = {**options} if isinstance(options, dict) else {}
    merged["include_usage"] = True
    return {**payload, "stream_options": merged}


class StripUsage:
    """A stream filter (``translation.StreamTranslator``): the stream without usage.

    Whole events pass through as they arrive; only the bytes of an event not yet complete
    are held until its end, so nothing is delayed that the client could already use.
    """

    __slots__ = ("_buf",)

    def __init__(self) -> None:
        self._buf = b""

    def feed(self, chunk: bytes) -> bytes:
        data = self._buf + chunk if self._buf else chunk
        if b'"usage"' not in data and data.endswith((b"\n\n", b"\r\n\r\n")):
            self._buf = b""
            return data  # the common case: whole events, nothing to strip
        end = 0
        out: list[bytes] = []
        for m in _EVENT.finditer(data):
            out.append(_strip(m.group()))
            end = m.end()
        self._buf = data[end:]
        return b"".join(out)

    def close(self) -> bytes:
        tail, self._buf = self._buf, b""
        return _strip(tail) if tail else b""


def _strip(event: bytes) -> bytes:
    if b'"usage"' not in event:
        return event
    if _USAGE_OBJ.search(event) and _NO_CHOICES.search(event):
        return b""  # the usage-only chunk the client did not ask for
    return _NULL.sub(b"", event)
