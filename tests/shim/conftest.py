"""Fixtures for the shim tests: profiles pointing at real local servers, shims in a thread."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from llmgw_cli.config.model import TLS, Auth, Profile, Proxy, Timeouts
from llmgw_cli.config.secretref import SecretRef
from llmgw_cli.config.secrets import Secrets
from llmgw_cli.config.store import ProfileStore
from llmgw_cli.shim import config as shim_config
from llmgw_cli.shim.config import ShimConfig
from llmgw_cli.shim.members.member import Member
from llmgw_cli.shim.plugins.contract import Plugin
from llmgw_cli.shim.route.router import Router
from llmgw_cli.shim.serve.server import Config, RunningShim, run_in_thread

REAL_KEY = "sk-real-upstream-key-0123456789"
NO_PLUGINS: dict[str, dict[str, Any]] = {
    "audit": {"enabled": False},
    "metrics": {"enabled": False},
}


def save_profile(
    name: str,
    endpoint: str,
    auth: str = "x-api-key",
    headers: dict[str, str] | None = None,
    formats: list[str] | None = None,
    tls: TLS | None = None,
    proxy: Proxy | None = None,
    timeouts: Timeouts | None = None,
) -> Profile:
    profile = Profile(
        name=name,
        endpoint=endpoint,
        formats=formats or ["anthropic", "openai"],
        auth=Auth(type=auth, secret=None if auth == "none" else "file"),
        headers=headers
        if headers is not None
        else {"X-Department": "Engineering", "X-Project": "P1"},
        tls=tls or TLS(),
        proxy=proxy or Proxy(),
        timeouts=timeouts or Timeouts(),
    )
    ProfileStore().save(profile)
    if auth != "none":  # a 0600 file: the real key is in no process's environment
        Secrets().store(name, SecretRef.parse("file"), REAL_KEY)
    return profile


@contextmanager
def shim_for(
    *names: str,
    plugins: list[Plugin] | None = None,
    plugin_config: dict[str, dict[str, Any]] | None = None,
    public: bool = False,
    grace_s: float = 5.0,
    router: Callable[[ShimConfig, Sequence[Member]], Router] | None = None,
) -> Iterator[RunningShim]:
    cfg = shim_config.for_chain(list(names), host="127.0.0.1", port=0)
    cfg.plugins = plugin_config if plugin_config is not None else dict(NO_PLUGINS)
    cfg.shutdown_grace_s = grace_s
    config = Config(shim=cfg, plugins=plugins, public=public, router=router)
    with run_in_thread(config) as shim:
        yield shim


def auth_headers(shim: RunningShim, style: str = "x-api-key") -> dict[str, str]:
    if style == "bearer":
        return {"Authorization": f"Bearer {shim.token}"}
    return {"x-api-key": shim.token}
