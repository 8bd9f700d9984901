"""The shim's server: ``Config`` + ``Server(config).serve()``, uvicorn-style.

``serve()`` opens the members' sessions, loads the plugins, listens, writes the runtime
state file (for `env --shim`, `status`, `stop`) and runs until SIGTERM/SIGINT or
``request_stop()``; then it stops accepting, gives in-flight requests ``shutdown_grace_s``
to finish, and closes everything. SIGHUP reloads (``reload()``). ``run_in_thread`` runs one
in a background thread for `exec --shim`, `llmgw demo` and tests.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import signal
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from aiohttp import web

from llmgw_cli import shimstate
from llmgw_cli.errors import LlmgwError
from llmgw_cli.shim.config import ShimConfig, is_loopback
from llmgw_cli.shim.forward import auth
from llmgw_cli.shim.forward.entry import Forwarder, Stats
from llmgw_cli.shim.members.member import Member
from llmgw_cli.shim.plugins import host
from llmgw_cli.shim.plugins.contract import Plugin
from llmgw_cli.shim.route.chain import build_router
from llmgw_cli.shim.route.router import Router
from llmgw_cli.shim.serve import daemon, dashboard, dispatch, door, loops, retire
from llmgw_cli.shim.serve import discovery as discovery_mod
from llmgw_cli.shim.serve.admin import Admin
from llmgw_cli.shim.serve.discovery import Discovery
from llmgw_cli.shim.serve.health import Health
from llmgw_cli.shim.signals import ShimSignal

log = logging.getLogger("llmgw.shim")


@dataclass
class Config:
    shim: ShimConfig
    token: str = field(default_factory=auth.new_token)
    # Prebuilt members (tests, the private shim); None: load the chain's profiles and secrets.
    members: list[Member] | None = None
    # Prebuilt plugins (tests, embedding); None: build them from the config's plugins section.
    plugins: Sequence[Plugin] | None = None
    # Builds the router from the config and members; None: ``chain.build_router``.
    router: Callable[[ShimConfig, Sequence[Member]], Router] | None = None
    public: bool = True  # the LLMGW_HOME's shim: lock, state file; False for a private one
    install_signal_handlers: bool = True
    log_file: str | None = None


class Server:
    def __init__(self, config: Config) -> None:
        self.config = config
        self.stats = Stats()
        self.started = threading.Event()
        self.url = ""
        self.port = 0
        self._stop: asyncio.Event | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        # Every acquire in ``startup`` pushes its release here; ``shutdown`` unwinds it.
        self._exits = contextlib.AsyncExitStack()
        self._signals = 0
        self.forwarder: Forwarder | None = None
        self._retiring = retire.Retirement()
        self._info: dict[str, object] = {}
        self.discovery: Discovery | None = None
        self.dashboard: dashboard.Dashboard | None = None

    @property
    def router(self) -> Router:
        assert self.forwarder is not None
        return self.forwarder.router

    async def startup(self) -> None:
        cfg, shim = self.config, self.config.shim
        retire.no_core_dumps()  # a core file would hold the members' secrets
        self._loop = asyncio.get_running_loop()
        self._stop = asyncio.Event()
        exits = self._exits
        if cfg.public:
            exits.callback(daemon.release_lock, daemon.acquire_lock())
            exits.callback(shimstate.remove, os.getpid())  # written below, once listening
        members = cfg.members if cfg.members is not None else _load_members(shim)
        plugins = host.load(shim) if cfg.plugins is None else host.PluginHost(cfg.plugins)
        self._retiring.started(plugins)
        exits.push_async_callback(self._retiring.close_plugins)
        exits.push_async_callback(self._drain)
        exits.push_async_callback(self._close_members, members)
        for m in members:
            plugins.watch(m)
            m.start()
        router = (cfg.router or build_router)(shim, members)
        router.ping_s = shim.ping_interval_s
        self.forwarder = Forwarder(
            router,
            plugins,
            auth.LocalAuth(cfg.token),
            self.stats,
            shim.limits,
            retire.scrubber(members, cfg.token),
        )
        self._info = {"chain": list(shim.chain), "plugins": plugins.names}
        await self._listen(self._handler())
        if cfg.public:
            self._publish(router)
        if cfg.install_signal_handlers and threading.current_thread() is threading.main_thread():
            self._loop.add_signal_handler(signal.SIGTERM, self._on_signal)
            self._loop.add_signal_handler(signal.SIGINT, self._on_signal)
            self._loop.add_signal_handler(
                signal.SIGHUP, lambda: asyncio.ensure_future(self.reload())
            )
        log.info(
            "llmgw shim listening on %s (chain: %s; plugins: %s; loop: %s)",
            self.url,
            ", ".join(shim.chain),
            ", ".join(plugins.names) or "none",
            loops.name(self._loop),
        )
        self.started.set()

    def _handler(self) -> Any:
        """The front door's dispatcher over the forwarder, health, admin and discovery."""
        shim, forwarder = self.config.shim, self.forwarder
        assert forwarder is not None
        health = Health(lambda: self.router, self.stats, shim.health_interval_s, self._info)
        dash = self.dashboard = dashboard.attach(
            forwarder, self.config.token, shim.prices, health.snapshot
        )
        admin = Admin(forwarder.auth, health, self.reload_checked, dash)
        found = self.discovery = Discovery(lambda: self.config.shim, lambda: self.router)
        return dispatch.dispatcher(
            forwarder,
            health,
            metrics_open=is_loopback(shim.listen.host),
            admin=admin,
            discovery=found if shim.discovery else None,
        )

    async def _listen(self, handler: Any) -> None:
        shim = self.config.shim
        runner = web.ServerRunner(
            door.build(handler, shim.limits),
            shutdown_timeout=shim.shutdown_grace_s,
            handle_signals=False,
        )
        await runner.setup()
        # Stop listening, let in-flight requests finish (first to run on shutdown).
        self._exits.push_async_callback(runner.cleanup)
        if self.dashboard is not None:  # before it: the dashboard's event streams end at once
            self._exits.callback(self.dashboard.close)
        sock = door.bind(shim.listen.host, shim.listen.port)
        await web.SockSite(runner, sock).start()
        self.port = sock.getsockname()[1]
        addr = shim.listen.host
        self.url = f"http://{'[' + addr + ']' if ':' in addr else addr}:{self.port}"
        self._info["url"] = self.url

    def _publish(self, router: Router) -> None:
        """The state file `env --shim`, `status` and `stop` read."""
        shim = self.config.shim
        shimstate.write(
            shimstate.ShimState(
                pid=os.getpid(),
                url=self.url,
                token=self.config.token,
                started=self.stats.started,
                profile=shim.chain[0] if len(shim.chain) == 1 else None,
                chain=list(shim.chain),
                log_file=self.config.log_file,
                config_file=shim.source,
                client_env=discovery_mod.client_env(shim, router),
            )
        )

    async def serve(self) -> None:
        try:
            await self.startup()
            assert self._stop is not None
            await self._stop.wait()
        finally:
            await self.shutdown()

    def _on_signal(self) -> None:
        """The first SIGINT/SIGTERM stops gracefully (in-flight requests finish); a second
        one exits at once, as uvicorn does."""
        self._signals += 1
        if self._signals == 1:
            log.info("stopping: waiting for in-flight requests (again to force)")
            self.request_stop()
            return
        log.warning("forced exit: in-flight requests are cut")
        if self.config.public:
            shimstate.remove(os.getpid())
        os._exit(1)

    def request_stop(self) -> None:
        """Thread-safe: ask ``serve`` to shut down gracefully."""
        if self._loop is None or self._stop is None:
            return
        self._loop.call_soon_threadsafe(self._stop.set)

    async def reload(self) -> bool:
        """Re-read the config and profiles; swap the router. In-flight requests keep theirs."""
        return await self.reload_checked() is None

    async def reload_checked(self) -> str | None:
        """``reload``, returning why it was refused (None: applied)."""
        from llmgw_cli.shim import config as config_mod

        shim = self.config.shim
        try:
            new = config_mod.load(Path(shim.source)) if shim.source else shim
            if shim.source:
                new.listen = shim.listen  # the socket stays; a new address needs a restart
            members = _load_members(new)
            router = (self.config.router or build_router)(new, members)
            router.ping_s = new.ping_interval_s
            assert self.forwarder is not None
            embedded = self.config.plugins is not None
            plugins, retired = retire.plugins_after(self.forwarder.plugins, embedded, shim, new)
        except Exception as exc:  # keep serving with the running config
            if isinstance(exc, (LlmgwError, ShimSignal)):
                reason = exc.message
            else:
                reason = f"{type(exc).__name__}: {exc}"
            log.error("reload refused, keeping the running config: %s", reason)
            return str(reason)
        forwarder = self.forwarder
        old_plugins = forwarder.plugins
        for m in members:
            plugins.watch(m)
            m.start()
        if plugins is not old_plugins:
            for m in forwarder.router.members:
                plugins.watch(m)  # the retiring members report to the new plugins too
        old = forwarder.router
        router.inherit(old)
        # Old and new secrets: a stream that started on a replaced member still relays.
        forwarder.scrub = retire.scrubber([*members, *old.members], self.config.token)
        forwarder.router = router
        forwarder.plugins = plugins
        self._info["plugins"] = plugins.names
        forwarder.limits = new.limits  # body and depth limits; the door's need a restart
        self.config.shim = new
        self._info["chain"] = list(new.chain)
        if self.config.public:  # `status` and `env --shim` read the chain from the state file
            state = shimstate.read()
            if state is not None and state.pid == os.getpid():
                self._publish(router)
        self._retiring.members(old.members)
        self._retiring.started(plugins)
        self._retiring.plugins(old_plugins, retired)
        log.info("reloaded: chain %s; plugins %s", ", ".join(new.chain), ", ".join(plugins.names))
        return None

    async def shutdown(self) -> None:
        """Release what ``startup`` acquired, in reverse: listening socket and in-flight
        requests, members' sessions, plugin queues, state file, lock."""
        await self._exits.aclose()

    async def _drain(self) -> None:
        if self.forwarder is not None:
            await self.forwarder.drain()  # the last audit lines and budget settles

    async def _close_members(self, started: Sequence[Member]) -> None:
        # A reload may have replaced the members: close the router's current ones too.
        current = self.forwarder.router.members if self.forwarder is not None else ()
        for m in {id(m): m for m in (*started, *current)}.values():
            await m.close()


