"""Story a: a local model with `auth: none` (vLLM, llama.cpp, Ollama) speaking OpenAI format.

The user types no --shim: `llmgw exec -- claude` sees that Claude Code cannot speak to an
OpenAI-only backend and goes through a private translating shim, saying so in one line;
`eval "$(llmgw env)"` gives the openai SDK a placeholder key so it starts at all.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from llmgw_cli.clientenv.mapping import PLACEHOLDER_TOKEN
from tests.helpers.claude import run_claude
from tests.helpers.mockserver import mock_process, requests_seen
from tests.stories.kit import HELLO, LLMGW, OPENAI_SDK, PYTHON, bash, llmgw, user_env

pytestmark = pytest.mark.e2e


def test_local_auth_none_backend_answers_claude_code_and_the_openai_sdk(
    claude_bin: Path, tmp_path: Path
) -> None:
    env = user_env(tmp_path, claude_bin)
    with mock_process("--format", "openai") as mock:
        llmgw(
            "profile", "add", "local", "--endpoint", mock.url, "--format", "openai",
            "--auth", "none", "--model", "qwen3-coder", env=env,
        )  # fmt: skip
        done = run_claude([LLMGW, "exec", "--profile", "local", "--", "claude", "-p", "hi"], env)
        assert done.returncode == 0, done.stderr
        assert HELLO in done.stdout
        ours = [line for line in done.stderr.splitlines() if line.startswith("llmgw:")]
        assert len(ours) == 1 and "private shim" in ours[0] and "Claude Code" in ours[0], ours
        turns = requests_seen(mock.url, "/v1/chat/completions")
        assert turns and turns[-1]["body"]["model"] == "qwen3-coder"
        assert turns[-1]["status"] == 200

        sdk = bash(f'eval "$(llmgw env --profile local)" && {PYTHON} -c "{OPENAI_SDK}"', env)
        assert sdk.returncode == 0, sdk.stderr
        assert HELLO in sdk.stdout
        last = requests_seen(mock.url, "/v1/chat/completions")[-1]
        assert last["headers"]["authorization"] == f"Bearer {PLACEHOLDER_TOKEN}"
        assert last["body"]["model"] == "qwen3-coder"
