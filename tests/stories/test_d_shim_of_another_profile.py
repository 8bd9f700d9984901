"""Story d: a shim for profile a is running; `exec --shim --profile b -- claude` must reach b.

Before, the request went to the running shim's upstream (a's). Now exec starts a private
shim for b, says so in one line, and a's upstream hears nothing. `env --shim --profile b`
refuses, naming both.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.helpers.claude import run_claude
from tests.helpers.mockserver import mock_thread, requests_seen
from tests.stories.kit import HELLO, LLMGW, detached_shim, llmgw, user_env

pytestmark = pytest.mark.e2e

A_KEY, B_KEY = "sk-story-d-a-000001", "sk-story-d-b-000002"


def test_exec_shim_for_another_profile_gets_a_private_shim(
    claude_bin: Path, tmp_path: Path
) -> None:
    with mock_thread(require_key=A_KEY) as url_a, mock_thread(require_key=B_KEY) as url_b:
        env = user_env(tmp_path, claude_bin, A_KEY=A_KEY, B_KEY=B_KEY)
        llmgw("profile", "add", "a", "--endpoint", url_a, "--secret-env", "A_KEY", env=env)
        llmgw("profile", "add", "b", "--endpoint", url_b, "--secret-env", "B_KEY", env=env)
        with detached_shim("--profile", "a", env=env) as shim_url:
            refused = llmgw("env", "--shim", "--profile", "b", env=env, check=False)
            done = run_claude(
                [LLMGW, "exec", "--shim", "--profile", "b", "--", "claude", "-p", "hi"], env
            )
        to_a = requests_seen(url_a)
        to_b = requests_seen(url_b, "/v1/messages")

    assert (refused.returncode, refused.stdout) == (2, "")
    assert "serves a" in refused.stderr and "not 'b'" in refused.stderr
    assert shim_url in refused.stderr
    assert done.returncode == 0, done.stderr
    assert HELLO in done.stdout
    ours = [line for line in done.stderr.splitlines() if line.startswith("llmgw:")]
    assert len(ours) == 1 and "private shim" in ours[0] and "serves a" in ours[0], ours
    assert to_a == []
    assert to_b and to_b[-1]["status"] == 200
    assert to_b[-1]["headers"]["authorization"] == f"Bearer {B_KEY}"  # the shim swapped it in
