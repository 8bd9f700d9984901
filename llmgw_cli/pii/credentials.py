"""Secrets that must never reach an upstream or a log: API keys, tokens, private keys.

Each pattern is specific to one issuer's documented format, so ordinary identifiers
(``sk-learn``, ``task-ant-…``) do not match; the generic ``sk-`` form also needs digits and
letters in a long tail, as real keys have.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

# Each pattern with the literal strings one of which any match contains (or, for a pattern
# that ignores case, a short pattern that does): a pattern runs only over text that holds
# one, and a substring search is ~50× cheaper than a regex scan.
_Markers = tuple[str, ...] | re.Pattern[str]
_PATTERNS: tuple[tuple[_Markers, re.Pattern[str]], ...] = tuple(
    (markers, re.compile(p))
    for markers, p in (
        (("sk-ant-",), r"\bsk-ant-[A-Za-z0-9_-]{20,}"),  # Anthropic
        (("_live_", "_test_"), r"\b(?:sk|rk)_(?:live|test)_[0-9A-Za-z]{20,}"),  # Stripe
        (("AKIA", "ASIA", "ABIA", "ACCA"), r"\b(?:AKIA|ASIA|ABIA|ACCA)[A-Z0-9]{16}\b"),  # AWS
        (
            re.compile(r"(?i)_access_key"),
            r"(?i)\baws_secret_access_key\b\s*[=:]\s*['\"]?[A-Za-z0-9/+=]{40}",
        ),
        (  # GitHub
            ("ghp_", "gho_", "ghu_", "ghs_", "ghr_", "github_pat_"),
            r"\b(?:gh[pousr]_[A-Za-z0-9]{36,255}|github_pat_[A-Za-z0-9_]{22,255})\b",
        ),
        (("glpat-",), r"\bglpat-[A-Za-z0-9_-]{20,}"),  # GitLab
        (("xox",), r"\bxox[abposr]-[A-Za-z0-9-]{10,}"),  # Slack
        (("AIza",), r"\bAIza[0-9A-Za-z_-]{35}"),  # Google API key
        (("eyJ",), r"\beyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}"),  # JWT
        (  # PEM private key: the whole block when its END line is there, else the header.
            ("PRIVATE KEY",),
            r"-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----"
            r"(?:[A-Za-z0-9+/=\s:,-]*?-----END (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----)?",
        ),
    )
)
# OpenAI keys: sk-…, sk-proj-…, sk-svcacct-…, sk-admin-…; checked further in code.
_OPENAI = re.compile(r"\bsk-(?!ant-)(?:proj-|svcacct-|admin-)?[A-Za-z0-9_-]{20,}")
_DIGIT = re.compile(r"\d")
_ALPHA = re.compile(r"[A-Za-z]")


def find_secrets(text: str) -> Iterator[tuple[int, int]]:
    """(start, end) of every secret in ``text``."""
    for markers, pattern in _PATTERNS:
        if (
            markers.search(text) is not None
            if isinstance(markers, re.Pattern)
            else any(marker in text for marker in markers)
        ):
            for m in pattern.finditer(text):
                yield m.start(), m.end()
    if "sk-" not in text:
        return
    for m in _OPENAI.finditer(text):
        key = m.group()[3:]
        if len(key) >= 29 and _DIGIT.search(key) and _ALPHA.search(key):
            yield m.start(), m.end()
