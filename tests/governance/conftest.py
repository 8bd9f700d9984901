"""Helpers for the governance tests: exchanges shaped like the shim core builds them."""

from __future__ import annotations

import json
import uuid
from typing import Any

from llmgw_cli.shim.plugin import Exchange


def make_exchange(
    body: Any = None,
    *,
    path: str = "/v1/messages",
    fmt: str = "anthropic",
    headers: dict[str, str] | None = None,
    status: int | None = 200,
    raw: bytes | None = None,
) -> Exchange:
    data = raw if raw is not None else json.dumps(body if body is not None else {}).encode()
    ex = Exchange(
        request_id=uuid.uuid4().hex,
        method="POST",
        path=path,
        client_format=fmt,
        headers={k.lower(): v for k, v in (headers or {}).items()},
        body=data,
    )
    ex.status = status
    return ex


def anthropic_body(
    text: str, model: str = "claude-sonnet-4-5", max_tokens: int = 1024
) -> dict[str, Any]:
    return {
        "model": model,
        "max_tokens": max_tokens,
        "messages": [{"role": "user", "content": text}],
    }
