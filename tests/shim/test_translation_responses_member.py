"""Messages and Chat clients in front of a Responses-only member: the official anthropic
and openai SDKs through the shim to a mock that serves only ``/v1/responses``."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import anthropic
import openai
import pytest

from llmgw_cli.mock.script import parse_script
from llmgw_cli.shim.serve.server import RunningShim
from tests.helpers.mockserver import clear, mock_thread, requests_seen
from tests.shim.conftest import REAL_KEY, save_profile, shim_for

SCRIPT = parse_script(
    {
        "turns": [{"tool_call": {"name": "Bash", "id": "call_bash_1", "input": {"command": "ls"}}}],
        "on_tool_result": {
            "text": "Two files.",
            "usage": {"input_tokens": 20, "cache_read_input_tokens": 80, "output_tokens": 3},
        },
    }
)
BASH: Any = {
    "name": "Bash",
    "description": "Run a command",
    "input_schema": {"type": "object", "properties": {"command": {"type": "string"}}},
}


@pytest.fixture(scope="module")
def mock_url() -> Iterator[str]:
    with mock_thread(format="responses", require_key=REAL_KEY, script=SCRIPT) as url:
        yield url


@pytest.fixture
def shim(mock_url: str) -> Iterator[RunningShim]:
    clear(mock_url)
    save_profile("resp", mock_url, auth="bearer", formats=["responses"])
    with shim_for("resp") as running:
        yield running


def test_anthropic_sdk_tool_round_trip_streamed(shim: RunningShim, mock_url: str) -> None:
    client = anthropic.Anthropic(base_url=shim.url, api_key=shim.token, max_retries=0)
    with client.messages.stream(
        model="gpt-5",
        max_tokens=256,
        tools=[BASH],
        messages=[{"role": "user", "content": "list files"}],
    ) as stream:
        first = stream.get_final_message()
    assert first.stop_reason == "tool_use"
    use = next(b for b in first.content if b.type == "tool_use")
    assert use.id == "call_bash_1" and use.name == "Bash" and use.input == {"command": "ls"}
    history: Any = [
        {"role": "user", "content": "list files"},
        {"role": "assistant", "content": [b.model_dump() for b in first.content]},
        {
            "role": "user",
            "content": [{"type": "tool_result", "tool_use_id": use.id, "content": "a b"}],
        },
    ]
    second = client.messages.create(model="gpt-5", max_tokens=256, tools=[BASH], messages=history)
    assert second.content[0].type == "text" and second.content[0].text == "Two files."
    assert second.usage.input_tokens == 20 and second.usage.cache_read_input_tokens == 80
    seen = requests_seen(mock_url)
    assert [s["path"] for s in seen] == ["/v1/responses", "/v1/responses"]
    items = seen[1]["body"]["input"]
    assert {"type": "function_call_output", "call_id": "call_bash_1", "output": "a b"} in items
    assert seen[0]["headers"]["authorization"] == f"Bearer {REAL_KEY}"


def test_anthropic_count_tokens_goes_to_input_tokens(shim: RunningShim, mock_url: str) -> None:
    client = anthropic.Anthropic(base_url=shim.url, api_key=shim.token, max_retries=0)
    count = client.messages.count_tokens(
        model="gpt-5", messages=[{"role": "user", "content": "hello " * 40}]
    )
    assert count.input_tokens > 10
    assert [s["path"] for s in requests_seen(mock_url)] == ["/v1/responses/input_tokens"]


def test_openai_chat_sdk_streamed_with_usage(shim: RunningShim, mock_url: str) -> None:
    client = openai.OpenAI(base_url=shim.url + "/v1", api_key=shim.token, max_retries=0)
    tools: Any = [
        {"type": "function", "function": {"name": "Bash", "parameters": BASH["input_schema"]}}
    ]
    chunks = list(
        client.chat.completions.create(
            model="gpt-5",
            messages=[{"role": "user", "content": "list"}],
            tools=tools,
            stream=True,
            stream_options={"include_usage": True},
        )
    )
    calls = [tc for c in chunks if c.choices for tc in c.choices[0].delta.tool_calls or []]
    assert calls[0].id == "call_bash_1" and calls[0].function is not None
    assert calls[0].function.name == "Bash"
    args = "".join(tc.function.arguments or "" for tc in calls if tc.function)
    assert json.loads(args) == {"command": "ls"}
    finish = [
        c.choices[0].finish_reason for c in chunks if c.choices and c.choices[0].finish_reason
    ]
    assert finish == ["tool_calls"]
    assert chunks[-1].usage is not None
    done = client.chat.completions.create(
        model="gpt-5",
        messages=[
            {"role": "user", "content": "list"},
            {
                "role": "assistant",
                "content": None,
                "tool_calls": [
                    {
                        "id": "call_bash_1",
                        "type": "function",
                        "function": {"name": "Bash", "arguments": args},
                    }
                ],
            },
            {"role": "tool", "tool_call_id": "call_bash_1", "content": "a b"},
        ],
        tools=tools,
    )
    assert done.choices[0].message.content == "Two files."
    assert done.usage is not None and done.usage.prompt_tokens == 100
    assert done.usage.prompt_tokens_details is not None
    assert done.usage.prompt_tokens_details.cached_tokens == 80
