"""Row 5 of issue 13 and its SDK test: usage stays visible whatever the client accepts.

The official anthropic and openai SDKs send ``Accept-Encoding: gzip``; the capturing upstream
compresses whenever it is allowed to. Through a real shim with budget and audit on, the audit
line has the exact token counts and the budget spent equals them (row 13 too: the budget
database at a custom path is 0600, its -wal file as well).
"""

from __future__ import annotations

import json
import stat
from pathlib import Path

import anthropic
import openai

from llmgw_cli.shim.plugins.budget_store import TOTAL, BudgetStore
from tests.gates.kit import IN_TOKENS, OFF, OUT_TOKENS, Upstream, shim_in_thread, write_profile


def test_sdks_through_shim_audit_exact_and_budget_equal(
    llmgw_home: Path, upstream: Upstream, tmp_path: Path
) -> None:
    write_profile(llmgw_home, "gw", upstream.url)
    log, db = tmp_path / "audit.jsonl", tmp_path / "custom" / "budget.db"
    plugins = {
        "metrics": OFF,
        "audit": {"enabled": True, "path": str(log)},
        "budget": {"enabled": True, "daily_tokens": 1_000_000, "path": str(db)},
    }
    with shim_in_thread(["gw"], plugins) as shim:
        a = anthropic.Anthropic(base_url=shim.url, api_key=shim.token, max_retries=0)
        reply = a.messages.create(
            model="claude-sonnet-4-5", max_tokens=16, messages=[{"role": "user", "content": "hi"}]
        )
        assert reply.usage.output_tokens == OUT_TOKENS
        with a.messages.stream(
            model="claude-sonnet-4-5", max_tokens=16, messages=[{"role": "user", "content": "hi"}]
        ) as stream:
            assert stream.get_final_message().usage.output_tokens == OUT_TOKENS
        o = openai.OpenAI(base_url=shim.url + "/v1", api_key=shim.token, max_retries=0)
        chat = o.chat.completions.create(
            model="gpt-4o-mini", messages=[{"role": "user", "content": "hi"}]
        )
        assert chat.usage is not None and chat.usage.completion_tokens == OUT_TOKENS
        assert db.exists() and stat.S_IMODE(db.stat().st_mode) == 0o600
        wal = db.with_name(db.name + "-wal")
        assert not wal.exists() or stat.S_IMODE(wal.stat().st_mode) == 0o600
    # The SDKs did ask for gzip; the shim asked the upstream for plain bytes.
    assert all(s["headers"].get("Accept-Encoding") == "identity" for s in upstream.seen)
    lines = [json.loads(line) for line in log.read_text().splitlines()]
    assert len(lines) == 3
    for line in lines:
        assert line["status"] == 200
        assert line["tokens_exact"] is True
        assert (line["prompt_tokens"], line["response_tokens"]) == (IN_TOKENS, OUT_TOKENS)
    store = BudgetStore(db)
    try:
        spent = store.spent()
    finally:
        store.close()
    assert spent[TOTAL]["tokens"] == 3 * (IN_TOKENS + OUT_TOKENS)
    assert spent[TOTAL]["requests"] == 3
