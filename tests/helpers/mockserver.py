"""Start ``llmgw mock`` for tests, in-process or as a real subprocess, and read its test hooks.

    from tests.helpers.mockserver import mock_thread, mock_process, requests_seen

    with mock_thread(ttft_ms=20, require_key="k") as url:       # MockConfig fields
        ...
    with mock_process("--format", "openai", "--script", str(path)) as mock:
        mock.url, mock.proc.pid                                  # `llmgw mock --port 0 ...`
    seen = requests_seen(url, "/v1/messages")                    # GET /_mock/requests
    clear(url)                                                   # DELETE /_mock/requests
    stats(url)["streams"]["completed"]                           # GET /_mock/stats

In a fixture: ``with mock_thread() as url: yield url``. A script can be given inline:
``mock_thread(script=parse_script([{"tool_call": {...}}, "done"]))``.
"""

from __future__ import annotations

import os
import select
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import httpx

from llmgw_cli.mock.config import MockConfig
from llmgw_cli.mock.runner import run_in_thread


def llmgw_command() -> list[str]:
    """The installed console script, or this interpreter running the package."""
    exe = shutil.which("llmgw")
    return [exe] if exe else [sys.executable, "-m", "llmgw_cli"]


@contextmanager
def mock_thread(**fields: Any) -> Iterator[str]:
    with run_in_thread(MockConfig(**fields)) as url:
        yield url


@dataclass
class MockProcess:
    url: str
    proc: subprocess.Popen[str]


@contextmanager
def mock_process(
    *args: str, env: dict[str, str] | None = None, timeout: float = 30.0
) -> Iterator[MockProcess]:
    """Run `llmgw mock --port 0 ARGS...`, read the URL from stdout, SIGTERM it on exit."""
    cmd = [*llmgw_command(), "mock", "--port", "0", *args]
    proc = subprocess.Popen(
        cmd,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, **(env or {})},
    )
    try:
        url = _first_line(proc, timeout)
        yield MockProcess(url, proc)
    finally:
        stop_process(proc)


def _first_line(proc: subprocess.Popen[str], timeout: float) -> str:
    assert proc.stdout is not None
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        ready, _, _ = select.select([proc.stdout], [], [], 0.1)
        if ready:
            line = proc.stdout.readline().strip()
            if line:
                return line
        if proc.poll() is not None:
            err = proc.stderr.read() if proc.stderr else ""
            raise RuntimeError(f"llmgw mock exited with {proc.returncode}: {err.strip()}")
    raise RuntimeError(f"llmgw mock printed no URL within {timeout} s")


def stop_process(proc: subprocess.Popen[str], timeout: float = 15.0) -> int:
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
    for stream in (proc.stdout, proc.stderr):
        if stream is not None:
            stream.close()
    return proc.returncode


def requests_seen(url: str, path: str | None = None) -> list[dict[str, Any]]:
    params = {"path": path} if path else None
    reply = httpx.get(f"{url}/_mock/requests", params=params, timeout=10)
    reply.raise_for_status()
    entries: list[dict[str, Any]] = reply.json()["requests"]
    return entries


def clear(url: str) -> None:
    httpx.delete(f"{url}/_mock/requests", timeout=10).raise_for_status()


def stats(url: str) -> dict[str, Any]:
    reply = httpx.get(f"{url}/_mock/stats", timeout=10)
    reply.raise_for_status()
    result: dict[str, Any] = reply.json()
    return result
