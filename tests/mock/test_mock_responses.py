"""The official openai SDK's ``responses`` API against `llmgw mock`: whole answers, streams
whose every event the SDK's own types accept, scripted function calls, faults."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import httpx
import openai
import pytest
from openai.types.responses import Response, ResponseStreamEvent
from pydantic import TypeAdapter

from llmgw_cli.mock.script import parse_script
from tests.helpers.mockserver import mock_thread, requests_seen

EVENTS: TypeAdapter[Any] = TypeAdapter(ResponseStreamEvent)
SCRIPT = parse_script(
    {
        "turns": [
            {
                "text": "Let me look.",
                "tool_call": {"name": "exec_command", "input": {"cmd": "echo hi"}, "id": "call_7"},
                "usage": {"input_tokens": 40, "cache_read_input_tokens": 60, "output_tokens": 9},
            },
            "Done.",
        ],
        "on_tool_result": {"text": "The command printed hi."},
    }
)
TOOLS: list[Any] = [
    {
        "type": "function",
        "name": "exec_command",
        "description": "run a command",
        "parameters": {"type": "object", "properties": {"cmd": {"type": "string"}}},
        "strict": False,
    }
]


@pytest.fixture(scope="module")
def url() -> Iterator[str]:
    with mock_thread(output_tokens=10) as url:
        yield url


@pytest.fixture(scope="module")
def scripted_url() -> Iterator[str]:
    with mock_thread(script=SCRIPT, format="responses") as url:
        yield url


def client(url: str) -> openai.OpenAI:
    return openai.OpenAI(base_url=f"{url}/v1", api_key="k", max_retries=0, timeout=30)


def test_create_whole(url: str) -> None:
    done = client(url).responses.create(model="gpt-4o", input="hi")
    assert done.status == "completed" and done.model == "gpt-4o"
    assert done.output_text == "Hello from the llmgw mock. The quick brown fox jumps"
    assert done.usage is not None and done.usage.output_tokens == 10
    assert done.usage.total_tokens == done.usage.input_tokens + 10


def test_max_output_tokens_is_incomplete(url: str) -> None:
    done = client(url).responses.create(model="gpt-4o", input="hi", max_output_tokens=2)
    assert done.status == "incomplete"
    assert done.incomplete_details is not None
    assert done.incomplete_details.reason == "max_output_tokens"
    assert done.output_text == "Hello from"


def test_stream_events_parse_with_the_sdk_types(url: str) -> None:
    with client(url).responses.create(model="gpt-4o", input="hi", stream=True) as stream:
        events = list(stream)
    kinds = [e.type for e in events]
    assert kinds[:4] == [
        "response.created",
        "response.in_progress",
        "response.output_item.added",
        "response.content_part.added",
    ]
    assert kinds[-4:] == [
        "response.output_text.done",
        "response.content_part.done",
        "response.output_item.done",
        "response.completed",
    ]
    assert [e.sequence_number for e in events] == list(range(len(events)))
    text = "".join(e.delta for e in events if e.type == "response.output_text.delta")
    assert text == "Hello from the llmgw mock. The quick brown fox jumps"
    last = events[-1]
    assert last.type == "response.completed" and last.response.output_text == text


def _raw_stream(url: str, body: dict[str, Any]) -> list[dict[str, Any]]:
    with httpx.stream("POST", f"{url}/v1/responses", json={**body, "stream": True}) as resp:
        assert resp.status_code == 200
        lines = [line for line in resp.iter_lines() if line]
    names = [line[7:] for line in lines if line.startswith("event: ")]
    data = [json.loads(line[6:]) for line in lines if line.startswith("data: ")]
    assert names == [d["type"] for d in data]  # every event named after its type
    for d in data:
        EVENTS.validate_python(d)  # strict: the SDK's types, not its lenient construct()
    return data


def test_scripted_function_call_stream(scripted_url: str) -> None:
    events = _raw_stream(scripted_url, {"model": "gpt-4o", "input": "go", "tools": TOOLS})
    done = [e["item"] for e in events if e["type"] == "response.output_item.done"]
    assert [i["type"] for i in done] == ["message", "function_call"]
    call = done[1]
    assert call["call_id"] == "call_7" and call["name"] == "exec_command"
    assert json.loads(call["arguments"]) == {"cmd": "echo hi"}
    pieces = "".join(
        e["delta"] for e in events if e["type"] == "response.function_call_arguments.delta"
    )
    assert pieces == call["arguments"]
    final = Response.model_validate(events[-1]["response"])
    assert final.usage is not None
    assert final.usage.input_tokens == 100 and final.usage.input_tokens_details.cached_tokens == 60


def test_function_call_output_gets_on_tool_result(scripted_url: str) -> None:
    done = client(scripted_url).responses.create(
        model="gpt-4o",
        input=[
            {"role": "user", "content": "go"},
            {
                "type": "function_call",
                "call_id": "call_7",
                "name": "exec_command",
                "arguments": '{"cmd":"echo hi"}',
            },
            {"type": "function_call_output", "call_id": "call_7", "output": "hi\n"},
        ],
        tools=TOOLS,
    )
    assert done.output_text == "The command printed hi."
    seen = requests_seen(scripted_url, "/v1/responses")
    assert seen[-1]["body"]["input"][-1]["output"] == "hi\n"


def test_format_responses_serves_only_responses(scripted_url: str) -> None:
    resp = httpx.post(f"{scripted_url}/v1/chat/completions", json={"model": "gpt-4o"})
    assert resp.status_code == 404
    assert resp.json()["error"]["message"].startswith("Unknown request URL")


def test_input_tokens(url: str) -> None:
    count = client(url).responses.input_tokens.count(model="gpt-4o", input="hello there")
    assert count.object == "response.input_tokens" and count.input_tokens > 0


def test_fault_is_an_openai_error() -> None:
    with (
        mock_thread(fail_rate=1.0, fail_status=429) as url,
        pytest.raises(openai.RateLimitError) as err,
    ):
        client(url).responses.create(model="gpt-4o", input="hi")
    assert err.value.status_code == 429
