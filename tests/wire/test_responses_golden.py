"""Golden cases for the Responses format: each file under golden_responses/ is a list of
{name, input, expected[, kwargs]}, the expected outputs written by hand from the APIs'
documentation. ``"<int>"`` matches any integer (timestamps), ``"<str>"`` any string (ids).

``codex_0.171_request.json`` is a request Codex CLI 0.171 sent (``codex exec "say hi"``):
it must translate to a Messages and a Chat request that those APIs accept.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from llmgw_cli.wire import responses as rw
from llmgw_cli.wire.anthropic_to_responses import (
    anthropic_to_responses_request,
    responses_to_anthropic_response,
)
from llmgw_cli.wire.openai_to_responses import openai_to_responses_request
from llmgw_cli.wire.responses_to_anthropic import (
    anthropic_to_responses_response,
    responses_to_anthropic_request,
)
from llmgw_cli.wire.responses_to_openai import responses_to_openai_request

GOLDEN = Path(__file__).parent / "golden_responses"
CODEX = GOLDEN / "codex_0.171_request.json"


def _answer(inp: dict[str, Any]) -> Any:
    return anthropic_to_responses_response(inp["message"], inp["request"])


def _error(inp: dict[str, Any]) -> Any:
    return rw.error(inp["status"], inp["message"], inp.get("code"))


FUNCTIONS: dict[str, Callable[..., Any]] = {
    "responses_to_anthropic_request": responses_to_anthropic_request,
    "anthropic_to_responses_response": _answer,
    "anthropic_to_responses_request": anthropic_to_responses_request,
    "responses_to_anthropic_response": responses_to_anthropic_response,
    "responses_to_openai_request": responses_to_openai_request,
    "openai_to_responses_request": openai_to_responses_request,
    "responses_errors": _error,
}


def _cases() -> list[Any]:
    params = []
    for path in sorted(GOLDEN.glob("*.json")):
        if path == CODEX:
            continue
        for case in json.loads(path.read_text(encoding="utf-8")):
            params.append(pytest.param(path.stem, case, id=f"{path.stem}: {case['name']}"))
    return params


CASES = _cases()


def _match(actual: Any, expected: Any, where: str = "$") -> None:
    if expected in ("<int>", "<str>"):
        kind = int if expected == "<int>" else str
        assert isinstance(actual, kind), f"{where}: expected {expected}, got {actual!r}"
        return
    if isinstance(expected, dict):
        assert isinstance(actual, dict), f"{where}: expected an object, got {actual!r}"
        assert set(actual) == set(expected), f"{where}: keys {sorted(actual)} != {sorted(expected)}"
        for key in expected:
            _match(actual[key], expected[key], f"{where}.{key}")
        return
    if isinstance(expected, list):
        assert isinstance(actual, list) and len(actual) == len(expected), (
            f"{where}: {actual!r} != {expected!r}"
        )
        for i, (a, e) in enumerate(zip(actual, expected, strict=True)):
            _match(a, e, f"{where}[{i}]")
        return
    assert actual == expected and type(actual) is type(expected), (
        f"{where}: {actual!r} != {expected!r}"
    )


def test_enough_cases() -> None:
    assert len(CASES) >= 18


@pytest.mark.parametrize(("call", "case"), CASES)
def test_golden(call: str, case: dict[str, Any]) -> None:
    snapshot = json.dumps(case["input"], sort_keys=True)
    actual = FUNCTIONS[call](case["input"], **case.get("kwargs", {}))
    _match(json.loads(json.dumps(actual)), case["expected"])
    assert json.dumps(case["input"], sort_keys=True) == snapshot  # the input is not mutated


def test_codex_request_to_messages() -> None:
    body = json.loads(CODEX.read_text(encoding="utf-8"))
    out = responses_to_anthropic_request(body)
    names = [t["name"] for t in out["tools"]]
    assert "exec_command" in names and "multi_agent_v1__close_agent" in names
    assert all(len(n) <= 64 and n.replace("_", "").replace("-", "").isalnum() for n in names)
    assert "web_search" not in names  # a hosted tool: no Anthropic equivalent
    assert out["system"].startswith("You are a coding agent running in the Codex CLI")
    assert [m["role"] for m in out["messages"]] == ["user"]
    assert out["messages"][0]["content"][-1] == {"type": "text", "text": "say hi"}
    assert out["stream"] is True and out["max_tokens"] == 8192


def test_codex_request_to_chat() -> None:
    body = json.loads(CODEX.read_text(encoding="utf-8"))
    out = responses_to_openai_request(body)
    assert out["messages"][0]["role"] == "system"
    assert out["messages"][-1] == {
        "role": "user",
        "content": [
            {"type": "text", "text": out["messages"][-1]["content"][0]["text"]},
            {"type": "text", "text": "say hi"},
        ],
    }
    assert out["stream_options"] == {"include_usage": True}
    assert "max_completion_tokens" not in out  # Codex sets no limit; none is invented
    tools = [t["function"]["name"] for t in out["tools"]]
    assert tools == [t["name"] for t in responses_to_anthropic_request(body)["tools"]]
