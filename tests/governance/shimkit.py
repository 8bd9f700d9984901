"""The real shim with governance plugins, in a thread or as `llmgw shim start` processes.

    with shim_thread(mock_url, {"audit": {...}, "budget": {...}}) as shim:   # this LLMGW_HOME
        httpx.post(shim.url + "/v1/messages", json=..., headers=auth(shim.token))
    with shim_process(home, mock_url, "plugins: {...}\n") as shim:           # a real process
        shim.proc, shim.url, shim.token, shim.home

Profiles point at a mock and read their key from ``GOV_TEST_KEY`` (set by conftest), so the
real key is never written anywhere.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from llmgw_cli import paths
from llmgw_cli.shim import config as shim_config
from llmgw_cli.shim.serve.server import Config, RunningShim, run_in_thread
from tests.helpers.cli import LLMGW

KEY_ENV = "GOV_TEST_KEY"
REAL_KEY = "sk-governance-upstream-0123456789"
OFF = {"enabled": False}


def profile_yaml(name: str, url: str, formats: str = "anthropic, openai") -> str:
    return (
        f"version: 1\nname: {name}\nendpoint: {url}\nformats: [{formats}]\n"
        f"auth: {{type: x-api-key, secret: 'env:{KEY_ENV}'}}\n"
    )


def write_profile(home: Path, name: str, url: str, formats: str = "anthropic, openai") -> None:
    folder = home / "config" / "profiles"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{name}.yaml").write_text(profile_yaml(name, url, formats))


def auth(token: str) -> dict[str, str]:
    return {"x-api-key": token, "anthropic-version": "2023-06-01"}


@contextmanager
def shim_thread(
    url: str,
    plugins: dict[str, Any],
    prices: dict[str, dict[str, float]] | None = None,
    formats: str = "anthropic, openai",
) -> Iterator[RunningShim]:
    """A shim in this process's LLMGW_HOME, one member ``mock`` at ``url``."""
    write_profile(paths.config_dir().parent, "mock", url, formats)
    cfg = shim_config.for_chain(["mock"], host="127.0.0.1", port=0)
    cfg.plugins = plugins
    cfg.prices = prices or {}
    cfg.shutdown_grace_s = 5.0
    with run_in_thread(Config(shim=cfg, public=False)) as shim:
        yield shim


@dataclass
class ShimProcess:
    home: Path
    url: str
    token: str
    proc: subprocess.Popen[bytes]

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 30.0) -> int:
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        return self.proc.returncode


def start_shim_process(
    home: Path, mock_url: str, config_tail: str, others: dict[str, str] | None = None
) -> ShimProcess:
    """`llmgw shim start --config FILE --port 0` in the foreground, LLMGW_HOME=home.

    The chain is ``others`` (name -> endpoint, in order), then ``mock``."""
    others = others or {}
    for name, url in {**others, "mock": mock_url}.items():
        write_profile(home, name, url)
    cfg = home / "shim.yaml"
    cfg.write_text(f"chain: [{', '.join([*others, 'mock'])}]\n" + config_tail)
    state = home / "run" / "shim.json"
    state.unlink(missing_ok=True)
    log = open(home / "shim.log", "ab")  # noqa: SIM115 - handed to the child
    proc = subprocess.Popen(
        [LLMGW, "shim", "start", "--config", str(cfg), "--port", "0"],
        stdin=subprocess.DEVNULL,
        stdout=log,
        stderr=subprocess.STDOUT,
        env={**os.environ, "LLMGW_HOME": str(home), KEY_ENV: REAL_KEY},
    )
    log.close()
    deadline = time.monotonic() + 60
    while True:
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            proc.wait()
            raise RuntimeError(f"shim did not start: {(home / 'shim.log').read_text()}")
        if state.exists():
            try:
                data = json.loads(state.read_text())
                if httpx.get(data["url"] + "/health", timeout=5).status_code == 200:
                    return ShimProcess(home, data["url"], data["token"], proc)
            except (ValueError, httpx.HTTPError):
                pass
        time.sleep(0.05)


@contextmanager
def shim_process(
    home: Path, mock_url: str, config_tail: str, others: dict[str, str] | None = None
) -> Iterator[ShimProcess]:
    shim = start_shim_process(home, mock_url, config_tail, others)
    try:
        yield shim
    finally:
        shim.stop()


def read_lines(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text().splitlines()]


def wait_for(predicate: Any, timeout: float = 30.0, what: str = "condition") -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.02)
