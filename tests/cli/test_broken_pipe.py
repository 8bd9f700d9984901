"""`llmgw … | head -1`: the reader going away is no error (exit 0, nothing on stderr)."""

from __future__ import annotations

import shlex
import subprocess
from pathlib import Path

import pytest

from tests.helpers.cli import LLMGW, env_with

PROFILE = "version: 1\nname: {name}\nendpoint: http://127.0.0.1:9\nauth: {{type: none}}\n"


@pytest.fixture
def many_profiles(llmgw_home: Path) -> None:
    """2,000 profiles: `profile list` writes ~100 kB, more than a pipe holds, so the
    writer is still writing when `head` exits."""
    folder = llmgw_home / "config" / "profiles"
    folder.mkdir(parents=True)
    for i in range(2000):
        (folder / f"p{i:04d}.yaml").write_text(PROFILE.format(name=f"p{i:04d}"))
    (llmgw_home / "config" / "current").write_text("p0000\n")


@pytest.mark.parametrize("reader", ["head -1", "true"])  # `true` never reads: EPIPE at once
@pytest.mark.parametrize(
    "args",
    [["profile", "list"], ["profile", "list", "--json"], ["env"], ["doctor", "--list-checks"]],
)
def test_closed_pipe_exits_0_silently(many_profiles: None, args: list[str], reader: str) -> None:
    command = f"set -o pipefail; {shlex.quote(LLMGW)} {shlex.join(args)} | {reader}"
    done = subprocess.run(
        ["bash", "-c", command], env=env_with(), capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    if reader.startswith("head"):
        assert done.stdout.count("\n") == 1
