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
    out = cs.merged(existing, profile, helper="H")
    assert out["theme"] == "dark"
    assert out["permissions"] == {"allow": ["Bash(ls)"]}
    assert out["apiKeyHelper"] == "H"
    assert out["env"] == {
        "MY_VAR": "1",
        "ANTHROPIC_BASE_URL": "https://gw.example",
        "ANTHROPIC_CUSTOM_HEADERS": "X-A: 1",
        "API_TIMEOUT_MS": "600000",
        "LLMGW_EXTRA_VARS": "API_TIMEOUT_MS",
        "LLMGW_ACTIVE_PROFILE": "corp",
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
    assert first["env"]["ANTHROPIC_AUTH_TOKEN"] == "llmgw-no-auth"  # auth none: a placeholder
    second = cs.merged(first, corp)
    assert second["env"] == {
        "MINE": "keep",
        "ANTHROPIC_BASE_URL": "https://gw.example",
        "LLMGW_ACTIVE_PROFILE": "corp",
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
    helper = data["apiKeyHelper"]
    assert helper.startswith("LLMGW_HOME=") and helper.endswith(" token --profile corp")
    assert json.loads((cfg / "settings.json.bak.1").read_text()) == original
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
    assert json.loads(printed.stdout)["apiKeyHelper"].endswith("llmgw token --profile corp")
    assert not (tmp_path / ".claude").exists()
    assert SECRET not in printed.stdout
    done = run("claude-settings", "--scope", "local", cwd=tmp_path, env=env)
    assert done.returncode == 0, done.stderr
    local = tmp_path / ".claude" / "settings.local.json"
    assert stat.S_IMODE(local.stat().st_mode) == 0o600
    assert not list(local.parent.glob("*.bak*"))
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


def test_backups_are_numbered_and_a_symlink_stays_a_link(tmp_path: Path) -> None:
    real = tmp_path / "dotfiles" / "claude-settings.json"
    real.parent.mkdir()
    real.write_text('{"theme": "v0"}')
    cfg = tmp_path / "claude"
    cfg.mkdir()
    (cfg / "settings.json").symlink_to(real)
    run("profile", "add", "corp", "--endpoint", "https://gw.example", "--auth", "none")
    env = {"CLAUDE_CONFIG_DIR": str(cfg)}
    for _ in range(3):
        assert run("claude-settings", "--profile", "corp", env=env).returncode == 0
    assert (cfg / "settings.json").is_symlink()
    assert json.loads(real.read_text())["env"]["ANTHROPIC_BASE_URL"] == "https://gw.example"
    assert json.loads((cfg / "settings.json.bak.1").read_text()) == {"theme": "v0"}
    assert sorted(p.name for p in cfg.glob("*.bak.*")) == [
        "settings.json.bak.1",
        "settings.json.bak.2",
        "settings.json.bak.3",
    ]


def test_a_helper_that_fails_is_refused_before_anything_is_written(tmp_path: Path) -> None:
    env = {"CLAUDE_CONFIG_DIR": str(tmp_path), "CORP_KEY": None}
    run("profile", "add", "corp", "--endpoint", "https://gw.example", "--secret-env", "CORP_KEY")
    done = run("claude-settings", "--profile", "corp", env=env)
    assert done.returncode == 2
    assert "apiKeyHelper" in done.stderr and "CORP_KEY" in done.stderr
    assert not (tmp_path / "settings.json").exists()
