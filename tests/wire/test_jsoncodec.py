"""The hot path's JSON codec: orjson's answers, the standard library's where orjson refuses."""

from __future__ import annotations

import json

import pytest

from llmgw_cli.wire import jsoncodec


def test_loads_and_dumps_round_trip_compact_utf8() -> None:
    data = {"model": "claude", "messages": [{"role": "user", "content": "grüß dich ✓"}]}
    raw = jsoncodec.dumps(data)
    assert raw == json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode()
    assert jsoncodec.loads(raw) == data


def test_what_orjson_refuses_the_standard_library_still_reads() -> None:
    # A lone surrogate escape and an integer beyond 64 bits: valid JSON for json, not orjson.
    assert jsoncodec.loads(b'{"t": "\\ud800x", "n": 123456789012345678901234567890}') == {
        "t": "\ud800x",
        "n": 123456789012345678901234567890,
    }
    assert jsoncodec.dumps({1: 2**70}) == b'{"1":1180591620717411303424}'


def test_not_json_is_a_value_error() -> None:
    with pytest.raises(ValueError):
        jsoncodec.loads(b"{not json")
