"""Audit log: whole lines only (even under SIGKILL), rotation, no prompt text by default."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path
from typing import Any

from llmgw_cli.prices import PriceTable
from llmgw_cli.shim.plugins.appendlog import AppendLog, rotated
from llmgw_cli.shim.plugins.audit import AuditPlugin
from llmgw_cli.wire.usage import Usage

from .conftest import anthropic_body, make_exchange

SECRET_PROMPT = (
    "my email is alice@example.com and my key is AKIAIOSFODNN7EXAMPLE, summarise the report"
)


def audit(state: Path, **cfg: Any) -> AuditPlugin:
    return AuditPlugin({"enabled": True, **cfg}, state, PriceTable())


def lines(path: Path) -> list[dict[str, Any]]:
    raw = path.read_bytes()
    assert raw == b"" or raw.endswith(b"\n")
    return [json.loads(line) for line in raw.splitlines()]


def completed(body: dict[str, Any], **headers: str) -> Any:
    ex = make_exchange(body, headers=headers)
    ex.profile, ex.upstream, ex.route, ex.attempts = "corp", "https://gw.example", "default", 1
    ex.e2e_ms, ex.ttft_ms, ex.overhead_ms = 850.0, 210.0, 0.4
    ex.usage = Usage(12, 512, 30000, 2048, exact=True)
    return ex


def test_thousand_requests_thousand_complete_lines(tmp_path: Path) -> None:
    plugin = audit(tmp_path)

    async def run() -> None:
        await asyncio.gather(
            *(plugin.on_complete(completed(anthropic_body(f"q{i}"))) for i in range(1000))
        )
        await plugin.close()

    asyncio.run(run())
    records = lines(tmp_path / "audit.jsonl")
    assert len(records) == 1000
    assert len({r["request_id"] for r in records}) == 1000
    assert oct((tmp_path / "audit.jsonl").stat().st_mode & 0o777) == "0o600"


def test_record_fields(tmp_path: Path) -> None:
    plugin = audit(tmp_path)
    asyncio.run(
        plugin.on_complete(
            completed(anthropic_body("hi"), **{"X-User-ID": "alice", "X-Department": "Eng"})
        )
    )
    rec = lines(tmp_path / "audit.jsonl")[0]
    for seed_field in (
        "timestamp",
        "user",
        "department",
        "model",
        "prompt_tokens",
        "response_tokens",
        "latency",
        "status",
    ):
        assert seed_field in rec
    assert (rec["user"], rec["department"], rec["profile"], rec["route"]) == (
        "alice",
        "Eng",
        "corp",
        "default",
    )
    assert rec["prompt_tokens"] == 12 + 30000 + 2048 and rec["response_tokens"] == 512
    assert (rec["cache_read_tokens"], rec["cache_write_tokens"]) == (30000, 2048)
    assert rec["latency"] == 0.85 and rec["ttft"] == 0.21 and rec["status"] == 200
    # 12*3 + 512*15 + 30000*0.3 + 2048*3.75 = 24,396 µ$ (claude-sonnet-4-5)
    assert rec["cost_usd"] == 0.024396
    assert rec["timestamp"].endswith("+00:00")


def test_os_user_when_no_header(tmp_path: Path) -> None:
    import getpass

    plugin = audit(tmp_path)
    asyncio.run(plugin.on_complete(completed(anthropic_body("hi"))))
    assert lines(tmp_path / "audit.jsonl")[0]["user"] == getpass.getuser()


def test_no_prompt_text_by_default(tmp_path: Path) -> None:
    plugin = audit(tmp_path)
    asyncio.run(plugin.on_complete(completed(anthropic_body(SECRET_PROMPT))))
    raw = (tmp_path / "audit.jsonl").read_text()
    assert "summarise" not in raw and "alice" not in raw and 'prompt"' not in raw


def test_include_prompts_redacts(tmp_path: Path) -> None:
    plugin = audit(tmp_path, include_prompts=True, max_prompt_chars=60)
    body = anthropic_body("first turn, old")
    body["messages"] += [
        {"role": "assistant", "content": "ok"},
        {"role": "user", "content": SECRET_PROMPT},
    ]
    asyncio.run(plugin.on_complete(completed(body)))
    rec = lines(tmp_path / "audit.jsonl")[0]
    assert rec["prompt"].startswith("my email is [EMAIL] and my key is [SECRET], summarise")
    assert rec["prompt"].endswith("more chars]")  # capped
    raw = (tmp_path / "audit.jsonl").read_text()
    assert "alice@example.com" not in raw and "AKIA" not in raw and "first turn" not in raw


def test_rotation_keeps_whole_lines(tmp_path: Path) -> None:
    plugin = audit(tmp_path, max_bytes=20_000, backups=3)
    for i in range(400):
        asyncio.run(plugin.on_complete(completed(anthropic_body(f"q{i}"))))
    asyncio.run(plugin.close())
    files = [p for p in rotated(tmp_path / "audit.jsonl", 3) if p.exists()]
    assert len(files) == 4  # audit.jsonl + 3 backups; older ones dropped
    assert all(p.stat().st_size <= 20_000 for p in files)
    kept = [r for p in files for r in lines(p)]
    assert len(kept) < 400  # the oldest were rotated away
    stamps = [r["request_id"] for r in kept]
    assert len(stamps) == len(set(stamps))


def test_two_writers_share_the_file_and_rotation(tmp_path: Path) -> None:
    a, b = (
        audit(tmp_path, max_bytes=30_000, backups=50),
        audit(tmp_path, max_bytes=30_000, backups=50),
    )
    for i in range(300):
        asyncio.run((a if i % 2 else b).on_complete(completed(anthropic_body(f"q{i}"))))
    files = [p for p in rotated(tmp_path / "audit.jsonl", 50) if p.exists()]
    assert sum(len(lines(p)) for p in files) == 300
    assert all(p.stat().st_size <= 30_000 for p in files)


WRITER = textwrap.dedent(
    """
    import asyncio, sys
    from pathlib import Path
    sys.path.insert(0, sys.argv[2])
    from conftest import anthropic_body, make_exchange
    from llmgw_cli.prices import PriceTable
    from llmgw_cli.shim.plugins.audit import AuditPlugin
    plugin = AuditPlugin({"max_bytes": 0}, Path(sys.argv[1]), PriceTable())
    async def main():
        i = 0
        while True:
            ex = make_exchange(anthropic_body("x"))
            ex.error = "e" * 3000  # long lines make a torn write more likely, if one could happen
            await plugin.on_complete(ex)
            i += 1
            if i == 200:
                print("ready", flush=True)
    asyncio.run(main())
    """
)


def test_sigkill_mid_stream_leaves_only_whole_lines(tmp_path: Path) -> None:
    proc = subprocess.Popen(
        [sys.executable, "-c", WRITER, str(tmp_path), str(Path(__file__).parent)],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None and proc.stdout.readline().strip() == "ready"
    time.sleep(0.2)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)
    path = tmp_path / "audit.jsonl"
    whole, _, torn = path.read_bytes().rpartition(b"\n")
    # Every line but possibly the one being written parses (Linux may cut a write that
    # spans pages when SIGKILL lands mid-write) ...
    assert len([json.loads(line) for line in whole.splitlines()]) >= 200
    # ... and the next writer to open the log trims such a tail: the file is whole again.
    AppendLog(path).close()
    records = lines(path)  # every line parses, the file ends in "\n"
    assert len(records) >= 200 and path.read_bytes() == whole + b"\n"
    assert torn == b"" or not torn.endswith(b"}")
