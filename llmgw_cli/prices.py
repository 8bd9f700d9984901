"""Model prices in USD per million tokens, and what a request cost.

Cache tokens are priced apart, because that is where naive accounting goes wrong once
prompt caching is on: Anthropic bills cache reads at 0.1× input and cache writes at 1.25×
(5-minute TTL) or 2× (1-hour TTL); OpenAI bills cached prompt tokens at a discount and
has no write surcharge. ``Usage.input_tokens`` is always the *uncached* input (the shim's
usage extraction normalises OpenAI's ``prompt_tokens``, which includes cached ones).

The table holds list prices as published by Anthropic and OpenAI in 2025; a shim config's
``prices:`` key overrides or extends it. A model not in the table costs 0.0 (a local model
is free; an unknown remote one should be added to ``prices:``).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from llmgw_cli.errors import ConfigError
from llmgw_cli.wire.usage import Usage

PER = 1_000_000.0


@dataclass(frozen=True)
class Price:
    input: float
    output: float
    cache_read: float
    cache_write: float  # 5-minute TTL writes (and every write, when no TTL is reported)
    cache_write_1h: float

    @classmethod
    def anthropic(cls, input: float, output: float) -> Price:
        return cls(input, output, round(input * 0.1, 6), round(input * 1.25, 6), input * 2.0)

    @classmethod
    def openai(cls, input: float, output: float, cached: float) -> Price:
        return cls(input, output, cached, input, input)

    def to_dict(self) -> dict[str, float]:
        return {
            "input": self.input,
            "output": self.output,
            "cache_read": self.cache_read,
            "cache_write": self.cache_write,
            "cache_write_1h": self.cache_write_1h,
        }


_A, _O = Price.anthropic, Price.openai
DEFAULT_PRICES: dict[str, Price] = {
    "claude-opus-4-5": _A(5.0, 25.0),
    "claude-opus-4-1": _A(15.0, 75.0),
    "claude-opus-4-0": _A(15.0, 75.0),
    "claude-opus-4": _A(15.0, 75.0),
    "claude-3-opus": _A(15.0, 75.0),
    "claude-sonnet-4-5": _A(3.0, 15.0),
    "claude-sonnet-4-0": _A(3.0, 15.0),
    "claude-sonnet-4": _A(3.0, 15.0),
    "claude-3-7-sonnet": _A(3.0, 15.0),
    "claude-3-5-sonnet": _A(3.0, 15.0),
    "claude-haiku-4-5": _A(1.0, 5.0),
    "claude-3-5-haiku": _A(0.8, 4.0),
    "claude-3-haiku": _A(0.25, 1.25),
    "gpt-5": _O(1.25, 10.0, 0.125),
    "gpt-5-mini": _O(0.25, 2.0, 0.025),
    "gpt-5-nano": _O(0.05, 0.4, 0.005),
    "gpt-4.1": _O(2.0, 8.0, 0.5),
    "gpt-4.1-mini": _O(0.4, 1.6, 0.1),
    "gpt-4.1-nano": _O(0.1, 0.4, 0.025),
    "gpt-4o": _O(2.5, 10.0, 1.25),
    "gpt-4o-mini": _O(0.15, 0.6, 0.075),
    "gpt-4-turbo": _O(10.0, 30.0, 10.0),
    "gpt-3.5-turbo": _O(0.5, 1.5, 0.5),
    "o1": _O(15.0, 60.0, 7.5),
    "o3": _O(2.0, 8.0, 0.5),
    "o3-mini": _O(1.1, 4.4, 0.55),
    "o4-mini": _O(1.1, 4.4, 0.275),
}

# A Claude model newer than the table is priced like the newest of its family, and says so.
_FAMILY = {"opus": "claude-opus-4-5", "sonnet": "claude-sonnet-4-5", "haiku": "claude-haiku-4-5"}
_DATE = re.compile(r"(-\d{8}|-\d{4}-\d{2}-\d{2}|-latest|@\d{8}|-v\d+(:\d+)?)$")
_PRICE_KEYS = ("input", "output", "cache_read", "cache_write", "cache_write_1h")


def normalize(model: str) -> str:
    """``anthropic/claude-3-5-sonnet-20241022`` → ``claude-3-5-sonnet``; Bedrock, Vertex too."""
    name = model.strip().lower().rsplit("/", 1)[-1]
    name = re.sub(r"^(?:[a-z]{2}\.)?anthropic\.", "", name)  # us.anthropic.claude-…-v1:0
    previous = None
    while previous != name:
        previous, name = name, _DATE.sub("", name)
    return name


class PriceTable:
    """Prices by model, with lookups that tolerate provider prefixes and date suffixes."""

    def __init__(self, prices: Mapping[str, Price] | None = None) -> None:
        self._prices: dict[str, Price] = dict(DEFAULT_PRICES if prices is None else prices)
        self._cache: dict[str, tuple[Price | None, str]] = {}

    @classmethod
    def from_config(cls, overrides: Any, source: str = "prices") -> PriceTable:
        """The default table with a shim config's ``prices:`` mapping laid over it."""
        table = dict(DEFAULT_PRICES)
        if overrides is None:
            return cls(table)
        if not isinstance(overrides, Mapping):
            raise ConfigError(
                f"{source}: must map model names to {{input: …, output: …}}"
                " in USD per million tokens"
            )
        for model, spec in overrides.items():
            table[normalize(str(model))] = _parse_price(spec, f"{source}.{model}")
        return cls(table)

    def lookup(self, model: str | None) -> tuple[Price | None, str]:
        """(price, how it was found): "exact", "prefix", "family" (an estimate) or "unknown"."""
        if not model:
            return None, "unknown"
        hit = self._cache.get(model)
        if hit is None:
            hit = self._find(normalize(model))
            if len(self._cache) < 4096:  # bounded: model names come from clients
                self._cache[model] = hit
        return hit

    def _find(self, name: str) -> tuple[Price | None, str]:
        if name in self._prices:
            return self._prices[name], "exact"
        prefixes = [key for key in self._prices if name.startswith(key + "-")]
        if prefixes:
            return self._prices[max(prefixes, key=len)], "prefix"
        if name.startswith("claude"):
            for family, key in _FAMILY.items():
                if family in name and key in self._prices:
                    return self._prices[key], "family"
        return None, "unknown"

    def cost(self, model: str | None, usage: Usage) -> float:
        price, _ = self.lookup(model)
        return 0.0 if price is None else cost_of(price, usage)

    def items(self) -> list[tuple[str, Price]]:
        return sorted(self._prices.items())


