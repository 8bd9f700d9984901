"""The shim against hostile members and clients, as a real `llmgw shim start` process:
whole answers capped in bytes (after decompression) on the non-streaming and translating
paths, a stream that drips or never ends cut with an error event naming the limit,
client bodies bounded in bytes (after decompression) and in JSON depth, its door bounded
(header timeout, idle keep-alive, a connection cap, the fd limit raised), routing regexes
under a time limit, and plugins that fail on one request never losing its audit line."""

from __future__ import annotations

import concurrent.futures
import contextlib
import json
import socket
import time
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from llmgw_cli import paths
from llmgw_cli.wire.sse import SSEParser
from tests.helpers import hostile
from tests.helpers.mockserver import mock_thread, requests_seen
from tests.hostile.conftest import RSS_BOUND
from tests.hostile.shimproc import ShimProcess, nofile_of, open_fds, shim_process

MARGIN_S = 1.5
Server = Callable[[], contextlib.AbstractContextManager[hostile.Peer]]
BODY = {
    "model": "claude-sonnet-4-5",
    "max_tokens": 8,
    "messages": [{"role": "user", "content": "hi"}],
}
OPENAI = {"model": "gpt-4o", "max_tokens": 8, "messages": [{"role": "user", "content": "hi"}]}
AUDIT_ON = "plugins: {audit: {enabled: true}, metrics: {enabled: false}}\n"


def _post(
    shim: ShimProcess, fmt: str = "anthropic", timeout: float = 60, **kw: Any
) -> httpx.Response:
    path = "/v1/chat/completions" if fmt == "openai" else "/v1/messages"
    body = OPENAI if fmt == "openai" else BODY
    kw.setdefault("json", body)
    return httpx.post(
        shim.url + path,
        headers={**shim.headers(fmt), **kw.pop("headers", {})},
        timeout=timeout,
        **kw,
    )


def _is_client_error(resp: httpx.Response, fmt: str) -> str:
    """The error message of an error body in the client's API format."""
    data = resp.json()
    if fmt == "openai":
        assert set(data) == {"error"} and isinstance(data["error"]["message"], str), data
        return str(data["error"]["message"])
    assert data["type"] == "error" and isinstance(data["error"]["message"], str), data
    return str(data["error"]["message"])


