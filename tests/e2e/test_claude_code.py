"""Real Claude Code (npm, pinned) driven by `llmgw exec` against `llmgw mock --require-key`."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from tests.helpers.claude import claude_env, run_claude
from tests.helpers.mockserver import llmgw_command, mock_process, requests_seen

pytestmark = pytest.mark.e2e

KEY = "sk-corp-0123456789abcdef"


def _add_profile(name: str, url: str, auth: str, env: dict[str, str]) -> None:
    subprocess.run(
        [
            *llmgw_command(),
            "profile",
            "add",
            name,
            "--endpoint",
            url,
            "--auth",
            auth,
            "--secret-env",
            "CORP_KEY",
            "--header",
            "X-Department: Engineering",
            "--header",
            "X-Project: llmgw e2e",
            "--model",
            "claude-sonnet-4-5",
        ],
        check=True,
        env=env,
        capture_output=True,
    )


@pytest.mark.parametrize(
    ("auth", "header"), [("bearer", "authorization"), ("x-api-key", "x-api-key")]
)
def test_claude_code_through_llmgw_exec(
    claude_bin: Path, tmp_path: Path, auth: str, header: str
) -> None:
    env = claude_env(tmp_path, {"CORP_KEY": KEY, "PATH": f"{claude_bin.parent}:{_path()}"})
    with mock_process("--require-key", KEY) as mock:
        _add_profile("corp", mock.url, auth, env)
        done = run_claude(
            [*llmgw_command(), "exec", "--profile", "corp", "--", "claude", "-p", "say hi"], env
        )
        assert done.returncode == 0, done.stderr[-2000:]
        assert "Hello" in done.stdout  # the mock's reply, printed by Claude Code
        seen = [r for r in requests_seen(mock.url, "/v1/messages") if r["method"] == "POST"]
    assert seen, "Claude Code sent no /v1/messages request"
    headers = {k.lower(): v for k, v in seen[-1]["headers"].items()}
    expected = f"Bearer {KEY}" if auth == "bearer" else KEY
    assert headers[header] == expected
    assert headers["x-department"] == "Engineering"
    assert headers["x-project"] == "llmgw e2e"
    assert headers["user-agent"].startswith("claude-cli/")
    assert seen[-1]["body"]["model"] == "claude-sonnet-4-5"


def _path() -> str:
    import os

    return os.environ.get("PATH", "")
