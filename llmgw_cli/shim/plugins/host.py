"""Calls the enabled plugins' hooks (contract: ``llmgw_cli.shim.plugins.contract``).

The core knows no plugin by name: ``llmgw_cli.shim.plugins.build_plugins`` turns the shim
config's ``plugins:`` section into plugin objects (in hook order, defaults applied). The
host looks for optional duck-typed extras on them:

    render_metrics() -> tuple[bytes, str]       # body and content type for GET /metrics
    set_upstream_up(member: str, up: bool)      # a member's reachability changed
    set_member_state(member: str, state: str)   # a member's breaker moved (closed|open|half_open)

and, for the hot path (declared hooks, docs/architecture.md), these:

    hooks: ClassVar[frozenset[str]]             # the hooks it needs: "request", "complete"
    request_now(exchange) / complete_now(exchange)  # the hook as a plain call (never waits)

A plugin that does not name a hook in ``hooks`` is never called for it; one that has
``request_now`` (``complete_now``) is called through it instead of ``on_request``
(``on_complete``): no coroutine per hook, and a request whose every hook is a plain call
completes without any task (``complete_now`` here).

The server wires every member's ``on_change`` to ``upstream_changed`` and ``on_state`` to
``member_state``; a breaker only calls ``member.set_breaker_state(state)``.

A plugin's bug never costs the request its audit line, nor the client a 500: an unexpected
exception in a hook is logged and noted in ``exchange.notes["plugin_errors"]`` (the audit
line carries it), and the next plugin still runs. In ``on_request`` a plugin that guards
(``fail_closed`` true: the budget and PII filters in block mode, which must not wave
requests through) then refuses the request with a 503 naming it; any other lets it pass.
Plugins that write the record of a request (``records`` true: audit) complete last, so
they see what the others noted.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Coroutine, Sequence
from typing import Any

from llmgw_cli import paths
from llmgw_cli.shim.config import ShimConfig
from llmgw_cli.shim.members.member import Member
from llmgw_cli.shim.plugins.contract import BadBody, Exchange, Plugin, Reject
from llmgw_cli.shim.signals import ShimSignal

log = logging.getLogger("llmgw.shim")


class PluginFailed(ShimSignal):
    def __init__(self, plugin: str, exc: BaseException) -> None:
        super().__init__(f"shim plugin {plugin!r} failed: {type(exc).__name__}: {exc}")
        self.plugin = plugin


class PluginHost:
    def __init__(self, plugins: Sequence[Plugin]) -> None:
        self.plugins: tuple[Plugin, ...] = tuple(plugins)
        self.names = [p.name for p in self.plugins]
        self.needs_usage = any(getattr(p, "needs_usage", False) for p in self.plugins)
        metrics = _hooks(self.plugins, "render_metrics")
        self._metrics = metrics[0] if metrics else None  # the first one that renders
        self._up_hooks = _hooks(self.plugins, "set_upstream_up")
        self._state_hooks = _hooks(self.plugins, "set_member_state")
        self.active = 0  # requests started with this host whose on_complete has not run
        records = [p for p in self.plugins if getattr(p, "records", False)]
        order = [p for p in self.plugins if p not in records] + records
        self._requests = _declared(self.plugins, "request")
        self._completes = _declared(order, "complete")

    def __bool__(self) -> bool:
        return bool(self.plugins)

    async def on_request(self, exchange: Exchange) -> None:
        """Raises ``Reject`` (a plugin refused), ``BadBody``, or ``PluginFailed`` (a guard
        failed)."""
        for plugin, now in self._requests:
            try:
                if now is not None:
                    now(exchange)
                else:
                    await plugin.on_request(exchange)
            except (Reject, BadBody):
                raise
            except Exception as exc:
                _noted(exchange, plugin, "on_request", exc)
                if getattr(plugin, "fail_closed", False):
                    raise PluginFailed(plugin.name, exc) from exc

    def complete_now(self, exchange: Exchange) -> Coroutine[Any, Any, None] | None:
        """Run the ``on_complete`` hooks that are plain calls, in order, up to the first one
        that is a coroutine; returns None when that was all, else a coroutine that runs the
        rest (to be awaited)."""
        hooks = self._completes
        for i, (plugin, now) in enumerate(hooks):
            if now is None:
                return self._complete_from(exchange, i)
            try:
                now(exchange)
            except Exception as exc:
                _noted(exchange, plugin, "on_complete", exc)
        return None

    async def _complete_from(self, exchange: Exchange, start: int) -> None:
        for plugin, now in self._completes[start:]:
            try:
                if now is not None:
                    now(exchange)
                else:
                    await plugin.on_complete(exchange)
            except Exception as exc:
                _noted(exchange, plugin, "on_complete", exc)

    async def on_complete(self, exchange: Exchange) -> None:
        rest = self.complete_now(exchange)
        if rest is not None:
            await rest

    def render_metrics(self) -> tuple[bytes, str] | None:
        return self._metrics() if self._metrics is not None else None

    def upstream_changed(self, member: str, up: bool) -> None:
        _notify(self._up_hooks, "set_upstream_up", member, up)

    def member_state(self, member: str, state: str) -> None:
        # `llmgw shim logs` shows every breaker change (README.md, "Fallback chain").
        log.warning("circuit breaker of %s is now %s", member, state.replace("_", "-"))
        _notify(self._state_hooks, "set_member_state", member, state)

    def watch(self, member: Member) -> None:
        """Wire a member's reachability and breaker reports to the plugins; report its state."""
        member.on_change = self.upstream_changed
        member.on_state = self.member_state
        state = member.breaker_state
        log.info("circuit breaker of %s: %s", member.name, state.replace("_", "-"))  # no change
        _notify(self._state_hooks, "set_member_state", member.name, state)

    async def close(self) -> None:
        for plugin in self.plugins:
            try:
                await plugin.close()
            except Exception:
                log.warning("plugin %s failed to close", plugin.name, exc_info=True)


