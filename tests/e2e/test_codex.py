"""Real Codex CLI 0.171 through `llmgw exec` on members that do not serve the Responses API.

The mock is scripted to answer Codex's first request with an ``exec_command`` function call
(a shell command) and, once the command's output comes back, with text. Codex runs the
command itself and sends a ``function_call_output`` with the same call id; the shim (a
private one, started by ``exec`` because the profile serves only Messages or only Chat)
translates it into the member's ``tool_result`` / ``tool`` message. A profile that serves
Responses itself is handed to Codex directly, and there the mock sees the
``function_call_output`` item as Codex wrote it.
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Any

import pytest

from tests.helpers import codex
from tests.helpers.mockserver import llmgw_command, mock_process, requests_seen

pytestmark = pytest.mark.e2e

KEY = "sk-codex-e2e-upstream-0123456789"
CALL_ID = "call_codex_e2e_0001"
MARK = "llmgw-codex-e2e-ok"
FINAL = f"The command printed {MARK}."
SCRIPT = {
    "turns": [
        {
            "text": "Running it.",
            "tool_call": {"name": "exec_command", "id": CALL_ID, "input": {"cmd": f"echo {MARK}"}},
        },
        FINAL,
    ],
    "on_tool_result": {"text": FINAL},
}
FLAGS = {
    "anthropic": ("x-api-key", "/v1/messages"),
    "openai": ("bearer", "/v1/chat/completions"),
    "responses": ("bearer", "/v1/responses"),
}


@pytest.fixture(scope="module")
def codex_bin() -> Path:
    path = codex.find()
    if path is None:
        pytest.skip(codex.MISSING)
    return path


def _run_codex(
    codex_bin: Path, tmp_path: Path, fmt: str
) -> tuple[subprocess.CompletedProcess[str], list[dict[str, Any]]]:
    script = tmp_path / "script.json"
    script.write_text(json.dumps(SCRIPT))
    work = tmp_path / "work"
    work.mkdir()
    env = codex.codex_env(tmp_path, {"GW_KEY": KEY, "LLMGW_HOME": str(tmp_path / "llmgw")})
    auth, path = FLAGS[fmt]
    with mock_process("--format", fmt, "--script", str(script), "--require-key", KEY) as mock:
        subprocess.run(
            [
                *llmgw_command(),
                "profile",
                "add",
                "gw",
                "--endpoint",
                mock.url,
                "--format",
                fmt,
                "--auth",
                auth,
                "--secret-env",
                "GW_KEY",
                "--model",
                "claude-sonnet-4-5",
            ],
            check=True,
            env=env,
            capture_output=True,
        )
        done = subprocess.run(
            [
                *llmgw_command(),
                "exec",
                "--profile",
                "gw",
                "--",
                str(codex_bin),
                "exec",
                "--skip-git-repo-check",
                "--dangerously-bypass-approvals-and-sandbox",
                "-C",
                str(work),
                "Run the command the tool gives you.",
            ],
            env=env,
            cwd=work,
            capture_output=True,
            text=True,
            timeout=240,
            stdin=subprocess.DEVNULL,
        )
        seen = requests_seen(mock.url, path)
    return done, seen


@pytest.mark.parametrize("fmt", ["anthropic", "openai"])
def test_codex_runs_a_tool_on_a_member_without_responses(
    codex_bin: Path, tmp_path: Path, fmt: str
) -> None:
    done, seen = _run_codex(codex_bin, tmp_path, fmt)
    assert done.returncode == 0, done.stderr[-3000:]
    assert FINAL in done.stdout, done.stdout[-2000:] + done.stderr[-2000:]
    assert MARK in done.stderr  # Codex's own log of the command it ran and its output
    assert len(seen) >= 2
    first, second = seen[0]["body"], seen[-1]["body"]
    assert first["stream"] is True and first["model"] == "claude-sonnet-4-5"
    if fmt == "anthropic":
        assert any(t["name"] == "exec_command" for t in first["tools"])
        results = [
            b
            for m in second["messages"]
            if isinstance(m["content"], list)
            for b in m["content"]
            if b.get("type") == "tool_result"
        ]
        assert [r["tool_use_id"] for r in results] == [CALL_ID]
        output = json.dumps(results[0]["content"])
        assert seen[0]["headers"]["x-api-key"] == KEY
    else:
        assert any(t["function"]["name"] == "exec_command" for t in first["tools"])
        results = [m for m in second["messages"] if m["role"] == "tool"]
        assert [r["tool_call_id"] for r in results] == [CALL_ID]
        output = results[0]["content"]
        assert seen[0]["headers"]["authorization"] == f"Bearer {KEY}"
    assert MARK in output  # the function_call_output Codex sent, translated
    assert KEY not in done.stdout + done.stderr


def test_codex_on_a_member_that_serves_responses(codex_bin: Path, tmp_path: Path) -> None:
    done, seen = _run_codex(codex_bin, tmp_path, "responses")
    assert done.returncode == 0, done.stderr[-3000:]
    assert FINAL in done.stdout
    outputs = [i for i in seen[-1]["body"]["input"] if i.get("type") == "function_call_output"]
    assert [o["call_id"] for o in outputs] == [CALL_ID]
    assert MARK in json.dumps(outputs[0]["output"])
    assert seen[0]["headers"]["authorization"] == f"Bearer {KEY}"  # direct: no shim between
    assert os.path.basename(str(codex_bin)) == "codex"
