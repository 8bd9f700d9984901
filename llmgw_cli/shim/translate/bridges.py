"""Anthropic ⇄ OpenAI translators for the shim, registered with ``registry`` at import.

The forwarder picks one when the client speaks a format the chosen member does not serve
(the profile's ``formats``). Each request gets a fresh translator; it remembers what the
request was (messages, model list) so the answer is turned back the same way.

Anthropic client (Claude Code) → OpenAI-only member (Ollama, vLLM, OpenAI, Cohere compat):
- ``POST /v1/messages[?beta=true]`` → ``/v1/chat/completions`` (the query is Anthropic's);
- ``POST /v1/messages/count_tokens`` has no OpenAI equivalent: answered here with the
  offline estimate (``tokens.estimate_request``), never sent upstream;
- ``GET /v1/models`` → the member's list, reshaped.

OpenAI client (the SDK, OpenAI-style tools) → Anthropic-only member:
- ``POST /v1/chat/completions`` → ``/v1/messages`` with ``anthropic-version`` added when
  the client sent none (the Anthropic API requires it);
- ``GET /v1/models`` → the member's list, reshaped.

Any other path cannot be expressed in the member's format: 400 in the client's format.
The model is passed through, or replaced by the route's per-member model. Error bodies are
translated with their status kept (the SDKs choose their exception from the status).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from datetime import datetime, timezone
from typing import Any
from urllib.parse import urlsplit

from llmgw_cli.shim.members.member import Member
from llmgw_cli.shim.plugins.contract import Exchange
from llmgw_cli.shim.translate import registry
from llmgw_cli.wire import anthropic_to_openai, error_bodies, jsoncodec, openai_to_anthropic
from llmgw_cli.wire.common import TranslationError
from llmgw_cli.wire.format import ANTHROPIC, OPENAI, PathClass, WireFormat, classify
from llmgw_cli.wire.sse import dumps as _dumps
from llmgw_cli.wire.sse_bridge import AnthropicToOpenAISSE, OpenAIToAnthropicSSE

ANTHROPIC_VERSION = "2023-06-01"
_SIGNATURE = b'"signature":'
_SIGNATURE_END = len(_SIGNATURE)


# How far an empty signature reaches from where its ``"signature":`` starts (at most).
UNSIGNED_SPAN = _SIGNATURE_END + 8 + 2


def first_unsigned(body: bytes, start: int = 0) -> int:
    """Where the first ``"signature":`` whose value is an empty string starts, at or after
    ``start``, compact or spaced JSON, else -1: one pass over the body (``bytes.find``
    from each hit on), not one search per spelling."""
    at = body.find(_SIGNATURE, start)
    while at >= 0:
        rest = body[at + _SIGNATURE_END : at + _SIGNATURE_END + 8].lstrip()
        if rest.startswith(b'""'):
            return at
        at = body.find(_SIGNATURE, at + _SIGNATURE_END)
    return -1


def _has_unsigned(body: bytes) -> bool:
    return first_unsigned(body) >= 0


_NO_HEADERS: Mapping[str, str] = {}
_ADD_VERSION: Mapping[str, str] = {"anthropic-version": ANTHROPIC_VERSION}
# OpenAI's own API wants max_completion_tokens (its reasoning models refuse max_tokens);
# other OpenAI-format servers (Ollama, llama.cpp, vLLM, compat APIs) read max_tokens.
_OPENAI_HOSTS = ("api.openai.com", ".openai.azure.com")


def max_tokens_field(member: Member) -> str:
    host = (urlsplit(member.base).hostname or "").lower()
    if host == _OPENAI_HOSTS[0] or host.endswith(_OPENAI_HOSTS[1]):
        return "max_completion_tokens"
    return "max_tokens"


def _request_json(exchange: Exchange) -> dict[str, Any]:
    body = exchange.json()  # BadBody (not JSON) becomes a 400 in the forwarder
    if not isinstance(body, dict):
        raise TranslationError("the request body must be a JSON object")
    return body


def _unsupported(exchange: Exchange, member: Member, target: str) -> TranslationError:
    return TranslationError(
        f"{exchange.method} {exchange.path} has no {target} equivalent, and profile "
        f"{member.name!r} serves only {', '.join(member.formats)}; "
        f"add a profile that serves it to the chain"
    )


def openai_models_to_anthropic(data: Any) -> dict[str, Any]:
    models = data.get("data") if isinstance(data, dict) else None
    out = []
    for m in models if isinstance(models, list) else ():
        if isinstance(m, dict) and isinstance(m.get("id"), str):
            created = m.get("created")
            stamp = created if isinstance(created, (int, float)) else 0
            out.append(
                {
                    "type": "model",
                    "id": m["id"],
                    "display_name": m["id"],
                    "created_at": datetime.fromtimestamp(stamp, timezone.utc)
                    .isoformat()
                    .replace("+00:00", "Z"),
                }
            )
    return {
        "data": out,
        "has_more": False,
        "first_id": out[0]["id"] if out else None,
        "last_id": out[-1]["id"] if out else None,
    }


def anthropic_models_to_openai(data: Any) -> dict[str, Any]:
    models = data.get("data") if isinstance(data, dict) else None
    out = []
    for m in models if isinstance(models, list) else ():
        if isinstance(m, dict) and isinstance(m.get("id"), str):
            out.append(
                {
                    "id": m["id"],
                    "object": "model",
                    "created": _epoch(m.get("created_at")),
                    "owned_by": "anthropic",
                }
            )
    return {"object": "list", "data": out}


def _epoch(stamp: Any) -> int:
    if isinstance(stamp, str):
        try:
            return int(datetime.fromisoformat(stamp.replace("Z", "+00:00")).timestamp())
        except ValueError:
            pass
    return int(time.time())


_CHAT = OPENAI.paths("chat")[0]
_MESSAGES = ANTHROPIC.paths("messages")[0]


def _path_class(exchange: Exchange, client: WireFormat) -> PathClass:
    """The request's path class in the client's format (``wire.format``); "other" if foreign."""
    fmt, kind = classify(exchange.path)
    return kind if fmt is client or kind == "models" else "other"


class _Stream:
    """A StreamTranslator made of a bridge's bound methods (no per-chunk indirection)."""

    __slots__ = ("close", "feed")

    def __init__(self, bridge: OpenAIToAnthropicSSE | AnthropicToOpenAISSE) -> None:
        self.feed = bridge.feed
        self.close = bridge.finish


