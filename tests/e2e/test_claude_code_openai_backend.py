"""Real Claude Code on an OpenAI-format-only backend, through the shim's translation.

The mock (`--format openai`) is scripted to answer the first turn with a `Bash` tool call
and, once it gets the tool result, with text. Claude Code runs the command itself, sends the
result back (translated to a `tool` message), and prints the final text.
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from tests.helpers.claude import claude_env
from tests.helpers.mockserver import llmgw_command, mock_process, requests_seen

pytestmark = pytest.mark.e2e

KEY = "sk-local-vllm-0123456789"
CALL_ID = "call_e2e_bash_0001"
FINAL = "The command printed hello-from-tool; all done."
SCRIPT = {
    "turns": [
        {
            "tool_call": {
                "name": "Bash",
                "id": CALL_ID,
                "input": {"command": "echo hello-from-tool", "description": "Print a greeting"},
            }
        },
        FINAL,
    ],
    "on_tool_result": {"text": FINAL},
}


def test_claude_code_tool_round_trip_on_openai_only_backend(
    claude_bin: Path, tmp_path: Path
) -> None:
    script = tmp_path / "script.json"
    script.write_text(json.dumps(SCRIPT))
    work = tmp_path / "work"
    work.mkdir()
    env = claude_env(
        tmp_path, {"LOCAL_KEY": KEY, "PATH": f"{claude_bin.parent}:{os.environ.get('PATH', '')}"}
    )
    with mock_process("--format", "openai", "--script", str(script), "--require-key", KEY) as mock:
        subprocess.run(
            [
                *llmgw_command(),
                "profile",
                "add",
                "local",
                "--endpoint",
                mock.url,
                "--format",
                "openai",
                "--auth",
                "bearer",
                "--secret-env",
                "LOCAL_KEY",
                "--model",
                "qwen3-coder",
            ],
            check=True,
            env=env,
            capture_output=True,
        )
        done = subprocess.run(
            [
                *llmgw_command(),
                "exec",
                "--shim",
                "--profile",
                "local",
                "--",
                "claude",
                "-p",
                "run echo",
                "--allowedTools",
                "Bash(echo:*)",
            ],
            env=env,
            cwd=work,
            capture_output=True,
            text=True,
            timeout=240,
            stdin=subprocess.DEVNULL,
        )
        seen = [r for r in requests_seen(mock.url) if r["method"] == "POST"]
    assert done.returncode == 0, (done.stdout[-2000:], done.stderr[-2000:])
    assert FINAL in done.stdout
    paths = {r["path"] for r in seen}
    assert paths == {"/v1/chat/completions"}, paths  # nothing Anthropic-shaped reached it
    assert all(r["headers"]["authorization"] == f"Bearer {KEY}" for r in seen)
    first, last = seen[0]["body"], seen[-1]["body"]
    assert first["model"] == "qwen3-coder" and first["stream"] is True
    assert "Bash" in {t["function"]["name"] for t in first["tools"]}
    tool_messages = [m for m in last["messages"] if m["role"] == "tool"]
    assert tool_messages, "the backend never received the tool result"
    assert tool_messages[-1]["tool_call_id"] == CALL_ID
    assert tool_messages[-1]["content"] == "hello-from-tool"  # the command really ran
    assistant = [m for m in last["messages"] if m["role"] == "assistant"]
    calls = [c for m in assistant for c in m.get("tool_calls") or ()]
    assert calls[-1]["id"] == CALL_ID and calls[-1]["function"]["name"] == "Bash"
    assert json.loads(calls[-1]["function"]["arguments"])["command"] == "echo hello-from-tool"
