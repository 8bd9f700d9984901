"""The governance plugins as one table, and the one function the shim core calls to build them.

    from llmgw_cli.prices import PriceTable
    from llmgw_cli.shim.plugins.specs import build_plugins
    prices = PriceTable.from_config(cfg.get("prices"))
    plugins = build_plugins(cfg.get("plugins"), paths.state_dir(), prices)

The core knows no plugin by name: ``PLUGINS`` is the only list of them, and the builder, its
config checks and its error messages are read from it. Order matters and is the table's:
metrics first (counts every request, rejected ones too), audit, pii (may reject or rewrite the
body), budget last (reserves only for a request nothing else refused). Defaults as in
docs/architecture.md: audit and metrics on, pii and budget off. A new plugin is one row here.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

from llmgw_cli.errors import ConfigError
from llmgw_cli.prices import PriceTable
from llmgw_cli.shim.plugins.contract import Plugin

Factory = Callable[[Any, Path, PriceTable], Plugin]


@dataclass(frozen=True)
class PluginSpec:
    name: str  # the key under ``plugins:`` in the shim config
    factory: str  # "module:Class", imported only when enabled (prometheus, phonenumbers, sqlite)
    on_by_default: bool

    def load(self) -> Factory:
        module, _, attr = self.factory.partition(":")
        return cast(Factory, getattr(importlib.import_module(module), attr))


# In hook order.
PLUGINS: tuple[PluginSpec, ...] = (
    PluginSpec("metrics", "llmgw_cli.shim.plugins.metrics:MetricsPlugin", on_by_default=True),
    PluginSpec("audit", "llmgw_cli.shim.plugins.audit:AuditPlugin", on_by_default=True),
    PluginSpec("pii", "llmgw_cli.shim.plugins.pii:PIIPlugin", on_by_default=False),
    PluginSpec("budget", "llmgw_cli.shim.plugins.budget:BudgetPlugin", on_by_default=False),
)
KNOWN = ", ".join(spec.name for spec in PLUGINS)


def _enabled(spec: PluginSpec, section: Any) -> bool:
    if section is not None and not isinstance(section, Mapping):
        raise ConfigError(
            f"plugins.{spec.name}: must be a mapping, e.g. `{spec.name}: {{enabled: true}}`"
        )
    enabled = (section or {}).get("enabled", spec.on_by_default)
    if not isinstance(enabled, bool):
        raise ConfigError(f"plugins.{spec.name}.enabled: must be true or false")
    return enabled


def build_plugins(
    config: Mapping[str, Any] | None,
    state_dir: Path,
    prices: PriceTable | None = None,
    keep: Mapping[str, Plugin] | None = None,
) -> list[Plugin]:
    """Plugins enabled by the shim config's ``plugins:`` section, in hook order; ``keep``
    (a reload): running plugins whose settings did not change, used instead of new ones."""
    keep = keep or {}
    config = config or {}
    if not isinstance(config, Mapping):
        raise ConfigError(f"plugins: must be a mapping of plugin name to settings ({KNOWN})")
    unknown = sorted(set(map(str, config)) - {spec.name for spec in PLUGINS})
    if unknown:
        raise ConfigError(f"plugins: unknown plugin {unknown[0]!r}; known: {KNOWN}")
    table = prices or PriceTable()
    plugins: list[Plugin] = []
    for spec in PLUGINS:
        section = config.get(spec.name)
        if _enabled(spec, section):
            kept = keep.get(spec.name)
            plugins.append(kept if kept is not None else spec.load()(section, state_dir, table))
    return plugins


def needs_usage(plugins: list[Plugin]) -> bool:
    """Whether the core must parse usage and TTFT from responses for these plugins."""
    return any(p.needs_usage for p in plugins)
