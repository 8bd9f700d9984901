"""`profile import --from-env`: the real client variables and the seed-style CLAUDE_* ones."""

from __future__ import annotations

import pytest

from llmgw_cli.config import fromenv, model
from llmgw_cli.config.yamlio import Located
from llmgw_cli.errors import UsageError


def build(env: dict[str, str]) -> tuple[fromenv.Imported, model.Profile]:
    imported = fromenv.from_env(env)
    data = {**imported.data, "auth": {**imported.data["auth"], "secret": "keyring"}}  # type: ignore[dict-item]
    if imported.secret is None:
        data = imported.data
    return imported, model.from_data(data, Located(data=data, source="environment"), "p")


def test_real_claude_code_variables() -> None:
    imported, profile = build(
        {
            "ANTHROPIC_BASE_URL": "https://gw.example",
            "ANTHROPIC_AUTH_TOKEN": "tok-1234567890",
            "ANTHROPIC_CUSTOM_HEADERS": "X-Department: Eng\nX-Project:  P1 \nnot a header",
            "ANTHROPIC_MODEL": "m-default",
            "ANTHROPIC_DEFAULT_OPUS_MODEL": "m-opus",
            "ANTHROPIC_DEFAULT_SONNET_MODEL": "m-sonnet",
            "ANTHROPIC_DEFAULT_HAIKU_MODEL": "m-haiku",
            "NODE_EXTRA_CA_CERTS": "/etc/corp-ca.pem",
            "HTTPS_PROXY": "http://proxy.corp:3128",
            "NO_PROXY": ".corp, localhost",
        }
    )
    assert (imported.secret, imported.secret_var) == ("tok-1234567890", "ANTHROPIC_AUTH_TOKEN")
    assert profile.root == "https://gw.example"
    assert profile.formats == ["anthropic"]
    assert profile.auth.type == "bearer"
    assert profile.headers == {"X-Department": "Eng", "X-Project": "P1"}
    assert (profile.models.default, profile.models.opus) == ("m-default", "m-opus")
    assert (profile.models.sonnet, profile.models.haiku) == ("m-sonnet", "m-haiku")
    assert profile.tls.ca_bundle == "/etc/corp-ca.pem"
    assert profile.proxy.https == "http://proxy.corp:3128"
    assert profile.proxy.no_proxy == [".corp", "localhost"]


def test_api_key_means_x_api_key_and_openai_adds_a_format() -> None:
    imported, profile = build(
        {
            "ANTHROPIC_BASE_URL": "https://gw.example",
            "ANTHROPIC_API_KEY": "key-1234567890",
            "OPENAI_BASE_URL": "https://gw.example/v1",
        }
    )
    assert profile.auth.type == "x-api-key"
    assert imported.secret_var == "ANTHROPIC_API_KEY"
    assert profile.formats == ["anthropic", "openai"]


def test_openai_only_environment() -> None:
    imported, profile = build(
        {"OPENAI_API_BASE": "http://localhost:4000/v1/", "OPENAI_API_KEY": "sk-x-1234567"}
    )
    assert profile.formats == ["openai"]
    assert profile.root == "http://localhost:4000"
    assert (profile.auth.type, imported.secret_var) == ("bearer", "OPENAI_API_KEY")


def test_seed_style_variables() -> None:
    imported, profile = build(
        {
            "CLAUDE_API_ENDPOINT": "https://llm-gateway.company.com/v1",
            "CLAUDE_API_KEY": "seed-key-1234567",
            "CLAUDE_AUTH_TYPE": "api_key",
            "CLAUDE_CUSTOM_HEADERS": (
                '{"X-Department": "Engineering", "X-Project": "ProjectName", "X-N": 7}'
            ),
            "CLAUDE_MODEL_NAME": "claude-sonnet-4-5",
        }
    )
    assert profile.root == "https://llm-gateway.company.com"  # /v1 normalised
    assert any("/v1/v1/messages" in w for w in profile.warnings)
    assert profile.auth.type == "x-api-key"
    assert (imported.secret, imported.secret_var) == ("seed-key-1234567", "CLAUDE_API_KEY")
    assert profile.headers == {
        "X-Department": "Engineering",
        "X-Project": "ProjectName",
        "X-N": "7",
    }
    assert profile.models.default == "claude-sonnet-4-5"
    assert "read CLAUDE_CUSTOM_HEADERS (JSON)" in imported.notes


@pytest.mark.parametrize(
    ("auth_type", "expected"),
    [("bearer", "bearer"), ("token", "bearer"), ("x-api-key", "x-api-key")],
)
def test_seed_auth_token_and_type(auth_type: str, expected: str) -> None:
    imported, profile = build(
        {
            "CLAUDE_API_ENDPOINT": "https://gw.example",
            "CLAUDE_AUTH_TOKEN": "seed-token-123456",
            "CLAUDE_AUTH_TYPE": auth_type,
        }
    )
    assert profile.auth.type == expected
    assert imported.secret_var == "CLAUDE_AUTH_TOKEN"


def test_seed_endpoints_list_imports_the_first_and_says_so() -> None:
    imported, profile = build(
        {"CLAUDE_ENDPOINTS": "https://a.example, https://b.example,https://c.example"}
    )
    assert profile.root == "https://a.example"
    assert profile.auth.type == "none"
    assert any("3 endpoints" in n and "--chain" in n for n in imported.notes)


def test_real_variables_win_over_seed_ones() -> None:
    imported, profile = build(
        {
            "ANTHROPIC_BASE_URL": "https://real.example",
            "CLAUDE_API_ENDPOINT": "https://seed.example",
            "ANTHROPIC_MODEL": "real-model",
            "CLAUDE_MODEL_NAME": "seed-model",
            "ANTHROPIC_AUTH_TOKEN": "real-token-1234",
            "CLAUDE_API_KEY": "seed-key-123456",
        }
    )
    assert profile.root == "https://real.example"
    assert profile.models.default == "real-model"
    assert imported.secret_var == "ANTHROPIC_AUTH_TOKEN"


@pytest.mark.parametrize("raw", ["{not json", "[1, 2]", '"text"'])
def test_bad_seed_headers_say_how_to_write_them(raw: str) -> None:
    with pytest.raises(UsageError, match='"X-Team": "ml"'):
        fromenv.from_env(
            {"CLAUDE_API_ENDPOINT": "https://gw.example", "CLAUDE_CUSTOM_HEADERS": raw}
        )


def test_no_endpoint_is_a_usage_error_naming_the_variables() -> None:
    with pytest.raises(UsageError) as info:
        fromenv.from_env({"CLAUDE_API_KEY": "x"})
    assert "ANTHROPIC_BASE_URL" in info.value.message
    assert "CLAUDE_API_ENDPOINT" in info.value.message
