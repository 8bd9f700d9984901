"""OpenAI chunks -> Anthropic events: exact event order for the cases servers produce."""

from __future__ import annotations

from typing import Any

from llmgw_cli.wire.openai_stream_to_anthropic import OpenAIToAnthropicStream

Obj = dict[str, Any]


def chunk(delta: Obj | None = None, finish: str | None = None, **extra: Any) -> Obj:
    choice: Obj = {"index": 0, "delta": delta or {}, "finish_reason": finish}
    choice.update(extra.pop("choice_extra", {}))
    return {
        "id": "chatcmpl-9",
        "object": "chat.completion.chunk",
        "created": 1,
        "model": "qwen3",
        "choices": [choice],
        **extra,
    }


def call(
    index: int | None, id: str | None = None, name: str | None = None, args: str | None = None
) -> Obj:
    fn: Obj = {}
    if name is not None:
        fn["name"] = name
    if args is not None:
        fn["arguments"] = args
    c: Obj = {"function": fn}
    if index is not None:
        c["index"] = index
    if id is not None:
        c.update(id=id, type="function")
    return c


def run(chunks: list[Obj], **kw: Any) -> list[Obj]:
    tr = OpenAIToAnthropicStream(**kw)
    out: list[Obj] = []
    for c in chunks:
        out.extend(tr.feed(c))
    out.extend(tr.finish())
    assert tr.finish() == [] and tr.feed(chunk({"content": "late"})) == []
    return out


def shape(events: list[Obj]) -> list[tuple[Any, ...]]:
    """A compact, exact view: (type, index, payload)."""
    view: list[tuple[Any, ...]] = []
    for e in events:
        t = e["type"]
        if t == "message_start":
            view.append((t,))
        elif t == "content_block_start":
            cb = e["content_block"]
            view.append((t, e["index"], cb["type"], cb.get("id"), cb.get("name")))
        elif t == "content_block_delta":
            d = e["delta"]
            payload = d.get("text", d.get("partial_json", d.get("thinking")))
            view.append((t, e["index"], d["type"], payload))
        elif t == "content_block_stop":
            view.append((t, e["index"]))
        elif t == "message_delta":
            view.append((t, e["delta"]["stop_reason"], e["delta"]["stop_sequence"]))
        else:
            view.append((t,))
    return view


START = ("message_start",)
STOP = ("message_stop",)


def test_text_stream_with_usage_only_final_chunk() -> None:
    events = run(
        [
            chunk({"role": "assistant", "content": ""}),
            chunk({"content": "Hel"}),
            chunk({"content": "lo"}),
            chunk({}, "stop"),
            {
                "id": "chatcmpl-9",
                "object": "chat.completion.chunk",
                "model": "qwen3",
                "choices": [],
                "usage": {
                    "prompt_tokens": 30,
                    "completion_tokens": 2,
                    "total_tokens": 32,
                    "prompt_tokens_details": {"cached_tokens": 10},
                },
            },
        ]
    )
    assert shape(events) == [
        START,
        ("content_block_start", 0, "text", None, None),
        ("content_block_delta", 0, "text_delta", "Hel"),
        ("content_block_delta", 0, "text_delta", "lo"),
        ("content_block_stop", 0),
        ("message_delta", "end_turn", None),
        STOP,
    ]
    start = events[0]["message"]
    assert start["id"] == "chatcmpl-9" and start["model"] == "qwen3" and start["content"] == []
    assert start["role"] == "assistant" and start["type"] == "message"
    assert events[-2]["usage"] == {
        "input_tokens": 20,
        "output_tokens": 2,
        "cache_read_input_tokens": 10,
        "cache_creation_input_tokens": 0,
    }


def test_empty_deltas_produce_nothing() -> None:
    events = run(
        [
            chunk({"role": "assistant"}),
            chunk({"content": ""}),
            chunk({"content": None}),
            chunk({"tool_calls": []}),
            chunk(None),
            chunk({}, "stop"),
        ]
    )
    assert shape(events) == [START, ("message_delta", "end_turn", None), STOP]
    assert events[1]["usage"] == {"input_tokens": 0, "output_tokens": 0}


def test_reasoning_content_becomes_thinking_block_before_text() -> None:
    events = run(
        [
            chunk({"role": "assistant", "reasoning_content": "Let me "}),
            chunk({"reasoning_content": "think."}),
            chunk({"content": "Answer"}),
            chunk({}, "stop"),
        ]
    )
    assert shape(events) == [
        START,
        ("content_block_start", 0, "thinking", None, None),
        ("content_block_delta", 0, "thinking_delta", "Let me "),
        ("content_block_delta", 0, "thinking_delta", "think."),
        ("content_block_stop", 0),
        ("content_block_start", 1, "text", None, None),
        ("content_block_delta", 1, "text_delta", "Answer"),
        ("content_block_stop", 1),
        ("message_delta", "end_turn", None),
        STOP,
    ]
    assert events[1]["content_block"] == {"type": "thinking", "thinking": "", "signature": ""}


