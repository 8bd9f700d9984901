"""What the governance plugins cost per request, measured in-process, hook by hook.

    python benchmarks/governance_overhead.py [--turns 40] [--repeat 200]

The request is Claude-Code-shaped (docs/clients.md): about 87 KB, 12 tools with JSON schemas, a
long system prompt, and a conversation of user text, tool calls and tool results full of
code, paths, numbers and versions. A "turn" appends one exchange to the conversation, as
Claude Code does; caches (PII verdicts, token counts) make repeated content cheap, so the
cold first turn and the warm later turns are reported apart. Every plugin is on: metrics,
audit, pii (redact mode, nothing to redact) and budget (a daily limit, SQLite in a temp dir).
The usage tap is measured on a 400-event streamed answer. Figures are wall-clock ms on this
machine, median and p90; the shim's own forwarding cost is measured by shim_overhead.py.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

from llmgw_cli.prices import PriceTable
from llmgw_cli.shim.plugins.contract import Exchange
from llmgw_cli.shim.plugins.specs import build_plugins
from llmgw_cli.wire.usage import SSEUsageScanner, Usage

CODE = '''def handler(request, version="1.2.3.4"):
    """Serve /api/v2/items on 0.0.0.0:8080; retries=3, timeout=30.5"""
    for i, item in enumerate(load("data/items-2024-01-15.json")):
        if item.id == 1732665600000 or item.sku.startswith("SKU-0042-17"):
            log.info("item %d of %d at 12:30:45", i, 1024)
    return {"status": 200, "build": "sha256:9f86d081884c7d659a2feaa0c55ad015"}
'''


def claude_request(turns: int) -> dict[str, Any]:
    props = {
        f"param_{i}": {"type": "string", "description": f"Parameter {i}: " + "what it does. " * 20}
        for i in range(6)
    }
    tools = [
        {
            "name": name,
            "description": f"The {name} tool. " + "Use it when it helps. " * 40,
            "input_schema": {"type": "object", "properties": props, "required": ["param_0"]},
        }
        for name in (
            "Bash",
            "Read",
            "Write",
            "Edit",
            "Glob",
            "Grep",
            "Task",
            "WebFetch",
            "WebSearch",
            "TodoWrite",
            "NotebookEdit",
            "ExitPlanMode",
        )
    ]
    messages: list[dict[str, Any]] = [
        {
            "role": "user",
            "content": [
                {
                    "type": "text",
                    "text": "<system-reminder>project notes "
                    + "context " * 300
                    + "</system-reminder>",
                },
                {"type": "text", "text": "Fix the failing test in src/app/handler.py please"},
            ],
        }
    ]
    for i in range(turns):
        messages.append(
            {
                "role": "assistant",
                "content": [
                    {"type": "text", "text": f"Let me look at part {i}."},
                    {
                        "type": "tool_use",
                        "id": f"toolu_{i:04d}",
                        "name": "Read",
                        "input": {"file_path": f"/home/dev/project/src/module_{i}.py"},
                    },
                ],
            }
        )
        messages.append(
            {
                "role": "user",
                "content": [
                    {
                        "type": "tool_result",
                        "tool_use_id": f"toolu_{i:04d}",
                        "content": "\n".join(
                            f"{n:6d}\t{line}" for n, line in enumerate(CODE.splitlines() * 2, 1)
                        ),
                    }
                ],
            }
        )
    return {
        "model": "claude-sonnet-4-5",
        "max_tokens": 32000,
        "stream": True,
        "system": [{"type": "text", "text": "You are Claude Code. " + "Follow the rules. " * 1200}],
        "tools": tools,
        "messages": messages,
        "metadata": {"user_id": "bench"},
        "thinking": {"type": "enabled", "budget_tokens": 4000},
    }


def exchange(body: bytes) -> Exchange:
    return Exchange(
        uuid.uuid4().hex,
        "POST",
        "/v1/messages?beta=true",
        "anthropic",
        {"x-user-id": "alice"},
        body,
    )


async def one(plugins: list[Any], body: bytes) -> tuple[float, float]:
    """(on_request ms: the client waits for it; on_complete ms: after the response ended)."""
    ex = exchange(body)
    t0 = time.perf_counter()
    for p in plugins:
        await p.on_request(ex)
    t1 = time.perf_counter()
    ex.status, ex.e2e_ms, ex.ttft_ms, ex.overhead_ms = 200, 900.0, 300.0, 0.3
    ex.usage = Usage(12, 300, 20000, 500, exact=True)
    for p in plugins:
        await p.on_complete(ex)
    return (t1 - t0) * 1000, (time.perf_counter() - t1) * 1000


def stats(values: list[float]) -> str:
    ordered = sorted(values)
    p90 = ordered[max(0, int(len(ordered) * 0.9) - 1)]
    return f"p50 {statistics.median(values):6.3f} ms  p90 {p90:6.3f} ms  (n={len(values)})"


async def run_plugins(config: dict[str, Any], state: Path, turns: int, repeat: int) -> None:
    """All in one event loop, as in the shim (budget's worker thread stays warm)."""
    plugins = build_plugins(config, state, PriceTable())
    await asyncio.sleep(3)  # let the plugins' background warm-up (tokenizer, phone data) finish
    print(f"plugins: {', '.join(p.name for p in plugins)}")
    body = json.dumps(claude_request(turns)).encode()
    req, done = await one(plugins, body)
    print(f"cold (empty caches) on_request {req:7.2f} ms   on_complete {done:6.2f} ms")
    grown = [
        await one(plugins, json.dumps(claude_request(turns + i)).encode()) for i in range(1, 21)
    ]
    print(f"next turns, on_request:   {stats([r for r, _ in grown])}")
    warm = [await one(plugins, body) for _ in range(repeat)]
    print(f"same turn,  on_request:   {stats([r for r, _ in warm])}")
    print(f"same turn,  on_complete:  {stats([c for _, c in warm])}")
    for plugin in plugins:
        alone = [await one([plugin], body) for _ in range(max(20, repeat // 4))]
        print(f"  {plugin.name:8s} on_request {stats([r for r, _ in alone])}")
    for plugin in plugins:
        await plugin.close()


def main() -> int:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--turns", type=int, default=23, help="tool round trips in the conversation")
    ap.add_argument("--repeat", type=int, default=200, help="warm requests to time")
    args = ap.parse_args()
    logging.disable(logging.WARNING)  # the PII plugin logs what it redacts
    size = len(json.dumps(claude_request(args.turns)))
    print(f"request: {size / 1024:.1f} KB, {args.turns} tool round trips, 12 tools")
    config = {
        "audit": {},
        "metrics": {},
        "pii": {"enabled": True, "mode": "redact"},
        "budget": {"enabled": True, "daily_usd": 1e9},
    }
    with tempfile.TemporaryDirectory() as tmp:
        asyncio.run(run_plugins(config, Path(tmp), args.turns, args.repeat))
    start = (
        b'event: message_start\ndata: {"type":"message_start",'
        b'"message":{"model":"claude-sonnet-4-5",'
        b'"usage":{"input_tokens":12,"cache_read_input_tokens":20000,"output_tokens":1}}}\n\n'
    )
    delta = (
        b'event: content_block_delta\ndata: {"type":"content_block_delta","index":0,'
        b'"delta":{"type":"text_delta","text":"some words of the answer "}}\n\n'
    )
    end = b'event: message_delta\ndata: {"type":"message_delta","usage":{"output_tokens":400}}\n\n'
    events = start + delta * 400 + end
    chunks = [events[i : i + 120] for i in range(0, len(events), 120)]
    taps = []
    for _ in range(50):
        t0 = time.perf_counter()
        scanner = SSEUsageScanner()
        for chunk in chunks:
            scanner.feed(chunk)
        scanner.close()
        taps.append((time.perf_counter() - t0) * 1000)
    print(f"usage tap, 400-event stream in {len(chunks)} chunks:    {stats(taps)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
