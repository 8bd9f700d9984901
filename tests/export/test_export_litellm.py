"""`llmgw export litellm`: model_list, fallbacks from a shim chain, budgets, no secrets."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from llmgw_cli.config.model import TLS, Auth, Models, Profile
from llmgw_cli.config.store import ProfileStore
from llmgw_cli.export import litellm
from llmgw_cli.shim import config as shim_config
from tests.helpers.cli import run

SECRET = "sk-very-secret-value-0123456789"


def _profile(name: str, endpoint: str, formats: list[str], auth: Auth, **models: str) -> Profile:
    return Profile(
        name=name, endpoint=endpoint, formats=formats, auth=auth, models=Models(**models)
    )


CORP = _profile(
    "corp",
    "https://gw.corp.example",
    ["anthropic"],
    Auth("x-api-key", "keyring"),
    default="claude-sonnet-4-5",
    haiku="claude-haiku-4-5",
)
EDGE = _profile(
    "edge",
    "https://edge.example/",
    ["anthropic", "openai"],
    Auth("bearer", "env:EDGE_TOKEN"),
    default="claude-sonnet-4-5",
)
LOCAL = _profile("local", "http://127.0.0.1:11434", ["openai"], Auth("none"), default="qwen3-coder")


def _doc(text: str) -> dict[str, Any]:
    data = yaml.safe_load(text)
    assert isinstance(data, dict)
    return data


def test_profiles_become_deployments_with_key_references() -> None:
    doc = _doc(litellm.export([CORP, EDGE, LOCAL]).text)
    rows = [(m["model_name"], m["litellm_params"]) for m in doc["model_list"]]
    assert [name for name, _ in rows] == [
        "claude-sonnet-4-5",
        "claude-sonnet-4-5",  # two profiles, one group: LiteLLM balances them
        "claude-haiku-4-5",
        "qwen3-coder",
    ]
    corp, edge, _, local = (p for _, p in rows)
    assert corp == {
        "model": "anthropic/claude-sonnet-4-5",
        "api_base": "https://gw.corp.example",
        "api_key": "os.environ/CORP_API_KEY",
        "timeout": 600.0,
        "stream_timeout": 120.0,
    }
    # Bearer gateway that also speaks OpenAI: LiteLLM's OpenAI client sends Bearer.
    assert edge["model"] == "openai/claude-sonnet-4-5"
    assert edge["api_base"] == "https://edge.example/v1"
    assert edge["api_key"] == "os.environ/EDGE_TOKEN"
    assert local["model"] == "openai/qwen3-coder" and local["api_key"] == "none"
    assert doc["general_settings"] == {"master_key": "os.environ/LITELLM_MASTER_KEY"}
    assert "router_settings" not in doc


def test_chain_config_gives_fallbacks_retries_and_budget(tmp_path: Path) -> None:
    cfg = tmp_path / "shim.yaml"
    cfg.write_text(
        "chain: [corp, edge, local]\n"
        "retry: {attempts: 3, backoff_ms: 200}\n"
        "breaker: {failures: 4, cooldown_s: 20}\n"
        "models: {claude-opus-5-5: {corp: claude-opus-4-1, local: qwen3-coder}}\n"
        "routing_rules: [{match: {model: haiku}, route: local}]\n"
        "plugins: {budget: {enabled: true, daily_usd: 40, daily_tokens: 1000000,\n"
        "                   users: {alice: {daily_usd: 5}}}}\n"
    )
    result = litellm.export([CORP, EDGE, LOCAL], shim_config.load(cfg))
    doc = _doc(result.text)
    names = [m["model_name"] for m in doc["model_list"]]
    assert names == [
        "claude-opus-5-5",
        "claude-opus-5-5@local",
        "claude-sonnet-4-5",
        "claude-sonnet-4-5@edge",
        "claude-haiku-4-5",
        "qwen3-coder",
    ]
    assert doc["model_list"][0]["litellm_params"]["model"] == "anthropic/claude-opus-4-1"
    assert doc["model_list"][1]["litellm_params"]["model"] == "openai/qwen3-coder"
    assert doc["router_settings"] == {
        "fallbacks": [
            {"claude-opus-5-5": ["claude-opus-5-5@local"]},
            {"claude-sonnet-4-5": ["claude-sonnet-4-5@edge"]},
        ],
        "num_retries": 2,
        "retry_after": 0.2,
        "allowed_fails": 4,
        "cooldown_time": 20.0,
    }
    assert doc["litellm_settings"]["max_budget"] == 40.0
    assert doc["litellm_settings"]["budget_duration"] == "1d"
    joined = "\n".join(result.notes)
    assert "daily_tokens" in joined and "routing rule" in joined
    assert '"user_id": "alice", "max_budget": 5' in joined
    assert "# Not expressed in this file:" in result.text  # notes travel with the file


def test_tls_and_unsupported_formats_are_reported() -> None:
    bedrock = _profile("aws", "https://bedrock.example", ["bedrock"], Auth("none"), default="m")
    corp = Profile(
        name="corp2",
        endpoint="https://gw.corp.example",
        auth=Auth("bearer", "keyring"),
        models=Models(default="claude-sonnet-4-5"),
        tls=TLS(ca_bundle="/etc/corp-ca.pem"),
    )
    result = litellm.export([bedrock, corp])
    doc = _doc(result.text)
    assert [m["litellm_params"]["model"] for m in doc["model_list"]] == [
        "anthropic/claude-sonnet-4-5"
    ]
    assert doc["litellm_settings"]["ssl_verify"] == "/etc/corp-ca.pem"
    joined = " ".join(result.notes)
    assert "'aws' serves bedrock" in joined and "x-api-key" in joined


def test_cli_never_writes_the_secret(tmp_path: Path) -> None:
    ProfileStore().save(
        _profile(
            "corp",
            "https://gw.corp.example",
            ["anthropic"],
            Auth("x-api-key", "env:CORP_KEY"),
            default="claude-sonnet-4-5",
        )
    )
    out = tmp_path / "litellm.yaml"
    done = run("export", "litellm", "--profile", "corp", "-o", str(out), env={"CORP_KEY": SECRET})
    assert done.returncode == 0, done.stderr
    text = out.read_text()
    assert SECRET not in text and SECRET not in done.stdout + done.stderr
    assert "api_key: os.environ/CORP_KEY" in text
    assert 'export CORP_KEY="$(llmgw token --profile corp)"' in text
    printed = run("export", "litellm", env={"CORP_KEY": SECRET})
    assert printed.returncode == 0 and printed.stdout == text


def test_cli_errors_name_the_fix(tmp_path: Path) -> None:
    none = run("export", "litellm")
    assert none.returncode == 2 and "llmgw profile add" in none.stderr
    missing = run("export", "litellm", "--profile", "nope")
    assert missing.returncode == 2 and "nope" in missing.stderr
    nofile = run("export", "litellm", "--config", str(tmp_path / "absent.yaml"))
    assert nofile.returncode == 2 and "no such file" in nofile.stderr
