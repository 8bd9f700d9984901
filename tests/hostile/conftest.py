"""Run the real ``llmgw`` against hostile peers and watch it: wall time and peak RSS."""

from __future__ import annotations

import subprocess
import time
from collections.abc import Sequence
from dataclasses import dataclass

from tests.helpers.cli import LLMGW, env_with, run
from tests.helpers.hostile import MIB, RssWatch

# The bound every test asserts: the process under test never grows past its idle (or
# healthy-run) footprint by more than this.
RSS_BOUND = 100 * MIB


@dataclass
class Watched:
    returncode: int
    stdout: str
    stderr: str
    seconds: float
    peak_rss: int
    idle_rss: int


def watched(args: Sequence[str], timeout: float = 120, stdin: str | None = None) -> Watched:
    """Run ``llmgw ARGS`` to its end, polling its RSS (children included) all along."""
    start = time.monotonic()
    proc = subprocess.Popen(
        [LLMGW, *args],
        stdin=subprocess.PIPE if stdin is not None else subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env_with(),
    )
    with RssWatch(proc.pid) as rss:
        try:
            out, err = proc.communicate(stdin, timeout=timeout)
        finally:
            proc.kill()
    return Watched(proc.returncode, out, err, time.monotonic() - start, rss.peak, rss.idle)


def add_profile(name: str, url: str, *extra: str) -> None:
    done = run("profile", "add", name, "--endpoint", url, "--auth", "none", "--force", *extra)
    assert done.returncode == 0, done.stderr


def one_line(text: str) -> str:
    """The single non-empty line of ``text`` (asserting there is exactly one)."""
    lines = [line for line in text.splitlines() if line.strip()]
    assert len(lines) == 1, text
    return lines[0]
