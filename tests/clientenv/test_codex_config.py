"""`codex-config`: a provider block merged into Codex's config.toml, the rest of the file
untouched (comments included), numbered backups, never a secret; and the `-c` overrides
`llmgw exec -- codex` passes instead."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from llmgw_cli.clientenv import codex_config as cc
from llmgw_cli.config.model import Auth, Profile
from llmgw_cli.errors import ConfigError
from tests.helpers.cli import run

SECRET = "sk-codex-config-secret-7373"
USER_FILE = """# my Codex settings
model = "o3"   # keep me
approval_policy = "never"

[model_providers.other]
name = "Other"
base_url = "http://other.example/v1"

[model_providers."llmgw-corp"]
name = "stale"
base_url = "http://127.0.0.1:1/v1"

[profiles.fast]
model = "o4-mini"
"""


def _corp(formats: list[str]) -> Profile:
    return Profile(
        name="corp",
        endpoint="https://gw.example.com",
        formats=formats,
        auth=Auth("bearer", "keyring"),
        headers={"X-Department": "Eng"},
    )


def test_through_the_shim_when_the_profile_does_not_serve_responses() -> None:
    p = cc.provider_for(_corp(["anthropic"]), "http://127.0.0.1:9999")
    assert p.through_shim and p.id == "llmgw-corp"
    assert p.fields() == {
        "name": "llmgw corp (shim)",
        "base_url": "http://127.0.0.1:9999/v1",
        "env_key": "OPENAI_API_KEY",
        "wire_api": "responses",
    }  # the shim adds the headers and the credential; Codex needs neither


def test_direct_when_the_profile_serves_responses() -> None:
    p = cc.provider_for(_corp(["openai", "responses"]), "http://127.0.0.1:9999")
    assert not p.through_shim
    assert p.fields()["base_url"] == "https://gw.example.com/v1"
    assert p.fields()["http_headers"] == {"X-Department": "Eng"}


def test_merge_replaces_only_the_provider_table() -> None:
    p = cc.provider_for(_corp(["anthropic"]), "http://127.0.0.1:8787")
    out = cc.merged_text(USER_FILE, p)
    data = cc.parse(out)
    assert data["model"] == "o3" and data["approval_policy"] == "never"
    assert data["model_providers"]["other"]["base_url"] == "http://other.example/v1"
    assert data["profiles"]["fast"] == {"model": "o4-mini"}
    assert data["model_providers"]["llmgw-corp"]["base_url"] == "http://127.0.0.1:8787/v1"
    assert "model_provider" not in data  # only on request
    assert "# my Codex settings" in out and 'model = "o3"   # keep me' in out
    assert "stale" not in out
    assert cc.merged_text(out, p) == out  # idempotent


def test_use_sets_model_provider_before_the_first_table() -> None:
    p = cc.provider_for(_corp(["anthropic"]))
    out = cc.merged_text(USER_FILE, p, use=True)
    assert cc.parse(out)["model_provider"] == "llmgw-corp"
    assert out.index('model_provider = "llmgw-corp"') < out.index("[model_providers.other]")
    again = cc.merged_text(out.replace('"llmgw-corp"\n', '"other"\n', 1), p, use=True)
    assert again.count("model_provider =") == 1  # an existing choice is replaced, not doubled
    assert cc.merged_text("", p, use=True).startswith('model_provider = "llmgw-corp"\n')


def test_an_inline_definition_is_refused_with_the_fix() -> None:
    text = '[model_providers]\n"llmgw-corp" = { name = "x", base_url = "http://x" }\n'
    with pytest.raises(ConfigError, match="by hand"):
        cc.merged_text(text, cc.provider_for(_corp(["anthropic"])))


def test_overrides_go_right_after_the_program_name() -> None:
    p = cc.provider_for(_corp(["anthropic"]), "http://127.0.0.1:5555")
    argv = cc.with_overrides(["codex", "exec", "hi"], p, "claude-sonnet-4-5")
    assert argv[:3] == ["codex", "-c", 'model_provider="llmgw-corp"']
    assert 'model_providers.llmgw-corp.base_url="http://127.0.0.1:5555/v1"' in argv
    assert 'model_providers.llmgw-corp.wire_api="responses"' in argv
    assert argv[-4:] == ["-c", 'model="claude-sonnet-4-5"', "exec", "hi"]
    mine = cc.with_overrides(["codex", "exec", "-m", "gpt-x", "hi"], p, "claude-sonnet-4-5")
    assert not any(a.startswith("model=") for a in mine)  # the user's -m wins


def test_cli_writes_backups_keeps_mode_and_no_secret(tmp_path: Path) -> None:
    home = tmp_path / "codex"
    home.mkdir()
    cfg = home / "config.toml"
    cfg.write_text(USER_FILE)
    cfg.chmod(0o640)
    env = {"CODEX_HOME": str(home), "CORP_KEY": SECRET, "PYTHON_KEYRING_BACKEND": None}
    added = run(
        "profile",
        "add",
        "corp",
        "--endpoint",
        "https://gw.example.com",
        "--secret-env",
        "CORP_KEY",
        env=env,
    )
    assert added.returncode == 0, added.stderr
    printed = run("codex-config", "--profile", "corp", "--print", env=env)
    assert printed.returncode == 0, printed.stderr
    assert cc.parse(printed.stdout)["model_providers"]["llmgw-corp"]["wire_api"] == "responses"
    assert cfg.read_text() == USER_FILE  # --print writes nothing
    for n in (1, 2):
        done = run("codex-config", "--profile", "corp", "--use", env=env)
        assert done.returncode == 0, done.stderr
        assert (home / f"config.toml.bak.{n}").exists()
    assert (home / "config.toml.bak.1").read_text() == USER_FILE
    assert stat.S_IMODE(cfg.stat().st_mode) == 0o640
    text = cfg.read_text()
    assert cc.parse(text)["model_provider"] == "llmgw-corp"
    assert SECRET not in text and SECRET not in done.stdout + done.stderr
    assert "llmgw env --shim" in done.stdout + done.stderr


def test_cli_refuses_a_broken_file(tmp_path: Path) -> None:
    home = tmp_path / "codex"
    home.mkdir()
    (home / "config.toml").write_text("model = \n")
    env = {"CODEX_HOME": str(home)}
    assert (
        run(
            "profile", "add", "corp", "--endpoint", "http://x.example", "--auth", "none", env=env
        ).returncode
        == 0
    )
    bad = run("codex-config", "--profile", "corp", env=env)
    assert bad.returncode == 2 and "fix or move it" in bad.stderr
    assert (home / "config.toml").read_text() == "model = \n"
