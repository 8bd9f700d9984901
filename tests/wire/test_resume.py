"""A conversation's per-message results resumed from its previous turn: only messages that
are the same JSON as before are reused; token estimates and PII findings of a resumed turn
are those of a fresh walk."""

from __future__ import annotations

import asyncio
import copy
import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from llmgw_cli import tokens
from llmgw_cli.prices import PriceTable
from llmgw_cli.shim.plugins.contract import Exchange, Reject
from llmgw_cli.shim.plugins.pii import PIIPlugin
from llmgw_cli.wire.resume import Turns, common_prefix


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=300), st.binary(max_size=300), st.binary(max_size=40))
def test_common_prefix(head: bytes, a: bytes, b: bytes) -> None:
    x, y = head + a, head + b
    n = common_prefix(x, y)
    assert x[:n] == y[:n]
    assert n == min(len(x), len(y)) or x[n] != y[n]


def test_only_whole_messages_the_same_are_reused() -> None:
    turns: Turns[str] = Turns()
    first = [{"role": "user", "content": f"m{i}"} for i in range(5)]
    turn = turns.start(first)
    assert turn.known == ()
    turns.finish(turn, [f"r{i}" for i in range(5)])
    second = copy.deepcopy(first)
    second[3]["content"] = "changed"
    second.append({"role": "user", "content": "new"})
    assert turns.start(second).known == ("r0", "r1", "r2")
    # a number that goes on is not the same number: [1 then [12
    nums: Turns[str] = Turns()
    nums.finish(nums.start([1, 2]), ["one", "two"])
    assert nums.start([12, 2]).known == ()
    assert nums.start([1, 2, 3]).known == ("one",)  # 2 may go on: 23
    assert turns.start([*second[:5], {"role": "user", "content": "m5"}]).known[:3] == (
        "r0",
        "r1",
        "r2",
    )
    whole: Turns[str] = Turns()
    whole.finish(whole.start(first), list("abcde"))
    assert whole.start([*first, {"x": 1}]).known == tuple("abcde")


def test_nothing_kept_when_a_message_is_spelled_otherwise() -> None:
    turns: Turns[int] = Turns()
    messages = [{"n": 2**70}, {"n": 1}]  # beyond orjson: the whole list falls back
    turns.finish(turns.start(messages), [1, 2])
    assert turns.start(messages).known in ((), (1, 2))


def _conversation(n: int) -> dict[str, Any]:
    messages: list[dict[str, Any]] = []
    for i in range(n):
        messages.append({"role": "user", "content": [{"type": "text", "text": f"step {i} " * 80}]})
        messages.append({"role": "assistant", "content": [{"type": "text", "text": f"done {i}"}]})
    messages.append({"role": "user", "content": "go on"})
    return {"model": "claude-sonnet-4-5", "max_tokens": 100, "messages": messages}


def test_a_resumed_estimate_is_a_fresh_one() -> None:
    body = _conversation(40)
    tokens.estimate_request(body)
    nxt = copy.deepcopy(body)
    nxt["messages"][-1]["content"] = [{"type": "text", "text": "go on, with more " * 30}]
    nxt["messages"].append({"role": "assistant", "content": "a new " * 200})
    resumed = tokens.estimate_request(nxt)
    tokens._turns.clear()
    assert resumed == tokens.estimate_request(copy.deepcopy(nxt))


def _exchange(body: dict[str, Any]) -> Exchange:
    return Exchange("r1", "POST", "/v1/messages", "anthropic", {}, json.dumps(body).encode())


def test_pii_in_a_later_turn_and_in_a_resumed_prefix(tmp_path: Path) -> None:
    plugin = PIIPlugin({"enabled": True, "mode": "redact"}, tmp_path, PriceTable())
    body = _conversation(40)
    body["messages"][10]["content"][0]["text"] += " mail alice@example.com"
    first = _exchange(body)
    asyncio.run(plugin.on_request(first))
    assert "[EMAIL]" in json.loads(first.body)["messages"][10]["content"][0]["text"]
    nxt = copy.deepcopy(body)  # the client resends what it sent, not the redaction
    nxt["messages"].append({"role": "user", "content": "card 4111 1111 1111 1111"})
    ex = _exchange(nxt)
    asyncio.run(plugin.on_request(ex))
    sent = json.loads(ex.body)["messages"]
    assert "[EMAIL]" in sent[10]["content"][0]["text"] and sent[-1]["content"] == "card [CARD]"
    assert ex.notes["pii"] == ["credit_card", "email"]
    # PII in a thinking block of a resumed conversation is refused, as in a fresh one
    think = copy.deepcopy(nxt)
    think["messages"].append(
        {"role": "assistant", "content": [{"type": "thinking", "thinking": "bob@example.com"}]}
    )
    with pytest.raises(Reject, match="thinking block in message 82"):
        asyncio.run(plugin.on_request(_exchange(think)))
    clean = _exchange(_conversation(40))
    before = clean.body
    asyncio.run(plugin.on_request(clean))
    assert clean.body is before and "pii" not in clean.notes
