"""Profile → environment, as design.md's table says (verified against Claude Code in facts.md)."""

from __future__ import annotations

from pathlib import Path

import pytest

from llmgw_cli.clientenv import envstate, mapping
from llmgw_cli.clientenv.mapping import PLACEHOLDER_TOKEN, ShimTarget, apply, plan, unset_plan
from llmgw_cli.config.model import TLS, Auth, ClaudeCode, Models, Profile, Proxy

KEY = "sk-secret-value-9876"


def prof(**kw: object) -> Profile:
    base: dict[str, object] = {
        "name": "corp",
        "endpoint": "https://gw.example/",
        "auth": Auth("bearer", "keyring"),
    }
    base.update(kw)
    return Profile(**base)  # type: ignore[arg-type]


def test_anthropic_bearer() -> None:
    p = plan(prof(), KEY, environ={"ANTHROPIC_API_KEY": "users-own-key-123"})
    state = p.set.pop(envstate.STATE_VAR)
    assert p.set == {
        "ANTHROPIC_BASE_URL": "https://gw.example",
        "ANTHROPIC_AUTH_TOKEN": KEY,
        "LLMGW_ACTIVE_PROFILE": "corp",
    }
    assert "LLMGW_PROFILE" not in p.set  # the user's selector: never exported
    assert p.unset == ["ANTHROPIC_API_KEY"]  # never both ...
    assert p.save == ["ANTHROPIC_API_KEY"]  # ... but the user's own is kept, by reference
    assert "users-own-key" not in envstate.decode(state).__repr__()
    assert KEY not in envstate.decode(state).__repr__()


def test_anthropic_x_api_key() -> None:
    env = mapping.profile_env(prof(auth=Auth("x-api-key", "keyring")), KEY)
    assert env["ANTHROPIC_API_KEY"] == KEY
    assert "ANTHROPIC_AUTH_TOKEN" not in env


def test_auth_none_sets_a_placeholder_so_clients_start() -> None:
    env = mapping.profile_env(prof(auth=Auth("none"), formats=["anthropic", "openai"]), None)
    assert env["ANTHROPIC_AUTH_TOKEN"] == env["OPENAI_API_KEY"] == PLACEHOLDER_TOKEN


def test_headers_one_per_line() -> None:
    env = mapping.profile_env(
        prof(headers={"X-Department": "Engineering", "X-Project": "P 1"}), KEY
    )
    assert env["ANTHROPIC_CUSTOM_HEADERS"] == "X-Department: Engineering\nX-Project: P 1"


def test_models() -> None:
    env = mapping.profile_env(prof(models=Models("d", "o", "s", "h")), KEY)
    assert (env["ANTHROPIC_MODEL"], env["ANTHROPIC_DEFAULT_OPUS_MODEL"]) == ("d", "o")
    assert (env["ANTHROPIC_DEFAULT_SONNET_MODEL"], env["ANTHROPIC_DEFAULT_HAIKU_MODEL"]) == (
        "s",
        "h",
    )


