"""Small helpers the governance plugins share: who is asking, what it cost, config sections."""

from __future__ import annotations

import getpass
from collections.abc import Mapping
from typing import Any

from llmgw_cli.errors import ConfigError
from llmgw_cli.prices import PriceTable
from llmgw_cli.shim.plugins.contract import Exchange
from llmgw_cli.wire.format import classify

_os_user: str | None = None


def os_user() -> str:
    global _os_user
    if _os_user is None:
        try:
            _os_user = getpass.getuser()
        except Exception:  # no passwd entry in some containers
            _os_user = "unknown"
    return _os_user


def user_of(exchange: Exchange) -> str:
    """``X-User-ID`` when the client sent one, else the OS user running the shim."""
    return exchange.user or os_user()


def is_generation(exchange: Exchange) -> bool:
    """A request that makes the model generate (costs money); count_tokens and models are free."""
    if exchange.method != "POST":
        return False
    fmt, kind = classify(exchange.path)
    return fmt is not None and kind in fmt.generation


def carries_prompt(exchange: Exchange) -> bool:
    """A request whose body carries the user's text upstream (count_tokens sends it too)."""
    if exchange.method != "POST":
        return False
    fmt, kind = classify(exchange.path)
    return fmt is not None and kind in fmt.prompt


def priced_model(exchange: Exchange) -> str | None:
    """The model the upstream actually ran, else the one requested."""
    return exchange.upstream_model or exchange.model


def exchange_cost(exchange: Exchange, prices: PriceTable) -> float:
    """USD for the exchange's usage, computed once and kept in ``notes`` for the others."""
    cached = exchange.notes.get("cost_usd")
    if isinstance(cached, float):
        return cached
    value = prices.cost(priced_model(exchange), exchange.usage)
    exchange.notes["cost_usd"] = value
    return value


def section(config: Any, name: str, allowed: Mapping[str, Any]) -> dict[str, Any]:
    """A plugin's config section with defaults filled in; unknown keys are errors."""
    where = f"plugins.{name}"
    if config is None:
        config = {}
    if not isinstance(config, Mapping):
        raise ConfigError(f"{where}: must be a mapping, e.g. `{name}: {{enabled: true}}`")
    unknown = sorted(set(map(str, config)) - set(allowed))
    if unknown:
        raise ConfigError(
            f"{where}: unknown key {unknown[0]!r}; allowed: {', '.join(sorted(allowed))}"
        )
    merged = dict(allowed)
    merged.update(config)
    return merged


def number(value: Any, where: str, integer: bool = False) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
        kind = "a whole number" if integer else "a number"
        raise ConfigError(f"{where}: must be {kind} ≥ 0 or null")
    if integer and not float(value).is_integer():
        raise ConfigError(f"{where}: must be a whole number ≥ 0 or null")
    return float(value)


def choice(value: Any, where: str, options: tuple[str, ...]) -> str:
    if value not in options:
        raise ConfigError(f"{where}: must be one of {', '.join(options)} (got {value!r})")
    return str(value)
