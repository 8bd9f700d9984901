"""Bridges for the Responses format, registered with ``registry`` at import.

Responses client (Codex CLI, ``responses.create``, the Agents SDK) → Anthropic-only member:
- ``POST /v1/responses`` → ``/v1/messages`` (``anthropic-version`` added when missing);
- ``POST /v1/responses/input_tokens`` → ``/v1/messages/count_tokens``, answered as
  ``{"object": "response.input_tokens", "input_tokens": N}``;
- ``GET /v1/models`` → the member's list, reshaped.
Responses client → Chat-only member: ``/v1/responses`` → ``/v1/chat/completions``;
``input_tokens`` is answered here with the offline estimate (Chat has no counting endpoint).
Either way ``POST /v1/responses/compact`` is refused with a Responses-format 404
(``unsupported_endpoint``: it needs a server that compacts; the client then compacts by
itself), and ``previous_response_id`` is served from ``responses_store``.

Anthropic client (Claude Code) → Responses-only member: ``/v1/messages`` → ``/v1/responses``,
``/v1/messages/count_tokens`` → ``/v1/responses/input_tokens``. Chat client → Responses-only
member: ``/v1/chat/completions`` → ``/v1/responses``. Models lists are reshaped as needed.

Streamed answers are translated event by event (``wire.responses_sse``); error bodies keep
their status and become the client's shape (Responses errors are OpenAI-shaped).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from llmgw_cli.shim.members.member import Member
from llmgw_cli.shim.plugins.contract import Exchange
from llmgw_cli.shim.translate import bridges, registry
from llmgw_cli.shim.translate.responses_store import ResponseStore
from llmgw_cli.wire import error_bodies
from llmgw_cli.wire import responses as rw
from llmgw_cli.wire.anthropic_to_responses import (
    anthropic_to_responses_request,
    responses_to_anthropic_response,
)
from llmgw_cli.wire.common import TranslationError
from llmgw_cli.wire.openai_to_anthropic import wants_usage
from llmgw_cli.wire.openai_to_responses import (
    openai_to_responses_request,
    responses_to_openai_response,
)
from llmgw_cli.wire.responses_sse import (
    AnthropicToResponsesSSE,
    OpenAIToResponsesSSE,
    ResponsesToAnthropicSSE,
    ResponsesToOpenAISSE,
)
from llmgw_cli.wire.responses_to_anthropic import (
    anthropic_to_responses_response,
    responses_to_anthropic_request,
)
from llmgw_cli.wire.responses_to_openai import (
    openai_to_responses_response,
    responses_to_openai_request,
)
from llmgw_cli.wire.responses_tools import ToolNames
from llmgw_cli.wire.sse import dumps

_NO_HEADERS: Mapping[str, str] = {}
_ADD_VERSION: Mapping[str, str] = {"anthropic-version": bridges.ANTHROPIC_VERSION}
_COUNT_KEYS = ("model", "messages", "system", "tools", "tool_choice", "thinking")
_store: ResponseStore | None = None


def store() -> ResponseStore:
    """The shim's one store (in the state folder), made on first use."""
    global _store
    if _store is None:
        _store = ResponseStore()
    return _store


def _body(exchange: Exchange) -> dict[str, Any]:
    body = exchange.json()
    if not isinstance(body, dict):
        raise TranslationError("the request body must be a JSON object")
    return body


def _compact_refused() -> registry.LocalAnswer:
    message = (
        "POST /v1/responses/compact is not served by llmgw's translation: the member keeps no "
        "server-side state to compact; compact the conversation on the client instead"
    )
    return registry.LocalAnswer(404, dumps(rw.error(404, message, "unsupported_endpoint")))


def _input_tokens(count: int) -> bytes:
    return dumps({"object": "response.input_tokens", "input_tokens": count})


class _SavingStream:
    """A Responses stream that keeps the finished response for ``previous_response_id``."""

    __slots__ = ("_bridge", "_request", "fail", "feed")

    def __init__(
        self, bridge: AnthropicToResponsesSSE | OpenAIToResponsesSSE, request: dict[str, Any]
    ) -> None:
        self._bridge = bridge
        self._request = request
        self.feed = bridge.feed
        self.fail = bridge.fail  # relay ends a broken-off stream with response.failed

    def close(self) -> bytes:
        tail = self._bridge.finish()
        tr = self._bridge.translator
        if tr.status in ("completed", "incomplete"):
            store().save(tr.response_id, self._request, tr.output)
        return tail


