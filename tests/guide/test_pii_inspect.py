"""PII redact mode inspects without modifying where a rewrite breaks Claude Code: thinking
blocks and their signatures, ``system[0]``, tool definitions and the beta-paired fields
travel byte for byte; PII where a redaction would be needed there blocks the request."""

from __future__ import annotations

import json
from typing import Any

import httpx

from tests.guide.conftest import key, shim_yaml
from tests.guide.upstream import recording
from tests.shim.conftest import save_profile

PII = (
    "plugins: {audit: {enabled: false}, metrics: {enabled: false},"
    " pii: {enabled: true, mode: redact, detectors: [email]}}\n"
)
ATTRIBUTION = {"type": "text", "text": "x-anthropic-billing-header: cc_version=2.1.328.593;"}
TOOLS = [
    {
        "name": "Bash",
        "description": "Co-Authored-By: Claude <noreply@anthropic.com>",
        "input_schema": {"type": "object"},
        "strict": True,
    }
]
THINKING = {
    "type": "thinking",
    "thinking": "The user wants a greeting.",
    "signature": "EqQBCkYIBxgCKkD=",
}


def _body(user: str, thinking: dict[str, Any] = THINKING) -> dict[str, Any]:
    return {
        "model": "claude-sonnet-4-5",
        "max_tokens": 64,
        "system": [ATTRIBUTION, {"type": "text", "text": "You are Claude Code."}],
        "tools": TOOLS,
        "thinking": {"type": "enabled", "budget_tokens": 1024},
        "context_management": {"edits": [{"type": "clear_tool_uses_20250919"}]},
        "messages": [
            {"role": "user", "content": "hi"},
            {"role": "assistant", "content": [thinking, {"type": "text", "text": "Hello!"}]},
            {"role": "user", "content": user},
        ],
    }


def _send(url: str, token: dict[str, str], body: dict[str, Any]) -> httpx.Response:
    raw = json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode()
    return httpx.post(
        f"{url}/v1/messages?beta=true",
        content=raw,
        headers={"anthropic-version": "2023-06-01", "content-type": "application/json", **token},
        timeout=10,
    )


def test_redaction_leaves_thinking_system0_tools_and_beta_fields_byte_for_byte() -> None:
    body = _body("mail me at jane.doe@example.com please")
    with recording() as up:
        save_profile("up", up.url, headers={})
        with shim_yaml("chain: [up]\n" + PII) as shim:
            answer = _send(shim.url, key(shim), body)
    assert answer.status_code == 200
    sent = up.posts()[0].body
    assert b"jane.doe@example.com" not in sent and b"[EMAIL]" in sent
    for part in (THINKING, ATTRIBUTION, TOOLS, body["context_management"]):
        encoded = json.dumps(part, ensure_ascii=False, separators=(",", ":")).encode()
        assert encoded in sent, part  # the signature still matches its conversation
    assert b"noreply@anthropic.com" in sent  # tool definitions are never rewritten
    assert json.loads(sent)["system"][0] == ATTRIBUTION


def test_pii_inside_a_thinking_block_blocks_instead_of_redacting() -> None:
    thinking = {**THINKING, "thinking": "Their address is jane.doe@example.com."}
    with recording() as up:
        save_profile("up", up.url, headers={})
        with shim_yaml("chain: [up]\n" + PII) as shim:
            answer = _send(shim.url, key(shim), _body("thanks", thinking))
    assert answer.status_code == 400
    message = answer.json()["error"]["message"]
    assert "thinking block in message 1" in message and "would break" in message
    assert answer.json()["error"]["where"] == "thinking block in message 1"
    assert up.posts() == []  # nothing went upstream
