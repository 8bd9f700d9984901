"""Request checks shared by the mock's handlers, and its model catalogue.

Each check raises ``Reject`` with the error the real API (or a strict gateway) would give.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from aiohttp import web

from llmgw_cli.mock.apierrors import reject

_BETA_HELP = (
    "Please consult our documentation at docs.anthropic.com or try again without the header."
)


def has_key(request: web.Request, key: str) -> bool:
    """``x-api-key: K`` or ``Authorization: Bearer K``."""
    headers = request.headers
    if headers.get("x-api-key") == key:
        return True
    scheme, _, token = headers.get("authorization", "").partition(" ")
    return scheme.lower() == "bearer" and token.strip() == key


def json_object(raw: bytes, openai_flavour: bool) -> dict[str, Any]:
    try:
        body = json.loads(raw)
    except ValueError:
        raise reject(openai_flavour, 400, "The request body is not valid JSON.") from None
    except RecursionError:  # outside input: nested past what Python parses
        raise reject(openai_flavour, 400, "The request body is nested too deep.") from None
    if not isinstance(body, dict):
        raise reject(openai_flavour, 400, "The request body must be a JSON object.")
    return body


def check_betas(request: web.Request, body: dict[str, Any], allowed: frozenset[str]) -> None:
    """Refuse betas outside ``allowed`` and ``context_management``, like Bedrock gateways."""
    values = [v.strip() for h in request.headers.getall("anthropic-beta", ()) for v in h.split(",")]
    unknown = [v for v in values if v and v not in allowed]
    if unknown:
        named = ", ".join(f"`{v}`" for v in unknown)
        message = f"Unexpected value(s) {named} for the `anthropic-beta` header. {_BETA_HELP}"
        raise reject(False, 400, message)
    if "context_management" in body:
        raise reject(False, 400, "context_management: Extra inputs are not permitted")


def check_model(body: dict[str, Any], openai_flavour: bool, only: frozenset[str] | None) -> str:
    """The requested model; with ``only`` (--strict-models) an unknown one is a 404."""
    model = body.get("model")
    if not isinstance(model, str) or not model:
        if openai_flavour:
            text = "you must provide a model parameter"
            raise reject(True, 400, text, code="missing_required_parameter")
        raise reject(False, 400, "model: Field required")
    if only is not None and model not in only:
        if openai_flavour:
            text = f"The model `{model}` does not exist or you do not have access to it."
            raise reject(True, 404, text, code="model_not_found")
        raise reject(False, 404, f"model: {model}")
    return model


_CREATED = 1735689600  # 2025-01-01, a fixed date so the list is byte-stable


def model_info(model_id: str) -> dict[str, Any]:
    # One object both SDKs accept: Anthropic's ModelInfo and OpenAI's Model fields together.
    return {
        "id": model_id,
        "type": "model",
        "object": "model",
        "created": _CREATED,
        "created_at": "2025-01-01T00:00:00Z",
        "display_name": model_id,
        "owned_by": "llmgw-mock",
        "lifecycle": "active",
    }


def model_list(models: Iterable[str]) -> dict[str, Any]:
    data = [model_info(m) for m in models]
    return {
        "object": "list",
        "data": data,
        "has_more": False,
        "first_id": data[0]["id"] if data else None,
        "last_id": data[-1]["id"] if data else None,
    }
