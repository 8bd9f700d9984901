"""The official openai SDK's ``responses.create`` through the shim, in front of an
Anthropic-only and a Chat-only mock: whole and streamed answers, a function tool round trip
with the call id kept exactly, every streamed event parsed by the SDK's own types; plus
``previous_response_id`` from the local store, ``input_tokens``, and ``compact`` refused."""

from __future__ import annotations

import json
import stat
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import openai
import pytest
from openai.types.responses import ResponseStreamEvent
from pydantic import TypeAdapter

from llmgw_cli.mock.script import parse_script
from llmgw_cli.shim.serve.server import RunningShim
from tests.helpers.mockserver import clear, mock_thread, requests_seen
from tests.shim.conftest import REAL_KEY, save_profile, shim_for

EVENTS: TypeAdapter[Any] = TypeAdapter(ResponseStreamEvent)
TOOLS: Any = [
    {
        "type": "function",
        "name": "get_weather",
        "description": "Weather for a city",
        "parameters": {
            "type": "object",
            "properties": {"city": {"type": "string"}},
            "required": ["city"],
        },
        "strict": False,
    }
]
SCRIPT = parse_script(
    {
        "turns": [
            {
                "text": "Let me check.",
                "tool_call": {
                    "name": "get_weather",
                    "id": "call_Oslo_01",
                    "input": {"city": "Oslo"},
                },
                "usage": {"input_tokens": 30, "cache_read_input_tokens": 70, "output_tokens": 12},
            }
        ],
        "on_tool_result": {"text": "It is sunny in Oslo."},
    }
)
MEMBERS = ["anthropic", "openai"]


@pytest.fixture(scope="module", params=MEMBERS)
def member(request: pytest.FixtureRequest) -> Iterator[tuple[str, str]]:
    fmt: str = request.param
    with mock_thread(format=fmt, require_key=REAL_KEY, script=SCRIPT) as url:
        yield fmt, url


@pytest.fixture
def shim(member: tuple[str, str]) -> Iterator[RunningShim]:
    fmt, url = member
    clear(url)
    save_profile("gw", url, auth="x-api-key" if fmt == "anthropic" else "bearer", formats=[fmt])
    with shim_for("gw") as running:
        yield running


def _client(shim: RunningShim) -> openai.OpenAI:
    return openai.OpenAI(base_url=shim.url + "/v1", api_key=shim.token, max_retries=0)


def _upstream_path(fmt: str) -> str:
    return "/v1/messages" if fmt == "anthropic" else "/v1/chat/completions"


def test_function_tool_round_trip_whole(shim: RunningShim, member: tuple[str, str]) -> None:
    fmt, url = member
    client = _client(shim)
    first = client.responses.create(
        model="claude-sonnet-4-5",
        instructions="Be brief.",
        input="Weather in Oslo?",
        tools=TOOLS,
        store=False,
    )
    assert first.status == "completed" and first.output_text == "Let me check."
    calls = [item for item in first.output if item.type == "function_call"]
    assert len(calls) == 1 and calls[0].call_id == "call_Oslo_01"
    assert calls[0].name == "get_weather" and json.loads(calls[0].arguments) == {"city": "Oslo"}
    assert first.usage is not None and first.usage.input_tokens == 100
    assert first.usage.input_tokens_details.cached_tokens == 70
    assert first.usage.output_tokens == 12
    history: Any = [
        {"role": "user", "content": "Weather in Oslo?"},
        *[item.model_dump(exclude_none=True) for item in first.output],
        {"type": "function_call_output", "call_id": calls[0].call_id, "output": "sunny, 21C"},
    ]
    second = client.responses.create(
        model="claude-sonnet-4-5",
        input=history,
        tools=TOOLS,
        store=False,
    )
    assert second.output_text == "It is sunny in Oslo."
    seen = requests_seen(url)
    assert [s["path"] for s in seen] == [_upstream_path(fmt)] * 2
    body = seen[1]["body"]
    if fmt == "anthropic":
        assert body["messages"][1]["content"][-1]["id"] == "call_Oslo_01"
        assert body["messages"][2]["content"][0] == {
            "type": "tool_result",
            "tool_use_id": "call_Oslo_01",
            "content": "sunny, 21C",
        }
        assert seen[0]["body"]["system"] == "Be brief."
        assert seen[0]["headers"]["x-api-key"] == REAL_KEY
    else:
        assert body["messages"][1]["tool_calls"][0]["id"] == "call_Oslo_01"
        assert body["messages"][2] == {
            "role": "tool",
            "tool_call_id": "call_Oslo_01",
            "content": "sunny, 21C",
        }
        assert seen[0]["body"]["messages"][0] == {"role": "system", "content": "Be brief."}
        assert seen[0]["headers"]["authorization"] == f"Bearer {REAL_KEY}"


