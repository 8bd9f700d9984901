"""Every shipped template in profiles/ is a valid profile, and `--template` starts from it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from llmgw_cli import paths
from llmgw_cli.config import manage, model, yamlio
from tests.helpers.cli import NO_KEYCHAIN, run

REPO = Path(__file__).resolve().parents[2]
TEMPLATES = sorted(p.stem for p in (REPO / "profiles").glob("*.yaml"))
EXPECTED = {"anthropic", "openai", "litellm", "ollama", "bedrock", "vertex", "mock"}


def test_the_issue_s_templates_are_all_shipped() -> None:
    assert set(TEMPLATES) >= EXPECTED
    assert paths.templates_dir() == REPO / "profiles"
    assert manage.template_names() == TEMPLATES


@pytest.mark.parametrize("name", TEMPLATES)
def test_template_file_validates(name: str) -> None:
    path = REPO / "profiles" / f"{name}.yaml"
    doc = yamlio.read(path)
    profile = model.from_data(doc.data, doc, name)
    assert profile.warnings == []
    assert doc.data["name"] == name


@pytest.mark.parametrize("name", TEMPLATES)
def test_profile_add_from_template(name: str) -> None:
    done = run(
        "profile",
        "add",
        f"my-{name}",
        "--template",
        name,
        env={"PYTHON_KEYRING_BACKEND": NO_KEYCHAIN},
    )
    assert done.returncode == 0, done.stderr
    shown = run("profile", "show", f"my-{name}", "--json")
    assert shown.returncode == 0, shown.stderr
    data = json.loads(shown.stdout)["profile"]
    template = yamlio.read(REPO / "profiles" / f"{name}.yaml").data
    assert data["endpoint"] == template["endpoint"]
    assert data["formats"] == template["formats"]
    assert data["auth"]["type"] == template["auth"]["type"]


def test_template_values_can_be_overridden() -> None:
    done = run(
        "profile",
        "add",
        "gw",
        "--template",
        "litellm",
        "--endpoint",
        "https://litellm.corp:4000",
        "--secret-env",
        "LITELLM_KEY",
        "--model",
        "claude-opus-4-1",
        "--header",
        "X-Team: ml",
    )
    assert done.returncode == 0, done.stderr
    data = json.loads(run("profile", "show", "gw", "--json").stdout)["profile"]
    assert data["endpoint"] == "https://litellm.corp:4000"
    assert data["auth"] == {"type": "bearer", "secret": "env:LITELLM_KEY"}
    assert data["models"]["default"] == "claude-opus-4-1"
    assert data["headers"] == {"X-Team": "ml"}
    assert data["claude_code"]["disable_experimental_betas"] is True


def test_unknown_template_lists_the_shipped_ones() -> None:
    done = run("profile", "add", "gw", "--template", "nope")
    assert done.returncode == 2
    assert "choose one of: " + ", ".join(TEMPLATES) in done.stderr
    assert done.stdout == ""
