"""The shim as a background process: one per LLMGW_HOME, found through the runtime dir.

``shim.lock`` (held with flock for the server's lifetime) makes a second shim for the same
LLMGW_HOME refuse to start, and disappears with its holder, so a crashed shim never blocks
the next one; ``shim.json`` (``shimstate.py``) says where it listens; ``shim.log`` in the
state dir keeps a detached shim's output. Nothing here imports aiohttp.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import signal
import subprocess
import sys
import time
import urllib.request
from collections import deque
from pathlib import Path
from typing import Any

from llmgw_cli import paths, shimstate
from llmgw_cli.errors import ConfigError, UpstreamError

LOCK_FILE = "shim.lock"
LOG_FILE = "shim.log"
LOG_ENV = "LLMGW_SHIM_LOG_FILE"  # tells a detached child where its output goes


def log_path() -> Path:
    return paths.state_dir() / LOG_FILE


def _already(state: shimstate.ShimState | None) -> ConfigError:
    where = f" (pid {state.pid} at {state.url})" if state else ""
    return ConfigError(
        f"a shim is already running for this LLMGW_HOME{where}; "
        "stop it with `llmgw shim stop` or use it with `llmgw env --shim`"
    )


def acquire_lock() -> int:
    path = paths.ensure_dir(paths.runtime_dir()) / LOCK_FILE
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(fd)
        raise _already(shimstate.read()) from None
    return fd


def release_lock(fd: int) -> None:
    with contextlib.suppress(OSError):
        fcntl.flock(fd, fcntl.LOCK_UN)
        os.close(fd)


def start_detached(args: list[str], timeout: float = 30.0) -> shimstate.ShimState:
    """Start `llmgw shim start ARGS` in its own session; return once it listens."""
    running = shimstate.read()
    if running is not None:
        raise _already(running)
    log = log_path()
    paths.ensure_dir(log.parent)
    with open(log, "ab") as out:
        os.chmod(log, 0o600)
        proc = subprocess.Popen(
            [sys.executable, "-m", "llmgw_cli", "shim", "start", *args],
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            env={**os.environ, LOG_ENV: str(log)},
        )
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        state = shimstate.read()
        if state is not None and state.pid == proc.pid:
            return state
        code = proc.poll()
        if code is not None:
            raise ConfigError(f"the shim exited with {code} while starting: {_last_line(log)}")
        time.sleep(0.05)
    proc.terminate()
    raise UpstreamError(f"the shim did not start within {timeout:g} s; see {log}")


def _last_line(log: Path) -> str:
    lines = tail(log, 5)
    for line in reversed(lines):
        if line.strip():
            return line.strip().removeprefix("llmgw: error: ")
    return f"no output; see {log}"


def stop(timeout: float = 30.0) -> shimstate.ShimState | None:
    """SIGTERM the running shim and wait for it to finish in-flight requests and exit.

    Returns the stopped shim's state, or None when none was running. A shim still alive
    after ``timeout`` seconds gets SIGKILL.
    """
    state = shimstate.read()
    if state is None:
        return None
    with contextlib.suppress(ProcessLookupError):
        os.kill(state.pid, signal.SIGTERM)
    deadline = time.monotonic() + timeout
    while shimstate.pid_alive(state.pid) and time.monotonic() < deadline:
        time.sleep(0.05)
        _reap(state.pid)
    if shimstate.pid_alive(state.pid):
        with contextlib.suppress(ProcessLookupError):
            os.kill(state.pid, signal.SIGKILL)
    shimstate.remove(state.pid)
    return state


def _reap(pid: int) -> None:
    """Collect a shim that is our own child (tests start it that way) so it does not linger."""
    with contextlib.suppress(ChildProcessError, OSError):
        os.waitpid(pid, os.WNOHANG)


def reload() -> shimstate.ShimState:
    state = shimstate.read()
    if state is None:
        raise ConfigError("no shim is running: start one with `llmgw shim start --detach`")
    os.kill(state.pid, signal.SIGHUP)
    return state


def status(timeout: float = 3.0) -> dict[str, Any] | None:
    """The running shim's state merged with its /health answer; None when none runs."""
    state = shimstate.read()
    if state is None:
        return None
    data: dict[str, Any] = {
        "running": True,
        "pid": state.pid,
        "url": state.url,
        "profile": state.profile,
        "chain": state.chain,
        "started": state.started,
        "uptime_s": round(time.time() - state.started, 3),
        "log_file": state.log_file,
        "config_file": state.config_file,
    }
    try:
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # loopback: no proxy
        with opener.open(state.url + "/health", timeout=timeout) as resp:
            health = json.loads(resp.read())
    except (OSError, ValueError) as exc:
        data["status"] = f"not answering: {exc}"
        return data
    for key in ("status", "requests", "errors", "in_flight", "plugins", "members", "order"):
        if key in health:
            data[key] = health[key]
    return data


def tail(path: Path, lines: int) -> list[str]:
    try:
        with open(path, encoding="utf-8", errors="replace") as fh:
            return list(deque(fh, maxlen=lines))
    except FileNotFoundError:
        return []
