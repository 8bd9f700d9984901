"""Claude Code's gateway compatibility guide, point by point, against a real shim and a
recording upstream (docs/clients.md): what Claude Code sends arrives unchanged, what the
upstream answers comes back unchanged (but ``retry-after`` in whole seconds), and a silent
stream gets ``ping`` events so Claude Code's idle watchdog never fires."""

from __future__ import annotations

import itertools
import json
import time
from email.utils import formatdate

import httpx
import pytest

from tests.guide.conftest import PLUGINS_OFF, key, shim_yaml
from tests.guide.upstream import (
    Recorder,
    anthropic_events,
    events_of,
    openai_chunks,
    recording,
    sse,
)
from tests.shim.conftest import save_profile

BETAS = (
    "claude-code-20250219,interleaved-thinking-2025-05-14,context-management-2025-06-27,"
    "per-turn-control-2026-07-01,some-beta-from-the-future-2031-01-01"
)
CLAUDE_HEADERS = {
    "anthropic-version": "2023-06-01",
    "anthropic-beta": BETAS,
    "anthropic-dangerous-direct-browser-access": "true",
    "x-claude-code-session-id": "5e55-1",
    "x-claude-code-request-class": "main",
    "x-claude-code-prompt-id": "p-7",
    "x-claude-code-something-new": "v9",
    "x-app": "cli",
}
# As Claude Code writes it: compact, the attribution block as system[0], unknown fields,
# beta fields paired with their header, non-ASCII text.
BODY = (
    '{"model":"claude-sonnet-4-5","max_tokens":64,'
    '"system":[{"type":"text","text":"x-anthropic-billing-header: cc_version=2.1.328.593; '
    'cc_entrypoint=sdk-cli;"},{"type":"text","text":"You are Claude Code \\u2014 caf\u00e9",'
    '"cache_control":{"type":"ephemeral"}},{"type":"text","text":"Second block"}],'
    '"messages":[{"role":"user","content":"hi"}],'
    '"tools":[{"name":"Bash","description":"run","input_schema":{"type":"object"},'
    '"strict":true,"defer_loading":false}],'
    '"context_management":{"edits":[{"type":"clear_tool_uses_20250919"}]},'
    '"output_config":{"effort":"high"},"future_field":{"nested":[1,2,3]},'
    '"thinking":{"type":"adaptive"},"metadata":{"user_id":"u"}}'
).encode()


def one_member(rec: Recorder, extra: str = "") -> str:
    save_profile("up", rec.url, headers={})
    return f"chain: [up]\n{PLUGINS_OFF}{extra}"


def post(shim_url: str, token: dict[str, str], **kw: object) -> httpx.Response:
    headers = {**CLAUDE_HEADERS, **token, "content-type": "application/json"}
    return httpx.post(
        f"{shim_url}/v1/messages?beta=true",
        content=BODY,
        headers=headers,
        timeout=30,
        **kw,  # type: ignore[arg-type]
    )


def test_anthropic_and_claude_code_headers_arrive_unchanged() -> None:
    with recording() as rec, shim_yaml(one_member(rec)) as shim:
        assert post(shim.url, key(shim)).status_code == 200
    seen = rec.posts()[0]
    for name, value in CLAUDE_HEADERS.items():
        assert seen.headers.get(name) == value, name  # an open list: nothing allowlisted
    assert seen.headers["x-api-key"] != shim.token  # the local token never travels


def test_body_and_system_arrive_byte_for_byte_with_the_query() -> None:
    with recording() as rec, shim_yaml(one_member(rec)) as shim:
        assert post(shim.url, key(shim)).status_code == 200
    seen = rec.posts()[0]
    assert seen.path == "/v1/messages" and seen.query == {"beta": "true"}
    assert seen.body == BODY  # unknown fields, paired beta fields, system: all as sent
    system = json.loads(seen.body)["system"]
    assert system[0]["text"].startswith("x-anthropic-billing-header:")  # still system[0]


def test_system_untouched_when_the_shim_maps_the_model() -> None:
    """Rewriting the model re-encodes the body: system stays a list, in order, same bytes."""
    with recording() as rec:
        save_profile("up", rec.url, headers={})
        save_profile("other", rec.url, headers={})
        text = (
            "chain: [up, other]\n"
            + PLUGINS_OFF
            + "models: {claude-sonnet-4-5: {up: claude-sonnet-4-5-20250929}}\n"
        )
        with shim_yaml(text) as shim:
            assert post(shim.url, key(shim)).status_code == 200
    sent = rec.posts()[0].body
    assert json.loads(sent)["model"] == "claude-sonnet-4-5-20250929"
    start = BODY.index(b'"system":')
    end = BODY.index(b',"messages"')
    assert BODY[start:end] in sent  # the system array's own bytes, unchanged


@pytest.mark.parametrize("status", [400, 413, 429, 500, 529])
def test_error_status_and_body_pass_through_byte_identical(status: int) -> None:
    body = (
        b'{"type":"error","error":{"type":"invalid_request_error",'
        b'"message":"prompt is too long: 210000 tokens > 200000 maximum"},'
        b'"request_id":"req_011"}  \n'
    )
    with recording() as rec, shim_yaml(one_member(rec)) as shim:
        rec.status, rec.body = status, body
        answer = post(shim.url, key(shim))
    assert answer.status_code == status
    assert answer.content == body  # Claude Code matches the wording: never reworded


