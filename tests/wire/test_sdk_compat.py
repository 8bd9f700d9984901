"""The official SDKs parse what the translators produce.

A tiny aiohttp server on 127.0.0.1 plays a translating gateway: it translates the SDK's
request (recording the result), renders a scripted model turn in the *other* wire format, as
an upstream would send it, and passes that through the byte-level bridge in 7-byte slices.
"""

from __future__ import annotations

import asyncio
import json
import threading
from collections.abc import Iterator
from typing import Any

import anthropic
import openai
import pytest
from aiohttp import web

from llmgw_cli.wire.anthropic_to_openai import (
    anthropic_to_openai_request,
    openai_to_anthropic_response,
)
from llmgw_cli.wire.error_bodies import anthropic_error_to_openai, openai_error_to_anthropic
from llmgw_cli.wire.openai_to_anthropic import (
    anthropic_to_openai_response,
    openai_to_anthropic_request,
    wants_usage,
)
from llmgw_cli.wire.sse import DONE, encode_json
from llmgw_cli.wire.sse_bridge import AnthropicToOpenAISSE, OpenAIToAnthropicSSE
from tests.wire.scripted import (
    Call,
    Turn,
    anthropic_events,
    anthropic_message,
    openai_chunks,
    openai_completion,
)

Obj = dict[str, Any]

BASH: Any = {
    "name": "Bash",
    "description": "Run a shell command",
    "input_schema": {
        "type": "object",
        "properties": {"command": {"type": "string"}},
        "required": ["command"],
    },
}
READ: Any = {
    "name": "mcp__fs__read_file",
    "description": "Read a file",
    "input_schema": {"type": "object", "properties": {"path": {"type": "string"}}},
}
CALLS = [
    Call("call_bash_1", "Bash", {"command": "echo hello"}),
    Call("call_read_2", "mcp__fs__read_file", {"path": "/tmp/ü.txt", "lines": [1, 2]}),
]


def script(translated: Obj, key: str) -> Turn:
    """First turn: think, talk, call two tools. Once tool results came back: a final answer."""
    results = (
        [m for m in translated["messages"] if m.get("role") == "tool"]
        if key == "openai"
        else [
            b
            for m in translated["messages"]
            if isinstance(m["content"], list)
            for b in m["content"]
            if b.get("type") == "tool_result"
        ]
    )
    if results:
        return Turn(text="The command printed hello.")
    return Turn(reasoning="The user wants a command run.", text="Running it now.", calls=CALLS)


class Gateway:
    def __init__(self) -> None:
        self.seen: list[Obj] = []
        self.fail: tuple[int, Obj] | None = None
        self.url = ""

    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_post("/v1/messages", self.messages)
        app.router.add_post("/v1/chat/completions", self.chat)
        return app

    async def messages(self, request: web.Request) -> web.StreamResponse:
        """Anthropic client -> (translated) OpenAI upstream."""
        body = await request.json()
        upstream_req = anthropic_to_openai_request(body)
        self.seen.append(upstream_req)
        if self.fail:
            status, err = self.fail
            return web.json_response(openai_error_to_anthropic(status, err), status=status)
        turn = script(upstream_req, "openai")
        if not body.get("stream"):
            return web.json_response(openai_to_anthropic_response(openai_completion(turn)))
        raw = b"".join(encode_json(c) for c in openai_chunks(turn)) + DONE
        return await _stream(request, raw, OpenAIToAnthropicSSE())

    async def chat(self, request: web.Request) -> web.StreamResponse:
        """OpenAI client -> (translated) Anthropic upstream."""
        body = await request.json()
        upstream_req = openai_to_anthropic_request(body)
        self.seen.append(upstream_req)
        if self.fail:
            status, err = self.fail
            return web.json_response(anthropic_error_to_openai(status, err), status=status)
        turn = script(upstream_req, "anthropic")
        if not body.get("stream"):
            return web.json_response(anthropic_to_openai_response(anthropic_message(turn)))
        raw = b"".join(encode_json(e, e["type"]) for e in anthropic_events(turn))
        return await _stream(request, raw, AnthropicToOpenAISSE(include_usage=wants_usage(body)))


async def _stream(
    request: web.Request, raw: bytes, bridge: OpenAIToAnthropicSSE | AnthropicToOpenAISSE
) -> web.StreamResponse:
    resp = web.StreamResponse(headers={"content-type": "text/event-stream"})
    await resp.prepare(request)
    for i in range(0, len(raw), 7):
        out = bridge.feed(raw[i : i + 7])
        if out:
            await resp.write(out)
    await resp.write(bridge.finish())
    await resp.write_eof()
    return resp


