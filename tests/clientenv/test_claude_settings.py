"""`claude-settings`: merge into settings.json, keep other keys, back up, never the secret."""

from __future__ import annotations

import json
import stat
from pathlib import Path

import pytest

from llmgw_cli.clientenv import claude_settings as cs
from llmgw_cli.config.model import Auth, ClaudeCode, Profile
from llmgw_cli.errors import ConfigError, UsageError
from tests.helpers.cli import run

SECRET = "sk-claude-settings-secret-4242"


def test_merged_keeps_other_keys_drops_stale_and_secret_vars() -> None:
    existing = {
        "theme": "dark",
        "permissions": {"allow": ["Bash(ls)"]},
        "env": {"MY_VAR": "1", "ANTHROPIC_API_KEY": "old-key", "OPENAI_BASE_URL": "http://old"},
    }
    profile = Profile(
        name="corp",
        endpoint="https://gw.example",
        auth=Auth("bearer", "keyring"),
        headers={"X-A": "1"},
        claude_code=ClaudeCode(env={"API_TIMEOUT_MS": "600000"}),
    )
    out = cs.merged(existing, profile)
    assert out["theme"] == "dark"
    assert out["permissions"] == {"allow": ["Bash(ls)"]}
    assert out["apiKeyHelper"] == "llmgw token --profile corp"
    assert out["env"] == {
        "MY_VAR": "1",
        "ANTHROPIC_BASE_URL": "https://gw.example",
        "ANTHROPIC_CUSTOM_HEADERS": "X-A: 1",
        "API_TIMEOUT_MS": "600000",
        "LLMGW_EXTRA_VARS": "API_TIMEOUT_MS",
        "LLMGW_PROFILE": "corp",
    }


def test_switching_drops_the_previous_profile_s_extras() -> None:
    edge = Profile(
        name="edge",
        endpoint="https://edge.example",
        auth=Auth("none"),
        claude_code=ClaudeCode(env={"API_TIMEOUT_MS": "600000", "EDGE_ONLY": "1"}),
    )
    corp = Profile(name="corp", endpoint="https://gw.example", auth=Auth("bearer", "keyring"))
    first = cs.merged({"env": {"MINE": "keep"}}, edge)
    assert first["env"]["EDGE_ONLY"] == "1"
    second = cs.merged(first, corp)
    assert second["env"] == {
        "MINE": "keep",
        "ANTHROPIC_BASE_URL": "https://gw.example",
        "LLMGW_PROFILE": "corp",
    }


def test_auth_none_removes_the_helper() -> None:
    profile = Profile(name="local", endpoint="http://localhost:1", auth=Auth("none"))
    assert "apiKeyHelper" not in cs.merged({"apiKeyHelper": "old"}, profile)


def test_scopes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CLAUDE_CONFIG_DIR", str(tmp_path / "cfg"))
    assert cs.settings_path("user") == tmp_path / "cfg" / "settings.json"
    assert cs.settings_path("project", tmp_path) == tmp_path / ".claude" / "settings.json"
    assert cs.settings_path("local", tmp_path) == tmp_path / ".claude" / "settings.local.json"
    with pytest.raises(UsageError):
        cs.settings_path("global")


def test_invalid_json_is_refused_untouched(tmp_path: Path) -> None:
    path = tmp_path / "settings.json"
    path.write_text("{oops")
    with pytest.raises(ConfigError, match="not valid JSON"):
        cs.load(path)
    path.write_text("[]")
    with pytest.raises(ConfigError, match="JSON object"):
        cs.load(path)


def test_cli_user_scope_merges_with_backup(tmp_path: Path) -> None:
    cfg = tmp_path / "claude"
    cfg.mkdir()
    settings = cfg / "settings.json"
    original = {"theme": "dark", "env": {"KEEP": "me", "ANTHROPIC_AUTH_TOKEN": "stale"}}
    settings.write_text(json.dumps(original))
    settings.chmod(0o644)
    env = {"CORP_KEY": SECRET, "CLAUDE_CONFIG_DIR": str(cfg)}
    assert (
        run(
            "profile",
            "add",
            "corp",
            "--endpoint",
            "https://gw.example",
            "--secret-env",
            "CORP_KEY",
            env=env,
        ).returncode
        == 0
    )
    done = run("claude-settings", "--profile", "corp", env=env)
    assert done.returncode == 0, done.stderr
    assert done.stdout == ""
    data = json.loads(settings.read_text())
    assert data["theme"] == "dark"
    assert data["env"]["KEEP"] == "me"
    assert data["env"]["ANTHROPIC_BASE_URL"] == "https://gw.example"
    assert "ANTHROPIC_AUTH_TOKEN" not in data["env"]
    assert data["apiKeyHelper"] == "llmgw token --profile corp"
    assert json.loads((cfg / "settings.json.bak").read_text()) == original
    assert stat.S_IMODE(settings.stat().st_mode) == 0o644  # the user's mode is kept
    for path in cfg.iterdir():
        assert SECRET not in path.read_text()
    assert SECRET not in done.stderr
    # The helper prints the key Claude Code will use.
    token = run("token", "--profile", "corp", env=env)
    assert token.stdout == SECRET + "\n"


def test_cli_project_and_local_scopes_and_print(tmp_path: Path) -> None:
    env = {"CORP_KEY": SECRET}
    run(
        "profile",
        "add",
        "corp",
        "--endpoint",
        "https://gw.example",
        "--secret-env",
        "CORP_KEY",
        env=env,
    )
    printed = run("claude-settings", "--scope", "project", "--print", cwd=tmp_path, env=env)
    assert printed.returncode == 0, printed.stderr
    assert json.loads(printed.stdout)["apiKeyHelper"] == "llmgw token --profile corp"
    assert not (tmp_path / ".claude").exists()
    assert SECRET not in printed.stdout
    done = run("claude-settings", "--scope", "local", cwd=tmp_path, env=env)
    assert done.returncode == 0, done.stderr
    local = tmp_path / ".claude" / "settings.local.json"
    assert stat.S_IMODE(local.stat().st_mode) == 0o600
    assert not local.with_name("settings.local.json.bak").exists()
    assert SECRET not in local.read_text()


def test_cli_broken_settings_file_is_left_alone(tmp_path: Path) -> None:
    (tmp_path / "settings.json").write_text("{broken")
    env = {"CLAUDE_CONFIG_DIR": str(tmp_path)}
    run("profile", "add", "corp", "--endpoint", "https://gw.example", "--auth", "none")
    done = run("claude-settings", env=env)
    assert done.returncode == 2
    assert "not valid JSON" in done.stderr
    assert (tmp_path / "settings.json").read_text() == "{broken"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["settings.json"]
