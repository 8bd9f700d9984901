"""Anthropic events -> OpenAI chunks: exact chunk order, tools, reasoning, usage, errors."""

from __future__ import annotations

from typing import Any

from llmgw_cli.wire.anthropic_stream_to_openai import AnthropicToOpenAIStream

Obj = dict[str, Any]

MESSAGE_START: Obj = {
    "type": "message_start",
    "message": {
        "id": "msg_01",
        "type": "message",
        "role": "assistant",
        "model": "claude-sonnet-4-5",
        "content": [],
        "stop_reason": None,
        "stop_sequence": None,
        "usage": {
            "input_tokens": 25,
            "output_tokens": 1,
            "cache_read_input_tokens": 100,
            "cache_creation_input_tokens": 0,
        },
    },
}


def block_start(index: int, block: Obj) -> Obj:
    return {"type": "content_block_start", "index": index, "content_block": block}


def delta(index: int, d: Obj) -> Obj:
    return {"type": "content_block_delta", "index": index, "delta": d}


def stop(index: int) -> Obj:
    return {"type": "content_block_stop", "index": index}


def message_delta(reason: str, output: int) -> Obj:
    return {
        "type": "message_delta",
        "delta": {"stop_reason": reason, "stop_sequence": None},
        "usage": {"output_tokens": output},
    }


def run(events: list[Obj], **kw: Any) -> list[Obj]:
    tr = AnthropicToOpenAIStream(**kw)
    out: list[Obj] = []
    for e in events:
        out.extend(tr.feed(e))
    out.extend(tr.finish())
    assert tr.finish() == []
    return out


def view(chunks: list[Obj]) -> list[Any]:
    """choices[0].delta and finish_reason per chunk, or ("usage", usage) for the usage chunk."""
    out: list[Any] = []
    for c in chunks:
        if "error" in c:
            out.append(("error", c["error"]["code"]))
        elif not c["choices"]:
            out.append(("usage", c["usage"]))
        else:
            ch = c["choices"][0]
            out.append((ch["delta"], ch["finish_reason"]))
    return out


def test_text_stream_without_usage() -> None:
    chunks = run(
        [
            MESSAGE_START,
            block_start(0, {"type": "text", "text": ""}),
            {"type": "ping"},
            delta(0, {"type": "text_delta", "text": "Hel"}),
            delta(0, {"type": "text_delta", "text": ""}),
            delta(0, {"type": "text_delta", "text": "lo"}),
            stop(0),
            message_delta("end_turn", 3),
            {"type": "message_stop"},
        ]
    )
    assert view(chunks) == [
        ({"role": "assistant", "content": ""}, None),
        ({"content": "Hel"}, None),
        ({"content": "lo"}, None),
        ({}, "stop"),
    ]
    for c in chunks:
        assert c["id"] == "msg_01" and c["model"] == "claude-sonnet-4-5"
        assert c["object"] == "chat.completion.chunk" and isinstance(c["created"], int)


def test_usage_chunk_when_include_usage() -> None:
    chunks = run(
        [
            MESSAGE_START,
            block_start(0, {"type": "text", "text": ""}),
            delta(0, {"type": "text_delta", "text": "a"}),
            stop(0),
            message_delta("max_tokens", 7),
            {"type": "message_stop"},
        ],
        include_usage=True,
    )
    assert view(chunks)[-2:] == [
        ({}, "length"),
        (
            "usage",
            {
                "prompt_tokens": 125,
                "completion_tokens": 7,
                "total_tokens": 132,
                "prompt_tokens_details": {"cached_tokens": 100},
            },
        ),
    ]