class _ResponsesClient:
    """What both Responses-client bridges share: the request kept for the answer."""

    __slots__ = ("body", "headers", "kind", "names")
    target = ""  # the member's API, for error messages

    def __init__(self, headers: Mapping[str, str]) -> None:
        self.headers = headers
        self.kind = ""
        self.body: dict[str, Any] = {}
        self.names = ToolNames()

    def _generation(self, exchange: Exchange) -> dict[str, Any]:
        self.kind = "responses"
        self.body = store().expand(_body(exchange))
        self.names = ToolNames.of(self.body)
        return self.body

    def _common(self, exchange: Exchange, member: Member) -> tuple[str, bytes]:
        path, method = exchange.path, exchange.method
        if path == rw.COMPACT_PATH:
            raise _compact_refused()
        if path == "/v1/models" and method == "GET":
            self.kind = "models"
            return "/v1/models", exchange.body
        raise bridges._unsupported(exchange, member, self.target)

    def _error(self, status: int, body: bytes) -> bytes:
        return dumps(error_bodies.anthropic_error_to_openai(status, body))

    def response(self, status: int, body: bytes) -> bytes:
        if status >= 400:
            return self._error(status, body)
        try:
            data = json.loads(body)
            if self.kind == "responses":
                resp = self._answer(data)
                store().save(resp["id"], self.body, resp["output"])
                return dumps(resp)
            return dumps(self._other(data))
        except ValueError as exc:
            return dumps(rw.error(502, bridges._untranslatable(exc, body)))

    def _answer(self, data: Any) -> dict[str, Any]:
        raise NotImplementedError

    def _other(self, data: Any) -> Any:
        return data


class ResponsesOnAnthropic(_ResponsesClient):
    __slots__ = ()
    target = "Anthropic Messages"

    def __init__(self) -> None:
        super().__init__(_ADD_VERSION)

    def request(self, exchange: Exchange, member: Member, model: str | None) -> tuple[str, bytes]:
        path, method = exchange.path, exchange.method
        if method == "POST" and path in (rw.PATH, rw.INPUT_TOKENS_PATH):
            counting = path == rw.INPUT_TOKENS_PATH
            body = self._generation(exchange)
            out = responses_to_anthropic_request(body, self.names)
            if model is not None:
                out["model"] = model
            if counting:
                self.kind = "count"
                out = {k: v for k, v in out.items() if k in _COUNT_KEYS}
                return "/v1/messages/count_tokens", dumps(out)
            return "/v1/messages", dumps(out)
        return self._common(exchange, member)

    def _answer(self, data: Any) -> dict[str, Any]:
        return anthropic_to_responses_response(data, self.body, self.names)

    def _other(self, data: Any) -> Any:
        if self.kind == "count":
            count = data.get("input_tokens") if isinstance(data, dict) else None
            return {"object": "response.input_tokens", "input_tokens": count or 0}
        return bridges.anthropic_models_to_openai(data)

    def stream(self) -> registry.StreamTranslator:
        return _SavingStream(AnthropicToResponsesSSE(self.body, self.names), self.body)


class ResponsesOnOpenAI(_ResponsesClient):
    __slots__ = ()
    target = "Chat Completions"

    def __init__(self) -> None:
        super().__init__(_NO_HEADERS)

    def request(self, exchange: Exchange, member: Member, model: str | None) -> tuple[str, bytes]:
        path, method = exchange.path, exchange.method
        if method == "POST" and path == rw.INPUT_TOKENS_PATH:
            body = store().expand(_body(exchange))
            estimate = bridges.count_tokens(responses_to_anthropic_request(body))
            raise registry.LocalAnswer(200, _input_tokens(estimate["input_tokens"]))
        if method == "POST" and path == rw.PATH:
            body = self._generation(exchange)
            field = bridges.max_tokens_field(member)
            out = responses_to_openai_request(body, self.names, max_tokens_field=field)
            if model is not None:
                out["model"] = model
            return "/v1/chat/completions", dumps(out)
        return self._common(exchange, member)

    def _error(self, status: int, body: bytes) -> bytes:
        # An OpenAI error body is already the Responses shape; a non-JSON one is wrapped.
        return dumps(error_bodies.anthropic_error_to_openai(status, body))

    def _answer(self, data: Any) -> dict[str, Any]:
        return openai_to_responses_response(data, self.body, self.names)

    def stream(self) -> registry.StreamTranslator:
        return _SavingStream(OpenAIToResponsesSSE(self.body, self.names), self.body)


