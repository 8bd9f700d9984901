"""Golden cases: each file under golden/ is a list of {name, input, expected[, kwargs, call]}.

The expected outputs were written by hand from the two APIs' documentation; ``"<int>"``
matches any integer (the ``created`` timestamp).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from llmgw_cli.wire import anthropic_to_openai, error_bodies, openai_to_anthropic

GOLDEN = Path(__file__).parent / "golden"

FUNCTIONS: dict[str, Callable[..., Any]] = {
    "anthropic_to_openai_request": anthropic_to_openai.anthropic_to_openai_request,
    "anthropic_to_openai_response": anthropic_to_openai.openai_to_anthropic_response,
    "openai_to_anthropic_request": openai_to_anthropic.openai_to_anthropic_request,
    "openai_to_anthropic_response": openai_to_anthropic.anthropic_to_openai_response,
    "anthropic_error_to_openai": error_bodies.anthropic_error_to_openai,
    "openai_error_to_anthropic": error_bodies.openai_error_to_anthropic,
}


def _cases() -> list[Any]:
    params = []
    for path in sorted(GOLDEN.glob("*.json")):
        for case in json.loads(path.read_text(encoding="utf-8")):
            call = case.get("call", path.stem)
            params.append(pytest.param(call, case, id=f"{path.stem}: {case['name']}"))
    return params


CASES = _cases()


def _match(actual: Any, expected: Any, where: str = "$") -> None:
    if expected == "<int>":
        assert isinstance(actual, int), f"{where}: expected an int, got {actual!r}"
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
    assert len(CASES) >= 30


@pytest.mark.parametrize(("call", "case"), CASES)
def test_golden(call: str, case: dict[str, Any]) -> None:
    fn = FUNCTIONS[call]
    inp = case["input"]
    if call.endswith("_to_openai") or call.endswith("_to_anthropic"):
        actual = fn(inp["status"], inp["body"])
    else:
        actual = fn(inp, **case.get("kwargs", {}))
    _match(actual, case["expected"])


@pytest.mark.parametrize(("call", "case"), CASES)
def test_input_not_mutated(call: str, case: dict[str, Any]) -> None:
    before = json.dumps(case["input"], sort_keys=True)
    fn = FUNCTIONS[call]
    inp = case["input"]
    if "error" in call:
        fn(inp["status"], inp["body"])
    else:
        fn(inp, **case.get("kwargs", {}))
    assert json.dumps(case["input"], sort_keys=True) == before
