"""Secrets that must never reach an upstream or a log: API keys, tokens, private keys.

Each pattern is specific to one issuer's documented format, so ordinary identifiers
(``sk-learn``, ``task-ant-…``) do not match; the generic ``sk-`` form also needs digits and
letters in a long tail, as real keys have.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

_PATTERNS: tuple[re.Pattern[str], ...] = tuple(
    re.compile(p)
    for p in (
        r"\bsk-ant-[A-Za-z0-9_-]{20,}",  # Anthropic
        r"\b(?:sk|rk)_(?:live|test)_[0-9A-Za-z]{20,}",  # Stripe
        r"\b(?:AKIA|ASIA|ABIA|ACCA)[A-Z0-9]{16}\b",  # AWS access key id
        r"(?i)\baws_secret_access_key\b\s*[=:]\s*['\"]?[A-Za-z0-9/+=]{40}",
        r"\b(?:gh[pousr]_[A-Za-z0-9]{36,255}|github_pat_[A-Za-z0-9_]{22,255})\b",  # GitHub
        r"\bglpat-[A-Za-z0-9_-]{20,}",  # GitLab
        r"\bxox[abposr]-[A-Za-z0-9-]{10,}",  # Slack
        r"\bAIza[0-9A-Za-z_-]{35}",  # Google API key
        r"\beyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}",  # JWT
        # PEM private key: the whole block when its END line is there, else the header.
        r"-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----"
        r"(?:[A-Za-z0-9+/=\s:,-]*?-----END (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----)?",
    )
)
# OpenAI keys: sk-…, sk-proj-…, sk-svcacct-…, sk-admin-…; checked further in code.
_OPENAI = re.compile(r"\bsk-(?!ant-)(?:proj-|svcacct-|admin-)?[A-Za-z0-9_-]{20,}")
_DIGIT = re.compile(r"\d")
_ALPHA = re.compile(r"[A-Za-z]")


def find_secrets(text: str) -> Iterator[tuple[int, int]]:
    """(start, end) of every secret in ``text``."""
    for pattern in _PATTERNS:
        for m in pattern.finditer(text):
            yield m.start(), m.end()
    for m in _OPENAI.finditer(text):
        key = m.group()[3:]
        if len(key) >= 29 and _DIGIT.search(key) and _ALPHA.search(key):
            yield m.start(), m.end()
