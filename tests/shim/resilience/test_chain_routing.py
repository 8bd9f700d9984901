"""Routing rules of every kind, model mapping, and the seed's gateway-config.yaml, end to end."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.helpers.mockserver import clear, mock_thread, requests_seen
from tests.shim.conftest import save_profile
from tests.shim.resilience.conftest import chain_shim, post
from tests.shim.test_shim_faults import closed_port

RULES = """
chain: [main, alt, cheap]
retry: {attempts: 3, backoff_ms: 1, max_backoff_ms: 5}
models:
  claude-opus-5-5: {main: main-opus, alt: alt-opus}
routing_rules:
  - {name: background, match: {model: haiku}, route: cheap}
  - {name: long-context, match: {min_prompt_tokens: 3000}, route: alt, model: alt-long}
  - {name: think, match: {thinking: true}, route: alt, model: alt-thinker, fallback: [main]}
  - {name: web-search, match: {tool: web_search}, route: cheap, model: cheap-search}
  - {name: code, match: {prompt: "\\\\b(code|refactor)\\\\b"}, route: alt, model: alt-coder}
  - {name: short, match: {max_prompt_tokens: 8, model: sonnet}, route: cheap}
"""


def _msg(text: str, model: str = "claude-sonnet-4-5", **extra: Any) -> dict[str, Any]:
    return {
        "model": model,
        "max_tokens": 10,
        "messages": [{"role": "user", "content": text}],
        **extra,
    }


@pytest.fixture
def three() -> Any:
    with mock_thread() as main, mock_thread() as alt, mock_thread() as cheap:
        save_profile("main", main)
        save_profile("alt", alt)
        save_profile("cheap", cheap)
        yield {"main": main, "alt": alt, "cheap": cheap}


def _sent(url: str) -> dict[str, Any]:
    seen = requests_seen(url, "/v1/messages")
    body: dict[str, Any] = seen[-1]["body"]
    return body


@pytest.mark.parametrize(
    ("body", "route", "upstream", "model"),
    [
        (
            _msg("hello there friend", model="claude-haiku-4-5"),
            "background",
            "cheap",
            "claude-haiku-4-5",
        ),
        (_msg("lorem ipsum dolor " * 1200), "long-context", "alt", "alt-long"),
        (
            _msg("ponder this please", thinking={"type": "enabled", "budget_tokens": 1024}),
            "think",
            "alt",
            "alt-thinker",
        ),
        (
            _msg(
                "what is new today", tools=[{"type": "web_search_20250305", "name": "web_search"}]
            ),
            "web-search",
            "cheap",
            "cheap-search",
        ),
        (_msg("please refactor my module"), "code", "alt", "alt-coder"),
        (_msg("hi"), "short", "cheap", "claude-sonnet-4-5"),
        (_msg("an ordinary question of some length"), "default", "main", "claude-sonnet-4-5"),
        (
            _msg("an ordinary question of some length", model="claude-opus-5-5"),
            "default",
            "main",
            "main-opus",
        ),
    ],
)
def test_each_rule_kind_routes_as_configured(
    three: dict[str, str], body: dict[str, Any], route: str, upstream: str, model: str
) -> None:
    with chain_shim(RULES) as shim:
        r = post(shim, body)
    assert r.status_code == 200, r.text
    assert r.headers["x-llmgw-route"] == route
    assert r.headers["x-llmgw-upstream"] == upstream
    assert _sent(three[upstream])["model"] == model


def test_a_rules_fallback_list_and_the_mapping_apply_when_its_member_fails() -> None:
    with mock_thread() as main, mock_thread() as cheap:
        save_profile("main", main)
        save_profile("alt", f"http://127.0.0.1:{closed_port()}")
        save_profile("cheap", cheap)
        with chain_shim(RULES) as shim:
            thinking = _msg("ponder", thinking={"type": "enabled", "budget_tokens": 1024})
            r = post(shim, thinking)
            assert (r.headers["x-llmgw-route"], r.headers["x-llmgw-upstream"]) == ("think", "main")
            assert r.headers["x-llmgw-attempts"] == "2"
            assert _sent(main)["model"] == "claude-sonnet-4-5"  # the fallback: no rule model
            # Without a fallback list, the rest of the chain in order, each mapped.
            r = post(shim, _msg("refactor this code", model="claude-opus-5-5"))
            assert r.headers["x-llmgw-route"] == "code"
            assert r.headers["x-llmgw-upstream"] == "main"
            assert _sent(main)["model"] == "main-opus"


def test_a_body_that_is_not_json_gets_a_400_only_when_rules_must_read_it(
    three: dict[str, str],
) -> None:
    with chain_shim(RULES) as shim:
        r = httpx.post(
            shim.url + "/v1/messages",
            content=b"{not json",
            headers={"x-api-key": shim.token, "content-type": "application/json"},
        )
    assert r.status_code == 400 and "not valid JSON" in r.json()["error"]["message"]


SEED = """\
# The seed's gateway-config.yaml, as written there (endpoints pointed at local mocks).
providers:
  anthropic:
    endpoint: {anthropic}
    api_key: ${{ANTHROPIC_API_KEY}}
    models:
      - claude-opus-4-1
      - claude-sonnet-4-5
  openai:
    endpoint: {openai}/v1
    api_key: ${{OPENAI_API_KEY}}
    models:
      - gpt-4o
      - gpt-4o-mini

