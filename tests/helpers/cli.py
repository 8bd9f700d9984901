"""Run the installed ``llmgw`` console script in a subprocess, as a user would."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path

# The console script next to this interpreter (a pyenv shim would add ~50 ms and may pick
# another interpreter); PATH as a fallback for unusual installs.
_BESIDE = Path(sys.executable).with_name("llmgw")
LLMGW = str(_BESIDE) if _BESIDE.is_file() else (shutil.which("llmgw") or "llmgw")
NO_KEYCHAIN = "keyring.backends.fail.Keyring"
# Every proxy variable a client may read: tests unset them all for a direct, proxy-free run.
PROXY_VARS = (
    "HTTPS_PROXY",
    "https_proxy",
    "HTTP_PROXY",
    "http_proxy",
    "ALL_PROXY",
    "all_proxy",
    "NO_PROXY",
    "no_proxy",
)


def env_with(overrides: Mapping[str, str | None] | None = None) -> dict[str, str]:
    """os.environ (the autouse fixture already isolated LLMGW_HOME) plus overrides; None deletes."""
    env = dict(os.environ)
    for key, value in (overrides or {}).items():
        if value is None:
            env.pop(key, None)
        else:
            env[key] = value
    return env


def run(
    *args: str,
    input: str | None = None,
    env: Mapping[str, str | None] | None = None,
    cwd: str | Path | None = None,
    timeout: float = 120,
) -> subprocess.CompletedProcess[str]:
    # No input: stdin is /dev/null, never the terminal pytest runs in.
    stdin = subprocess.DEVNULL if input is None else None
    return subprocess.run(
        [LLMGW, *args],
        input=input,
        stdin=stdin,
        capture_output=True,
        text=True,
        env=env_with(env),
        cwd=cwd,
        timeout=timeout,
    )
