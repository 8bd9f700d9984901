"""Thinking across translation: Anthropic ``thinking`` becomes ``reasoning_effort`` for an
OpenAI-format member whose model takes it, ``reasoning_content`` comes back as thinking,
and Claude Code's mid-conversation ``role: system`` turns keep their role."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest

from tests.guide.conftest import PLUGINS_OFF, key, shim_yaml
from tests.guide.upstream import recording
from tests.shim.conftest import save_profile

ANSWER = {
    "id": "c1",
    "object": "chat.completion",
    "model": "gpt-5",
    "choices": [
        {
            "index": 0,
            "message": {"role": "assistant", "content": "Hi", "reasoning_content": "Greet."},
            "finish_reason": "stop",
        }
    ],
    "usage": {"prompt_tokens": 9, "completion_tokens": 2, "total_tokens": 11},
}


def _ask(model: str, thinking: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    body = {
        "model": "claude-sonnet-4-5",
        "max_tokens": 64,
        "thinking": thinking,
        "messages": [
            {"role": "user", "content": "hi"},
            {"role": "system", "content": "The user switched to plan mode."},
            {"role": "user", "content": "go on"},
        ],
    }
    with recording() as up:
        save_profile("oa", up.url + "/v1", headers={}, formats=["openai"])
        text = (
            "chain: [oa, spare]\n"
            + PLUGINS_OFF
            + f"models: {{claude-sonnet-4-5: {{oa: {model}}}}}\n"
        )
        save_profile("spare", up.url + "/v1", headers={}, formats=["openai"])
        with shim_yaml(text) as shim:
            up.body = json.dumps(ANSWER).encode()
            answer = httpx.post(
                f"{shim.url}/v1/messages",
                json=body,
                headers={"anthropic-version": "2023-06-01", **key(shim)},
                timeout=10,
            )
    assert answer.status_code == 200, answer.text
    return json.loads(up.posts()[0].body), answer.json()


@pytest.mark.parametrize(
    ("thinking", "effort"),
    [
        ({"type": "adaptive"}, "medium"),
        ({"type": "enabled", "budget_tokens": 2048}, "low"),
        ({"type": "enabled", "budget_tokens": 31999}, "high"),
    ],
)
def test_thinking_becomes_reasoning_effort_and_comes_back_as_thinking(
    thinking: dict[str, Any], effort: str
) -> None:
    sent, got = _ask("gpt-5", thinking)
    assert sent["reasoning_effort"] == effort
    roles = [m["role"] for m in sent["messages"]]
    assert roles == ["user", "system", "user"]  # the system turn keeps its role and place
    assert sent["messages"][1]["content"] == "The user switched to plan mode."
    assert got["content"][0] == {"type": "thinking", "thinking": "Greet.", "signature": ""}
    assert got["content"][1]["text"] == "Hi"


def test_no_reasoning_effort_for_a_model_that_does_not_take_it() -> None:
    sent, _ = _ask("qwen3-coder", {"type": "adaptive"})
    assert "reasoning_effort" not in sent
