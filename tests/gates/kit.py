"""A capturing upstream (and a capturing "attacker"), profiles reading ``env:`` secrets, and
shims in a thread or as `llmgw shim start` processes, for the gate tests (issue 13).

    with capturing() as up:             # up.url, up.seen (every request), up.mode (behaviour)
        write_profile(home, "gw", up.url)
        with shim_in_thread(["gw"], plugins) as shim: ...

The upstream answers Anthropic Messages and OpenAI Chat with fixed usage (12 in, 1,000 out),
gzip-compressed when the request accepts gzip (as a real gateway does), streamed when asked;
``mode["echo_auth"]`` makes it answer 401 echoing the credential it got, in a header and in
the body (split across chunks when ``mode["split"]``).
"""

from __future__ import annotations

import asyncio
import gzip
import json
import os
import signal
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from aiohttp import web

from llmgw_cli.shim import config as shim_config
from llmgw_cli.shim.serve.server import Config, RunningShim, run_in_thread
from tests.helpers.appserver import serve_app
from tests.helpers.cli import LLMGW

KEY_A = "sk-gates-member-a-0123456789abcdef"
KEY_B = "sk-gates-member-b-fedcba9876543210"
VAR_A, VAR_B = "GATES_KEY_A", "GATES_KEY_B"
IN_TOKENS, OUT_TOKENS = 12, 1000
OFF: dict[str, Any] = {"enabled": False}


@dataclass
class Upstream:
    url: str
    seen: list[dict[str, Any]] = field(default_factory=list)
    mode: dict[str, Any] = field(default_factory=dict)


def _anthropic(stream: bool) -> list[bytes] | dict[str, Any]:
    usage = {"input_tokens": IN_TOKENS, "output_tokens": OUT_TOKENS}
    message = {
        "id": "msg_1",
        "type": "message",
        "role": "assistant",
        "model": "claude-sonnet-4-5",
        "content": [{"type": "text", "text": "hi"}],
        "stop_reason": "end_turn",
        "stop_sequence": None,
        "usage": usage,
    }
    if not stream:
        return message
    start = {**message, "content": [], "usage": {"input_tokens": IN_TOKENS, "output_tokens": 1}}
    events: list[tuple[str, dict[str, Any]]] = [
        ("message_start", {"type": "message_start", "message": start}),
        (
            "content_block_start",
            {
                "type": "content_block_start",
                "index": 0,
                "content_block": {"type": "text", "text": ""},
            },
        ),
        (
            "content_block_delta",
            {
                "type": "content_block_delta",
                "index": 0,
                "delta": {"type": "text_delta", "text": "hi"},
            },
        ),
        ("content_block_stop", {"type": "content_block_stop", "index": 0}),
        (
            "message_delta",
            {
                "type": "message_delta",
                "delta": {"stop_reason": "end_turn", "stop_sequence": None},
                "usage": {"output_tokens": OUT_TOKENS},
            },
        ),
        ("message_stop", {"type": "message_stop"}),
    ]
    return [f"event: {n}\ndata: {json.dumps(d)}\n\n".encode() for n, d in events]


def _openai() -> dict[str, Any]:
    return {
        "id": "chatcmpl-1",
        "object": "chat.completion",
        "created": 1,
        "model": "gpt-4o-mini",
        "choices": [
            {"index": 0, "message": {"role": "assistant", "content": "hi"}, "finish_reason": "stop"}
        ],
        "usage": {
            "prompt_tokens": IN_TOKENS,
            "completion_tokens": OUT_TOKENS,
            "total_tokens": IN_TOKENS + OUT_TOKENS,
        },
    }


def _json(request: web.Request, data: dict[str, Any], status: int = 200) -> web.Response:
    body = json.dumps(data).encode()
    headers = {"Content-Type": "application/json"}
    if "gzip" in request.headers.get("Accept-Encoding", ""):
        body = gzip.compress(body)
        headers["Content-Encoding"] = "gzip"
    return web.Response(status=status, body=body, headers=headers)