class _Stream:
    __slots__ = ("close", "feed")

    def __init__(self, bridge: ResponsesToAnthropicSSE | ResponsesToOpenAISSE) -> None:
        self.feed = bridge.feed
        self.close = bridge.finish


class AnthropicOnResponses:
    """An Anthropic-speaking client (Claude Code) in front of a Responses-only member."""

    __slots__ = ("headers", "kind")

    def __init__(self) -> None:
        self.headers = _NO_HEADERS
        self.kind = ""

    def request(self, exchange: Exchange, member: Member, model: str | None) -> tuple[str, bytes]:
        path, method = exchange.path, exchange.method
        if method == "POST" and path in ("/v1/messages", "/v1/messages/count_tokens"):
            out = anthropic_to_responses_request(_body(exchange))
            if model is not None:
                out["model"] = model
            if path == "/v1/messages":
                self.kind = "messages"
                return rw.PATH, dumps(out)
            self.kind = "count"
            out.pop("stream", None)
            return rw.INPUT_TOKENS_PATH, dumps(out)
        if path == "/v1/models" and method == "GET":
            self.kind = "models"
            return "/v1/models", exchange.body
        raise bridges._unsupported(exchange, member, "OpenAI Responses")

    def response(self, status: int, body: bytes) -> bytes:
        if status >= 400:
            return dumps(error_bodies.openai_error_to_anthropic(status, body))
        try:
            data = json.loads(body)
            if self.kind == "messages":
                return dumps(responses_to_anthropic_response(data))
            if self.kind == "count":
                count = data.get("input_tokens") if isinstance(data, dict) else None
                return dumps({"input_tokens": count or 0})
            return dumps(bridges.openai_models_to_anthropic(data))
        except ValueError as exc:
            message = bridges._untranslatable(exc, body)
            return dumps(error_bodies.anthropic_error(502, message))

    def stream(self) -> registry.StreamTranslator:
        return _Stream(ResponsesToAnthropicSSE())


class OpenAIOnResponses:
    """A Chat Completions client in front of a Responses-only member."""

    __slots__ = ("headers", "include_usage", "kind")

    def __init__(self) -> None:
        self.headers = _NO_HEADERS
        self.kind = ""
        self.include_usage = False

    def request(self, exchange: Exchange, member: Member, model: str | None) -> tuple[str, bytes]:
        path, method = exchange.path, exchange.method
        if method == "POST" and path == "/v1/chat/completions":
            self.kind = "chat"
            body = _body(exchange)
            self.include_usage = wants_usage(body)
            out = openai_to_responses_request(body)
            if model is not None:
                out["model"] = model
            return rw.PATH, dumps(out)
        if path == "/v1/models" and method == "GET":
            self.kind = "models"
            return "/v1/models", exchange.body
        raise bridges._unsupported(exchange, member, "OpenAI Responses")

    def response(self, status: int, body: bytes) -> bytes:
        if status >= 400:
            return dumps(error_bodies.anthropic_error_to_openai(status, body))
        try:
            data = json.loads(body)
            return dumps(responses_to_openai_response(data) if self.kind == "chat" else data)
        except ValueError as exc:
            return dumps(error_bodies.openai_error(502, bridges._untranslatable(exc, body)))

    def stream(self) -> registry.StreamTranslator:
        return _Stream(ResponsesToOpenAISSE(include_usage=self.include_usage))


registry.register("responses", "anthropic", ResponsesOnAnthropic)
registry.register("responses", "openai", ResponsesOnOpenAI)
registry.register("anthropic", "responses", AnthropicOnResponses)
registry.register("openai", "responses", OpenAIOnResponses)
