"""HTTP pieces the checks share: the reply record, header redaction, HTML and error-body
reading, and the URL of each API path for a profile.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

from llmgw_cli.config.model import Profile
from llmgw_cli.config.secretref import mask, redact

ANTHROPIC_VERSION = "2023-06-01"
USER_AGENT = "llmgw-doctor"
_SECRET_HEADERS = frozenset(
    {
        "authorization",
        "x-api-key",
        "proxy-authorization",
        "cookie",
        "set-cookie",
        "api-key",
        "x-goog-api-key",
    }
)
_SECRET_WORDS = ("token", "secret", "key", "password", "auth")
# Headers that identify a request in the gateway's logs: quote them to the operator.
REQUEST_ID_HEADERS = (
    "request-id",
    "x-request-id",
    "anthropic-request-id",
    "x-amzn-requestid",
    "cf-ray",
    "x-litellm-call-id",
    "apim-request-id",
    "x-correlation-id",
    "x-llmgw-upstream",
)


@dataclass
class Reply:
    status: int
    http_version: str
    headers: dict[str, str]  # lowercase names
    body: bytes
    elapsed_ms: float
    sent_at: float  # wall clock (time.time) around the request, for the clock check
    received_at: float
    url: str = ""
    events: list[Any] = field(default_factory=list)

    @property
    def content_type(self) -> str:
        return self.headers.get("content-type", "").split(";")[0].strip().lower()

    @property
    def is_html(self) -> bool:
        return is_html(self.content_type, self.body)

    def json(self) -> Any | None:
        try:
            return json.loads(self.body)
        except ValueError:
            return None

    def error_message(self) -> str:
        return error_message(self.body)

    def request_ids(self) -> dict[str, str]:
        return {h: self.headers[h] for h in REQUEST_ID_HEADERS if h in self.headers}


def is_html(content_type: str, body: bytes) -> bool:
    head = body.lstrip()[:64].lower()
    return "html" in content_type or head.startswith((b"<!doctype html", b"<html"))


def html_title(body: bytes) -> str | None:
    found = re.search(rb"<title[^>]*>(.*?)</title>", body[:65536], re.IGNORECASE | re.DOTALL)
    if not found:
        return None
    title = " ".join(found.group(1).decode("utf-8", "replace").split())
    return title[:80] or None


def describe_html(reply: Reply) -> str:
    title = html_title(reply.body)
    named = f" titled {title!r}" if title else ""
    return f"an HTML page{named} (status {reply.status}) where JSON was expected"


HTML_FIX = (
    "something other than the API answers (an SSO login page, a web application firewall or "
    "a proxy's error page): open the URL in a browser to see who; you may need the VPN, a "
    "different endpoint (the API, not the web UI) or the proxy's allow-list"
)


def clip(text: str, limit: int = 200) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def error_message(body: bytes) -> str:
    """The API's own error text, whatever the shape (Anthropic, OpenAI, FastAPI, plain)."""
    try:
        data = json.loads(body)
    except ValueError:
        text = " ".join(body[:300].decode("utf-8", "replace").split())
        return text or "(empty body)"
    if isinstance(data, dict):
        err = data.get("error")
        if isinstance(err, dict) and isinstance(err.get("message"), str):
            return str(err["message"])[:300]
        for key in ("message", "detail", "error"):
            if isinstance(data.get(key), str):
                return str(data[key])[:300]
    return json.dumps(data)[:300]


def redact_headers(headers: dict[str, str], secret: str | None) -> dict[str, str]:
    out: dict[str, str] = {}
    for name, value in headers.items():
        lower = name.lower()
        if lower in _SECRET_HEADERS or any(w in lower for w in _SECRET_WORDS):
            scheme, _, rest = value.partition(" ")
            out[name] = (
                f"{scheme} {mask(rest)}"
                if rest and scheme.lower() in ("bearer", "basic")
                else mask(value)
            )
        elif secret and secret in value:
            out[name] = redact(value, secret)
        else:
            out[name] = value
    return out


def api_base(profile: Profile, fmt: str) -> str:
    """``…/v1`` for a format: Anthropic's root gets /v1 added, OpenAI's base keeps its own."""
    return profile.openai_base if fmt in ("openai", "responses") else profile.root + "/v1"


def auth_headers(style: str, secret: str | None) -> dict[str, str]:
    if not secret or style == "none":
        return {}
    if style == "x-api-key":
        return {"x-api-key": secret}
    return {"authorization": f"Bearer {secret}"}


def other_style(style: str) -> str:
    return "x-api-key" if style == "bearer" else "bearer"


def style_name(style: str) -> str:
    return {"bearer": "Authorization: Bearer", "x-api-key": "x-api-key", "none": "no key"}[style]