routing_rules:
  - pattern: "code-.*"
    preferred_model: claude-opus-4-1
    fallback: gpt-4o
  - pattern: "chat-.*"
    preferred_model: gpt-4o-mini
    fallback: claude-sonnet-4-5
"""
ANT_KEY = "sk-ant-test-0123456789"
OAI_KEY = "sk-oai-test-9876543210"


def test_the_seed_gateway_config_loads_and_routes_code_and_chat_models(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ANTHROPIC_API_KEY", ANT_KEY)
    monkeypatch.setenv("OPENAI_API_KEY", OAI_KEY)
    with (
        mock_thread(format="anthropic", require_key=ANT_KEY) as ant,
        mock_thread(format="openai", require_key=OAI_KEY) as oai,
    ):
        path = tmp_path / "gateway-config.yaml"
        path.write_text(SEED.format(anthropic=ant, openai=oai))
        with chain_shim(path=path) as shim:
            code = post(shim, _msg("write a parser", model="code-assistant"))
            assert code.status_code == 200, code.text
            assert code.headers["x-llmgw-upstream"] == "anthropic"
            assert code.headers["x-llmgw-route"] == "rule-1"
            seen = requests_seen(ant, "/v1/messages")[-1]
            assert seen["body"]["model"] == "claude-opus-4-1"
            assert seen["headers"]["x-api-key"] == ANT_KEY  # from ${ANTHROPIC_API_KEY}

            chat = post(shim, _msg("hello", model="chat-small"))
            assert chat.status_code == 200, chat.text
            assert chat.headers["x-llmgw-upstream"] == "openai"
            assert chat.headers["x-llmgw-route"] == "rule-2"
            assert chat.json()["type"] == "message"  # translated back for the Anthropic client
            seen = requests_seen(oai, "/v1/chat/completions")[-1]
            assert seen["body"]["model"] == "gpt-4o-mini"
            assert seen["headers"]["authorization"] == f"Bearer {OAI_KEY}"

            direct = post(shim, _msg("hello", model="gpt-4o"))  # a model a provider lists
            assert direct.headers["x-llmgw-upstream"] == "openai"
            assert direct.headers["x-llmgw-route"] == "provider:openai"


def test_the_seed_fallback_model_is_used_when_the_preferred_provider_is_down(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ANTHROPIC_API_KEY", ANT_KEY)
    monkeypatch.setenv("OPENAI_API_KEY", OAI_KEY)
    with mock_thread(format="openai", require_key=OAI_KEY) as oai:
        path = tmp_path / "gateway-config.yaml"
        path.write_text(SEED.format(anthropic=f"http://127.0.0.1:{closed_port()}", openai=oai))
        with chain_shim(path=path) as shim:
            clear(oai)
            r = post(shim, _msg("write a parser", model="code-assistant"))
            assert r.status_code == 200, r.text
            assert (r.headers["x-llmgw-upstream"], r.headers["x-llmgw-attempts"]) == ("openai", "2")
            assert requests_seen(oai, "/v1/chat/completions")[-1]["body"]["model"] == "gpt-4o"


def test_a_missing_provider_key_is_refused_naming_the_variable(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from llmgw_cli.errors import SecretError

    monkeypatch.delenv("ANTHROPIC_API_KEY", raising=False)
    monkeypatch.setenv("OPENAI_API_KEY", OAI_KEY)
    path = tmp_path / "gateway-config.yaml"
    path.write_text(SEED.format(anthropic="http://127.0.0.1:9", openai="http://127.0.0.1:9"))
    with (
        pytest.raises(SecretError, match=r"\$ANTHROPIC_API_KEY, which is not set"),
        chain_shim(path=path),
    ):
        pass