@pytest.fixture
def gateway() -> Iterator[Gateway]:
    gw = Gateway()
    loop = asyncio.new_event_loop()
    runner = web.AppRunner(gw.app())
    ready = threading.Event()

    def serve() -> None:
        asyncio.set_event_loop(loop)
        loop.run_until_complete(runner.setup())
        site = web.TCPSite(runner, "127.0.0.1", 0)
        loop.run_until_complete(site.start())
        port = runner.addresses[0][1]
        gw.url = f"http://127.0.0.1:{port}"
        ready.set()
        loop.run_forever()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    assert ready.wait(10)
    yield gw
    asyncio.run_coroutine_threadsafe(runner.cleanup(), loop).result(10)
    loop.call_soon_threadsafe(loop.stop)
    thread.join(10)


def _anthropic(gw: Gateway) -> anthropic.Anthropic:
    return anthropic.Anthropic(base_url=gw.url, api_key="local", max_retries=0)


def _openai(gw: Gateway) -> openai.OpenAI:
    return openai.OpenAI(base_url=gw.url + "/v1", api_key="local", max_retries=0)


def test_anthropic_sdk_streams_a_tool_round_trip_from_an_openai_upstream(gateway: Gateway) -> None:
    client = _anthropic(gateway)
    messages: list[Any] = [{"role": "user", "content": "run echo hello"}]
    kinds: list[str] = []
    with client.messages.stream(
        model="claude-opus-5-5",
        max_tokens=1000,
        messages=messages,
        tools=[BASH, READ],
        system=[{"type": "text", "text": "sys"}],
    ) as stream:
        for event in stream:
            if event.type in (
                "message_start",
                "content_block_start",
                "content_block_stop",
                "message_delta",
                "message_stop",
            ):
                kinds.append(event.type)
        final = stream.get_final_message()
    assert kinds == ["message_start"] + ["content_block_start", "content_block_stop"] * 4 + [
        "message_delta",
        "message_stop",
    ]
    assert [b.type for b in final.content] == ["thinking", "text", "tool_use", "tool_use"]
    assert final.content[0].thinking == "The user wants a command run."  # type: ignore[union-attr]
    assert final.content[1].text == "Running it now."  # type: ignore[union-attr]
    tools = [b for b in final.content if b.type == "tool_use"]
    assert [(t.id, t.name, t.input) for t in tools] == [(c.id, c.name, c.input) for c in CALLS]
    assert final.stop_reason == "tool_use"
    assert (final.usage.input_tokens, final.usage.output_tokens) == (40, 12)
    assert final.usage.cache_read_input_tokens == 8
    assert gateway.seen[0]["messages"][0] == {"role": "system", "content": "sys"}
    assert [t["function"]["name"] for t in gateway.seen[0]["tools"]] == [
        "Bash",
        "mcp__fs__read_file",
    ]

    # Second turn: Claude Code sends the assistant turn back plus the tool results.
    messages.append(
        {"role": "assistant", "content": [b.model_dump(exclude_none=True) for b in final.content]}
    )
    messages.append(
        {
            "role": "user",
            "content": [
                {"type": "tool_result", "tool_use_id": t.id, "content": "hello\n"} for t in tools
            ],
        }
    )
    with client.messages.stream(
        model="claude-opus-5-5", max_tokens=1000, messages=messages, tools=[BASH, READ]
    ) as stream:
        text = "".join(stream.text_stream)
        final2 = stream.get_final_message()
    assert text == "The command printed hello." and final2.stop_reason == "end_turn"
    sent = gateway.seen[1]["messages"]
    assert sent[-3]["tool_calls"][0]["id"] == "call_bash_1"
    assert [(m["role"], m["tool_call_id"]) for m in sent[-2:]] == [
        ("tool", "call_bash_1"),
        ("tool", "call_read_2"),
    ]


def test_anthropic_sdk_non_streaming(gateway: Gateway) -> None:
    msg = _anthropic(gateway).messages.create(
        model="claude-opus-5-5",
        max_tokens=100,
        tools=[BASH, READ],
        messages=[{"role": "user", "content": "go"}],
    )
    assert [b.type for b in msg.content] == ["thinking", "text", "tool_use", "tool_use"]
    assert msg.content[2].input == {"command": "echo hello"}  # type: ignore[union-attr]
    assert msg.stop_reason == "tool_use"


