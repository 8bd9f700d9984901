"""Routing rules and the seed's gateway-config.yaml: parsing, validation, matching."""

from __future__ import annotations

from typing import Any

import pytest

from llmgw_cli.errors import ConfigError
from llmgw_cli.shim import config as shim_config
from llmgw_cli.shim import rules as routing
from llmgw_cli.shim.config import ShimConfig

SEED = """\
providers:
  anthropic:
    endpoint: https://api.anthropic.com
    api_key: ${ANTHROPIC_API_KEY}
    models:
      - claude-opus-4-1
      - claude-sonnet-4-5
  openai:
    endpoint: https://api.openai.com/v1
    api_key: ${OPENAI_API_KEY}
    models: [gpt-4o, gpt-4o-mini]
  cohere:
    endpoint: https://api.cohere.ai/compatibility/v1
    api_key: ${COHERE_API_KEY}
    models: [command-r-plus]
routing_rules:
  - pattern: "code-.*"
    preferred_model: claude-opus-4-1
    fallback: gpt-4o
  - pattern: "chat-.*"
    preferred_model: gpt-4o-mini
    fallback: [claude-sonnet-4-5, command-r-plus]
"""


def load(text: str) -> ShimConfig:
    return shim_config.from_text(text, "gw.yaml")


def rules(cfg: ShimConfig) -> tuple[routing.Rule, ...]:
    def fail(path: tuple[str, ...], message: str) -> ConfigError:
        return ConfigError(f"{path}: {message}")

    return routing.compile_rules(cfg, fail)


def test_the_seed_file_is_a_shim_config_as_it_stands() -> None:
    cfg = load(SEED)
    assert cfg.chain == ["anthropic", "openai", "cohere"]
    code, chat = rules(cfg)
    assert code.first == ("anthropic", "claude-opus-4-1")
    assert code.fallback == (("openai", "gpt-4o"),)
    assert chat.first == ("openai", "gpt-4o-mini")
    assert chat.fallback == (("anthropic", "claude-sonnet-4-5"), ("cohere", "command-r-plus"))
    req = routing.Request({"model": "code-review"})
    assert routing.first_match((code, chat), req) is code
    assert routing.first_match((code, chat), routing.Request({"model": "chat-fast"})) is chat
    # `pattern` is matched against the whole model name
    assert routing.first_match((code, chat), routing.Request({"model": "unicode-x"})) is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "chain: [a]\nrouting_rules:\n  - {match: {model: '(('}, route: a}\n",
            "gw.yaml:3: routing_rules.0.match.model: not a valid regular expression",
        ),
        (
            "chain: [a]\nrouting_rules:\n  - {match: {model: x}, route: b}\n",
            "'b' is not in the chain",
        ),
        ("chain: [a]\nrouting_rules:\n  - {route: a}\n", "give it a condition"),
        ("chain: [a]\nrouting_rules:\n  - {match: {thinking: true}}\n", "say where it goes"),
        (
            "chain: [a]\nrouting_rules:\n  - {match: {tool: x}, route: a, fallback: [zz]}\n",
            "'zz' is neither a chain member nor a model a provider lists",
        ),
        ("providers:\n  acme: {endpoint: https://x.example}\n", "add format: openai"),
        (
            "providers:\n  openai: {endpoint: https://x.example, api_key: sk-live-123}\n",
            "a key itself does not belong in a file",
        ),
        (
            "routing_rules:\n  - {pattern: 'x', preferred_model: nope}\nchain: [a]\n",
            "no provider lists 'nope'",
        ),
        ("chain: [a]\ntimeouts: {first_byte_s: 0}\n", "timeouts.first_byte_s: must be more"),
    ],
)
def test_bad_configs_name_the_place_and_the_fix(text: str, expected: str) -> None:
    with pytest.raises(ConfigError, match=None) as info:
        load(text)
    assert expected in info.value.message
    assert "sk-live-123" not in info.value.message


def _rule(**match: Any) -> routing.Rule:
    cfg = load("chain: [a, b]\n")
    cfg.routing_rules = [shim_config.RoutingRule(match=shim_config.Match(**match), route="b")]
    (rule,) = rules(cfg)
    return rule


def test_each_condition_kind() -> None:
    assert routing.matches(_rule(model="haiku"), routing.Request({"model": "claude-haiku-4-5"}))
    assert not routing.matches(_rule(model="haiku"), routing.Request({"model": "claude-opus"}))
    thinking = {"thinking": {"type": "enabled", "budget_tokens": 1024}}
    assert routing.matches(_rule(thinking=True), routing.Request(thinking))
    assert not routing.matches(_rule(thinking=True), routing.Request({}))
    assert routing.matches(
        _rule(thinking=False), routing.Request({"thinking": {"type": "disabled"}})
    )
    server_tool = {"tools": [{"type": "web_search_20250305", "name": "web_search"}]}
    fn_tool = {"tools": [{"type": "function", "function": {"name": "web_search"}}]}
    assert routing.matches(_rule(tool="web_search"), routing.Request(server_tool))
    assert routing.matches(_rule(tool="web_search"), routing.Request(fn_tool))
    assert not routing.matches(
        _rule(tool="web_search"), routing.Request({"tools": [{"name": "Bash"}]})
    )
    msgs = {
        "system": "you write code",
        "messages": [
            {"role": "user", "content": "refactor this code"},
            {"role": "assistant", "content": "ok"},
            {"role": "user", "content": [{"type": "text", "text": "tell me a joke"}]},
        ],
    }
    assert routing.matches(_rule(prompt="joke"), routing.Request(msgs))
    assert not routing.matches(_rule(prompt="code"), routing.Request(msgs))  # only the last turn
    big = {"messages": [{"role": "user", "content": "word " * 5000}]}
    small = {"messages": [{"role": "user", "content": "hi"}]}
    assert routing.matches(_rule(min_prompt_tokens=4000), routing.Request(big))
    assert not routing.matches(_rule(min_prompt_tokens=4000), routing.Request(small))
    assert routing.matches(_rule(max_prompt_tokens=100), routing.Request(small))
    assert not routing.matches(_rule(max_prompt_tokens=100), routing.Request(big))