def test_ollama_reasoning_field() -> None:
    events = run([chunk({"reasoning": "hmm"}), chunk({"content": "ok"}, "stop")])
    assert [e["content_block"]["type"] for e in events if e["type"] == "content_block_start"] == [
        "thinking",
        "text",
    ]


def test_openai_style_sequential_tool_calls_after_text() -> None:
    events = run(
        [
            chunk({"role": "assistant", "content": "Running."}),
            chunk({"tool_calls": [call(0, "call_a", "Bash", "")]}),
            chunk({"tool_calls": [call(0, args='{"comm')]}),
            chunk({"tool_calls": [call(0, args='and":"echo hi"}')]}),
            chunk({"tool_calls": [call(1, "call_b", "mcp__fs__read_file", "")]}),
            chunk({"tool_calls": [call(1, args='{"path":"/tmp/x"}')]}),
            chunk({}, "tool_calls"),
            chunk(
                None, None, usage={"prompt_tokens": 5, "completion_tokens": 9, "total_tokens": 14}
            ),
        ]
    )
    assert shape(events) == [
        START,
        ("content_block_start", 0, "text", None, None),
        ("content_block_delta", 0, "text_delta", "Running."),
        ("content_block_stop", 0),
        ("content_block_start", 1, "tool_use", "call_a", "Bash"),
        ("content_block_delta", 1, "input_json_delta", '{"comm'),
        ("content_block_delta", 1, "input_json_delta", 'and":"echo hi"}'),
        ("content_block_stop", 1),
        ("content_block_start", 2, "tool_use", "call_b", "mcp__fs__read_file"),
        ("content_block_delta", 2, "input_json_delta", '{"path":"/tmp/x"}'),
        ("content_block_stop", 2),
        ("message_delta", "tool_use", None),
        STOP,
    ]
    assert events[4]["content_block"]["input"] == {}
    assert events[-2]["usage"]["output_tokens"] == 9


def test_headers_first_then_arguments_still_yield_whole_blocks() -> None:
    events = run(
        [
            chunk({"tool_calls": [call(0, "call_1", "Read", ""), call(1, "call_2", "Grep", "")]}),
            chunk({"tool_calls": [call(0, args='{"file_path":"a"}')]}),
            chunk({"tool_calls": [call(1, args='{"pattern":"b"}')]}),
            chunk({}, "tool_calls"),
        ]
    )
    assert shape(events) == [
        START,
        ("content_block_start", 0, "tool_use", "call_1", "Read"),
        ("content_block_delta", 0, "input_json_delta", '{"file_path":"a"}'),
        ("content_block_stop", 0),
        ("content_block_start", 1, "tool_use", "call_2", "Grep"),
        ("content_block_delta", 1, "input_json_delta", '{"pattern":"b"}'),
        ("content_block_stop", 1),
        ("message_delta", "tool_use", None),
        STOP,
    ]


def test_text_and_tool_calls_interleaved_close_the_open_block_each_time() -> None:
    events = run(
        [
            chunk({"content": "A"}),
            chunk({"tool_calls": [call(0, "call_1", "Bash", '{"command":"ls"}')]}),
            chunk({"content": "B"}),
            chunk({"tool_calls": [call(1, "call_2", "Bash", '{"command":"pwd"}')]}),
            chunk({}, "tool_calls"),
        ]
    )
    assert shape(events) == [
        START,
        ("content_block_start", 0, "text", None, None),
        ("content_block_delta", 0, "text_delta", "A"),
        ("content_block_stop", 0),
        ("content_block_start", 1, "tool_use", "call_1", "Bash"),
        ("content_block_delta", 1, "input_json_delta", '{"command":"ls"}'),
        ("content_block_stop", 1),
        ("content_block_start", 2, "text", None, None),
        ("content_block_delta", 2, "text_delta", "B"),
        ("content_block_stop", 2),
        ("content_block_start", 3, "tool_use", "call_2", "Bash"),
        ("content_block_delta", 3, "input_json_delta", '{"command":"pwd"}'),
        ("content_block_stop", 3),
        ("message_delta", "tool_use", None),
        STOP,
    ]


