"""Translation overhead on a Claude-Code-shaped request, measured side by side in one run.

    python benchmarks/translate_overhead.py [--iterations N]

The request is synthetic but shaped like what Claude Code 2.1.328 sends (docs/clients.md): about
87 KB, two system blocks, 12 tools with long descriptions and JSON schemas, a long
conversation of text, tool_use and tool_result turns with <system-reminder> blocks,
`metadata.user_id`, `thinking`, `context_management`, `stream: true`. The response is an
OpenAI-format stream (about 200 text deltas, one tool call in 40 argument fragments, a
usage chunk, [DONE]) cut into network-sized pieces.

Per iteration (interleaved, so all see the same machine state):
- baseline: json.loads + json.dumps of the request body (what any JSON-touching proxy pays);
- translated: request bytes -> parse -> Anthropic->OpenAI -> bytes, plus every response
  piece through the SSE bridge (parse, OpenAI->Anthropic events, encode);
- and the reverse direction (OpenAI client, Anthropic upstream) for the same conversation.
Goal (issue 8): request + response translation adds <= 3 ms p50, judged on CPU time (wall
time is printed next to it, with the load average). Exit status 1 when the goal is missed.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from llmgw_cli.wire.anthropic_to_openai import anthropic_to_openai_request
from llmgw_cli.wire.openai_to_anthropic import openai_to_anthropic_request
from llmgw_cli.wire.sse import DONE, encode_json
from llmgw_cli.wire.sse_bridge import AnthropicToOpenAISSE, OpenAIToAnthropicSSE

Obj = dict[str, Any]
GOAL_MS = 3.0
WORDS = [
    "the",
    "file",
    "function",
    "return",
    "value",
    "error",
    "test",
    "module",
    "config",
    "request",
    "stream",
    "token",
    "shim",
    "gateway",
    "profile",
    "model",
    "tool",
    "result",
    "message",
    "system",
    "user",
    "assistant",
    "content",
    "import",
    "class",
    "def",
    "self",
    "async",
    "await",
    "path",
    "line",
    "code",
    "change",
    "diff",
    "commit",
    "branch",
]
TOOLS = [
    "Task",
    "Bash",
    "Glob",
    "Grep",
    "LS",
    "ExitPlanMode",
    "Read",
    "Edit",
    "MultiEdit",
    "Write",
    "NotebookEdit",
    "WebFetch",
]


def words(rng: random.Random, n: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(n))


def claude_code_request(target_bytes: int = 87_000) -> Obj:
    rng = random.Random(7)
    tools = [
        {
            "name": name,
            "description": words(rng, 260),
            "input_schema": {
                "type": "object",
                "$schema": "http://json-schema.org/draft-07/schema#",
                "additionalProperties": False,
                "required": ["command"],
                "properties": {
                    "command": {"type": "string", "description": words(rng, 25)},
                    "timeout": {"type": "number", "description": words(rng, 12)},
                    "paths": {
                        "type": "array",
                        "items": {"type": "string"},
                        "description": words(rng, 10),
                    },
                    "options": {"type": "object", "properties": {"recursive": {"type": "boolean"}}},
                },
            },
        }
        for name in TOOLS
    ]
    body: Obj = {
        "model": "claude-opus-5-5",
        "max_tokens": 32000,
        "stream": True,
        "metadata": {"user_id": "user_" + "ab" * 32 + "_account__session_0f1e2d3c"},
        "thinking": {"type": "enabled", "budget_tokens": 31999},
        "context_management": {"edits": [{"type": "clear_thinking_20251015", "keep": "all"}]},
        "system": [
            {
                "type": "text",
                "text": "You are Claude Code, Anthropic's official CLI for Claude.",
                "cache_control": {"type": "ephemeral"},
            },
            {"type": "text", "text": words(rng, 2200), "cache_control": {"type": "ephemeral"}},
        ],
        "tools": tools,
        "messages": [],
    }
    messages: list[Obj] = body["messages"]
    messages.append(
        {
            "role": "user",
            "content": [
                {
                    "type": "text",
                    "text": "<system-reminder>" + words(rng, 120) + "</system-reminder>",
                },
                {"type": "text", "text": words(rng, 30), "cache_control": {"type": "ephemeral"}},
            ],
        }
    )
    n = 0
    while len(json.dumps(body)) < target_bytes:
        n += 1
        tid = f"toolu_01{n:022d}"
        messages.append(
            {
                "role": "assistant",
                "content": [
                    {"type": "thinking", "thinking": words(rng, 40), "signature": "Eq" + "x" * 200},
                    {"type": "text", "text": words(rng, 25)},
                    {
                        "type": "tool_use",
                        "id": tid,
                        "name": rng.choice(TOOLS),
                        "input": {"command": words(rng, 8), "paths": [words(rng, 2)]},
                    },
                ],
            }
        )
        messages.append(
            {
                "role": "user",
                "content": [
                    {"type": "tool_result", "tool_use_id": tid, "content": words(rng, 180)},
                    {
                        "type": "text",
                        "text": "<system-reminder>" + words(rng, 20) + "</system-reminder>",
                    },
                ],
            }
        )
    return body


def openai_stream_pieces() -> list[bytes]:
    rng = random.Random(11)
    base = {
        "id": "chatcmpl-bench",
        "object": "chat.completion.chunk",
        "created": 1700000000,
        "model": "qwen3-coder",
    }

    def chunk(delta: Obj, finish: str | None = None) -> bytes:
        return encode_json(
            {**base, "choices": [{"index": 0, "delta": delta, "finish_reason": finish}]}
        )

    events = [chunk({"role": "assistant", "content": ""})]
    events += [chunk({"content": rng.choice(WORDS) + " "}) for _ in range(200)]
    events.append(
        chunk(
            {
                "tool_calls": [
                    {
                        "index": 0,
                        "id": "call_bench",
                        "type": "function",
                        "function": {"name": "Bash", "arguments": ""},
                    }
                ]
            }
        )
    )
    args = json.dumps({"command": words(rng, 60), "timeout": 120000})
    step = max(1, len(args) // 40)
    events += [
        chunk({"tool_calls": [{"index": 0, "function": {"arguments": args[i : i + step]}}]})
        for i in range(0, len(args), step)
    ]
    events.append(chunk({}, "tool_calls"))
    events.append(
        encode_json(
            {
                **base,
                "choices": [],
                "usage": {
                    "prompt_tokens": 21000,
                    "completion_tokens": 260,
                    "total_tokens": 21260,
                    "prompt_tokens_details": {"cached_tokens": 20000},
                },
            }
        )
    )
    events.append(DONE)
    return events


def anthropic_stream_pieces(openai_pieces: list[bytes]) -> list[bytes]:
    bridge = OpenAIToAnthropicSSE(message_id="msg_bench")
    out = [bridge.feed(p) for p in openai_pieces]
    return [p for p in out if p]


def dumps(obj: Any) -> bytes:
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":")).encode()


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


KEYS = (
    "baseline",
    "a2o_req",
    "o2a_stream",
    "a2o_total",
    "ttft_a2o",
    "o2a_req",
    "a2o_stream",
    "o2a_total",
    "a2o_cpu",
    "o2a_cpu",
)


def measure(
    a_raw: bytes, o_raw: bytes, o_pieces: list[bytes], a_pieces: list[bytes]
) -> dict[str, float]:
    """One interleaved iteration; wall times in ms, plus CPU time of the two totals."""
    clock, cpu = time.perf_counter, time.thread_time
    t0 = clock()
    dumps(json.loads(a_raw))
    c1, t1 = cpu(), clock()
    dumps(anthropic_to_openai_request(json.loads(a_raw)))
    t2 = clock()
    bridge = OpenAIToAnthropicSSE()
    first = bridge.feed(o_pieces[0]) + bridge.feed(o_pieces[1])
    t3 = clock()
    for piece in o_pieces[2:]:
        bridge.feed(piece)
    bridge.finish()
    c4, t4 = cpu(), clock()
    dumps(openai_to_anthropic_request(json.loads(o_raw)))
    t5 = clock()
    rbridge = AnthropicToOpenAISSE(include_usage=True)
    for piece in a_pieces:
        rbridge.feed(piece)
    rbridge.finish()
    c6, t6 = cpu(), clock()
    assert first
    ms = 1000.0
    return {
        "baseline": (t1 - t0) * ms,
        "a2o_req": (t2 - t1) * ms,
        "o2a_stream": (t4 - t2) * ms,
        "a2o_total": (t4 - t1) * ms,
        "ttft_a2o": (t3 - t1) * ms,
        "o2a_req": (t5 - t4) * ms,
        "a2o_stream": (t6 - t5) * ms,
        "o2a_total": (t6 - t4) * ms,
        "a2o_cpu": (c4 - c1) * ms,
        "o2a_cpu": (c6 - c4) * ms,
    }


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rounds", type=int, default=10)
    ap.add_argument("--iterations", type=int, default=60, help="per round")
    ns = ap.parse_args()

    a_body = claude_code_request()
    a_raw = dumps(a_body)
    o_raw = dumps(anthropic_to_openai_request(a_body))  # the same conversation, OpenAI-shaped
    o_pieces = openai_stream_pieces()
    a_pieces = anthropic_stream_pieces(o_pieces)
    for _ in range(20):  # warm-up
        measure(a_raw, o_raw, o_pieces, a_pieces)

    # Median of per-round medians: other processes share this 2-core machine, and a burst
    # of their load should spoil one round, not the figure.
    round_p50: dict[str, list[float]] = {k: [] for k in KEYS}
    every: dict[str, list[float]] = {k: [] for k in KEYS}
    for _ in range(ns.rounds):
        samples = [measure(a_raw, o_raw, o_pieces, a_pieces) for _ in range(ns.iterations)]
        for k in KEYS:
            values = [s[k] for s in samples]
            round_p50[k].append(statistics.median(values))
            every[k].extend(values)
    p50 = {k: statistics.median(v) for k, v in round_p50.items()}
    base = p50["baseline"]

    n_msgs = len(a_body["messages"])
    print(
        f"request: {len(a_raw) / 1000:.1f} KB Anthropic ({n_msgs} messages, "
        f"{len(a_body['tools'])} tools); OpenAI form {len(o_raw) / 1000:.1f} KB"
    )
    print(f"response: {len(o_pieces)} OpenAI SSE events -> {len(a_pieces)} pieces of Anthropic SSE")
    print(
        f"{ns.rounds} rounds x {ns.iterations} iterations, interleaved; p50 = median of round"
        f" medians; Python {sys.version.split()[0]}"
    )
    print()
    rows = [
        ("baseline: json.loads + json.dumps of the request", "baseline"),
        ("Claude Code -> OpenAI upstream: request (parse, a2o, dump)", "a2o_req"),
        ("  response stream o2a (parse SSE, translate, encode)", "o2a_stream"),
        ("  total added per request", "a2o_total"),
        ("  total, CPU time", "a2o_cpu"),
        ("  added before the first token (request + first 2 events)", "ttft_a2o"),
        ("OpenAI client -> Anthropic upstream: request (parse, o2a, dump)", "o2a_req"),
        ("  response stream a2o", "a2o_stream"),
        ("  total added per request", "o2a_total"),
        ("  total, CPU time", "o2a_cpu"),
    ]
    print(f"{'':66} {'p50 ms':>8} {'p99 ms':>8} {'x baseline':>11}")
    for label, key in rows:
        print(f"{label:66} {p50[key]:8.3f} {pct(every[key], 0.99):8.3f} {p50[key] / base:10.1f}x")
    # The verdict uses CPU time: on this shared machine a 2 ms stretch of wall time often
    # includes another process's time slice, which no code change here can remove. On an
    # idle core the two agree (compare the rows above with the load average below).
    worst = max(p50["a2o_cpu"], p50["o2a_cpu"])
    worst_wall = max(p50["a2o_total"], p50["o2a_total"])
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    verdict = "met" if worst <= GOAL_MS else "MISSED"
    print(
        f"\ngoal: translation adds <= {GOAL_MS:.0f} ms p50 per request: {verdict}"
        f" (worst CPU time {worst:.2f} ms; wall {worst_wall:.2f} ms at load average {load})"
    )
    return 0 if worst <= GOAL_MS else 1


if __name__ == "__main__":
    raise SystemExit(main())
