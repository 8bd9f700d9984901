"""Budgets through the real shim: 429 before the upstream, persistence, two processes.

The mock is scripted to report exactly the usage the budget reserves up front (prompt
estimate + max_tokens), so each admitted request spends exactly its reservation and a
limit of k requests' worth admits exactly k, however the requests race.
"""

from __future__ import annotations

import asyncio
import json
import sqlite3
from pathlib import Path
from typing import Any

import anthropic
import httpx
import openai
import pytest

from llmgw_cli import tokens
from llmgw_cli.mock.script import parse_script
from tests.governance.shimkit import (
    OFF,
    auth,
    read_lines,
    shim_process,
    shim_thread,
    start_shim_process,
)
from tests.helpers.mockserver import mock_process, mock_thread, requests_seen

MAX_TOKENS = 40
PROMPT = "Summarise the plot of Hamlet in two sentences."
BODY: dict[str, Any] = {
    "model": "claude-sonnet-4-5",
    "max_tokens": MAX_TOKENS,
    "messages": [{"role": "user", "content": PROMPT}],
}


def reservation(body: dict[str, Any] = BODY) -> int:
    """What the budget plugin reserves for ``body`` (same functions, same figures)."""
    return tokens.estimate_request(body).tokens + tokens.max_output_tokens(body)


def exact_script(body: dict[str, Any] = BODY) -> list[dict[str, Any]]:
    """A mock turn whose reported usage equals the reservation."""
    prompt = reservation(body) - MAX_TOKENS
    usage = {"input_tokens": prompt, "output_tokens": MAX_TOKENS}
    return [{"text": "To be or not.", "usage": usage}]


def budget(limit: int, **extra: Any) -> str:
    section = {"enabled": True, "daily_tokens": limit, **extra}
    return "plugins: " + json.dumps({"budget": section, "metrics": OFF}) + "\n"


def test_over_budget_gets_429_in_the_sdks_format_and_never_reaches_the_upstream() -> None:
    e = reservation()
    plugins = {"budget": {"enabled": True, "daily_tokens": e + e // 2}, "metrics": OFF}
    with mock_thread(script=parse_script(exact_script())) as url, shim_thread(url, plugins) as shim:
        client = anthropic.Anthropic(base_url=shim.url, api_key=shim.token)  # default retries
        first = client.messages.create(**BODY)
        with pytest.raises(anthropic.RateLimitError) as caught:
            client.messages.create(**BODY)
        oa = openai.OpenAI(base_url=shim.url + "/v1", api_key=shim.token)
        with pytest.raises(openai.RateLimitError) as caught_oa:
            oa.chat.completions.create(
                model="claude-sonnet-4-5",
                max_tokens=MAX_TOKENS,
                messages=[{"role": "user", "content": PROMPT}],
            )
        seen = requests_seen(url)
    assert first.usage.input_tokens + first.usage.output_tokens == e
    assert [r["path"] for r in seen] == ["/v1/messages"]  # neither refusal went upstream
    err = caught.value
    assert err.status_code == 429
    assert err.body["type"] == "error" and err.body["error"]["type"] == "rate_limit_error"  # type: ignore[index]
    message = err.body["error"]["message"]  # type: ignore[index]
    assert "daily_tokens" in message and "resets at" in message and f"{e:,}" in message
    assert err.body["error"]["limit"] == "daily_tokens"  # type: ignore[index]
    assert int(err.response.headers["retry-after"]) >= 1
    assert err.response.headers["x-should-retry"] == "false"  # the SDK did not retry
    oa_err = caught_oa.value
    assert oa_err.status_code == 429 and oa_err.code is None
    assert oa_err.type == "rate_limit_error" and "daily_tokens" in oa_err.message


def test_warn_mode_records_but_lets_the_request_through() -> None:
    e = reservation()
    plugins = {
        "budget": {"enabled": True, "daily_tokens": e - 1, "mode": "warn"},
        "metrics": OFF,
        "audit": {},
    }
    with mock_thread(script=parse_script(exact_script())) as url:
        with shim_thread(url, plugins) as shim:
            r = httpx.post(shim.url + "/v1/messages", json=BODY, headers=auth(shim.token))
            seen = requests_seen(url)
        from llmgw_cli import paths

        (line,) = read_lines(paths.state_dir() / "audit.jsonl")
    assert r.status_code == 200 and len(seen) == 1
    assert "daily_tokens" in line["budget_warning"]


def test_spend_survives_a_shim_restart(tmp_path: Path) -> None:
    e = reservation()
    home = tmp_path / "home"
    script = tmp_path / "script.json"
    script.write_text(json.dumps(exact_script()))
    with mock_process("--script", str(script)) as mock:
        with shim_process(home, mock.url, budget(e + e // 2)) as shim:
            ok = httpx.post(shim.url + "/v1/messages", json=BODY, headers=auth(shim.token))
        assert ok.status_code == 200
        with shim_process(home, mock.url, budget(e + e // 2)) as again:
            refused = httpx.post(again.url + "/v1/messages", json=BODY, headers=auth(again.token))
        seen = requests_seen(mock.url, "/v1/messages")
    assert refused.status_code == 429, refused.text
    assert len(seen) == 1
    assert f"{e:,} of {e + e // 2:,} tokens used" in refused.json()["error"]["message"]


def test_two_shim_processes_on_one_budget_do_not_overspend(tmp_path: Path) -> None:
    """Two real shims (one per LLMGW_HOME, the daemon lock allows no more) whose configs name
    the same budget database; 40 concurrent requests against a limit of 5 requests' worth."""
    e, allowed, per_shim = reservation(), 5, 20
    db = tmp_path / "shared" / "budget.sqlite"
    config = budget(allowed * e + e // 2, path=str(db))
    script = tmp_path / "script.json"
    script.write_text(json.dumps(exact_script()))
    with mock_process("--script", str(script)) as mock:
        shims = [start_shim_process(tmp_path / f"home{i}", mock.url, config) for i in (1, 2)]
        try:
            statuses = asyncio.run(fire([(s.url, s.token) for s in shims], per_shim))
        finally:
            for s in shims:
                s.stop()
        seen = requests_seen(mock.url, "/v1/messages")
    assert sorted(set(statuses)) == [200, 429]
    assert statuses.count(200) == allowed == len(seen)
    with sqlite3.connect(db) as conn:
        spent, requests = conn.execute(
            "SELECT tokens, requests FROM spend WHERE scope = '*'"
        ).fetchone()
        pending = conn.execute("SELECT COUNT(*) FROM pending").fetchone()[0]
    assert spent == allowed * e <= allowed * e + e // 2  # within the limit, to the token
    assert requests == allowed and pending == 0


async def fire(targets: list[tuple[str, str]], each: int) -> list[int]:
    async with httpx.AsyncClient(timeout=60) as client:

        async def one(url: str, token: str) -> int:
            r = await client.post(url + "/v1/messages", json=BODY, headers=auth(token))
            return r.status_code

        jobs = [one(url, token) for _ in range(each) for url, token in targets]
        return list(await asyncio.gather(*jobs))
