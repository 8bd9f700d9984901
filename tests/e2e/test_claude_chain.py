"""Real Claude Code through a detached shim whose first chain member is down."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from llmgw_cli import shimstate
from tests.helpers.claude import claude_env, run_claude
from tests.helpers.cli import run
from tests.helpers.mockserver import mock_process, requests_seen
from tests.shim.conftest import REAL_KEY, save_profile
from tests.shim.test_shim_faults import closed_port

pytestmark = pytest.mark.e2e


def test_claude_code_completes_through_a_chain_whose_first_member_is_down(
    claude_bin: Path, tmp_path: Path
) -> None:
    with mock_process("--require-key", REAL_KEY) as up:
        save_profile("local", f"http://127.0.0.1:{closed_port()}")
        save_profile("cloud", up.url)
        cfg = tmp_path / "shim.yaml"
        cfg.write_text(
            "chain: [local, cloud]\n"
            "retry: {attempts: 3, backoff_ms: 50, max_backoff_ms: 500}\n"
            "plugins: {audit: {enabled: false}}\n"
        )
        r = run("shim", "start", "--config", str(cfg), "--port", "0", "--detach")
        assert r.returncode == 0, r.stderr
        try:
            state = shimstate.read()
            assert state is not None
            env = claude_env(
                tmp_path,
                {
                    "ANTHROPIC_BASE_URL": state.url,
                    "ANTHROPIC_API_KEY": state.token,  # the shim's local token only
                    "PATH": f"{claude_bin.parent}:{os.environ.get('PATH', '')}",
                },
            )
            done = run_claude(["claude", "-p", "say hi"], env)
            assert done.returncode == 0, done.stderr[-2000:]
            assert "Hello" in done.stdout  # the mock's reply, printed by Claude Code
            status = json.loads(run("shim", "status", "--json").stdout)
        finally:
            run("shim", "stop")
        seen = [r for r in requests_seen(up.url, "/v1/messages") if r["method"] == "POST"]
    assert seen and seen[-1]["headers"]["x-api-key"] == REAL_KEY
    assert seen[-1]["headers"]["user-agent"].startswith("claude-cli/")
    members = {m["name"]: m for m in status["members"]}
    assert members["local"]["state"] == "open"  # refused once, then skipped
    assert members["local"]["requests"] == 1
    assert members["cloud"]["requests"] >= 1 and members["cloud"]["errors"] == 0
