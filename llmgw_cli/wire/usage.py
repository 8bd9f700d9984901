"""Exact token usage from upstream responses: the one ``Usage`` type, used by the shim's
plugins, bench and the prices. ``Usage.input_tokens`` is always normalised to the uncached
input.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class Usage:
    """Token usage of one exchange; ``input_tokens`` is always the uncached input."""

    input_tokens: int = 0
    output_tokens: int = 0
    cache_read_tokens: int = 0
    cache_write_tokens: int = 0
    exact: bool = False  # True when taken from the upstream's `usage`, False for an estimate
    # Of cache_write_tokens, those written with Anthropic's 1-hour TTL (priced at 2× input,
    # not 1.25×). A subset: not added again to ``total``.
    cache_write_1h_tokens: int = 0

    @property
    def total(self) -> int:
        cached = self.cache_read_tokens + self.cache_write_tokens
        return self.input_tokens + self.output_tokens + cached
