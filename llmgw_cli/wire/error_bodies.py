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
from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

from llmgw_cli.wire.common import JsonObj

# The one status -> error-type table per format, used by the shim's own faults, plugin
# refusals, the mock and the translators alike (docs/architecture.md, "wire formats").
# Anthropic: https://docs.anthropic.com/en/api/errors (503 and 529 are both "overloaded").
ANTHROPIC_BY_STATUS: Mapping[int, str] = MappingProxyType(
    {
        400: "invalid_request_error",
        401: "authentication_error",
        402: "billing_error",
        403: "permission_error",
        404: "not_found_error",
        413: "request_too_large",
        429: "rate_limit_error",
        500: "api_error",
        502: "api_error",
        503: "overloaded_error",
        504: "timeout_error",
        529: "overloaded_error",
    }
)
ANTHROPIC_TYPES = frozenset({*ANTHROPIC_BY_STATUS.values(), "api_error"})
# OpenAI: (type, code) as the real API answers. 401 is "invalid_request_error" with code
# "invalid_api_key"; a 404 (unknown model or URL) is an "invalid_request_error" too; every
# 5xx is "server_error". For 429 the real API's type varies ("requests", "tokens",
# "insufficient_quota" for an exhausted quota): we send "rate_limit_error" with code
# "rate_limit_exceeded"; the SDKs pick their exception class from the status alone.
OPENAI_BY_STATUS: Mapping[int, tuple[str, str | None]] = MappingProxyType(
    {
        400: ("invalid_request_error", None),
        401: ("invalid_request_error", "invalid_api_key"),
        402: ("insufficient_quota", "insufficient_quota"),
        403: ("permission_error", None),
        404: ("invalid_request_error", None),
        413: ("invalid_request_error", "request_too_large"),
        429: ("rate_limit_error", "rate_limit_exceeded"),
    }
)
_SPACES = re.compile(r"\s+")


def anthropic_type_for(status: int) -> str:
    if status in ANTHROPIC_BY_STATUS:
        return ANTHROPIC_BY_STATUS[status]
    return "api_error" if status >= 500 else "invalid_request_error"


def openai_type_for(status: int) -> tuple[str, str | None]:
    """(type, code) the real OpenAI API sends with ``status``."""
    if status in OPENAI_BY_STATUS:
        return OPENAI_BY_STATUS[status]
    return ("server_error" if status >= 500 else "invalid_request_error"), None


def anthropic_error(
    status: int, message: str, type_: str | None = None, extra: Mapping[str, Any] | None = None
) -> JsonObj:
    error: JsonObj = {"type": type_ or anthropic_type_for(status), "message": message}
    if extra:
        error.update(extra)
    return {"type": "error", "error": error}


def anthropic_error_type(data: Any) -> str | None:
    """The ``error.type`` of a body in the Anthropic error shape, else None."""
    err = data.get("error") if isinstance(data, dict) else None
    if (
        isinstance(data, dict)
        and data.get("type") == "error"
        and isinstance(err, dict)
        and isinstance(err.get("type"), str)
        and isinstance(err.get("message"), str)
    ):
        return str(err["type"])
    return None


def openai_error(
    status: int,
    message: str,
    type_: str | None = None,
    code: str | None = None,
    extra: Mapping[str, Any] | None = None,
) -> JsonObj:
    """An OpenAI error body. ``type_`` may be an Anthropic type (a plugin's or the router's
    refusal names one): it then becomes the OpenAI type for the status; any other type (the
    seed's ``security_violation``) is kept as given. The table's ``code`` comes only with the
    table's type."""
    default_type, default_code = openai_type_for(status)
    kind = default_type if type_ is None or type_ in ANTHROPIC_TYPES else type_
    error: JsonObj = {
        "message": message,
        "type": kind,
        "param": None,
        # A caller that names its own type names its own code (none unless given).
        "code": code if code is not None else (default_code if type_ is None else None),
    }
    if extra:
        error.update(extra)
    return {"error": error}


def anthropic_error_to_openai(status: int, body: bytes | str | JsonObj | None) -> JsonObj:
    data = _load(body)
    err = data.get("error") if isinstance(data, dict) else None
    atype = err.get("type") if isinstance(err, dict) else None
    if atype not in ANTHROPIC_TYPES:
        atype = anthropic_type_for(status)
    assert isinstance(atype, str)
    # The Anthropic type travels in ``code``, so a round trip keeps it.
    return openai_error(status, _message(data, body, status), None, atype)


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
