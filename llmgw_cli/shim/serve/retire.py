"""What a reload replaces, closed once nothing uses it; and the shim's process hardening.

A reload swaps the router, the members and the plugins whole; requests already running keep
what they started with. ``Retirement`` closes a replaced member's session once nothing is in
flight on it, and a replaced plugin once every request that started on its host has run its
``on_complete``; at shutdown it closes whatever is still open (docs/architecture.md, "the
shim's gates").
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence

from llmgw_cli.errors import ConfigError
from llmgw_cli.shim.config import ShimConfig
from llmgw_cli.shim.members.member import Member
from llmgw_cli.shim.plugins import host
from llmgw_cli.shim.plugins.contract import Plugin
from llmgw_cli.shim.plugins.scrub import Scrubber

log = logging.getLogger("llmgw.shim")


class Retirement:
    def __init__(self) -> None:
        self._open: dict[int, Plugin] = {}  # every plugin not yet closed
        self._tasks: set[asyncio.Future[None]] = set()

    def started(self, plugins: host.PluginHost) -> None:
        self._open.update((id(p), p) for p in plugins.plugins)

    def members(self, members: Sequence[Member]) -> None:
        self._tasks.add(asyncio.ensure_future(_close_members(tuple(members))))

    def plugins(self, running: host.PluginHost, retired: list[Plugin]) -> None:
        if retired:
            self._tasks.add(asyncio.ensure_future(self._close_plugins(running, retired)))

    async def _close_plugins(self, running: host.PluginHost, retired: list[Plugin]) -> None:
        while running.active > 0:
            await asyncio.sleep(0.2)
        for p in retired:
            self._open.pop(id(p), None)
        await host.PluginHost(retired).close()

    async def close_plugins(self) -> None:
        """Shutdown (in-flight requests done): every plugin still open, retired ones too."""
        open_now, self._open = list(self._open.values()), {}
        await host.PluginHost(open_now).close()


async def _close_members(members: tuple[Member, ...]) -> None:
    while any(m.in_flight for m in members):
        await asyncio.sleep(0.5)
    for m in members:
        await m.close()


def plugins_after(
    current: host.PluginHost, embedded: bool, running: ShimConfig, new: ShimConfig
) -> tuple[host.PluginHost, list[Plugin]]:
    """The plugin host after a reload to ``new``, and the plugins it retires. Plugins given
    at start (``embedded``: tests, an embedding program) cannot be rebuilt: a changed
    ``plugins:`` section is then refused (``ConfigError``) rather than ignored."""
    if not embedded:
        return host.reload(current, running, new)
    if (new.plugins or {}) != (running.plugins or {}):
        raise ConfigError(
            "plugins: this shim's plugins were given when it was embedded, so a changed "
            "plugins: section cannot be applied; restart the shim to change them"
        )
    return current, []


def scrubber(members: Sequence[Member], token: str) -> Scrubber:
    """Everything the relay and the audit log must never show."""
    return Scrubber([*(s for m in members for s in m.secrets()), token])


def no_core_dumps() -> None:
    """RLIMIT_CORE 0: a crash leaves no core file holding the secrets. The soft limit is the
    one a crash obeys; the hard one stays, so an embedding process may raise its own later."""
    try:
        import resource

        _, hard = resource.getrlimit(resource.RLIMIT_CORE)
        resource.setrlimit(resource.RLIMIT_CORE, (0, hard))
    except (ImportError, ValueError, OSError):  # not on this platform
        log.debug("could not set RLIMIT_CORE to 0")