def test_whole_tool_calls_in_one_chunk_with_stop_finish_reason_ollama() -> None:
    events = run(
        [
            chunk(
                {
                    "role": "assistant",
                    "content": "",
                    "tool_calls": [
                        call(0, "call_x", "Bash", '{"command":"echo 1"}'),
                        {
                            "index": 1,
                            "id": "call_y",
                            "type": "function",
                            "function": {"name": "Glob", "arguments": {"pattern": "*.py"}},
                        },
                    ],
                }
            ),
            chunk({}, "stop"),
        ]
    )
    assert shape(events) == [
        START,
        ("content_block_start", 0, "tool_use", "call_x", "Bash"),
        ("content_block_delta", 0, "input_json_delta", '{"command":"echo 1"}'),
        ("content_block_stop", 0),
        ("content_block_start", 1, "tool_use", "call_y", "Glob"),
        ("content_block_delta", 1, "input_json_delta", '{"pattern":"*.py"}'),
        ("content_block_stop", 1),
        ("message_delta", "tool_use", None),
        STOP,
    ]


def test_tool_without_arguments_is_emitted_at_finish() -> None:
    events = run(
        [
            chunk({"content": "x"}),
            chunk({"tool_calls": [call(0, "call_n", "LS", "")]}),
            chunk({}, "tool_calls"),
        ]
    )
    assert shape(events) == [
        START,
        ("content_block_start", 0, "text", None, None),
        ("content_block_delta", 0, "text_delta", "x"),
        ("content_block_stop", 0),
        ("content_block_start", 1, "tool_use", "call_n", "LS"),
        ("content_block_stop", 1),
        ("message_delta", "tool_use", None),
        STOP,
    ]


def test_tool_calls_without_index_are_told_apart_by_id() -> None:
    events = run(
        [
            chunk({"tool_calls": [call(None, "c1", "A", '{"x":')]}),
            chunk({"tool_calls": [call(None, args="1}")]}),
            chunk({"tool_calls": [call(None, "c2", "B", "{}")]}),
        ]
    )
    assert shape(events)[1:-2] == [
        ("content_block_start", 0, "tool_use", "c1", "A"),
        ("content_block_delta", 0, "input_json_delta", '{"x":'),
        ("content_block_delta", 0, "input_json_delta", "1}"),
        ("content_block_stop", 0),
        ("content_block_start", 1, "tool_use", "c2", "B"),
        ("content_block_delta", 1, "input_json_delta", "{}"),
        ("content_block_stop", 1),
    ]
    assert shape(events)[-2] == ("message_delta", "tool_use", None)


def test_late_fragment_for_a_closed_tool_goes_to_its_own_index() -> None:
    events = run(
        [
            chunk({"tool_calls": [call(0, "c1", "A", '{"a":')]}),
            chunk({"tool_calls": [call(1, "c2", "B", '{"b":2}')]}),
            chunk({"tool_calls": [call(0, args="1}")]}),
        ]
    )
    assert ("content_block_delta", 0, "input_json_delta", "1}") in shape(events)


def test_usage_on_the_finish_chunk_and_length_stop() -> None:
    events = run(
        [
            chunk({"content": "a"}),
            chunk(
                {}, "length", usage={"prompt_tokens": 7, "completion_tokens": 1, "total_tokens": 8}
            ),
        ]
    )
    assert shape(events)[-2] == ("message_delta", "max_tokens", None)
    assert events[-2]["usage"]["input_tokens"] == 7


def test_vllm_stop_reason_becomes_stop_sequence() -> None:
    events = run([chunk({"content": "a"}), chunk({}, "stop", choice_extra={"stop_reason": "END"})])
    assert shape(events)[-2] == ("message_delta", "stop_sequence", "END")


def test_error_chunk_ends_the_stream_with_an_error_event() -> None:
    tr = OpenAIToAnthropicStream()
    first = tr.feed(chunk({"content": "a"}))
    err = tr.feed({"error": {"message": "model crashed", "type": "server_error", "code": None}})
    assert err == [{"type": "error", "error": {"type": "api_error", "message": "model crashed"}}]
    assert tr.done and tr.finish() == [] and len(first) == 3


def test_finish_without_any_chunk_still_gives_a_complete_message() -> None:
    events = run([], model="claude-opus-5-5", message_id="msg_fixed", input_tokens=123)
    assert shape(events) == [START, ("message_delta", "end_turn", None), STOP]
    msg = events[0]["message"]
    assert msg["id"] == "msg_fixed" and msg["model"] == "claude-opus-5-5"
    assert msg["usage"] == {"input_tokens": 123, "output_tokens": 0}


def test_model_override_and_second_choice_ignored() -> None:
    c = chunk({"content": "a"})
    c["choices"].append({"index": 1, "delta": {"content": "other"}, "finish_reason": None})
    events = run([c], model="claude-sonnet-4-5")
    assert events[0]["message"]["model"] == "claude-sonnet-4-5"
    assert [e["delta"]["text"] for e in events if e["type"] == "content_block_delta"] == ["a"]
