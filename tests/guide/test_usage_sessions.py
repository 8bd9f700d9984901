"""Prompt-cache integrity: the audit line carries the session, its cache tokens and a
fingerprint of the cacheable prefix; `usage --by session` shows each session's cache-hit
share and saving and flags a turn whose prefix changed, naming what changed."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import httpx

from tests.guide.conftest import key, shim_yaml
from tests.guide.upstream import REPLY, recording
from tests.helpers.cli import run
from tests.shim.conftest import save_profile

SYSTEM = [
    {"type": "text", "text": "x-anthropic-billing-header: cc_version=2.1.328.593;"},
    {"type": "text", "text": "You are Claude Code.", "cache_control": {"type": "ephemeral"}},
    {"type": "text", "text": "cwd: /repo"},
]
TOOLS = [{"name": "Bash", "description": "run", "input_schema": {"type": "object"}}]
CACHED = {"input_tokens": 20, "output_tokens": 2, "cache_read_input_tokens": 8000,
          "cache_creation_input_tokens": 0}  # fmt: skip


def _turn(url: str, token: dict[str, str], session: str, body: dict[str, Any]) -> None:
    answer = httpx.post(
        f"{url}/v1/messages",
        json=body,
        headers={"anthropic-version": "2023-06-01", "x-claude-code-session-id": session, **token},
        timeout=10,
    )
    assert answer.status_code == 200


def test_usage_by_session_shows_hit_share_and_flags_a_changed_system_block(
    tmp_path: Path,
) -> None:
    log = tmp_path / "audit.jsonl"
    base: dict[str, Any] = {
        "model": "claude-sonnet-4-5",
        "max_tokens": 8,
        "system": SYSTEM,
        "tools": TOOLS,
        "messages": [{"role": "user", "content": "hi"}],
    }
    changed = copy.deepcopy(base)
    changed["system"][2]["text"] = "cwd: /repo (2026-12-04 02:30)"  # a timestamp: cache busted
    more_tools = copy.deepcopy(base)
    more_tools["tools"] = [*TOOLS, {"name": "Read", "input_schema": {"type": "object"}}]
    with recording() as up:
        save_profile("up", up.url, headers={})
        audit = f"audit: {{path: {json.dumps(str(log))}}}"
        text = f"chain: [up]\nplugins: {{{audit}, metrics: {{enabled: false}}}}\n"
        with shim_yaml(text) as shim:
            up.body = json.dumps({**REPLY, "usage": CACHED}).encode()
            _turn(shim.url, key(shim), "steady", base)
            _turn(shim.url, key(shim), "steady", base)
            _turn(shim.url, key(shim), "busted", base)
            _turn(shim.url, key(shim), "busted", changed)
            _turn(shim.url, key(shim), "busted", more_tools)
    lines = [json.loads(x) for x in log.read_text().splitlines()]
    assert [r["session_id"] for r in lines] == ["steady"] * 2 + ["busted"] * 3
    assert all(r["cache_read_tokens"] == 8000 for r in lines)
    assert len(lines[0]["prefix"]["system"]) == 3 and lines[0]["prefix"]["tools"]
    raw = log.read_text()
    assert "You are Claude Code" not in raw and "cwd: /repo" not in raw  # hashes, never text
    report = run("usage", "--by", "session", "--log", str(log), "--json")
    assert report.returncode == 0, report.stderr
    rows = {r["key"]: r for r in json.loads(report.stdout)["rows"]}
    steady, busted = rows["steady"], rows["busted"]
    assert steady["cache_hit_share"] == round(8000 / 8020, 4)
    assert steady["cache_saved_usd"] > 0  # 8000 reads at 0.1x instead of 1x input price
    assert steady["prefix_changes"] == []
    # turn 2: system block 2 changed (0-based: the attribution block is 0); turn 3: block 2
    # back to the first turn's text, and a tool added.
    assert busted["prefix_changes"] == [
        "turn 2: system block 2 changed",
        "turn 3: system block 2 changed",
        "turn 3: tool list changed",
    ]
    table = run("usage", "--by", "session", "--log", str(log))
    assert "cache busted" in table.stdout and "system block 2" in table.stdout
    assert "hit 100%" in table.stdout