@pytest.mark.parametrize(
    ("given", "whole"),
    [("2.5", "3"), ("0.1", "1"), ("7", "7"), ("in 30 s, as an HTTP date", None)],
)
def test_retry_after_comes_back_in_whole_seconds(given: str, whole: str | None) -> None:
    with recording() as rec, shim_yaml(one_member(rec)) as shim:
        rec.status = 429
        rec.body = b'{"type":"error","error":{"type":"rate_limit_error","message":"slow"}}'
        if whole is None:  # made now: a date fixed at collection would age with the run
            given = formatdate(time.time() + 30, usegmt=True)
        rec.headers = {"retry-after": given}
        answer = post(shim.url, key(shim))
    value = answer.headers["retry-after"]
    assert value.isdigit()
    if whole is not None:
        assert value == whole
    else:  # an HTTP date: the seconds until it
        assert 25 <= int(value) <= 31


def test_rate_limit_and_retry_headers_come_back() -> None:
    back = {
        "x-should-retry": "false",
        "anthropic-ratelimit-unified-status": "allowed_warning",
        "anthropic-ratelimit-unified-5h-utilization": "0.93",
        "anthropic-ratelimit-unified-reset": "1767225600",
        "request-id": "req_0abc",
    }
    with recording() as rec, shim_yaml(one_member(rec)) as shim:
        rec.headers = back
        answer = post(shim.url, key(shim))
    for name, value in back.items():
        assert answer.headers.get(name) == value, name


def _stream(shim_url: str, token: dict[str, str], body: bytes = BODY) -> list[tuple[float, bytes]]:
    """The client's view: each chunk with its arrival time."""
    payload = json.loads(body)
    payload["stream"] = True
    headers = {**CLAUDE_HEADERS, **token, "content-type": "application/json"}
    chunks: list[tuple[float, bytes]] = []
    with httpx.stream(
        "POST", f"{shim_url}/v1/messages?beta=true", json=payload, headers=headers, timeout=60
    ) as resp:
        assert resp.status_code == 200
        for chunk in resp.iter_raw():
            chunks.append((time.monotonic(), chunk))
    return chunks


def test_upstream_ping_events_are_forwarded_in_order() -> None:
    events = anthropic_events()
    events.insert(1, sse("ping", {"type": "ping"}))
    with recording() as rec, shim_yaml(one_member(rec)) as shim:
        rec.events = events
        raw = b"".join(c for _, c in _stream(shim.url, key(shim)))
    assert events_of(raw) == [
        "message_start", "ping", "content_block_start", "content_block_delta",
        "content_block_stop", "message_delta", "message_stop",
    ]  # fmt: skip
    assert raw == b"".join(events)  # nothing added, dropped, duplicated or reordered


# The guide's point is a 40 s upstream silence against a 15 s ping interval; the test keeps
# the ratio with the interval shortened: 4 s of silence, a ping every 0.4 s.
SILENCE_S, PING_S = 4.0, 0.4


def _check_pinged(chunks: list[tuple[float, bytes]], quiet_after: str) -> None:
    raw = b"".join(c for _, c in chunks)
    names = events_of(raw)
    pings = names.count("ping")
    assert pings >= int(SILENCE_S / PING_S) - 3, names
    # Between two events only: every ping sits after a whole event, never inside one.
    assert names[: names.index("ping")][-1] == quiet_after
    assert names[-2:] == ["message_delta", "message_stop"]
    assert [n for n in names if n != "ping"].count("message_stop") == 1
    ping_times = [t for t, c in chunks if b"event: ping" in c]
    gaps = [b - a for a, b in itertools.pairwise(ping_times)]
    assert gaps and max(gaps) < PING_S * 3  # the silence was filled all along


def test_pings_are_synthesized_while_a_native_stream_is_silent() -> None:
    with recording() as rec, shim_yaml(one_member(rec, f"ping_interval_s: {PING_S}\n")) as shim:
        rec.events, rec.silence_after, rec.silence_s = anthropic_events(), 2, SILENCE_S
        chunks = _stream(shim.url, key(shim))
    _check_pinged(chunks, "content_block_start")


def test_pings_are_synthesized_on_a_translated_stream() -> None:
    with recording() as rec:
        save_profile("oa", rec.url + "/v1", headers={}, formats=["openai"])
        text = f"chain: [oa]\n{PLUGINS_OFF}ping_interval_s: {PING_S}\n"
        with shim_yaml(text) as shim:
            rec.events, rec.silence_after, rec.silence_s = openai_chunks(), 1, SILENCE_S
            chunks = _stream(shim.url, key(shim))
    assert rec.posts()[0].path == "/v1/chat/completions"
    raw = b"".join(c for _, c in chunks)
    assert "ping" in events_of(raw)
    _check_pinged(chunks, events_of(raw)[events_of(raw).index("ping") - 1])


def test_no_pings_when_the_upstream_keeps_talking() -> None:
    with recording() as rec, shim_yaml(one_member(rec, "ping_interval_s: 5\n")) as shim:
        rec.events = anthropic_events()
        raw = b"".join(c for _, c in _stream(shim.url, key(shim)))
    assert "ping" not in events_of(raw)


def test_the_ping_interval_flag_is_validated() -> None:
    from llmgw_cli.errors import UsageError
    from llmgw_cli.shim.config import ShimConfig

    assert ShimConfig().ping_interval_s == 15.0
    with pytest.raises(UsageError, match="--ping-interval"):
        ShimConfig().with_flags(ping_interval=-1)