def test_two_tool_calls_with_argument_fragments() -> None:
    chunks = run(
        [
            MESSAGE_START,
            block_start(0, {"type": "text", "text": ""}),
            delta(0, {"type": "text_delta", "text": "Checking."}),
            stop(0),
            block_start(
                1, {"type": "tool_use", "id": "toolu_A", "name": "get_weather", "input": {}}
            ),
            delta(1, {"type": "input_json_delta", "partial_json": ""}),
            delta(1, {"type": "input_json_delta", "partial_json": '{"city": '}),
            delta(1, {"type": "input_json_delta", "partial_json": '"Paris"}'}),
            stop(1),
            block_start(2, {"type": "tool_use", "id": "toolu_B", "name": "mcp__t__x", "input": {}}),
            delta(2, {"type": "input_json_delta", "partial_json": "{}"}),
            stop(2),
            message_delta("tool_use", 30),
            {"type": "message_stop"},
        ]
    )
    assert view(chunks) == [
        ({"role": "assistant", "content": ""}, None),
        ({"content": "Checking."}, None),
        (
            {
                "tool_calls": [
                    {
                        "index": 0,
                        "id": "toolu_A",
                        "type": "function",
                        "function": {"name": "get_weather", "arguments": ""},
                    }
                ]
            },
            None,
        ),
        ({"tool_calls": [{"index": 0, "function": {"arguments": '{"city": '}}]}, None),
        ({"tool_calls": [{"index": 0, "function": {"arguments": '"Paris"}'}}]}, None),
        (
            {
                "tool_calls": [
                    {
                        "index": 1,
                        "id": "toolu_B",
                        "type": "function",
                        "function": {"name": "mcp__t__x", "arguments": ""},
                    }
                ]
            },
            None,
        ),
        ({"tool_calls": [{"index": 1, "function": {"arguments": "{}"}}]}, None),
        ({}, "tool_calls"),
    ]


def test_thinking_becomes_reasoning_content_and_signature_is_dropped() -> None:
    chunks = run(
        [
            MESSAGE_START,
            block_start(0, {"type": "thinking", "thinking": "", "signature": ""}),
            delta(0, {"type": "thinking_delta", "thinking": "Hmm."}),
            delta(0, {"type": "signature_delta", "signature": "EqQB..."}),
            stop(0),
            block_start(1, {"type": "text", "text": ""}),
            delta(1, {"type": "text_delta", "text": "Yes."}),
            stop(1),
            message_delta("end_turn", 5),
            {"type": "message_stop"},
        ]
    )
    assert view(chunks)[1:] == [
        ({"reasoning_content": "Hmm."}, None),
        ({"content": "Yes."}, None),
        ({}, "stop"),
    ]


def test_error_event_becomes_error_chunk_and_ends() -> None:
    tr = AnthropicToOpenAIStream(include_usage=True)
    tr.feed(MESSAGE_START)
    out = tr.feed({"type": "error", "error": {"type": "overloaded_error", "message": "Overloaded"}})
    assert out == [
        {
            "error": {
                "message": "Overloaded",
                "type": "server_error",
                "param": None,
                "code": "overloaded_error",
            }
        }
    ]
    assert tr.done and tr.finish() == []


def test_truncated_upstream_still_ends_with_finish_and_usage() -> None:
    chunks = run(
        [MESSAGE_START, block_start(0, {"type": "tool_use", "id": "t1", "name": "X", "input": {}})],
        include_usage=True,
    )
    assert view(chunks)[-2][1] == "tool_calls"
    assert view(chunks)[-1][0] == "usage"


def test_stream_without_message_start_gets_a_role_chunk_and_model_override() -> None:
    chunks = run(
        [block_start(0, {"type": "text", "text": "Hi"}), message_delta("stop_sequence", 1)],
        model="gpt-4o",
    )
    assert view(chunks) == [
        ({"role": "assistant", "content": ""}, None),
        ({"content": "Hi"}, None),
        ({}, "stop"),
    ]
    assert {c["model"] for c in chunks} == {"gpt-4o"}
    assert chunks[0]["id"].startswith("chatcmpl-")


def test_usage_property_tracks_final_counts() -> None:
    tr = AnthropicToOpenAIStream()
    for e in [MESSAGE_START, message_delta("end_turn", 42)]:
        tr.feed(e)
    assert tr.usage["input_tokens"] == 25 and tr.usage["output_tokens"] == 42
    assert tr.usage["cache_read_input_tokens"] == 100
