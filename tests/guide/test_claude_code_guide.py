"""Real Claude Code 2.1.328 through the shim (docs/clients.md): hint headers drive a
request-class rule, model discovery is fetched from the shim, and a two-turn ``--continue``
session stays on one member with its cache reads in `usage --by session`."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

from llmgw_cli.config.model import Models
from llmgw_cli.config.store import ProfileStore
from llmgw_cli.mock.script import parse_script
from tests.guide.conftest import shim_yaml
from tests.helpers.claude import claude_env, run_claude
from tests.helpers.cli import LLMGW, run
from tests.helpers.mockserver import mock_thread, requests_seen
from tests.shim.conftest import REAL_KEY, save_profile

pytestmark = pytest.mark.e2e
CACHED = {"input_tokens": 12, "output_tokens": 4, "cache_read_input_tokens": 9000}


def _posts(url: str) -> list[dict[str, Any]]:
    return [r for r in requests_seen(url, "/v1/messages") if r["method"] == "POST"]


def _claude(claude_bin: Path, home: Path, *args: str) -> Any:
    """`llmgw exec --shim -- claude -p ...`: the environment `env --shim` gives it."""
    env = claude_env(home, {"PATH": f"{claude_bin.parent}:{os.environ.get('PATH', '')}"})
    env["LLMGW_HOME"] = os.environ["LLMGW_HOME"]
    return run_claude([LLMGW, "exec", "--shim", "--", str(claude_bin), "-p", *args], env)


def test_hint_headers_route_main_to_a_and_discovery_is_fetched_from_the_shim(
    claude_bin: Path, tmp_path: Path
) -> None:
    with mock_thread(require_key=REAL_KEY) as a, mock_thread(require_key=REAL_KEY) as b:
        for name, url in (("a", a), ("b", b)):
            profile = save_profile(name, url, headers={})
            profile.models = Models(default="claude-sonnet-4-5")
            ProfileStore().save(profile)
        text = (
            "chain: [a, b]\nplugins: {metrics: {enabled: false}}\n"
            "display_names: {claude-sonnet-4-5: Sonnet via llmgw}\n"
            "routing_rules:\n"
            "  - {name: main-to-a, match: {request_class: main}, route: a, fallback: [b]}\n"
            "  - {name: rest-to-b, route: b, fallback: [a],"
            " match: {request_class: 'subagent|workflow|compaction|auxiliary'}}\n"
        )
        with shim_yaml(text, public=True) as shim:
            done = _claude(claude_bin, tmp_path, "say hi")
            assert shim.server.discovery is not None
            served = list(shim.server.discovery.served)
        seen_a, seen_b = _posts(a), _posts(b)
    assert done.returncode == 0, done.stderr[-2000:]
    assert "Hello" in done.stdout
    assert served and "limit=1000" in served[0]  # Claude Code asked the shim for the list
    classes_a = [r["headers"].get("x-claude-code-request-class") for r in seen_a]
    classes_b = [r["headers"].get("x-claude-code-request-class") for r in seen_b]
    assert "main" in classes_a and set(classes_a) == {"main"}, classes_a
    assert "main" not in classes_b, classes_b  # everything else (if any) went to b
    assert all(r["headers"]["x-api-key"] == REAL_KEY for r in seen_a + seen_b)


def test_a_continued_session_stays_on_one_member_with_its_cache_reads(
    claude_bin: Path, tmp_path: Path
) -> None:
    log = tmp_path / "audit.jsonl"
    script = parse_script([{"text": "Hello there", "usage": CACHED}])
    with (
        mock_thread(require_key=REAL_KEY, script=script) as a,
        mock_thread(require_key=REAL_KEY, script=script) as b,
    ):
        save_profile("a", a, headers={})
        save_profile("b", b, headers={})
        text = (
            "chain: [a, b]\norder: adaptive\n"
            f"plugins: {{metrics: {{enabled: false}}, audit: {{path: {json.dumps(str(log))}}}}}\n"
        )
        with shim_yaml(text, public=True) as shim:
            first = _claude(claude_bin, tmp_path, "say hi")
            second = _claude(claude_bin, tmp_path, "--continue", "say it again")
            sessions: Any = shim.server.router.public()["sessions"]
        seen = {"a": _posts(a), "b": _posts(b)}
    assert first.returncode == 0, first.stderr[-2000:]
    assert second.returncode == 0, second.stderr[-2000:]
    records = [json.loads(x) for x in log.read_text().splitlines()]
    turns = [r for r in records if r["path"].startswith("/v1/messages") and r["session_id"]]
    assert len(turns) >= 2
    ids = {r["session_id"] for r in turns}
    assert len(ids) == 1, ids  # --continue carries the session on
    assert len({r["profile"] for r in turns}) == 1  # one member served the whole session
    assert sessions["moved"] == 0
    assert sum(len(v) for v in seen.values()) == len(turns)
    report = run("usage", "--by", "session", "--log", str(log), "--json")
    row = next(r for r in json.loads(report.stdout)["rows"] if r["key"] in ids)
    assert row["tokens"]["cache_read"] == 9000 * len(turns)
    assert row["cache_hit_share"] is not None and row["cache_hit_share"] > 0.9