def make_app(up: Upstream) -> web.Application:
    async def handle(request: web.Request) -> web.StreamResponse:
        body = await request.read()
        up.seen.append(
            {
                "method": request.method,
                "target": request.raw_path,
                "path": request.path,
                "headers": dict(request.headers),
                "body": body,
            }
        )
        if up.mode.get("echo_auth"):
            return await _echo(request, up)
        payload = json.loads(body) if body else {}
        if request.path.endswith("/chat/completions"):
            return _json(request, _openai())
        if request.path.endswith("/v1/messages"):
            answer = _anthropic(bool(payload.get("stream")))
            if isinstance(answer, dict):
                return _json(request, answer)
            out = web.StreamResponse(headers={"Content-Type": "text/event-stream"})
            await out.prepare(request)
            for chunk in answer:
                await out.write(chunk)
                await asyncio.sleep(float(up.mode.get("event_gap_s", 0)))
            await out.write_eof()
            return out
        return _json(request, {"ok": True, "path": request.path})

    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", handle)
    return app


async def _echo(request: web.Request, up: Upstream) -> web.StreamResponse:
    """A careless gateway: the credential back in a header and in the body."""
    cred = request.headers.get("Authorization") or request.headers.get("x-api-key") or ""
    text = json.dumps(
        {
            "type": "error",
            "error": {"type": "authentication_error", "message": f"invalid key: {cred}"},
        }
    ).encode()
    ctype = "text/event-stream" if up.mode.get("sse") else "application/json"
    if up.mode.get("sse"):
        text = b"event: error\ndata: " + text + b"\n\n"
    out = web.StreamResponse(
        status=401, headers={"Content-Type": ctype, "WWW-Authenticate": f"x {cred}"}
    )
    await out.prepare(request)
    if up.mode.get("split"):  # the secret cut in two across writes (chunks)
        cut = text.index(b"sk-") + 9
        await out.write(text[:cut])
        await asyncio.sleep(0.05)
        await out.write(text[cut:])
    else:
        await out.write(text)
    await out.write_eof()
    return out


@contextmanager
def capturing() -> Iterator[Upstream]:
    up = Upstream(url="")
    with serve_app(make_app(up)) as port:
        up.url = f"http://127.0.0.1:{port}"
        yield up


def profile_yaml(name: str, url: str, var: str = VAR_A, auth: str = "bearer") -> str:
    return (
        f"version: 1\nname: {name}\nendpoint: {url}\nformats: [anthropic, openai]\n"
        f"auth: {{type: {auth}, secret: 'env:{var}'}}\n"
    )


def write_profile(home: Path, name: str, url: str, var: str = VAR_A, auth: str = "bearer") -> None:
    folder = home / "config" / "profiles"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{name}.yaml").write_text(profile_yaml(name, url, var, auth))


def secrets_env() -> dict[str, str]:
    return {VAR_A: KEY_A, VAR_B: KEY_B}


@contextmanager
def shim_in_thread(
    chain: list[str], plugins: dict[str, Any] | None = None
) -> Iterator[RunningShim]:
    """A real shim in this process (this LLMGW_HOME), the members' keys from the env."""
    os.environ.update(secrets_env())
    cfg = shim_config.for_chain(chain, host="127.0.0.1", port=0)
    cfg.plugins = plugins if plugins is not None else {"audit": OFF, "metrics": OFF}
    cfg.shutdown_grace_s = 5.0
    with run_in_thread(Config(shim=cfg, public=False)) as shim:
        yield shim


def auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}", "anthropic-version": "2023-06-01"}


def message(text: str = "hi", stream: bool = False) -> dict[str, Any]:
    return {
        "model": "claude-sonnet-4-5",
        "max_tokens": 16,
        "stream": stream,
        "messages": [{"role": "user", "content": text}],
    }


@dataclass
class ShimProc:
    url: str
    token: str
    proc: subprocess.Popen[bytes]
    log: Path


@contextmanager
def shim_process(
    home: Path, args: list[str], env: dict[str, str] | None = None
) -> Iterator[ShimProc]:
    """`llmgw shim start ARGS --port 0` in the foreground, LLMGW_HOME=home; stopped after."""
    state = home / "run" / "shim.json"
    state.unlink(missing_ok=True)
    log = home / "shim.log"
    with open(log, "ab") as out:
        proc = subprocess.Popen(
            [LLMGW, "shim", "start", *args, "--port", "0"],
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
            env={**os.environ, "LLMGW_HOME": str(home), **secrets_env(), **(env or {})},
        )
    try:
        deadline = time.monotonic() + 60
        while True:
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"shim did not start: {log.read_text()}")
            try:
                data = json.loads(state.read_text())
                if httpx.get(data["url"] + "/health", timeout=5).status_code == 200:
                    break
            except (OSError, ValueError, KeyError, httpx.HTTPError):
                pass
            time.sleep(0.05)
        yield ShimProc(data["url"], data["token"], proc, log)
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
