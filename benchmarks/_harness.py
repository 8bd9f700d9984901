"""What the benchmark scripts share: the llmgw command, a proxy-free environment, starting
`llmgw mock` and `llmgw shim start` as real processes, and waiting for them to answer.

Scripts import it as ``from _harness import ...`` (Python puts the script's own folder,
benchmarks/, first on sys.path), so each still runs standalone: `python benchmarks/X.py`.
"""

from __future__ import annotations

import json
import os
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


def start_shim(
    name: str, home: Path, config: Path, env: dict[str, str], timeout: float = 60.0
) -> tuple[str, str, subprocess.Popen[bytes]]:
    """`llmgw shim start --config CONFIG --port 0` with LLMGW_HOME=home (its profiles under
    home/config/profiles); returns (url, local token, process) once /health answers."""
    with (home / "shim.log").open("wb") as log:  # the child keeps its own descriptor
        proc = subprocess.Popen(
            [*llmgw(), "shim", "start", "--config", str(config), "--port", "0"],
            stdout=subprocess.DEVNULL,
            stderr=log,
            env={**env, "LLMGW_HOME": str(home)},
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