def test_tls_paths_are_expanded_and_proxy_set(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("HOME", str(tmp_path))
    env = mapping.profile_env(
        prof(
            tls=TLS(ca_bundle="~/ca.pem", client_cert="~/c.pem", client_key="/abs/k.pem"),
            proxy=Proxy(https="http://proxy.corp:3128", no_proxy=[".corp", "localhost"]),
        ),
        KEY,
    )
    assert env["NODE_EXTRA_CA_CERTS"] == str(tmp_path.resolve() / "ca.pem")
    assert env["CLAUDE_CODE_CLIENT_CERT"] == str(tmp_path.resolve() / "c.pem")
    assert env["CLAUDE_CODE_CLIENT_KEY"] == "/abs/k.pem"
    assert env["HTTPS_PROXY"] == env["https_proxy"] == "http://proxy.corp:3128"
    assert env["NO_PROXY"] == env["no_proxy"] == ".corp,localhost"


@pytest.mark.parametrize("endpoint", ["http://localhost:4000", "http://localhost:4000/v1"])
def test_openai_format(endpoint: str) -> None:
    env = mapping.profile_env(prof(endpoint=endpoint, formats=["openai"]), KEY)
    assert env["OPENAI_BASE_URL"] == "http://localhost:4000/v1"
    assert env["OPENAI_API_BASE"] == "http://localhost:4000/v1"
    assert env["OPENAI_API_KEY"] == KEY
    assert "ANTHROPIC_BASE_URL" not in env


def test_both_formats() -> None:
    env = mapping.profile_env(prof(formats=["anthropic", "openai"]), KEY)
    assert env["ANTHROPIC_BASE_URL"] == "https://gw.example"
    assert env["OPENAI_BASE_URL"] == "https://gw.example/v1"
    assert env["ANTHROPIC_AUTH_TOKEN"] == env["OPENAI_API_KEY"] == KEY


def test_bedrock_format() -> None:
    env = mapping.profile_env(prof(formats=["bedrock"]), KEY)
    assert env["CLAUDE_CODE_USE_BEDROCK"] == "1"
    assert env["ANTHROPIC_BEDROCK_BASE_URL"] == "https://gw.example"
    assert env["CLAUDE_CODE_SKIP_BEDROCK_AUTH"] == "1"
    assert "ANTHROPIC_BASE_URL" not in env


def test_vertex_format() -> None:
    env = mapping.profile_env(prof(formats=["vertex"]), KEY)
    assert env["CLAUDE_CODE_USE_VERTEX"] == "1"
    assert env["ANTHROPIC_VERTEX_BASE_URL"] == "https://gw.example"
    assert env["CLAUDE_CODE_SKIP_VERTEX_AUTH"] == "1"


def test_claude_code_flags_and_extras() -> None:
    cc = ClaudeCode(
        disable_experimental_betas=True,
        disable_nonessential_traffic=True,
        env={
            "API_TIMEOUT_MS": "600000",
            "BASH_DEFAULT_TIMEOUT_MS": "1",
            "ANTHROPIC_BASE_URL": "ignored",
        },
    )
    env = mapping.profile_env(prof(claude_code=cc), KEY)
    assert env["CLAUDE_CODE_DISABLE_EXPERIMENTAL_BETAS"] == "1"
    assert env["CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC"] == "1"
    assert env["API_TIMEOUT_MS"] == "600000"
    assert env["ANTHROPIC_BASE_URL"] == "https://gw.example"  # extras never override the mapping


def test_a_switch_undoes_the_previous_profile_and_keeps_the_users_own() -> None:
    user = {
        "PATH": "/bin",
        "HTTPS_PROXY": "http://users-proxy:8080",
        "OPENAI_API_KEY": "users-openai-key-1234",
        "API_TIMEOUT_MS": "5",
    }
    a = prof(
        name="a",
        formats=["openai"],
        proxy=Proxy(https="http://a-proxy:3128"),
        claude_code=ClaudeCode(env={"API_TIMEOUT_MS": "600000", "A_ONLY": "1"}),
    )
    first = plan(a, KEY, environ=user)
    assert first.save == ["OPENAI_API_KEY"]  # secret-like: kept by the shell, not in output
    after_a = apply(first, user)
    assert after_a["HTTPS_PROXY"] == after_a["https_proxy"] == "http://a-proxy:3128"
    b = prof(name="b")
    second = plan(b, KEY, environ=after_a)
    assert second.set["HTTPS_PROXY"] == "http://users-proxy:8080"  # the user's, put back
    assert second.set["API_TIMEOUT_MS"] == "5"
    assert second.restore == ["OPENAI_API_KEY"]
    assert {"https_proxy", "A_ONLY", "OPENAI_BASE_URL", "OPENAI_API_BASE"} <= set(second.unset)
    back = unset_plan(apply(second, after_a))
    assert set(back.unset) >= {"ANTHROPIC_BASE_URL", "ANTHROPIC_AUTH_TOKEN", "LLMGW_ENV_STATE"}


def test_a_damaged_record_is_ignored_and_its_names_never_reach_the_shell() -> None:
    evil = envstate.encode(envstate.State(set=["GOOD", "$(touch /tmp/pwned)", "A;rm"]))
    assert envstate.decode(evil).set == ["GOOD"]
    assert envstate.decode("not base64 !!").set == []
    assert unset_plan({envstate.STATE_VAR: evil}).unset == ["GOOD", envstate.STATE_VAR]


def test_shim_target_replaces_endpoint_key_and_drops_tls_and_headers() -> None:
    p = prof(
        formats=["anthropic"],
        headers={"X-A": "1"},
        tls=TLS(ca_bundle="/ca.pem"),
        proxy=Proxy(https="http://proxy:1"),
        models=Models(default="m"),
    )
    env = mapping.profile_env(p, KEY, ShimTarget("http://127.0.0.1:8787/", "local-token"))
    assert env["ANTHROPIC_BASE_URL"] == "http://127.0.0.1:8787"
    assert env["ANTHROPIC_AUTH_TOKEN"] == env["OPENAI_API_KEY"] == "local-token"
    assert env["OPENAI_BASE_URL"] == "http://127.0.0.1:8787/v1"
    assert env["ANTHROPIC_MODEL"] == "m"
    assert KEY not in env.values()
    for gone in ("ANTHROPIC_CUSTOM_HEADERS", "NODE_EXTRA_CA_CERTS", "HTTPS_PROXY"):
        assert gone not in env


def test_unset_without_a_record_touches_nothing() -> None:
    p = unset_plan({"OPENAI_API_KEY": "mine", "HTTPS_PROXY": "http://p:1"})
    assert (p.set, p.unset, p.restore) == ({}, [], [])


def test_apply_removes_stale_values_and_keeps_the_rest() -> None:
    p = plan(prof(), KEY, environ={})
    child = apply(p, {"PATH": "/bin", "OPENAI_API_KEY": "mine", "ANTHROPIC_API_KEY": "stale"})
    assert child == {"PATH": "/bin", "OPENAI_API_KEY": "mine", **p.set}


def test_masked_hides_only_secrets() -> None:
    masked = plan(prof(formats=["anthropic", "openai"]), KEY, environ={}).masked()
    assert masked["ANTHROPIC_AUTH_TOKEN"] == masked["OPENAI_API_KEY"] == "…9876"
    assert masked["ANTHROPIC_BASE_URL"] == "https://gw.example"


def test_claude_code_switches_map_to_the_guides_variables() -> None:
    """Each claude_code switch sets its variable only when it differs from Claude Code's default."""
    from llmgw_cli.clientenv.mapping import SWITCHES, switch_env

    text = (
        "version: 1\nname: cc\nendpoint: https://gw.example\nauth: {type: none}\n"
        "claude_code: {disable_adaptive_thinking: true, disable_structured_outputs: true,\n"
        "  disable_advisor_tool: true, disable_nonstreaming_fallback: true, tool_search: false,\n"
        "  auto_compact_window: 120000, max_context_tokens: 128000, max_output_tokens: 16000,\n"
        "  attribution_header: false, hint_headers: true, model_discovery: true}\n"
    )
    from llmgw_cli.config.model import from_text

    env = mapping.profile_env(from_text(text, "cc.yaml", "cc"), None)
    assert {k: env[k] for k in env if k.startswith(("CLAUDE_CODE_", "ENABLE_"))} == {
        "CLAUDE_CODE_DISABLE_ADAPTIVE_THINKING": "1",
        "CLAUDE_CODE_DISABLE_STRUCTURED_OUTPUTS": "1",
        "CLAUDE_CODE_DISABLE_ADVISOR_TOOL": "1",
        "CLAUDE_CODE_DISABLE_NONSTREAMING_FALLBACK": "1",
        "ENABLE_TOOL_SEARCH": "false",
        "CLAUDE_CODE_AUTO_COMPACT_WINDOW": "120000",
        "CLAUDE_CODE_MAX_CONTEXT_TOKENS": "128000",
        "CLAUDE_CODE_MAX_OUTPUT_TOKENS": "16000",
        "CLAUDE_CODE_ATTRIBUTION_HEADER": "0",
        "CLAUDE_CODE_GATEWAY_HINT_HEADERS": "1",
        "CLAUDE_CODE_ENABLE_GATEWAY_MODEL_DISCOVERY": "1",
    }
    assert switch_env(ClaudeCode()) == {}
    assert all(var in mapping.MANAGED for _, var in SWITCHES)  # the next switch unsets them
    assert "ANTHROPIC_SMALL_FAST_MODEL" not in mapping.MANAGED  # deprecated: never emitted


def test_claude_code_switch_values_are_validated() -> None:
    from llmgw_cli.config.model import from_text
    from llmgw_cli.errors import ConfigError

    base = "version: 1\nname: cc\nendpoint: https://gw.example\nauth: {type: none}\n"
    for bad, said in (
        ("claude_code: {auto_compact_window: 12}", "between 1000 and 10000000"),
        ("claude_code: {disable_advisor_tool: yes please}", "expected true or false"),
        ("claude_code: {disable_adaptive: true}", "did you mean 'disable_adaptive_thinking'"),
    ):
        with pytest.raises(ConfigError, match=said):
            from_text(base + bad + "\n", "cc.yaml", "cc")
