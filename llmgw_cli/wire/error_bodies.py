"""Error bodies in both formats, and translation between them. The HTTP status is never
changed: the caller sends the translated body with the upstream's status (and its
``retry-after``), because both SDKs pick their exception class from the status.

    Anthropic: {"type": "error", "error": {"type": "rate_limit_error", "message": "…"}}
    OpenAI:    {"error": {"message": "…", "type": "rate_limit_error", "param": null,
                          "code": "rate_limit_error"}}

An Anthropic error type travels in the OpenAI ``code`` so a round trip keeps it. Bodies
that are not JSON (a gateway's HTML page) become a one-line message quoting their start.
"""

from __future__ import annotations

import json
import re
from typing import Any

from llmgw_cli.wire.common import JsonObj

ANTHROPIC_TYPES = {
    "invalid_request_error",
    "authentication_error",
    "billing_error",
    "permission_error",
    "not_found_error",
    "request_too_large",
    "rate_limit_error",
    "api_error",
    "timeout_error",
    "overloaded_error",
}
_BY_STATUS = {
    400: "invalid_request_error",
    401: "authentication_error",
    402: "billing_error",
    403: "permission_error",
    404: "not_found_error",
    413: "request_too_large",
    429: "rate_limit_error",
    500: "api_error",
    504: "timeout_error",
    529: "overloaded_error",
}
_TO_OPENAI_TYPE = {
    "invalid_request_error": "invalid_request_error",
    "request_too_large": "invalid_request_error",
    "not_found_error": "invalid_request_error",
    "authentication_error": "authentication_error",
    "permission_error": "permission_error",
    "billing_error": "insufficient_quota",
    "rate_limit_error": "rate_limit_error",
    "api_error": "server_error",
    "timeout_error": "server_error",
    "overloaded_error": "server_error",
}
_SPACES = re.compile(r"\s+")


def anthropic_type_for(status: int) -> str:
    if status in _BY_STATUS:
        return _BY_STATUS[status]
    return "api_error" if status >= 500 else "invalid_request_error"


def anthropic_error(status: int, message: str, type_: str | None = None) -> JsonObj:
    error = {"type": type_ or anthropic_type_for(status), "message": message}
    return {"type": "error", "error": error}


def openai_error(
    status: int, message: str, type_: str | None = None, code: str | None = None
) -> JsonObj:
    atype = anthropic_type_for(status)
    return {
        "error": {
            "message": message,
            "type": type_ or _TO_OPENAI_TYPE[atype],
            "param": None,
            "code": code if code is not None else atype,
        }
    }


def anthropic_error_to_openai(status: int, body: bytes | str | JsonObj | None) -> JsonObj:
    data = _load(body)
    err = data.get("error") if isinstance(data, dict) else None
    atype = err.get("type") if isinstance(err, dict) else None
    if atype not in ANTHROPIC_TYPES:
        atype = anthropic_type_for(status)
    assert isinstance(atype, str)
    return openai_error(status, _message(data, body, status), _TO_OPENAI_TYPE[atype], atype)


def openai_error_to_anthropic(status: int, body: bytes | str | JsonObj | None) -> JsonObj:
    data = _load(body)
    err = data.get("error") if isinstance(data, dict) else None
    # Only `code` is trusted: OpenAI's own `type` reuses "invalid_request_error" for 401s.
    code = err.get("code") if isinstance(err, dict) else None
    atype = code if isinstance(code, str) and code in ANTHROPIC_TYPES else None
    return anthropic_error(status, _message(data, body, status), atype)


def _load(body: bytes | str | JsonObj | None) -> Any:
    if isinstance(body, dict) or body is None:
        return body
    try:
        return json.loads(body)
    except ValueError:
        return None


def _message(data: Any, raw: bytes | str | JsonObj | None, status: int) -> str:
    if isinstance(data, dict):
        err = data.get("error")
        for value in (
            err.get("message") if isinstance(err, dict) else err,
            data.get("message"),
            data.get("detail"),
        ):
            if isinstance(value, str) and value:
                return value
    if isinstance(raw, bytes):
        raw = raw.decode("utf-8", "replace")
    if isinstance(raw, str) and raw.strip():
        snippet = _SPACES.sub(" ", raw.strip())[:200]
        return f"upstream answered HTTP {status} with a non-JSON body: {snippet}"
    return f"upstream answered HTTP {status} with an empty body"
