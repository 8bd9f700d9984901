"""The format records: how a request path is classified, and what each format's paths are."""

from __future__ import annotations

import pytest

from llmgw_cli.wire.format import ANTHROPIC, FORMATS, OPENAI, RESPONSES, classify


@pytest.mark.parametrize(
    ("path", "fmt", "kind"),
    [
        ("/v1/messages", "anthropic", "messages"),
        ("/v1/messages?beta=true", "anthropic", "messages"),  # as Claude Code sends it
        ("/v1/messages/", "anthropic", "messages"),
        ("/v1/messages/count_tokens?beta=true", "anthropic", "count_tokens"),
        ("/v1/messages/batches", "anthropic", "other"),
        ("/v1/chat/completions", "openai", "chat"),
        ("/v1/completions", "openai", "completions"),
        ("/v1/embeddings", "openai", "embeddings"),
        ("/v1/responses", "responses", "responses"),
        ("/v1/responses/input_tokens", "responses", "count_tokens"),
        ("/v1/responses/compact", "responses", "other"),
        ("/v1/models", "anthropic", "models"),  # both serve it; headers decide
        ("/health", None, "other"),
    ],
)
def test_classify(path: str, fmt: str | None, kind: str) -> None:
    record, got = classify(path)
    assert (record.name if record else None, got) == (fmt, kind)


def test_generation_and_prompt_paths() -> None:
    assert ANTHROPIC.paths(*ANTHROPIC.generation) == ("/v1/messages",)
    assert ANTHROPIC.paths(*ANTHROPIC.prompt) == ("/v1/messages", "/v1/messages/count_tokens")
    assert set(OPENAI.paths(*OPENAI.generation)) == {"/v1/chat/completions", "/v1/completions"}
    assert RESPONSES.paths(*RESPONSES.generation) == ("/v1/responses",)
    assert RESPONSES.paths(*RESPONSES.prompt) == ("/v1/responses", "/v1/responses/input_tokens")
    assert set(FORMATS) == {"anthropic", "openai", "responses"}


def test_stream_error_events_parse_as_the_formats_error() -> None:
    a = ANTHROPIC.stream_error("upstream died")
    assert a.startswith(b"event: error\ndata: ") and b'"api_error"' in a
    o = OPENAI.stream_error("upstream died")
    assert o.startswith(b"data: {") and b'"server_error"' in o
    r = RESPONSES.stream_error("upstream died")
    assert r.startswith(b"event: error\ndata: {") and b'"sequence_number":0' in r.replace(b" ", b"")
    assert RESPONSES.error_body(429, "slow")["error"]["code"] == "rate_limit_exceeded"