class _Translator:
    """What both directions share: a whole answer (success, models list or error) turned
    into the client's format by the subclass's four converters."""

    __slots__ = ("headers", "kind")
    # body dict -> the client's shape; staticmethods, set by each direction.
    _answer: Callable[[Any], dict[str, Any]]
    _models: Callable[[Any], dict[str, Any]]
    _error: Callable[[int, bytes], dict[str, Any]]  # the member's error body, status kept
    _broken: Callable[[int, str], dict[str, Any]]  # an error of our own, in the client's format

    def __init__(self, headers: Mapping[str, str]) -> None:
        self.kind = ""  # which request this was: decides how its answer is read
        self.headers = headers

    def response(self, status: int, body: bytes) -> bytes:
        if status >= 400:
            return _dumps(self._error(status, body))
        try:
            data = jsoncodec.loads(body)
            return _dumps(self._models(data) if self.kind == "models" else self._answer(data))
        except ValueError as exc:  # TranslationError included
            return _dumps(self._broken(502, _untranslatable(exc, body)))


class AnthropicOnOpenAI(_Translator):
    """An Anthropic-speaking client in front of an OpenAI-format member."""

    __slots__ = ()
    _answer = staticmethod(anthropic_to_openai.openai_to_anthropic_response)
    _models = staticmethod(openai_models_to_anthropic)
    _error = staticmethod(error_bodies.openai_error_to_anthropic)
    _broken = staticmethod(error_bodies.anthropic_error)

    def __init__(self) -> None:
        super().__init__(_NO_HEADERS)

    def request(self, exchange: Exchange, member: Member, model: str | None) -> tuple[str, bytes]:
        kind, method = _path_class(exchange, ANTHROPIC), exchange.method
        if kind == "count_tokens" and method == "POST":
            raise registry.LocalAnswer(200, _dumps(count_tokens(_request_json(exchange))))
        if kind == "messages" and method == "POST":
            self.kind = "messages"
            out = anthropic_to_openai.anthropic_to_openai_request(
                _request_json(exchange), max_tokens_field=max_tokens_field(member)
            )
            if model is not None:
                out["model"] = model
            anthropic_to_openai.with_reasoning(_request_json(exchange), out)
            return _CHAT, _dumps(out)
        if kind == "models" and method == "GET":
            self.kind = "models"
            return "/v1/models", exchange.body
        raise _unsupported(exchange, member, "OpenAI Chat Completions")

    def stream(self) -> registry.StreamTranslator:
        return _Stream(OpenAIToAnthropicSSE())