def _load_members(shim: ShimConfig) -> list[Member]:
    from llmgw_cli.shim.members import load

    return load.load_members(shim)


def run(config: Config, loop: str = "auto") -> None:
    """Serve in this thread until stopped (the foreground `llmgw shim start`), on the loop
    ``loop`` names (serve/loops.py)."""
    loops.run(Server(config).serve, loop)


@dataclass
class RunningShim:
    url: str
    token: str
    server: Server
    thread: threading.Thread


@contextlib.contextmanager
def run_in_thread(config: Config, timeout: float = 30.0) -> Iterator[RunningShim]:
    """A shim serving in a background thread; stopped gracefully on exit from the block."""
    config.install_signal_handlers = False
    server = Server(config)
    errors: list[BaseException] = []

    def main() -> None:
        try:
            asyncio.run(server.serve())
        except BaseException as exc:  # reported to the caller below
            errors.append(exc)
            server.started.set()

    thread = threading.Thread(target=main, name="llmgw-shim", daemon=True)
    thread.start()
    deadline = time.monotonic() + timeout
    while not server.started.wait(0.05):
        if time.monotonic() > deadline:
            raise TimeoutError("the shim did not start in time")
    if errors:
        raise errors[0]
    try:
        yield RunningShim(server.url, config.token, server, thread)
    finally:
        server.request_stop()
        thread.join(config.shim.shutdown_grace_s + 10)
