"""OpenAI streams: the shim asks the upstream for usage and hands the client back its own stream.

The filter is checked byte for byte against what the mock sends when usage is NOT asked
for, at every chunking; the whole path with the real openai SDK through the real shim.
"""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, ClassVar

import httpx
import openai
import pytest

from llmgw_cli.mock.openai import events
from llmgw_cli.mock.replies import unscripted
from llmgw_cli.shim.forward.openai_usage import StripUsage, with_usage
from tests.governance.conftest import make_exchange
from tests.governance.shimkit import OFF, read_lines, shim_thread
from tests.helpers.mockserver import mock_thread, requests_seen


def stream_bytes(include_usage: bool, pieces: int = 5) -> bytes:
    reply = unscripted(pieces, None, 123)
    return b"".join(e for _, e in events(reply, "chatcmpl-x", "gpt-4o", 1700000000, include_usage))


def run_filter(data: bytes, cuts: list[int]) -> bytes:
    f = StripUsage()
    out = []
    last = 0
    for cut in [*cuts, len(data)]:
        out.append(f.feed(data[last:cut]))
        last = cut
    out.append(f.close())
    return b"".join(out)


def test_the_filter_gives_back_exactly_the_stream_without_usage() -> None:
    with_usage_stream, without = stream_bytes(True), stream_bytes(False)
    assert b'"usage":{' in with_usage_stream and b'"usage"' not in without
    assert run_filter(with_usage_stream, []) == without


def test_the_filter_is_exact_at_every_split_point() -> None:
    data, want = stream_bytes(True, pieces=2), stream_bytes(False, pieces=2)
    for cut in range(1, len(data)):
        assert run_filter(data, [cut]) == want, cut
    # and byte by byte
    assert run_filter(data, list(range(1, len(data)))) == want


def test_the_filter_holds_back_only_an_unfinished_event() -> None:
    f = StripUsage()
    first = b'data: {"choices":[{"delta":{"content":"a"}}],"usage":null}\n\n'
    assert f.feed(first + b'data: {"choi') == b'data: {"choices":[{"delta":{"content":"a"}}]}\n\n'
    assert f.feed(b'ces":[],"usage":{"prompt_tokens":3}}\n\n') == b""
    assert f.feed(b"data: [DONE]\n\n") == b"data: [DONE]\n\n"


