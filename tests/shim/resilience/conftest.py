"""Shims running a chain config (YAML text or file), in a thread, for the resilience tests."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx

from llmgw_cli.shim import config as shim_config
from llmgw_cli.shim.serve.server import Config, RunningShim, run_in_thread
from tests.shim.conftest import NO_PLUGINS

HI = [{"role": "user", "content": "hi"}]
BODY: dict[str, Any] = {"model": "claude-sonnet-4-5", "max_tokens": 20, "messages": HI}


@contextmanager
def chain_shim(
    text: str | None = None,
    path: Path | None = None,
    plugins: dict[str, dict[str, Any]] | None = None,
    public: bool = False,
) -> Iterator[RunningShim]:
    """A shim for a chain config given as YAML text, or as a file (which reload re-reads)."""
    if path is not None:
        cfg = shim_config.load(path)
    else:
        assert text is not None
        cfg = shim_config.from_text(text, "chain.yaml")
        cfg.source = None  # nothing to re-read
    cfg.with_flags("127.0.0.1", 0)
    if not cfg.plugins:
        cfg.plugins = dict(plugins if plugins is not None else NO_PLUGINS)
    cfg.shutdown_grace_s = 5.0
    with run_in_thread(Config(shim=cfg, public=public)) as shim:
        yield shim


def post(shim: RunningShim, body: dict[str, Any] | None = None, **kw: Any) -> httpx.Response:
    return httpx.post(
        shim.url + "/v1/messages",
        json=body or BODY,
        headers={"x-api-key": shim.token},
        timeout=30,
        **kw,
    )


def member(shim: RunningShim, name: str) -> dict[str, Any]:
    health = httpx.get(shim.url + "/health", timeout=10).json()
    for m in health["members"]:
        if m["name"] == name:
            return dict(m)
    raise KeyError(name)


def api_count(url: str) -> int:
    """How many API requests a mock received (counted by the mock: GET /_mock/stats)."""
    from tests.helpers.mockserver import stats

    return int(stats(url)["requests"])