def _noted(exchange: Exchange, plugin: Plugin, hook: str, exc: BaseException) -> None:
    """Log a plugin's failure on one request and note it for the audit line."""
    text = f"{plugin.name}.{hook}: {type(exc).__name__}: {str(exc)[:200]}"
    exchange.notes.setdefault("plugin_errors", []).append(text)
    log.warning(
        "plugin %s failed on request %s (%s)",
        plugin.name,
        exchange.request_id,
        text,
        exc_info=not isinstance(exc, RecursionError),  # that traceback is 1000 frames long
    )


_Hook = tuple[Plugin, Callable[[Exchange], None] | None]


def _declared(plugins: Sequence[Plugin], hook: str) -> list[_Hook]:
    """The plugins that declare ``hook`` (all of them when they declare no ``hooks``), each
    with its plain-call variant (``request_now``/``complete_now``) or None."""
    out: list[_Hook] = []
    for p in plugins:
        if hook in getattr(p, "hooks", ("request", "complete")):
            now = getattr(p, f"{hook}_now", None)
            out.append((p, now if callable(now) else None))
    return out


def _hooks(plugins: Sequence[Plugin], attr: str) -> list[Callable[..., Any]]:
    """The plugins' optional, duck-typed hook ``attr``, bound, in plugin order."""
    return [fn for p in plugins if callable(fn := getattr(p, attr, None))]


def _notify(hooks: list[Callable[..., Any]], name: str, *args: object) -> None:
    """Tell every plugin; one whose hook fails is logged, the others still hear it."""
    for hook in hooks:
        try:
            hook(*args)
        except Exception:
            log.warning("plugin hook %s failed", name, exc_info=True)


def load(config: ShimConfig) -> PluginHost:
    from llmgw_cli.prices import PriceTable
    from llmgw_cli.shim.plugins.specs import build_plugins

    prices = PriceTable.from_config(config.prices or None)
    return PluginHost(build_plugins(config.plugins, paths.state_dir(), prices))


def reload(
    running: PluginHost, old: ShimConfig, new: ShimConfig
) -> tuple[PluginHost, list[Plugin]]:
    """The host for ``new``'s ``plugins:`` section: a plugin whose settings (and the prices)
    are unchanged keeps running as it is; a changed or new one starts; the rest retire.
    Returns the new host and the retired plugins (to close once the requests that started
    on ``running`` have finished). Raises ``ConfigError`` for a bad section."""
    from llmgw_cli.prices import PriceTable
    from llmgw_cli.shim.plugins.specs import build_plugins

    same_prices = (old.prices or {}) == (new.prices or {})
    before, after = old.plugins or {}, new.plugins or {}
    keep = {
        p.name: p
        for p in running.plugins
        if same_prices and before.get(p.name) == after.get(p.name)
    }
    prices = PriceTable.from_config(new.prices or None)
    plugins = build_plugins(new.plugins, paths.state_dir(), prices, keep=keep)
    retired = [p for p in running.plugins if all(p is not q for q in plugins)]
    return PluginHost(plugins), retired
