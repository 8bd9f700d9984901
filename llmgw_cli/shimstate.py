"""The running shim's state file: where it listens, its pid, and its local token.

Kept in the runtime dir as one 0600 JSON file, so `llmgw env --shim` and `exec --shim`
can find the shim without importing aiohttp (they are on the shell's hot path).
"""

from __future__ import annotations

import contextlib
import json
import os
from dataclasses import asdict, dataclass, field
from pathlib import Path

from llmgw_cli import paths

STATE_FILE = "shim.json"


@dataclass
class ShimState:
    pid: int
    url: str
    token: str
    started: float
    profile: str | None = None
    chain: list[str] = field(default_factory=list)
    log_file: str | None = None
    config_file: str | None = None
    # Variables `env --shim` adds for Claude Code because this shim serves what they turn
    # on (model discovery, routing on hint headers).
    client_env: dict[str, str] = field(default_factory=dict)

    def to_json(self) -> str:
        return json.dumps(asdict(self), indent=2)


def state_path() -> Path:
    return paths.runtime_dir() / STATE_FILE


def pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def read(path: Path | None = None) -> ShimState | None:
    """The running shim, or None (a stale file from a dead process counts as none)."""
    path = path or state_path()
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        state = ShimState(**data)
    except (OSError, ValueError, TypeError):
        return None
    return state if pid_alive(state.pid) else None


def write(state: ShimState, path: Path | None = None) -> None:
    paths.write_atomic(path or state_path(), state.to_json(), mode=0o600)


def remove(pid: int, path: Path | None = None) -> None:
    """Remove the state file if it still belongs to ``pid``."""
    path = path or state_path()
    with contextlib.suppress(OSError, ValueError):
        if json.loads(path.read_text(encoding="utf-8")).get("pid") == pid:
            path.unlink()
