"""One record per wire format: what the shim, mock, plugins, doctor and bench ask of a format.

    fmt, kind = classify("/v1/messages?beta=true")   # FORMATS["anthropic"], "messages"
    fmt.error_body(429, "slow down")                  # the real API's error shape and type
    fmt.user_texts(body)                              # what PII, audit and routing read

A ``WireFormat`` names its endpoints (exact path -> ``PathClass``), the path prefixes that
belong to it (for paths it does not list, e.g. ``/v1/messages/batches``), which path classes
make the model generate (cost money) and which carry the user's prompt, its error body
builder (the one status -> type table is in ``error_bodies``), the event that ends a broken
stream, and its user-text extraction. A new format is one more record in ``FORMATS`` (the
OpenAI Responses API is the third); docs/architecture.md says where else a new format goes
(translators, mock).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any, Literal

from llmgw_cli.wire import error_bodies, responses, text
from llmgw_cli.wire.common import JsonObj

PathClass = Literal[
    "messages", "count_tokens", "chat", "completions", "embeddings", "responses", "models", "other"
]
ErrorBody = Callable[[int, str, "str | None", "Mapping[str, Any] | None"], JsonObj]


@dataclass(frozen=True, slots=True)
class WireFormat:
    name: str
    title: str
    endpoints: Mapping[str, PathClass]
    prefixes: tuple[str, ...]
    generation: frozenset[PathClass]  # requests that make the model generate
    prompt: frozenset[PathClass]  # requests whose bodies carry the user's text
    _error: ErrorBody
    _stream_error: Callable[[str], bytes]
    _user_texts: Callable[[Any], Iterator[text.Slot]]

    def error_body(
        self,
        status: int,
        message: str,
        kind: str | None = None,
        extra: Mapping[str, Any] | None = None,
    ) -> JsonObj:
        """The error body the real API sends with ``status`` (``kind`` overrides the type)."""
        return self._error(status, message, kind, extra)

    def stream_error(self, message: str) -> bytes:
        """The SSE event that ends a stream whose upstream died, as the real API sends it."""
        return self._stream_error(message)

    def user_texts(self, body: Any) -> Iterator[text.Slot]:
        return self._user_texts(body)

    def paths(self, *classes: PathClass) -> tuple[str, ...]:
        """This format's endpoint paths of the given classes."""
        return tuple(p for p, c in self.endpoints.items() if c in classes)


def _anthropic_error(
    status: int, message: str, kind: str | None, extra: Mapping[str, Any] | None
) -> JsonObj:
    return error_bodies.anthropic_error(status, message, kind, extra)


def _openai_error(
    status: int, message: str, kind: str | None, extra: Mapping[str, Any] | None
) -> JsonObj:
    return error_bodies.openai_error(status, message, kind, extra=extra)


def _anthropic_stream_error(message: str) -> bytes:
    return b"event: error\ndata: " + _dumps(error_bodies.anthropic_error(500, message)) + b"\n\n"


def _openai_stream_error(message: str) -> bytes:
    return b"data: " + _dumps(error_bodies.openai_error(500, message)) + b"\n\n"


def _dumps(body: JsonObj) -> bytes:
    import json

    return json.dumps(body, ensure_ascii=False).encode()


ANTHROPIC = WireFormat(
    name="anthropic",
    title="Anthropic Messages",
    endpoints={
        "/v1/messages": "messages",
        "/v1/messages/count_tokens": "count_tokens",
        "/v1/models": "models",
    },
    prefixes=("/v1/messages",),
    generation=frozenset({"messages"}),
    prompt=frozenset({"messages", "count_tokens"}),
    _error=_anthropic_error,
    _stream_error=_anthropic_stream_error,
    _user_texts=text.anthropic_user_texts,
)
OPENAI = WireFormat(
    name="openai",
    title="OpenAI Chat Completions",
    endpoints={
        "/v1/chat/completions": "chat",
        "/v1/completions": "completions",
        "/v1/embeddings": "embeddings",
        "/v1/models": "models",
    },
    prefixes=("/v1/chat/", "/v1/completions", "/v1/embeddings"),
    generation=frozenset({"chat", "completions"}),
    prompt=frozenset({"chat", "completions"}),
    _error=_openai_error,
    _stream_error=_openai_stream_error,
    _user_texts=text.openai_user_texts,
)
RESPONSES = WireFormat(
    name="responses",
    title="OpenAI Responses",
    endpoints={
        "/v1/responses": "responses",
        "/v1/responses/input_tokens": "count_tokens",
        "/v1/models": "models",
    },
    prefixes=("/v1/responses",),  # /v1/responses/compact, /v1/responses/{id}: "other"
    generation=frozenset({"responses"}),
    prompt=frozenset({"responses", "count_tokens"}),
    _error=_openai_error,  # the Responses API answers errors in the OpenAI shape
    _stream_error=responses.stream_error,
    _user_texts=text.responses_user_texts,
)
FORMATS: Mapping[str, WireFormat] = {f.name: f for f in (ANTHROPIC, OPENAI, RESPONSES)}
# Every endpoint -> (format, class); the first format listing a path wins (/v1/models).
_BY_PATH: dict[str, tuple[WireFormat, PathClass]] = {}
for _fmt in FORMATS.values():
    for _path, _kind in _fmt.endpoints.items():
        _BY_PATH.setdefault(_path, (_fmt, _kind))


def bare_path(path: str) -> str:
    """The path without its query (Claude Code sends ``?beta=true``) or a trailing slash."""
    return path.split("?", 1)[0].rstrip("/") or "/"


def classify(path: str) -> tuple[WireFormat | None, PathClass]:
    """The format a request path belongs to and its class; ``/v1/models`` is Anthropic's
    (both formats serve it: the caller decides by the request's headers)."""
    hit = _BY_PATH.get(path)  # the hot path: an exact endpoint, no query
    if hit is not None:
        return hit
    bare = bare_path(path)
    hit = _BY_PATH.get(bare)
    if hit is not None:
        return hit
    for fmt in FORMATS.values():
        if bare.startswith(fmt.prefixes):
            return fmt, "other"
    return None, "other"


def format_of(name: str) -> WireFormat:
    """The record for a client format name; ``other`` (unknown clients) gets Anthropic's."""
    return FORMATS.get(name, ANTHROPIC)


def error_body(
    client_format: str,
    status: int,
    message: str,
    kind: str | None = None,
    extra: Mapping[str, Any] | None = None,
) -> JsonObj:
    return format_of(client_format).error_body(status, message, kind, extra)
