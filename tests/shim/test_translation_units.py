"""The shim's translators in isolation: choices that need no server to check."""

from __future__ import annotations

import json

import pytest

from llmgw_cli.config.model import Profile
from llmgw_cli.shim.members.member import from_profile
from llmgw_cli.shim.translate import bridges, registry

THINKING = {"type": "thinking", "thinking": "let me see", "signature": ""}
SIGNED = {"type": "thinking", "thinking": "signed", "signature": "EqQBCkgIARABGAIiQ"}


def _body(*assistant: dict[str, str]) -> dict[str, object]:
    return {
        "model": "claude-sonnet-4-5",
        "messages": [
            {"role": "user", "content": "hi"},
            {"role": "assistant", "content": list(assistant)},
            {"role": "user", "content": "go on"},
        ],
    }


@pytest.mark.parametrize("separators", [(",", ":"), (", ", ": ")])
def test_unsigned_thinking_is_dropped_for_anthropic_members(
    separators: tuple[str, str],
) -> None:
    raw = json.dumps(_body(THINKING, SIGNED, {"type": "text", "text": "ok"}), separators=separators)
    out = json.loads(bridges.strip_unsigned_thinking(raw.encode()))
    assert out["messages"][1]["content"] == [SIGNED, {"type": "text", "text": "ok"}]


def test_a_turn_of_only_unsigned_thinking_keeps_a_placeholder() -> None:
    out = json.loads(bridges.strip_unsigned_thinking(json.dumps(_body(THINKING)).encode()))
    assert out["messages"][1]["content"] == [{"type": "text", "text": "(thinking omitted)"}]


def test_requests_without_unsigned_thinking_are_untouched() -> None:
    raw = json.dumps(_body(SIGNED, {"type": "text", "text": "ok"})).encode()
    assert bridges.strip_unsigned_thinking(raw) is raw
    garbled = b'{"signature":"" not json'
    assert bridges.strip_unsigned_thinking(garbled) is garbled


@pytest.mark.parametrize(
    ("endpoint", "field"),
    [
        ("https://api.openai.com", "max_completion_tokens"),
        ("https://corp.openai.azure.com/openai", "max_completion_tokens"),
        ("http://127.0.0.1:11434", "max_tokens"),
        ("https://api.cohere.ai/compatibility", "max_tokens"),
    ],
)
def test_max_tokens_field_follows_the_server(endpoint: str, field: str) -> None:
    member = from_profile(Profile(name="m", endpoint=endpoint, formats=["openai"]), None)
    assert bridges.max_tokens_field(member) == field


def test_both_directions_are_registered() -> None:
    openai_only = from_profile(Profile(name="o", endpoint="http://x", formats=["openai"]), None)
    anthropic_only = from_profile(Profile(name="a", endpoint="http://x"), None)
    assert registry.find("anthropic", openai_only) is bridges.AnthropicOnOpenAI
    assert registry.find("openai", anthropic_only) is bridges.OpenAIOnAnthropic
    assert registry.find("openai", openai_only) is None


def test_an_untranslatable_success_body_becomes_an_error_in_the_clients_format() -> None:
    tr = bridges.AnthropicOnOpenAI()
    body = json.loads(tr.response(200, b"<html>gateway login</html>"))
    assert body["type"] == "error" and "gateway login" in body["error"]["message"]
    otr = bridges.OpenAIOnAnthropic()
    obody = json.loads(otr.response(200, b"[1, 2]"))
    assert "could not be translated" in obody["error"]["message"]


def test_model_lists_are_reshaped_both_ways() -> None:
    openai_list = {"object": "list", "data": [{"id": "qwen3", "object": "model", "created": 0}]}
    anthropic_list = bridges.openai_models_to_anthropic(openai_list)
    assert anthropic_list["data"] == [
        {
            "type": "model",
            "id": "qwen3",
            "display_name": "qwen3",
            "created_at": "1970-01-01T00:00:00Z",
        }
    ]
    back = bridges.anthropic_models_to_openai(anthropic_list)
    assert back["data"] == [
        {"id": "qwen3", "object": "model", "created": 0, "owned_by": "anthropic"}
    ]
