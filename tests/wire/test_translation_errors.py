"""Bodies that cannot be translated raise TranslationError (the shim answers 400 with it)."""

from __future__ import annotations

from typing import Any

import pytest

from llmgw_cli.wire.anthropic_to_openai import (
    anthropic_to_openai_request,
    openai_to_anthropic_response,
)
from llmgw_cli.wire.common import TranslationError, parse_arguments
from llmgw_cli.wire.openai_to_anthropic import (
    anthropic_to_openai_response,
    openai_to_anthropic_request,
)


@pytest.mark.parametrize(
    ("fn", "body", "words"),
    [
        (anthropic_to_openai_request, [], "messages"),
        (anthropic_to_openai_request, {"model": "m"}, "messages"),
        (anthropic_to_openai_request, {"messages": ["hi"]}, "object"),
        (anthropic_to_openai_request, {"messages": [{"role": "user", "content": 5}]}, "content"),
        (openai_to_anthropic_request, {"messages": "hi"}, "messages"),
        (openai_to_anthropic_request, {"messages": [1]}, "object"),
        (openai_to_anthropic_request, {"n": 3, "messages": []}, "n=1"),
        (openai_to_anthropic_response, "x", "JSON object"),
        (anthropic_to_openai_response, None, "JSON object"),
    ],
)
def test_untranslatable_bodies_raise(fn: Any, body: Any, words: str) -> None:
    with pytest.raises(TranslationError) as info:
        fn(body)
    assert words in info.value.message


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ('{"a": 1}', {"a": 1}),
        ("", {}),
        ("  ", {}),
        (None, {}),
        ({"already": "object"}, {"already": "object"}),
        ("[1, 2]", {"_raw_arguments": "[1, 2]"}),
        ('{"cut', {"_raw_arguments": '{"cut'}),
    ],
)
def test_parse_arguments(raw: Any, expected: Any) -> None:
    assert parse_arguments(raw) == expected