def _audit() -> list[dict[str, Any]]:
    path = paths.state_dir() / "audit.jsonl"
    return [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []


def _wait(predicate: Callable[[], bool], timeout: float = 10) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


# ---- members answering too much ---------------------------------------------------------

HUGE: dict[str, tuple[Server, str]] = {
    "endless-json": (hostile.endless_json, "anthropic"),
    "gzip-bomb": (hostile.gzip_bomb, "anthropic"),
    "endless-json-translated": (hostile.endless_json, "openai"),
    "gzip-bomb-translated": (hostile.gzip_bomb, "openai"),
}


@pytest.mark.parametrize("kind", sorted(HUGE))
def test_a_huge_whole_answer_is_capped_and_memory_stays_flat(kind: str) -> None:
    server, fmt = HUGE[kind]
    with (
        server() as peer,
        shim_process(
            {"huge": peer.url}, "limits: {max_response_mb: 8}\n", member_formats="anthropic"
        ) as shim,
        hostile.RssWatch(shim.proc.pid) as rss,
    ):
        resp, got, cut = _post_raw(shim, fmt)
        health = httpx.get(shim.url + "/health", timeout=10)
    assert health.status_code == 200
    assert rss.peak - rss.idle < RSS_BOUND, rss.grew_mb
    if kind == "gzip-bomb":  # passed on compressed, as the member sent it: never inflated
        assert resp.status_code == 200 and resp.headers["content-encoding"] == "gzip"
        assert got == len(hostile.gzip_bomb_bytes()) and not cut
    elif kind == "endless-json":  # relayed as it came, then cut: the client sees a broken end
        assert resp.status_code == 200 and cut and got <= 9 * hostile.MIB, (got, cut)
    else:  # a translator needs it whole: refused in the client's format
        assert resp.status_code == 502, got
        message = _is_client_error(resp, fmt)
        assert "limits.max_response_mb (8 MB)" in message, message


def _post_raw(shim: ShimProcess, fmt: str) -> tuple[httpx.Response, int, bool]:
    """POST and read the raw (undecoded) body: (response, bytes received, cut short)."""
    path = "/v1/chat/completions" if fmt == "openai" else "/v1/messages"
    body = OPENAI if fmt == "openai" else BODY
    got, cut = 0, False
    with httpx.stream(
        "POST", shim.url + path, json=body, headers=shim.headers(fmt), timeout=60
    ) as resp:
        data = b""
        try:
            for chunk in resp.iter_raw():
                got += len(chunk)
                if got < 1 << 20:
                    data += chunk
        except httpx.TransportError:
            cut = True
    resp._content = data  # for resp.json() on a small error body
    return resp, got, cut


def _events(resp: httpx.Response) -> list[Any]:
    parser = SSEParser()
    events = []
    for chunk in resp.iter_raw():
        events.extend(parser.feed(chunk))
    return events


STREAMS: dict[str, tuple[Server, str, str]] = {
    "drip": (lambda: hostile.drip(interval_s=0.3, sse=True), "timeouts.idle_s", "idle"),
    "endless": (hostile.endless_sse, "timeouts.total_s", "total"),
    "drip-translated": (
        lambda: hostile.drip(interval_s=0.3, sse=True),
        "timeouts.idle_s",
        "idle-openai",
    ),
}


@pytest.mark.parametrize("kind", sorted(STREAMS))
def test_a_dripping_or_endless_stream_ends_with_an_error_event(kind: str) -> None:
    server, limit_name, mode = STREAMS[kind]
    fmt = "openai" if mode.endswith("openai") else "anthropic"
    limit = 2.0 if limit_name.endswith("idle_s") else 4.0
    tail = "timeouts: {idle_s: 2, total_s: 4}\n" if mode != "total" else "timeouts: {total_s: 4}\n"
    with server() as peer, shim_process({"s": peer.url}, tail, member_formats="anthropic") as shim:
        body = {**(OPENAI if fmt == "openai" else BODY), "stream": True}
        path = "/v1/chat/completions" if fmt == "openai" else "/v1/messages"
        with hostile.RssWatch(shim.proc.pid) as rss:
            start = time.monotonic()
            with httpx.stream(
                "POST", shim.url + path, json=body, headers=shim.headers(fmt), timeout=30
            ) as resp:
                assert resp.status_code == 200
                events = _events(resp)
            took = time.monotonic() - start
    assert rss.peak - rss.idle < RSS_BOUND, rss.grew_mb
    assert took <= limit + MARGIN_S, took
    assert took >= limit - 0.5, took
    last = events[-1].json()
    message = last["error"]["message"]
    assert f"{limit_name} ({limit:g} s)" in message, message
    if fmt == "anthropic":
        assert events[-1].event == "error"


# ---- clients sending too much -----------------------------------------------------------


def test_a_compressed_request_bomb_is_refused_without_inflating_it() -> None:
    bomb = hostile.gzip_bomb_bytes(1 << 30)
    with mock_thread() as url, shim_process({"mock": url}) as shim:
        headers = {**shim.headers(), "content-encoding": "gzip", "content-type": "application/json"}
        with hostile.RssWatch(shim.proc.pid) as rss:
            with concurrent.futures.ThreadPoolExecutor(12) as pool:
                replies = list(
                    pool.map(
                        lambda _: httpx.post(
                            shim.url + "/v1/messages", content=bomb, headers=headers, timeout=60
                        ),
                        range(12),
                    )
                )
            ok = _post(shim)
        seen = requests_seen(url, "/v1/messages")
        assert [r["body"] for r in seen] == [json.loads(ok.request.content)]  # bombs never left
    assert ok.status_code == 200
    assert rss.peak - rss.idle < RSS_BOUND, rss.grew_mb
    for resp in replies:
        assert resp.status_code == 413, resp.text[:200]
        assert "limits.max_request_mb" in _is_client_error(resp, "anthropic")


def test_a_compressed_request_is_decoded_and_relabelled() -> None:
    import gzip

    with mock_thread() as url, shim_process({"mock": url}) as shim:
        headers = {**shim.headers(), "content-encoding": "gzip", "content-type": "application/json"}
        resp = httpx.post(
            shim.url + "/v1/messages",
            content=gzip.compress(json.dumps(BODY).encode()),
            headers=headers,
        )
        assert resp.status_code == 200, resp.text
        forwarded = requests_seen(url, "/v1/messages")[-1]
        assert forwarded["body"]["messages"] == BODY["messages"]  # decoded, and relabelled:
        assert "content-encoding" not in forwarded["headers"]
        refused = httpx.post(
            shim.url + "/v1/messages",
            content=b"\x00" * 10,
            headers={**headers, "content-encoding": "br"},
        )
    assert refused.status_code == 415
    assert "Content-Encoding br" in _is_client_error(refused, "anthropic")


@pytest.mark.parametrize("fmt", ["anthropic", "openai"])
def test_json_nested_too_deep_is_refused_before_forwarding(fmt: str) -> None:
    with (
        mock_thread() as url,
        shim_process({"mock": url}, AUDIT_ON + "limits: {max_json_depth: 512}\n") as shim,
    ):
        path = "/v1/chat/completions" if fmt == "openai" else "/v1/messages"
        body = hostile.deep_json(5000, model="gpt-4o" if fmt == "openai" else "claude-sonnet-4-5")
        resp = httpx.post(
            shim.url + path,
            content=body,
            headers={**shim.headers(fmt), "content-type": "application/json"},
            timeout=30,
        )
        ok = _post(shim, fmt)
        assert ok.status_code == 200
        assert len(requests_seen(url, path)) == 1  # only the normal one reached the member
        _wait(lambda: len(_audit()) == 2)
    assert resp.status_code == 400
    assert "nested more than 512 deep" in _is_client_error(resp, fmt)
    refused, served = _audit()
    assert refused["status"] == 400 and served["status"] == 200


def test_plugins_failing_on_deep_json_never_lose_the_audit_line() -> None:
    # The depth limit raised far past Python's recursion limit: the plugins see the body.
    tail = (
        "plugins: {audit: {enabled: true, include_prompts: true}, metrics: {enabled: true},"
        " budget: {enabled: true, daily_tokens: 1000000}}\nlimits: {max_json_depth: 100000}\n"
    )
    with mock_thread() as url, shim_process({"mock": url}, tail) as shim:
        resp = httpx.post(
            shim.url + "/v1/messages",
            content=hostile.deep_json(50_000),
            headers={**shim.headers(), "content-type": "application/json", "x-user-id": "deep"},
            timeout=30,
        )
        ok = _post(shim, headers={"x-user-id": "calm"})
        _wait(lambda: len(_audit()) == 2)
    assert resp.status_code != 500, resp.text[:300]
    assert ok.status_code == 200
    deep, calm = _audit()
    assert deep["user"] == "deep" and calm["user"] == "calm"
    assert deep.get("plugin_errors") or deep["status"] in (400, 413), deep


# ---- the shim's own door ----------------------------------------------------------------


def test_300_idle_connections_with_256_fds_do_not_lock_anyone_out() -> None:
    with mock_thread() as url, shim_process({"mock": url}, nofile=(256, 256)) as shim:
        with hostile.idle_sockets(shim.host, shim.port, 300) as idle:
            time.sleep(0.5)
            start = time.monotonic()
            health = httpx.get(shim.url + "/health", timeout=10)
            ok = _post(shim, timeout=10)
            took = time.monotonic() - start
            # Idle connections make room for newcomers, or the header timeout (10 s by
            # default) closes them: none outlives it.
            time.sleep(10 + MARGIN_S)
            still_open = [i for i, sock in enumerate(idle) if hostile.closed_after(sock, 0) is None]
        assert health.status_code == 200 and ok.status_code == 200, (health.text, ok.text)
        assert took < 5
        assert still_open == [], (len(still_open), open_fds(shim.proc.pid))
        assert "Too many open files" not in shim.log.read_text()


def test_the_door_closes_idle_and_half_sent_connections() -> None:
    tail = "limits: {header_timeout_s: 1, keepalive_timeout_s: 2}\n"
    with mock_thread() as url, shim_process({"mock": url}, tail, nofile=(256, 1024)) as shim:
        with (
            hostile.idle_sockets(shim.host, shim.port, 1) as (idle,),
            hostile.slow_headers(shim.host, shim.port, interval_s=0.2) as slow,
        ):
            assert (hostile.closed_after(idle, 5) or 99) <= 1 + MARGIN_S
            assert (hostile.closed_after(slow, 5) or 99) <= 1 + MARGIN_S
        with socket.create_connection((shim.host, shim.port)) as kept:  # keep-alive, then idle
            kept.sendall(b"GET /health HTTP/1.1\r\nHost: x\r\n\r\n")
            assert kept.recv(65536).startswith(b"HTTP/1.1 200")
            closed = hostile.closed_after(kept, 5)
        assert closed is not None and 2 - 0.5 <= closed <= 2 + MARGIN_S, closed
        assert nofile_of(shim.proc.pid) == (1024, 1024)  # raised to the hard limit at start


def test_past_the_connection_cap_a_clear_503() -> None:
    tail = "limits: {max_connections: 20}\n"
    # Streams of 100 tokens 200 ms apart: each connection stays busy for 20 s.
    with (
        mock_thread(itl_ms=200, output_tokens=100) as url,
        shim_process({"mock": url}, tail) as shim,
    ):
        with (
            httpx.Client(limits=httpx.Limits(max_connections=40)) as client,
            ExitStackStreams(client, shim, 20),  # 20 connections busy with a request
        ):
            resp = client.get(shim.url + "/health", timeout=10)
        assert resp.status_code == 503
        assert "limits.max_connections (20)" in resp.text


class ExitStackStreams:
    """``n`` streamed requests held open (each on its own connection)."""

    def __init__(self, client: httpx.Client, shim: ShimProcess, n: int) -> None:
        self.stack = contextlib.ExitStack()
        self.client, self.shim, self.n = client, shim, n

    def __enter__(self) -> ExitStackStreams:
        body = {**BODY, "stream": True, "max_tokens": 2000}
        for _ in range(self.n):
            self.stack.enter_context(
                self.client.stream(
                    "POST", self.shim.url + "/v1/messages", json=body, headers=self.shim.headers()
                )
            )
        return self

    def __exit__(self, *exc: Any) -> None:
        self.stack.close()


# ---- routing regexes --------------------------------------------------------------------


def test_a_redos_rule_counts_as_no_match_and_the_shim_keeps_answering() -> None:
    with mock_thread() as url, mock_thread() as other:
        # The rule (the regex package answers it at once), then one it cannot.
        tail = (
            "routing_rules:\n"
            '  - {match: {prompt: "(a+)+$"}, route: other}\n'
            '  - {match: {prompt: "(a|aa)+$"}, route: other}\n'
        )
        with shim_process({"mock": url, "other": other}, tail) as shim:
            evil = {**BODY, "messages": [{"role": "user", "content": "a" * 40 + "!"}]}
            with concurrent.futures.ThreadPoolExecutor(1) as pool:
                future = pool.submit(_post, shim, json=evil)
                time.sleep(0.02)
                start = time.monotonic()
                health = httpx.get(shim.url + "/health", timeout=10)
                health_s = time.monotonic() - start
                resp = future.result()
            again = _post(shim, json=evil)
            log = shim.log.read_text()
    assert resp.status_code == 200 and again.status_code == 200
    assert resp.headers["x-llmgw-upstream"] == "mock"  # the rule did not match
    assert health.status_code == 200 and health_s < 1.0, health_s
    assert log.count("timed out") == 1, log  # logged once, not per request


# ---- text from clients ------------------------------------------------------------------


def test_usage_renders_rich_markup_from_a_client_header_as_text() -> None:
    from tests.helpers.cli import run

    with mock_thread() as url, shim_process({"mock": url}, AUDIT_ON) as shim:
        assert _post(shim, headers={"x-user-id": "[/bold]x[red]"}).status_code == 200
        _wait(lambda: len(_audit()) == 1)
    done = run("usage", "--by", "user")
    assert done.returncode == 0, done.stderr
    assert "[/bold]x[red]" in done.stdout
