"""Real Claude Code through the shim: `llmgw exec --shim --profile P -- claude -p "say hi"`.

The mock demands the real key; Claude Code only ever holds the shim's local token. Claude
Code is found through $LLMGW_CLAUDE_BIN, PATH, or the repo's ignored .cache/npm (where
.ci/run installs it); without it the test is skipped.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.helpers.claude import BIN, claude_env
from tests.helpers.cli import LLMGW
from tests.helpers.mockserver import mock_thread, requests_seen
from tests.shim.conftest import REAL_KEY, save_profile

pytestmark = pytest.mark.e2e


def claude_bin() -> str | None:
    env = os.environ.get("LLMGW_CLAUDE_BIN")
    if env and Path(env).is_file():
        return env
    found = shutil.which("claude")
    if found:
        return found
    return str(BIN) if BIN.is_file() else None


def test_claude_code_through_a_private_shim(tmp_path: Path) -> None:
    claude = claude_bin()
    if claude is None:
        pytest.skip("Claude Code is not installed (set LLMGW_CLAUDE_BIN or run .ci/run)")
    with mock_thread(require_key=REAL_KEY) as url:
        save_profile(
            "cc", url, auth="bearer", headers={"X-Department": "Engineering", "X-Project": "P1"}
        )
        env = claude_env(tmp_path / "home", {"LLMGW_HOME": os.environ["LLMGW_HOME"]})
        done = subprocess.run(
            [LLMGW, "exec", "--shim", "--profile", "cc", "--", claude, "-p", "say hi"],
            env=env,
            capture_output=True,
            text=True,
            timeout=240,
            stdin=subprocess.DEVNULL,
        )
        assert done.returncode == 0, f"stdout: {done.stdout}\nstderr: {done.stderr}"
        assert "Hello from the llmgw mock" in done.stdout
        seen = requests_seen(url, "/v1/messages")
        assert seen, "Claude Code sent nothing to the mock"
        last = seen[-1]["headers"]
        assert last["authorization"] == f"Bearer {REAL_KEY}"  # the shim swapped the token
        assert last["x-department"] == "Engineering" and last["x-project"] == "P1"
        assert last["user-agent"].startswith("claude-cli/")
        assert "anthropic-beta" in last

        child_env = subprocess.run(
            [LLMGW, "exec", "--shim", "--profile", "cc", "--", "env"],
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert child_env.returncode == 0
        assert REAL_KEY not in child_env.stdout
        assert "ANTHROPIC_AUTH_TOKEN=llmgw-local-" in child_env.stdout
