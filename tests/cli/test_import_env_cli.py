"""`llmgw profile import --from-env` with real and seed-style variables."""

from __future__ import annotations

import json
from pathlib import Path

from llmgw_cli.clientenv.mapping import MANAGED
from tests.helpers.cli import run

SEED = {
    "CLAUDE_API_ENDPOINT": "https://llm-gateway.company.com",
    "CLAUDE_API_KEY": "sk-seed-secret-55667788",
    "CLAUDE_AUTH_TYPE": "api_key",
    "CLAUDE_CUSTOM_HEADERS": '{"X-Department": "Engineering", "X-Project": "ProjectName"}',
    "CLAUDE_MODEL_NAME": "claude-sonnet-4-5",
    "CLAUDE_ENDPOINTS": "https://llm-gateway.company.com,https://backup.company.com",
}


def all_text(home: Path) -> str:
    return "".join(p.read_text() for p in home.rglob("*") if p.is_file())


def test_seed_style_without_keychain_references_the_variable(llmgw_home: Path) -> None:
    done = run("profile", "import", "--from-env", "seed", env=SEED)
    assert done.returncode == 0, done.stderr
    assert "referenced, not copied" in done.stderr
    assert SEED["CLAUDE_API_KEY"] not in all_text(llmgw_home) + done.stderr + done.stdout
    profile = json.loads(run("profile", "show", "seed", "--json", env=SEED).stdout)
    assert profile["profile"]["auth"] == {"type": "x-api-key", "secret": "env:CLAUDE_API_KEY"}
    assert profile["profile"]["headers"] == {
        "X-Department": "Engineering",
        "X-Project": "ProjectName",
    }
    assert profile["profile"]["models"] == {"default": "claude-sonnet-4-5"}
    assert profile["secret"]["masked"] == "…7788"
    # What Claude Code gets from it.
    env = json.loads(run("env", "--profile", "seed", "--shell", "json", env=SEED).stdout)["set"]
    assert env["ANTHROPIC_BASE_URL"] == "https://llm-gateway.company.com"
    assert env["ANTHROPIC_API_KEY"] == SEED["CLAUDE_API_KEY"]
    assert env["ANTHROPIC_CUSTOM_HEADERS"] == "X-Department: Engineering\nX-Project: ProjectName"
    assert env["ANTHROPIC_MODEL"] == "claude-sonnet-4-5"


def test_seed_endpoints_list_only(llmgw_home: Path) -> None:
    done = run(
        "profile",
        "import",
        "--from-env",
        "multi",
        env={"CLAUDE_ENDPOINTS": SEED["CLAUDE_ENDPOINTS"]},
    )
    assert done.returncode == 0, done.stderr
    assert "imported the first" in done.stderr
    assert json.loads(run("profile", "show", "multi", "--json").stdout)["profile"]["endpoint"] == (
        "https://llm-gateway.company.com"
    )


def test_real_variables_need_a_keychain_or_insecure_storage(llmgw_home: Path) -> None:
    real = {
        "ANTHROPIC_BASE_URL": "https://gw.example/v1",
        "ANTHROPIC_AUTH_TOKEN": "tok-real-secret-11223344",
        "ANTHROPIC_CUSTOM_HEADERS": "X-A: 1\nX-B: two words",
        "ANTHROPIC_MODEL": "m1",
        "ANTHROPIC_DEFAULT_HAIKU_MODEL": "h1",
    }
    refused = run("profile", "import", "--from-env", "real", env=real)
    assert refused.returncode == 2
    assert "--insecure-storage" in refused.stderr
    assert real["ANTHROPIC_AUTH_TOKEN"] not in refused.stderr
    assert not any(p.is_file() for p in llmgw_home.rglob("*"))

    done = run("profile", "import", "--from-env", "real", "--insecure-storage", env=real)
    assert done.returncode == 0, done.stderr
    assert "endpoint ended in /v1" in done.stderr
    data = json.loads(run("profile", "show", "real", "--json").stdout)
    assert data["profile"]["auth"] == {"type": "bearer", "secret": "file"}
    assert data["profile"]["endpoint"] == "https://gw.example"
    assert data["profile"]["headers"] == {"X-A": "1", "X-B": "two words"}
    assert data["profile"]["models"] == {"default": "m1", "haiku": "h1"}
    # Once imported, the profile works without the variables.
    cleared = {name: None for name in MANAGED}
    out = json.loads(run("env", "--profile", "real", "--shell", "json", env=cleared).stdout)
    assert out["set"]["ANTHROPIC_AUTH_TOKEN"] == real["ANTHROPIC_AUTH_TOKEN"]


def test_nothing_to_import() -> None:
    done = run("profile", "import", "--from-env", "x")
    assert done.returncode == 2
    assert "ANTHROPIC_BASE_URL" in done.stderr


def test_bad_seed_headers() -> None:
    done = run(
        "profile",
        "import",
        "--from-env",
        "x",
        env={"CLAUDE_API_ENDPOINT": "https://gw.example", "CLAUDE_CUSTOM_HEADERS": "X-A: 1"},
    )
    assert done.returncode == 2
    assert "CLAUDE_CUSTOM_HEADERS is not JSON" in done.stderr


def test_file_or_from_env_not_both(tmp_path: Path) -> None:
    assert run("profile", "import").returncode == 2
    assert run("profile", "import", str(tmp_path / "x.yaml"), "--from-env", "x").returncode == 2