def cost_of(price: Price, usage: Usage) -> float:
    """USD for one request; 1-hour cache writes are a subset of ``cache_write_tokens``."""
    write_1h = min(usage.cache_write_1h_tokens, usage.cache_write_tokens)
    return (
        usage.input_tokens * price.input
        + usage.output_tokens * price.output
        + usage.cache_read_tokens * price.cache_read
        + (usage.cache_write_tokens - write_1h) * price.cache_write
        + write_1h * price.cache_write_1h
    ) / PER


_default: PriceTable | None = None


def default_table() -> PriceTable:
    global _default
    if _default is None:
        _default = PriceTable()
    return _default


def cost(model: str | None, usage: Usage, table: PriceTable | None = None) -> float:
    return (table or default_table()).cost(model, usage)


def _parse_price(spec: Any, where: str) -> Price:
    if not isinstance(spec, Mapping):
        raise ConfigError(f"{where}: give {{input: N, output: N}} in USD per million tokens")
    unknown = sorted(set(map(str, spec)) - set(_PRICE_KEYS))
    if unknown:
        raise ConfigError(f"{where}: unknown key {unknown[0]!r}; allowed: {', '.join(_PRICE_KEYS)}")
    values: dict[str, float] = {}
    for key in _PRICE_KEYS:
        value = spec.get(key)
        if value is None:
            continue
        if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
            raise ConfigError(f"{where}.{key}: must be a number ≥ 0 (USD per million tokens)")
        values[key] = float(value)
    if "input" not in values or "output" not in values:
        raise ConfigError(f"{where}: both input and output prices are required")
    # Missing cache prices assume no discount and no surcharge: never under-count spend.
    return Price(
        values["input"],
        values["output"],
        values.get("cache_read", values["input"]),
        values.get("cache_write", values["input"]),
        values.get("cache_write_1h", values.get("cache_write", values["input"])),
    )
