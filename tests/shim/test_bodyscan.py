"""The body checks measured piece by piece (and resumed from a previous turn) answer exactly
as the whole-body checks do."""

from __future__ import annotations

import asyncio
import itertools
import json
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from llmgw_cli import bounded
from llmgw_cli.shim.forward import bodyscan
from llmgw_cli.shim.forward.bodyscan import CHUNK, BodyScans
from llmgw_cli.shim.translate import bridges

# The bytes the depth measure looks at, and a filler; escapes and quotes in every order.
TEXT = st.text(alphabet='"\\[]{}a :', max_size=300).map(str.encode)


def _pieces(data: bytes, cuts: list[int]) -> list[bytes]:
    at = sorted({c % (len(data) + 1) for c in cuts} | {0, len(data)})
    return [data[a:b] for a, b in itertools.pairwise(at)]


@settings(max_examples=400, deadline=None)
@given(TEXT, st.lists(st.integers(min_value=0, max_value=400), max_size=8))
def test_depth_step_matches_whole_measure(data: bytes, cuts: list[int]) -> None:
    state = bounded.Depth()
    for piece in _pieces(data, cuts):
        state = bounded.json_depth_step(piece, state)
    for limit in (0, 1, 2, 3, 5, 8):
        assert (state.deepest > limit) == bounded.json_too_deep(data, limit), (data, limit)


def _conversation(turns: int, tail: str = "") -> bytes:
    messages: list[dict[str, Any]] = []
    for n in range(turns):
        messages.append({"role": "user", "content": f'turn {n} "quoted" \\ path {{[x]}} ' * 40})
        messages.append({"role": "assistant", "content": [{"type": "text", "text": "ok " * 50}]})
    messages.append({"role": "user", "content": tail or "next"})
    return json.dumps({"model": "claude-x", "messages": messages}).encode()


def test_a_next_turn_resumes_from_the_previous_one() -> None:
    scans = BodyScans()
    first = _conversation(300)
    assert len(first) > 6 * CHUNK
    base, shared = scans.base(first)
    assert base is None and shared == 0
    scans.keep(scans.measure(first, base, shared))
    # The next turn: the same conversation with one more round trip at the end.
    turn = json.loads(first)
    turn["messages"] += [
        {"role": "assistant", "content": [{"type": "text", "text": "more"}]},
        {"role": "user", "content": [[[["deeper"]]]]},
    ]
    second = json.dumps(turn).encode()
    base, shared = scans.base(second)
    assert base is not None and base.body is first
    assert shared >= len(first) // CHUNK - 1
    resumed = scans.measure(second, base, shared)
    whole = BodyScans().measure(second, None, 0)
    assert resumed.states == whole.states
    for limit in (3, 4, 5, 6):
        assert (resumed.deepest > limit) == bounded.json_too_deep(second, limit)


def test_unsigned_thinking_found_across_the_shared_prefix() -> None:
    scans = BodyScans()
    first = _conversation(300)
    scans.keep(scans.measure(first, None, 0))
    thinking = {"type": "thinking", "thinking": "hmm", "signature": ""}
    turn = json.loads(first)
    turn["messages"].append({"role": "assistant", "content": [thinking]})
    second = json.dumps(turn).encode()
    base, shared = scans.base(second)
    assert shared > 0
    scan = scans.measure(second, base, shared)
    assert scan.unsigned_at == bridges.first_unsigned(second) >= 0
    # and a third turn that keeps the unsigned block in its shared prefix
    turn["messages"].append({"role": "user", "content": "x" * (3 * CHUNK)})
    third = json.dumps(turn).encode()
    scans.keep(scan)
    base, shared = scans.base(third)
    assert base is not None and base.body is second
    assert scans.measure(third, base, shared).unsigned_at == bridges.first_unsigned(third)


def test_too_deep_and_may_hold_unsigned_on_real_bodies() -> None:
    body = _conversation(200)
    assert asyncio.run(bodyscan.too_deep(body, 3)) is bounded.json_too_deep(body, 3)
    assert asyncio.run(bodyscan.too_deep(body, 2)) is bounded.json_too_deep(body, 2)
    assert bodyscan.may_hold_unsigned(body) is False  # scanned on reading, none there
    assert bodyscan.may_hold_unsigned(bytes(bytearray(body))) is True  # not this object
    deep = body[:-2] + b',"x":' + b"[" * 600 + b"]" * 600 + b"}"
    assert asyncio.run(bodyscan.too_deep(deep, 512)) is True


def test_kept_bodies_are_bounded_in_bytes() -> None:
    scans = BodyScans(max_bytes=3 * KB64, max_bodies=10)
    bodies = [bytes([65 + i]) * KB64 for i in range(5)]
    for b in bodies:
        scans.keep(scans.measure(b, None, 0))
    assert [scans.kept(b) is not None for b in bodies] == [False, False, True, True, True]


KB64 = CHUNK
