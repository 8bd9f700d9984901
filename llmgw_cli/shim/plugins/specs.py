"""The governance plugins and the one function the shim core calls to build them.

    from llmgw_cli.prices import PriceTable
    from llmgw_cli.shim.plugins.specs import build_plugins
    prices = PriceTable.from_config(cfg.get("prices"))
    plugins = build_plugins(cfg.get("plugins"), paths.state_dir(), prices)

The core knows no plugin by name. Order matters and is fixed here: metrics first (counts
every request, rejected ones too), audit, pii (may reject or rewrite the body), budget last
(reserves only for a request nothing else refused). Defaults as in design.md: audit and
metrics on, pii and budget off.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from llmgw_cli.errors import ConfigError
from llmgw_cli.prices import PriceTable
from llmgw_cli.shim.plugins.contract import Plugin

ORDER = ("metrics", "audit", "pii", "budget")
ENABLED_BY_DEFAULT = {"metrics": True, "audit": True, "pii": False, "budget": False}


def _factory(name: str) -> Callable[[Any, Path, PriceTable], Plugin]:
    # Imported on demand: prometheus_client, phonenumbers and sqlite only load when enabled.
    if name == "metrics":
        from llmgw_cli.shim.plugins.metrics import MetricsPlugin

        return MetricsPlugin
    if name == "audit":
        from llmgw_cli.shim.plugins.audit import AuditPlugin

        return AuditPlugin
    if name == "pii":
        from llmgw_cli.shim.plugins.pii import PIIPlugin

        return PIIPlugin
    from llmgw_cli.shim.plugins.budget import BudgetPlugin

    return BudgetPlugin


def build_plugins(
    config: Mapping[str, Any] | None, state_dir: Path, prices: PriceTable | None = None
) -> list[Plugin]:
    """Plugins enabled by the shim config's ``plugins:`` section, in hook order."""
    config = config or {}
    if not isinstance(config, Mapping):
        raise ConfigError(
            "plugins: must be a mapping of plugin name to settings (audit, metrics, budget, pii)"
        )
    unknown = sorted(set(map(str, config)) - set(ORDER))
    if unknown:
        raise ConfigError(f"plugins: unknown plugin {unknown[0]!r}; known: {', '.join(ORDER)}")
    table = prices or PriceTable()
    plugins: list[Plugin] = []
    for name in ORDER:
        section = config.get(name)
        if section is not None and not isinstance(section, Mapping):
            raise ConfigError(
                f"plugins.{name}: must be a mapping, e.g. `{name}: {{enabled: true}}`"
            )
        enabled = (section or {}).get("enabled", ENABLED_BY_DEFAULT[name])
        if not isinstance(enabled, bool):
            raise ConfigError(f"plugins.{name}.enabled: must be true or false")
        if enabled:
            plugins.append(_factory(name)(section, state_dir, table))
    return plugins


def needs_usage(plugins: list[Plugin]) -> bool:
    """Whether the core must parse usage and TTFT from responses for these plugins."""
    return any(p.needs_usage for p in plugins)
