"""The ``auth.secret`` reference: where a profile's secret lives (never the secret itself)."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass

from llmgw_cli.errors import SecretError

_ENV_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*\Z")


@dataclass(frozen=True)
class SecretRef:
    kind: str  # keyring | env | cmd | file
    arg: str = ""

    @classmethod
    def parse(cls, text: str) -> SecretRef:
        text = text.strip()
        if text in ("keyring", "file"):
            return cls(text)
        kind, sep, arg = text.partition(":")
        if sep and kind == "env":
            if not _ENV_RE.match(arg):
                raise ValueError(
                    f"env:{arg} does not name an environment variable; write env:MY_VAR"
                )
            return cls("env", arg)
        if sep and kind == "cmd":
            if not arg.strip():
                raise ValueError("cmd: needs a command, e.g. cmd:pass show corp/llm")
            return cls("cmd", arg.strip())
        raise ValueError(
            f"{text!r} is not a secret reference; use keyring, env:VAR, cmd:COMMAND or file"
        )

    def __str__(self) -> str:
        return f"{self.kind}:{self.arg}" if self.arg else self.kind


def env_value(profile: str, var: str) -> str:
    """An ``env:VAR`` secret (light: the warm ``llmgw env`` path reads it without Secrets)."""
    value = os.environ.get(var)
    if not value:
        raise SecretError(
            f"profile {profile!r} reads its secret from ${var}, which is not set; "
            f"run `export {var}=YOUR_KEY` or change auth.secret"
        )
    return value


def mask(secret: str | None) -> str:
    """Show just enough to recognise a key: ``…abcd``."""
    if not secret:
        return "(empty)"
    if len(secret) < 12:
        return "…" + "*" * 4
    return "…" + secret[-4:]


MIN_SEARCHED = 8  # a shorter secret would match ordinary words: never searched for in text
_TOKEN_CHARS = r"A-Za-z0-9_\-.~+/="


def redact(text: str, secret: str | None) -> str:
    """``text`` with each whole occurrence of ``secret`` masked; never part of a longer word.

    A value that is the secret is masked whole. A secret shorter than MIN_SEARCHED is not
    looked for inside free text: replacing "proxy" inside "no proxy variable" corrupts the
    text and reveals the key by its gaps.
    """
    if not secret:
        return text
    if text == secret:
        return mask(secret)
    if len(secret) < MIN_SEARCHED or secret not in text:
        return text
    import re

    pattern = re.compile(rf"(?<![{_TOKEN_CHARS}]){re.escape(secret)}(?![{_TOKEN_CHARS}])")
    return pattern.sub(mask(secret), text)
