"""The real shim as a `llmgw shim start` process, for the hostile tests.

    with shim_process({"mock": mock_url}, "limits: {max_json_depth: 64}\n") as shim:
        shim.proc.pid, shim.url, shim.token
    with shim_process({...}, nofile=(256, 256)) as shim: ...   # `ulimit -n 256` for the child

Members are profiles with ``auth: none`` written into this test's LLMGW_HOME; the config
file is ``chain: [members...]`` plus the tail given. Driven only through the CLI, so the
tests hold whatever the shim's insides look like.
"""

from __future__ import annotations

import json
import os
import resource
import signal
import subprocess
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

from llmgw_cli import paths
from tests.helpers.cli import LLMGW, env_with


@dataclass
class ShimProcess:
    url: str
    token: str
    proc: subprocess.Popen[bytes]
    log: Path

    @property
    def host(self) -> str:
        return "127.0.0.1"

    @property
    def port(self) -> int:
        return int(self.url.rsplit(":", 1)[1])

    def headers(self, fmt: str = "anthropic") -> dict[str, str]:
        if fmt == "openai":
            return {"authorization": f"Bearer {self.token}"}
        return {"x-api-key": self.token, "anthropic-version": "2023-06-01"}

    def stop(self) -> int:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        return self.proc.returncode


def write_member(name: str, url: str, formats: str = "anthropic, openai", extra: str = "") -> None:
    folder = paths.profiles_dir()
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{name}.yaml").write_text(
        f"version: 1\nname: {name}\nendpoint: {url}\nformats: [{formats}]\n"
        f"auth: {{type: none}}\n{extra}"
    )


def _limit(nofile: tuple[int, int] | None) -> Callable[[], None] | None:
    if nofile is None:
        return None

    def preexec() -> None:  # runs in the child between fork and exec
        resource.setrlimit(resource.RLIMIT_NOFILE, nofile)

    return preexec


@contextmanager
def shim_process(
    members: dict[str, str],
    config_tail: str = "",
    nofile: tuple[int, int] | None = None,
    member_extra: str = "",
    member_formats: str = "anthropic, openai",
    args: tuple[str, ...] = (),
) -> Iterator[ShimProcess]:
    for name, url in members.items():
        write_member(name, url, formats=member_formats, extra=member_extra)
    home = paths.config_dir().parent
    cfg = home / "shim.yaml"
    cfg.write_text(f"chain: [{', '.join(members)}]\n{config_tail}")
    state = paths.runtime_dir() / "shim.json"
    state.unlink(missing_ok=True)
    log = home / "shim.log"
    with open(log, "ab") as out:
        proc = subprocess.Popen(
            [LLMGW, "shim", "start", "--config", str(cfg), "--port", "0", *args],
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
            env=env_with(),
            preexec_fn=_limit(nofile),
        )
    shim = None
    try:
        shim = _wait_up(proc, state, log)
        yield shim
    finally:
        if shim is not None:
            shim.stop()
        elif proc.poll() is None:
            proc.kill()
            proc.wait()


def _wait_up(proc: subprocess.Popen[bytes], state: Path, log: Path) -> ShimProcess:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            break
        if state.exists():
            try:
                data = json.loads(state.read_text())
                if httpx.get(data["url"] + "/health", timeout=5).status_code == 200:
                    return ShimProcess(data["url"], data["token"], proc, log)
            except (ValueError, KeyError, httpx.HTTPError):
                pass
        time.sleep(0.05)
    raise RuntimeError(f"shim did not start: {log.read_text()[-2000:]}")


def nofile_of(pid: int) -> tuple[int, int]:
    """The process's RLIMIT_NOFILE (soft, hard), from /proc."""
    for line in Path(f"/proc/{pid}/limits").read_text().splitlines():
        if line.startswith("Max open files"):
            soft, hard = line.split()[3:5]
            return int(soft), int(hard)
    raise AssertionError("no open-files line in /proc/PID/limits")


def open_fds(pid: int) -> int:
    return len(os.listdir(f"/proc/{pid}/fd"))