class OpenAIOnAnthropic(_Translator):
    """An OpenAI-speaking client in front of an Anthropic-format member."""

    __slots__ = ("include_usage",)
    _answer = staticmethod(openai_to_anthropic.anthropic_to_openai_response)
    _models = staticmethod(anthropic_models_to_openai)
    _error = staticmethod(error_bodies.anthropic_error_to_openai)
    _broken = staticmethod(error_bodies.openai_error)

    def __init__(self) -> None:
        super().__init__(_ADD_VERSION)
        self.include_usage = False

    def request(self, exchange: Exchange, member: Member, model: str | None) -> tuple[str, bytes]:
        kind, method = _path_class(exchange, OPENAI), exchange.method
        if kind == "chat" and method == "POST":
            self.kind = "chat"
            body = _request_json(exchange)
            self.include_usage = openai_to_anthropic.wants_usage(body)
            out = openai_to_anthropic.openai_to_anthropic_request(body)
            if model is not None:
                out["model"] = model
            return _MESSAGES, _dumps(out)
        if kind == "models" and method == "GET":
            self.kind = "models"
            return "/v1/models", exchange.body
        raise _unsupported(exchange, member, "Anthropic Messages")

    def stream(self) -> registry.StreamTranslator:
        return _Stream(AnthropicToOpenAISSE(include_usage=self.include_usage))


def strip_unsigned_thinking(body: bytes) -> bytes:
    """A request for a native Anthropic member, without unsigned thinking blocks.

    Thinking that an OpenAI-format member produced (``reasoning_content``) reaches the
    client with an empty signature; when a later turn of that conversation goes to an
    Anthropic member (a chain fallback), the Anthropic API refuses such blocks. A byte
    search keeps the common case (no such block) free of JSON parsing.
    """
    if not _has_unsigned(body):
        return body
    try:
        data = jsoncodec.loads(body)
    except ValueError:
        return body
    messages = data.get("messages") if isinstance(data, dict) else None
    changed = False
    for msg in messages if isinstance(messages, list) else ():
        content = msg.get("content") if isinstance(msg, dict) else None
        if not isinstance(content, list):
            continue
        kept = [
            b
            for b in content
            if not (isinstance(b, dict) and b.get("type") == "thinking" and not b.get("signature"))
        ]
        if len(kept) != len(content):
            # A turn that was only thinking keeps a placeholder: empty content is refused.
            msg["content"] = kept or [{"type": "text", "text": "(thinking omitted)"}]
            changed = True
    return _dumps(data) if changed else body


def count_tokens(body: dict[str, Any]) -> dict[str, int]:
    """``/v1/messages/count_tokens`` answered offline: an estimate (cl100k for Claude)."""
    from llmgw_cli import tokens  # tiktoken: loaded on the first count, not at shim start

    return {"input_tokens": tokens.estimate_request(body).tokens}


def _untranslatable(exc: ValueError, body: bytes) -> str:
    reason = exc.message if isinstance(exc, TranslationError) else "not JSON"
    snippet = body[:120].decode("utf-8", "replace")
    return f"the upstream's answer could not be translated ({reason}): {snippet}"


registry.register("anthropic", "openai", AnthropicOnOpenAI)
registry.register("openai", "anthropic", OpenAIOnAnthropic)
