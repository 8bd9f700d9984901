"""What the benchmark scripts share: the llmgw command, a proxy-free environment, starting
`llmgw mock` and `llmgw shim start` as real processes, and waiting for them to answer.

Scripts import it as ``from _harness import ...`` (Python puts the script's own folder,
benchmarks/, first on sys.path), so each still runs standalone: `python benchmarks/X.py`.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path


def llmgw() -> list[str]:
    """The installed console script, or this interpreter running the package."""
    exe = shutil.which("llmgw")
    return [exe] if exe else [sys.executable, "-m", "llmgw_cli"]


def proxy_free_env() -> dict[str, str]:
    """os.environ without any *_PROXY variable: every figure is loopback, direct."""
    return {k: v for k, v in os.environ.items() if not k.upper().endswith("_PROXY")}


def get(url: str) -> bytes:
    """GET ``url`` directly (no proxy from the environment)."""
    import urllib.request

    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    with opener.open(url, timeout=5) as resp:
        data: bytes = resp.read()
    return data


def wait_http(url: str, timeout: float = 60.0, proc: subprocess.Popen[bytes] | None = None) -> None:
    import urllib.request

    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"process for {url} exited with {proc.returncode}")
        try:
            with opener.open(url, timeout=2):
                return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"{url} did not come up within {timeout:g} s")


def start_mock(env: dict[str, str], *args: str) -> tuple[str, subprocess.Popen[bytes]]:
    """`llmgw mock --port 0 ARGS...`; returns (the URL it printed, the process)."""
    proc = subprocess.Popen(
        [*llmgw(), "mock", "--port", "0", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        env=env,
    )
    assert proc.stdout is not None
    url = proc.stdout.readline().decode().strip()
    if not url.startswith("http"):
        raise RuntimeError("llmgw mock printed no URL")
    return url, proc


BENCH_KEY_ENV = {"BENCH_MOCK_KEY": "bench-key"}  # the mock profiles' `env:` secret
NO_PLUGINS = "plugins: {audit: {enabled: false}, metrics: {enabled: false}}\n"


def mock_profile(
    name: str,
    url: str,
    formats: str = "anthropic, openai",
    auth: str = "{type: x-api-key, secret: 'env:BENCH_MOCK_KEY'}",
    extra: str = "",
) -> str:
    """A profile file (YAML text) for a mock at ``url``."""
    return f"version: 1\nname: {name}\nendpoint: {url}\nformats: [{formats}]\nauth: {auth}\n{extra}"


def start_shim(
    name: str,
    work: Path,
    profiles: dict[str, str],
    config: str,
    env: dict[str, str],
    timeout: float = 60.0,
) -> tuple[str, str, subprocess.Popen[bytes]]:
    """A shim in its own LLMGW_HOME under ``work``: writes ``profiles`` (name -> YAML) and the
    shim ``config``, runs `llmgw shim start --config … --port 0`, and returns (url, local
    token, process) once /health answers."""
    home = work / re.sub(r"[^A-Za-z0-9_.-]+", "_", name)
    folder = home / "config" / "profiles"
    folder.mkdir(parents=True)
    for profile, text in profiles.items():
        (folder / f"{profile}.yaml").write_text(text)
    cfg = home / "shim.yaml"
    cfg.write_text(config)
    with (home / "shim.log").open("wb") as log:  # the child keeps its own descriptor
        proc = subprocess.Popen(
            [*llmgw(), "shim", "start", "--config", str(cfg), "--port", "0"],
            stdout=subprocess.DEVNULL,
            stderr=log,
            env={**env, **BENCH_KEY_ENV, "LLMGW_HOME": str(home)},
        )
    state = home / "run" / "shim.json"
    deadline = time.monotonic() + timeout
    while not state.exists():
        if proc.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError(f"shim {name} did not start: {(home / 'shim.log').read_text()}")
        time.sleep(0.05)
    data = json.loads(state.read_text())
    wait_http(data["url"] + "/health", proc=proc)
    return data["url"], data["token"], proc


def emit(data: dict[str, object]) -> None:
    """Hand a script's figures to `run_all.py` (the file it names in LLMGW_BENCH_JSON)."""
    out = os.environ.get("LLMGW_BENCH_JSON")
    if out:
        Path(out).write_text(json.dumps(data, indent=1, default=str))