def test_streamed_events_parse_with_the_sdk_types(
    shim: RunningShim, member: tuple[str, str]
) -> None:
    client = _client(shim)
    with client.responses.create(
        model="claude-sonnet-4-5", input="Weather in Oslo?", tools=TOOLS, stream=True, store=False
    ) as stream:
        events = list(stream)
    assert [e.sequence_number for e in events] == list(range(len(events)))
    for e in events:  # strictly, not the SDK's lenient construct()
        EVENTS.validate_python(e.model_dump(mode="json", exclude_unset=True))
    kinds = [e.type for e in events]
    assert kinds[:2] == ["response.created", "response.in_progress"]
    assert kinds[-1] == "response.completed"
    assert "response.function_call_arguments.delta" in kinds
    done = [e.item for e in events if e.type == "response.output_item.done"]
    call = next(i for i in done if i.type == "function_call")
    assert call.call_id == "call_Oslo_01" and json.loads(call.arguments) == {"city": "Oslo"}
    text = "".join(e.delta for e in events if e.type == "response.output_text.delta")
    assert text == "Let me check."
    final = events[-1]
    assert final.type == "response.completed" and final.response.usage is not None
    assert final.response.usage.input_tokens_details.cached_tokens == 70
    # the round trip, streamed too
    history: Any = [
        {"role": "user", "content": "Weather in Oslo?"},
        call.model_dump(exclude_none=True),
        {"type": "function_call_output", "call_id": call.call_id, "output": "sunny"},
    ]
    with client.responses.create(
        model="claude-sonnet-4-5",
        input=history,
        tools=TOOLS,
        stream=True,
        store=False,
    ) as stream:
        again = list(stream)
    assert "".join(e.delta for e in again if e.type == "response.output_text.delta") == (
        "It is sunny in Oslo."
    )


def test_previous_response_id_from_the_local_store(
    shim: RunningShim, member: tuple[str, str], llmgw_home: Path
) -> None:
    _, url = member
    client = _client(shim)
    first = client.responses.create(model="claude-sonnet-4-5", input="Weather?", tools=TOOLS)
    call = next(i for i in first.output if i.type == "function_call")
    kept = llmgw_home / "state" / "responses" / f"{first.id}.json"
    assert stat.S_IMODE(kept.stat().st_mode) == 0o600
    second = client.responses.create(
        model="claude-sonnet-4-5",
        previous_response_id=first.id,
        input=[{"type": "function_call_output", "call_id": call.call_id, "output": "sunny"}],
        tools=TOOLS,
    )
    assert second.output_text == "It is sunny in Oslo."
    body = requests_seen(url)[-1]["body"]
    sent = json.dumps(body)
    assert "Weather?" in sent and "call_Oslo_01" in sent  # the stored turn went upstream
    with pytest.raises(openai.BadRequestError, match="not found"):
        client.responses.create(model="m", previous_response_id="resp_unknown", input="hi")
    with pytest.raises(openai.BadRequestError, match="not found"):
        client.responses.create(model="m", previous_response_id="../../etc/passwd", input="x")


def test_input_tokens_and_compact(shim: RunningShim, member: tuple[str, str]) -> None:
    fmt, url = member
    client = _client(shim)
    count = client.responses.input_tokens.count(model="claude-sonnet-4-5", input="hello " * 50)
    assert count.object == "response.input_tokens" and count.input_tokens > 10
    paths = [s["path"] for s in requests_seen(url)]
    assert paths == (["/v1/messages/count_tokens"] if fmt == "anthropic" else [])
    refused = httpx.post(
        shim.url + "/v1/responses/compact",
        json={"model": "m", "input": "hi"},
        headers={"Authorization": f"Bearer {shim.token}"},
    )
    assert refused.status_code == 404
    error = refused.json()["error"]
    assert error["code"] == "unsupported_endpoint" and "compact" in error["message"]


def test_upstream_errors_keep_status_in_responses_shape(member: tuple[str, str]) -> None:
    fmt, _ = member
    with mock_thread(format=fmt, fail_rate=1.0, fail_status=429) as url:
        save_profile("bad", url, auth="none", formats=[fmt])
        with shim_for("bad") as running, pytest.raises(openai.RateLimitError) as err:
            _client(running).responses.create(model="m", input="hi")
    assert err.value.status_code == 429
    assert isinstance(err.value.body, dict) and "message" in err.value.body


def test_a_member_that_breaks_off_ends_in_a_numbered_response_failed() -> None:
    with mock_thread(format="anthropic", output_tokens=50, drop_after=6) as url:
        save_profile("cut", url, auth="none", formats=["anthropic"])
        with shim_for("cut") as running:
            lines: list[str] = []
            with httpx.stream(
                "POST",
                running.url + "/v1/responses",
                json={"model": "m", "input": "hi", "stream": True},
                headers={"Authorization": f"Bearer {running.token}"},
                timeout=30,
            ) as resp:
                lines = [line for line in resp.iter_lines() if line.startswith("data: ")]
    events = [json.loads(line[6:]) for line in lines]
    assert [e["sequence_number"] for e in events] == list(range(len(events)))
    last = EVENTS.validate_python(events[-1])
    assert last.type == "response.failed" and last.response.error is not None
    assert "broke off" in last.response.error.message
