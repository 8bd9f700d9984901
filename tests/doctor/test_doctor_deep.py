"""`llmgw doctor --deep`: Claude Code's own request replayed against `llmgw mock` — a mock
that rejects two features gets both named with their switches (and `--fix` makes the replay
pass); a healthy mock is all green; the installed Claude Code's shape is recorded under its
own version; without Claude Code the shipped 2.1.328 shape is used, and the verdict says so."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from llmgw_cli.config.store import ProfileStore
from llmgw_cli.doctor import shape as shapes
from llmgw_cli.doctor.features import in_request
from llmgw_cli.paths import state_dir
from tests.doctor.conftest import check, make_profile, run
from tests.helpers.cli import PROXY_VARS
from tests.helpers.cli import run as cli
from tests.helpers.mockserver import mock_thread, requests_seen

MODEL = "models: {default: claude-sonnet-4-5}\n"
CLAUDE = shapes.claude_binary()
needs_claude = pytest.mark.skipif(CLAUDE is None, reason="Claude Code is not installed")
SHIPPED = shapes.shipped()


def no_claude(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("LLMGW_CLAUDE_BIN", raising=False)
    monkeypatch.setenv("PATH", str(tmp_path))  # no claude on it


def test_the_shipped_shape_is_claude_codes_request_without_user_content() -> None:
    assert SHIPPED.version == "2.1.328" and SHIPPED.path == "/v1/messages"
    assert SHIPPED.query == "beta=true"
    assert "context-management-2025-06-27" in SHIPPED.betas
    assert SHIPPED.body["thinking"]["type"] == "adaptive"
    assert len(SHIPPED.body["tools"]) >= 10
    text = json.dumps(SHIPPED.to_json())
    assert set(SHIPPED.headers) <= set(shapes.KEPT_HEADERS)  # no auth, session or device ids
    for private in ("llmgw-doctor-recorder", "device_id", "session_id", "llmgw-deep-"):
        assert private not in text
    assert SHIPPED.body["messages"] == [
        {"role": "user", "content": [{"type": "text", "text": shapes.PLACEHOLDER_PROMPT}]}
    ]
    names = {f.name for f in in_request(SHIPPED)}
    assert {"adaptive thinking", "context_management", "deferred tools (tool search)"} <= names


def test_healthy_mock_all_green_with_the_shipped_shape(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    no_claude(monkeypatch, tmp_path)
    with mock_thread() as url:
        report = run(make_profile(url, extra=MODEL), ["deep"], deep=True)
        deep = check(report, "deep")
        assert deep.status == "ok", deep.summary
        assert "Claude Code 2.1.328 (not installed here: the request shape shipped" in deep.summary
        assert deep.detail["requests"] == 1
        seen = requests_seen(url, "/v1/messages")[-1]
        assert seen["query"] == "beta=true"
        assert seen["headers"]["anthropic-beta"] == ",".join(SHIPPED.betas)
        assert seen["body"]["tools"] == SHIPPED.body["tools"]
    assert all(c.status in ("ok", "skip") for c in report.checks), report.checks


def test_two_rejected_features_are_named_with_their_switches_and_fix_makes_it_pass() -> None:
    # adaptive thinking and the context_management field (every beta value is allowed)
    faults = {"reject_adaptive": True, "reject_betas": True, "allow_betas": tuple(SHIPPED.betas)}
    with mock_thread(**faults) as url:
        ProfileStore().save(make_profile(url, extra=MODEL))
        env = _no_claude_env()
        done = cli("doctor", "--profile", "gw", "--check", "deep", "--deep", "--json", env=env)
        deep = {c["id"]: c for c in json.loads(done.stdout)["results"][0]["checks"]}["deep"]
        assert done.returncode == 1 and deep["status"] == "fail", deep
        rejected = {r["feature"]: r["option"] for r in deep["detail"]["rejected"]}
        assert rejected == {
            "adaptive thinking": "claude_code.disable_adaptive_thinking: true",
            "context_management": "claude_code.disable_experimental_betas: true",
        }
        assert "Claude Code 2.1.328" in deep["summary"]
        assert "adaptive thinking (claude_code.disable_adaptive_thinking: true)" in deep["summary"]

        fixed = cli("doctor", "--profile", "gw", "--check", "deep", "--deep", "--fix", env=env)
        assert fixed.returncode == 0, fixed.stdout + fixed.stderr
        assert "+  disable_adaptive_thinking: true" in fixed.stdout
        assert "+  disable_experimental_betas: true" in fixed.stdout
        again = cli("doctor", "--profile", "gw", "--check", "deep", "--deep", "--json", env=env)
        deep = {c["id"]: c for c in json.loads(again.stdout)["results"][0]["checks"]}["deep"]
        assert again.returncode == 0 and deep["status"] == "ok", deep
        assert "context_management" in deep["detail"]["not_sent_by_profile"]


def _no_claude_env() -> dict[str, str | None]:
    """The CLI's environment without Claude Code: no LLMGW_CLAUDE_BIN, a PATH without claude."""
    from tests.helpers.cli import LLMGW

    bindir = str(Path(LLMGW).parent)
    return {
        **dict.fromkeys(PROXY_VARS),
        "LLMGW_CLAUDE_BIN": None,
        "PATH": f"{bindir}:/usr/bin:/bin",
    }


@needs_claude
def test_installed_claude_codes_shape_is_recorded_under_its_version() -> None:
    assert CLAUDE is not None
    out = subprocess.run([CLAUDE, "--version"], capture_output=True, text=True, timeout=60)
    version = out.stdout.split()[0]
    with mock_thread() as url:
        report = run(make_profile(url, extra=MODEL), ["deep"], deep=True, claude_bin=CLAUDE)
        deep = check(report, "deep")
        assert deep.status == "ok", deep.summary
        assert deep.detail["claude_code"] == version and deep.detail["source"] == "installed"
        assert f"Claude Code {version} (installed)" in deep.summary
    stored = state_dir() / "claude-shapes" / f"{version}.json"
    data = json.loads(stored.read_text())
    assert data["claude_code"] == version
    assert data["headers"]["user-agent"].startswith(f"claude-cli/{version}")
    assert set(data["headers"]) <= set(shapes.KEPT_HEADERS)
    assert "llmgw-doctor-recorder" not in json.dumps(data)
    assert str(Path.home()) not in json.dumps(data) or str(Path.home()) == "/home/user"
