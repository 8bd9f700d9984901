"""Offline token counts, price lookups, and usage extraction priced to the cent fraction."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from llmgw_cli import tokens
from llmgw_cli.errors import ConfigError
from llmgw_cli.prices import PriceTable, cost, normalize
from llmgw_cli.wire.usage import SSEUsageScanner, Usage, UsageTap


def test_encodings_match_tiktokens_published_ids() -> None:
    # Ids from tiktoken's README and its test-suite: the files are the real ones, offline.
    assert tokens.get_encoding("cl100k_base").encode("tiktoken is great!") == [
        83,
        1609,
        5963,
        374,
        2294,
        0,
    ]
    assert tokens.get_encoding("o200k_base").encode("hello world") == [24912, 2375]


def test_no_network_needed() -> None:
    # A fresh interpreter with tiktoken's cache pointed at an empty folder and no proxy
    # route out still counts: nothing is downloaded.
    env = {**os.environ, "TIKTOKEN_CACHE_DIR": "/nonexistent", "HTTPS_PROXY": "http://127.0.0.1:9"}
    code = "from llmgw_cli import tokens; print(tokens.count_text('hello world', 'gpt-4o').tokens)"
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == "2"


def test_models_map_to_encodings_and_claude_is_an_estimate() -> None:
    assert tokens.encoding_for("gpt-4o-mini") == ("o200k_base", True)
    assert tokens.encoding_for("openai/gpt-5") == ("o200k_base", True)
    assert tokens.encoding_for("gpt-4-turbo") == ("cl100k_base", True)
    assert tokens.encoding_for("claude-sonnet-4-5") == ("cl100k_base", False)
    count = tokens.count_text("hello world", "claude-sonnet-4-5")
    assert count.tokens == 2 and not count.exact


def test_request_estimate_counts_what_is_sent() -> None:
    base = {
        "model": "claude-sonnet-4-5",
        "max_tokens": 100,
        "messages": [{"role": "user", "content": "hi"}],
    }
    small = tokens.estimate_request(base).tokens
    text = "The quick brown fox jumps over the lazy dog. " * 200
    big = dict(base, system=text, tools=[{"name": "Read", "input_schema": {"type": "object"}}])
    grown = tokens.estimate_request(big).tokens
    assert grown - small >= tokens.count_text(text).tokens
    assert tokens.estimate_request(big).tokens == grown  # cached pieces give the same answer
    assert tokens.max_output_tokens(base) == 100
    assert tokens.max_output_tokens({"max_completion_tokens": 7}) == 7


def test_price_lookup_tolerates_prefixes_and_dates() -> None:
    assert normalize("anthropic/claude-3-5-sonnet-20241022") == "claude-3-5-sonnet"
    assert normalize("us.anthropic.claude-sonnet-4-5-20250929-v1:0") == "claude-sonnet-4-5"
    assert normalize("claude-opus-4-1@20250805") == "claude-opus-4-1"
    table = PriceTable()
    assert table.lookup("gpt-4o-mini-2024-07-18")[0] == table.lookup("gpt-4o-mini")[0]
    assert table.lookup("gpt-4o-mini")[0] != table.lookup("gpt-4o")[0]
    price, how = table.lookup("claude-opus-5-5")
    assert price is not None and how == "family"
    assert table.lookup("qwen3-coder") == (None, "unknown")
    assert table.cost("qwen3-coder", Usage(1000, 1000)) == 0.0


def test_config_overrides_prices() -> None:
    table = PriceTable.from_config({"qwen3-coder": {"input": 0.5, "output": 1.0}})
    assert (
        table.cost("qwen3-coder", Usage(1_000_000, 1_000_000, cache_read_tokens=1_000_000)) == 2.0
    )
    with pytest.raises(ConfigError, match="input and output"):
        PriceTable.from_config({"m": {"input": 1}})
    with pytest.raises(ConfigError, match="unknown key 'inputs'"):
        PriceTable.from_config({"m": {"inputs": 1, "output": 2}})


def sse(event: str, data: dict[str, object]) -> bytes:
    return f"event: {event}\ndata: {json.dumps(data)}\n\n".encode()


# A streamed Anthropic answer that read 30,000 tokens from the prompt cache and wrote
# 2,048 (1,024 of them with the 1-hour TTL), as message_start and message_delta report it.
STREAM = b"".join(
    [
        sse(
            "message_start",
            {
                "type": "message_start",
                "message": {
                    "id": "msg_1",
                    "type": "message",
                    "role": "assistant",
                    "model": "claude-sonnet-4-5-20250929",
                    "content": [],
                    "stop_reason": None,
                    "usage": {
                        "input_tokens": 12,
                        "cache_creation_input_tokens": 2048,
                        "cache_read_input_tokens": 30000,
                        "cache_creation": {
                            "ephemeral_5m_input_tokens": 1024,
                            "ephemeral_1h_input_tokens": 1024,
                        },
                        "output_tokens": 1,
                    },
                },
            },
        ),
        sse(
            "content_block_start",
            {
                "type": "content_block_start",
                "index": 0,
                "content_block": {"type": "text", "text": ""},
            },
        ),
        b'event: ping\ndata: {"type": "ping"}\n\n',
        *[
            sse(
                "content_block_delta",
                {
                    "type": "content_block_delta",
                    "index": 0,
                    "delta": {"type": "text_delta", "text": f"word{i} usage "},
                },
            )
            for i in range(50)
        ],
        sse("content_block_stop", {"type": "content_block_stop", "index": 0}),
        sse(
            "message_delta",
            {
                "type": "message_delta",
                "delta": {"stop_reason": "end_turn"},
                "usage": {"output_tokens": 512},
            },
        ),
        sse("message_stop", {"type": "message_stop"}),
    ]
)


def test_streamed_cache_usage_golden_cost() -> None:
    scanner = SSEUsageScanner()
    for i in range(0, len(STREAM), 7):  # chunks cut anywhere
        scanner.feed(STREAM[i : i + 7])
    scanner.close()
    usage, model = scanner.tap.usage, scanner.tap.model
    assert model == "claude-sonnet-4-5-20250929"
    assert usage == Usage(12, 512, 30000, 2048, exact=True, cache_write_1h_tokens=1024)
    # $3 in, $15 out, $0.30 cache read, $3.75 5-minute write, $6 1-hour write per million:
    # 12*3 + 512*15 + 30000*0.3 + 1024*3.75 + 1024*6 = 26,700 µ$.
    assert cost(model, usage) == pytest.approx(0.026700, abs=1e-9)
    # Pricing every token as input (what a cache-blind counter does) would be 3.9x off.
    assert cost(model, Usage(12 + 30000 + 2048, 512)) == pytest.approx(0.103860, abs=1e-9)


def test_event_feed_matches_byte_feed() -> None:
    tap = UsageTap()
    for block in STREAM.split(b"\n\n"):
        lines = dict(line.split(b": ", 1) for line in block.split(b"\n") if line)
        if b"data" in lines:
            tap.feed_event(lines[b"event"].decode(), json.loads(lines[b"data"]))
    assert tap.usage.cache_read_tokens == 30000 and tap.usage.output_tokens == 512


def test_openai_usage_subtracts_cached_prompt_tokens() -> None:
    tap = UsageTap()
    tap.feed_body(
        {
            "object": "chat.completion",
            "model": "gpt-4o-2024-08-06",
            "usage": {
                "prompt_tokens": 2000,
                "completion_tokens": 300,
                "total_tokens": 2300,
                "prompt_tokens_details": {"cached_tokens": 1536},
            },
        }
    )
    assert tap.usage == Usage(464, 300, 1536, 0, exact=True)
    # 464*2.5 + 300*10 + 1536*1.25 = 6,080 µ$
    assert cost(tap.model, tap.usage) == pytest.approx(0.00608, abs=1e-9)
    stream = SSEUsageScanner()
    stream.feed(
        b'data: {"id":"c","model":"gpt-4o","choices":[{"delta":{"content":"hi"}}],"usage":null}\n\n'
    )
    stream.feed(
        b'data: {"id":"c","model":"gpt-4o","choices":[],"usage":{"prompt_tokens":10,'
        b'"completion_tokens":2,"prompt_tokens_details":{"cached_tokens":0}}}\n\ndata: [DONE]\n\n'
    )
    assert stream.tap.usage == Usage(10, 2, 0, 0, exact=True)


def test_responses_api_usage() -> None:
    tap = UsageTap()
    tap.feed_event(
        "response.completed",
        {
            "type": "response.completed",
            "response": {
                "model": "gpt-5",
                "usage": {
                    "input_tokens": 100,
                    "input_tokens_details": {"cached_tokens": 40},
                    "output_tokens": 20,
                },
            },
        },
    )
    assert tap.usage == Usage(60, 20, 40, 0, exact=True)


def test_no_usage_stays_inexact() -> None:
    scanner = SSEUsageScanner()
    scanner.feed(b'data: {"choices":[{"delta":{"content":"the usage of words"}}]}\n\n')
    scanner.close()
    assert not scanner.tap.found
