"""Story e: `llmgw claude-settings`, then Claude Code started from a clean environment.

An IDE starts Claude Code with neither llmgw on PATH nor LLMGW_HOME: the settings' helper
must name both, so `env -i HOME=… PATH=/usr/bin:/bin claude -p` answers with the right key.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from tests.helpers.mockserver import mock_thread, requests_seen
from tests.stories.kit import HELLO, llmgw, user_env

pytestmark = pytest.mark.e2e

KEY = "sk-story-e-corp-key-77"


def test_claude_started_from_a_clean_environment_uses_the_helper(
    claude_bin: Path, tmp_path: Path
) -> None:
    home = tmp_path / "home"
    home.mkdir()
    env = user_env(home)
    env.pop("CLAUDE_CONFIG_DIR")  # the user scope: ~/.claude/settings.json
    with mock_thread(require_key=KEY) as url:
        llmgw(
            "profile", "add", "corp", "--endpoint", url, "--secret-stdin",
            "--insecure-storage", "--model", "claude-sonnet-4-5", env=env, input=KEY,
        )  # fmt: skip
        wrote = llmgw("claude-settings", "--profile", "corp", env=env)
        clean = {
            "HOME": str(home),
            "PATH": "/usr/bin:/bin",
            "CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC": "1",
            "DISABLE_AUTOUPDATER": "1",
        }
        done = subprocess.run(
            ["env", "-i", *(f"{k}={v}" for k, v in clean.items()), str(claude_bin), "-p", "hi"],
            capture_output=True, text=True, timeout=180, stdin=subprocess.DEVNULL,
        )  # fmt: skip
        seen = requests_seen(url, "/v1/messages")

    settings = json.loads((home / ".claude" / "settings.json").read_text())
    helper = settings["apiKeyHelper"]
    assert helper.startswith("LLMGW_HOME=") and "/llmgw token --profile corp" in helper
    assert KEY not in json.dumps(settings) and KEY not in wrote.stderr
    assert done.returncode == 0, done.stdout + done.stderr
    assert HELLO in done.stdout
    assert seen and seen[-1]["status"] == 200
    assert KEY in (seen[-1]["headers"].get("x-api-key"), seen[-1]["headers"].get("authorization"))