def test_anthropic_sdk_sees_translated_errors(gateway: Gateway) -> None:
    gateway.fail = (
        429,
        {
            "error": {
                "message": "Rate limit reached for requests",
                "type": "requests",
                "code": "rate_limit_exceeded",
            }
        },
    )
    with pytest.raises(anthropic.RateLimitError) as info:
        _anthropic(gateway).messages.create(
            model="m", max_tokens=5, messages=[{"role": "user", "content": "x"}]
        )
    assert info.value.body["error"]["type"] == "rate_limit_error"  # type: ignore[index]
    assert "Rate limit reached" in str(info.value)


def test_openai_sdk_streams_tools_from_an_anthropic_upstream(gateway: Gateway) -> None:
    client = _openai(gateway)
    tools: Any = [
        {
            "type": "function",
            "function": {
                "name": t["name"],
                "description": t["description"],
                "parameters": t["input_schema"],
            },
        }
        for t in (BASH, READ)
    ]
    stream = client.chat.completions.create(
        model="gpt-4o",
        messages=[{"role": "user", "content": "run echo hello"}],
        tools=tools,
        stream=True,
        stream_options={"include_usage": True},
    )
    text, reasoning, finish, usage = "", "", None, None
    calls: dict[int, dict[str, str]] = {}
    for chunk in stream:
        if chunk.usage is not None:
            usage = chunk.usage
        for choice in chunk.choices:
            delta = choice.delta
            text += delta.content or ""
            reasoning += getattr(delta, "reasoning_content", None) or ""
            for tc in delta.tool_calls or []:
                entry = calls.setdefault(tc.index, {"id": "", "name": "", "arguments": ""})
                entry["id"] += tc.id or ""
                entry["name"] += (tc.function.name or "") if tc.function else ""
                entry["arguments"] += (tc.function.arguments or "") if tc.function else ""
            finish = choice.finish_reason or finish
    assert text == "Running it now." and reasoning == "The user wants a command run."
    assert [(c["id"], c["name"], json.loads(c["arguments"])) for c in calls.values()] == [
        (c.id, c.name, c.input) for c in CALLS
    ]
    assert finish == "tool_calls"
    assert usage is not None and (usage.prompt_tokens, usage.completion_tokens) == (48, 12)
    assert (
        usage.prompt_tokens_details is not None and usage.prompt_tokens_details.cached_tokens == 8
    )

    # The SDK's own accumulator (chat.completions.stream) agrees.
    with client.chat.completions.stream(
        model="gpt-4o", messages=[{"role": "user", "content": "again"}], tools=tools
    ) as s:
        for _ in s:
            pass
        done = s.get_final_completion()
    msg = done.choices[0].message
    assert msg.content == "Running it now." and done.choices[0].finish_reason == "tool_calls"
    assert [(t.id, t.function.name) for t in msg.tool_calls or []] == [
        ("call_bash_1", "Bash"),
        ("call_read_2", "mcp__fs__read_file"),
    ]


def test_openai_sdk_tool_round_trip_non_streaming(gateway: Gateway) -> None:
    client = _openai(gateway)
    first = client.chat.completions.create(
        model="gpt-4o", messages=[{"role": "user", "content": "go"}]
    )
    msg = first.choices[0].message
    assert first.choices[0].finish_reason == "tool_calls"
    assert msg.tool_calls is not None and len(msg.tool_calls) == 2
    history: list[Any] = [{"role": "user", "content": "go"}, msg.model_dump(exclude_none=True)]
    history += [
        {"role": "tool", "tool_call_id": tc.id, "content": "hello\n"} for tc in msg.tool_calls
    ]
    second = client.chat.completions.create(model="gpt-4o", messages=history)
    assert second.choices[0].message.content == "The command printed hello."
    sent = gateway.seen[1]["messages"]
    assert [b["tool_use_id"] for b in sent[-1]["content"]] == ["call_bash_1", "call_read_2"]
    assert [b["id"] for b in sent[-2]["content"] if b["type"] == "tool_use"] == [
        "call_bash_1",
        "call_read_2",
    ]


def test_openai_sdk_sees_translated_errors(gateway: Gateway) -> None:
    gateway.fail = (
        529,
        {"type": "error", "error": {"type": "overloaded_error", "message": "Overloaded"}},
    )
    with pytest.raises(openai.InternalServerError) as info:
        _openai(gateway).chat.completions.create(
            model="m", messages=[{"role": "user", "content": "x"}]
        )
    assert info.value.status_code == 529 and "Overloaded" in str(info.value)
