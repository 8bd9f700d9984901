"""Shims for the gateway-guide tests: a config written as YAML, served in a thread."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from llmgw_cli.shim import config as shim_config
from llmgw_cli.shim.serve.server import Config, RunningShim, run_in_thread

PLUGINS_OFF = "plugins: {audit: {enabled: false}, metrics: {enabled: false}}\n"


@contextmanager
def shim_yaml(text: str, public: bool = False) -> Iterator[RunningShim]:
    """A shim from a config file's text (its chain's profiles must be saved already)."""
    cfg = shim_config.from_text(text, "shim.yaml")
    cfg.listen.host, cfg.listen.port = "127.0.0.1", 0
    cfg.shutdown_grace_s = 2.0
    with run_in_thread(Config(shim=cfg, public=public)) as shim:
        yield shim


def key(shim: RunningShim) -> dict[str, str]:
    return {"x-api-key": shim.token}