@pytest.mark.parametrize(
    "event",
    [
        # Model output that talks about usage is text: its quotes are escaped.
        b'data: {"choices":[{"delta":{"content":"\\"usage\\":null, \\"choices\\":[]"}}]}\n\n',
        # Azure's prompt-filter chunk has no choices and no usage: not ours to drop.
        b'data: {"choices":[],"prompt_filter_results":[{"prompt_index":0}]}\n\n',
        b"event: ping\r\ndata: {}\r\n\r\n",
        b": keep-alive comment\n\n",
    ],
)
def test_the_filter_leaves_everything_else_alone(event: bytes) -> None:
    assert run_filter(event, []) == event
    assert run_filter(event, [len(event) // 2]) == event


def test_request_options_are_merged_not_replaced() -> None:
    body: dict[str, Any] = {
        "model": "m",
        "stream": True,
        "stream_options": {"include_obfuscation": False},
    }
    assert with_usage(body)["stream_options"] == {
        "include_obfuscation": False,
        "include_usage": True,
    }
    assert "include_usage" not in body["stream_options"]  # the caller's dict is untouched


def test_only_openai_streams_without_usage_qualify() -> None:
    from llmgw_cli.shim.forward.openai_usage import wants_injection

    chat = "/v1/chat/completions"
    assert wants_injection(make_exchange({"stream": True}, path=chat, fmt="openai"))
    assert not wants_injection(make_exchange({"stream": False}, path=chat, fmt="openai"))
    asked = {"stream": True, "stream_options": {"include_usage": True}}
    assert not wants_injection(make_exchange(asked, path=chat, fmt="openai"))
    assert not wants_injection(make_exchange({"stream": True}, path="/v1/embeddings"))
    assert not wants_injection(make_exchange(raw=b'{"stream": tru', path=chat, fmt="openai"))


def sdk(url: str, token: str) -> openai.OpenAI:
    return openai.OpenAI(base_url=url + "/v1", api_key=token, max_retries=0)


def chat_stream(client: openai.OpenAI, **extra: Any) -> list[Any]:
    stream = client.chat.completions.create(
        model="gpt-4o",
        messages=[{"role": "user", "content": "hello there"}],
        stream=True,
        **extra,
    )
    return list(stream)


def test_sdk_stream_through_the_shim_audits_exact_usage_and_sees_no_usage_chunk() -> None:
    with mock_thread(output_tokens=7) as url:
        with shim_thread(url, {"audit": {}, "metrics": OFF}) as shim:
            chunks = chat_stream(sdk(shim.url, shim.token))
            seen = requests_seen(url, "/v1/chat/completions")
        lines = read_lines(shim_audit_path())
    assert len(seen) == 1
    assert seen[0]["body"]["stream_options"] == {"include_usage": True}  # asked upstream
    # The client gets the stream it asked for: no usage chunk, no usage member.
    assert all(c.usage is None for c in chunks)
    assert all(c.choices for c in chunks)
    text = "".join(c.choices[0].delta.content or "" for c in chunks)
    assert text and chunks[-1].choices[0].finish_reason == "stop"
    (line,) = lines
    assert line["tokens_exact"] is True
    assert line["response_tokens"] == 7
    assert line["prompt_tokens"] == seen[0]["body_size"] // 4  # the mock's count, exactly


def test_usage_is_read_from_the_members_own_stream_when_translated() -> None:
    # An OpenAI client on an Anthropic-only member, usage not asked for: the client's
    # (translated) stream carries none, the member's Anthropic stream does.
    with mock_thread(output_tokens=5) as url:
        with shim_thread(url, {"audit": {}, "metrics": OFF}, formats="anthropic") as shim:
            chunks = chat_stream(sdk(shim.url, shim.token))
            seen = requests_seen(url, "/v1/messages")
        (line,) = read_lines(shim_audit_path())
    assert len(seen) == 1 and all(c.usage is None for c in chunks)
    assert line["tokens_exact"] is True and line["response_tokens"] == 5
    assert line["prompt_tokens"] == seen[0]["body_size"] // 4


def test_a_client_that_asks_for_usage_gets_it_and_its_body_untouched() -> None:
    body = {
        "model": "gpt-4o",
        "messages": [{"role": "user", "content": "hi"}],
        "stream": True,
        "stream_options": {"include_usage": True},
    }
    raw = json.dumps(body, indent=1).encode()  # not the shim's own serialisation
    with mock_thread(output_tokens=3) as url:
        with shim_thread(url, {"audit": {}, "metrics": OFF}) as shim:
            r = httpx.post(
                shim.url + "/v1/chat/completions",
                content=raw,
                headers={"Authorization": f"Bearer {shim.token}"},
            )
            streamed = r.content
            seen = requests_seen(url, "/v1/chat/completions")
        (line,) = read_lines(shim_audit_path())
    assert seen[0]["body_size"] == len(raw)  # forwarded as sent, not re-serialised
    assert b'"choices":[],"usage":{' in streamed
    assert line["tokens_exact"] and line["response_tokens"] == 3


def test_without_usage_plugins_the_request_goes_through_untouched() -> None:
    raw = json.dumps(
        {"model": "gpt-4o", "messages": [{"role": "user", "content": "x"}], "stream": True}
    ).encode()
    with mock_thread() as url, shim_thread(url, {"audit": OFF, "metrics": OFF}) as shim:
        r = httpx.post(
            shim.url + "/v1/chat/completions",
            content=raw,
            headers={"Authorization": f"Bearer {shim.token}"},
        )
        seen = requests_seen(url, "/v1/chat/completions")
    assert r.status_code == 200 and b'"usage"' not in r.content
    assert "stream_options" not in seen[0]["body"] and seen[0]["body_size"] == len(raw)


def shim_audit_path() -> Any:
    from llmgw_cli import paths

    return paths.state_dir() / "audit.jsonl"


class _Picky(BaseHTTPRequestHandler):
    """An OpenAI-compatible server that rejects stream_options, as older Azure API versions do."""

    seen: ClassVar[list[bytes]] = []

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        type(self).seen.append(body)
        if b"stream_options" in body:
            reply = json.dumps(
                {
                    "error": {
                        "message": "Unrecognized request argument supplied: stream_options",
                        "type": "invalid_request_error",
                        "param": None,
                        "code": None,
                    }
                }
            ).encode()
            self.send_response(400)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(reply)))
            self.end_headers()
            self.wfile.write(reply)
            return
        chunk = {"id": "c1", "object": "chat.completion.chunk", "created": 1, "model": "gpt-4o"}
        events = [
            {**chunk, "choices": [{"index": 0, "delta": {"content": "hi"}, "finish_reason": None}]},
            {**chunk, "choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]},
        ]
        data = b"".join(b"data: " + json.dumps(e).encode() + b"\n\n" for e in events)
        data += b"data: [DONE]\n\n"
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args: Any) -> None:
        return None


def test_a_member_that_refuses_stream_options_is_asked_again_without_them() -> None:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Picky)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}"
    _Picky.seen = []
    try:
        with shim_thread(url, {"audit": {}, "metrics": OFF}, formats="openai") as shim:
            client = sdk(shim.url, shim.token)
            first = chat_stream(client)
            second = chat_stream(client)
    finally:
        server.shutdown()
        server.server_close()
    assert first[0].choices[0].delta.content == "hi" and second[0].choices[0].delta.content == "hi"
    asked = [b"stream_options" in body for body in _Picky.seen]
    assert asked == [True, False, False]  # refused once, then never asked again
