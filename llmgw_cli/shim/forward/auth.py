"""The shim's local token: random per shim, kept only in the 0600 runtime state file.

Clients send it as ``Authorization: Bearer T`` (ANTHROPIC_AUTH_TOKEN, the OpenAI SDK) or
``x-api-key: T`` (ANTHROPIC_API_KEY); the shim swaps it for the member's real credential.
"""

from __future__ import annotations

import hmac
import secrets
from collections.abc import Mapping

PREFIX = "llmgw-local-"


def new_token() -> str:
    return PREFIX + secrets.token_urlsafe(32)


class LocalAuth:
    __slots__ = ("_bearer", "_token")

    def __init__(self, token: str) -> None:
        self._token = token.encode()
        self._bearer = ("Bearer " + token).encode()

    def ok(self, headers: Mapping[str, str]) -> bool:
        key = headers.get("x-api-key")
        if key is not None and hmac.compare_digest(
            key.encode(errors="surrogateescape"), self._token
        ):
            return True
        auth = headers.get("authorization")
        if auth is None:
            return False
        if auth[:7].lower() == "bearer ":
            auth = "Bearer " + auth[7:].strip()
        return hmac.compare_digest(auth.encode(errors="surrogateescape"), self._bearer)


UNAUTHORIZED = (
    "missing or wrong local token for the llmgw shim; point the client at it with "
    '`eval "$(llmgw env --shim)"` or run it with `llmgw exec --shim -- CMD`'
)
