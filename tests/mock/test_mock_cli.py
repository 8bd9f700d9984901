"""`llmgw mock` as a real subprocess: URL on stdout, clean exit on signals, exit 2 on bad input."""

from __future__ import annotations

import json
import signal
import subprocess
import time
from pathlib import Path

import httpx
import pytest

from tests.helpers.mockserver import llmgw_command, mock_process, requests_seen, stop_process

HI = [{"role": "user", "content": "hi"}]


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_port_0_prints_the_url_and_exits_cleanly_on_signal(sig: signal.Signals) -> None:
    proc = subprocess.Popen(
        [*llmgw_command(), "mock", "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None and proc.stderr is not None
        url = proc.stdout.readline().strip()
        assert url.startswith("http://127.0.0.1:") and not url.endswith(":0")
        assert httpx.get(f"{url}/health", timeout=10).json() == {"status": "ok"}
        proc.send_signal(sig)
        assert proc.wait(timeout=20) == 0
        err = proc.stderr.read()
        assert f"llmgw mock listening on {url}" in err
        assert "Traceback" not in err
        assert proc.stdout.read() == ""  # only the URL line on stdout
    finally:
        stop_process(proc)


def test_sigterm_during_a_stream_stops_within_the_grace_period() -> None:
    with mock_process("--itl-ms", "100", "--output-tokens", "100") as mock:
        body = {"model": "m", "max_tokens": 200, "messages": HI, "stream": True}
        with httpx.stream("POST", f"{mock.url}/v1/messages", json=body, timeout=30) as reply:
            chunks = reply.iter_raw()
            assert b"message_start" in next(chunks)
            start = time.monotonic()
            mock.proc.send_signal(signal.SIGTERM)
            with pytest.raises(httpx.HTTPError):  # the stream is cut, not finished
                for _ in chunks:
                    pass
        assert mock.proc.wait(timeout=30) == 0
        assert time.monotonic() - start < 10  # 10 s of tokens left; the grace is 2 s


def test_script_file_yaml_openai_format_and_flags(tmp_path: Path) -> None:
    script = tmp_path / "turns.yaml"
    script.write_text(
        "turns:\n"
        "  - tool_call: {name: Bash, input: {command: echo hi}, id: call_1}\n"
        "  - text: finished\n",
        encoding="utf-8",
    )
    args = ("--format", "openai", "--script", str(script), "--require-key", "k", "--models", "a,b")
    with mock_process(*args) as mock:
        headers = {"authorization": "Bearer k"}
        chat = f"{mock.url}/v1/chat/completions"
        first = httpx.post(chat, json={"model": "a", "messages": HI}, headers=headers).json()
        call = first["choices"][0]["message"]["tool_calls"][0]
        assert call["id"] == "call_1" and json.loads(call["function"]["arguments"]) == {
            "command": "echo hi"
        }
        tool_reply = [
            *HI,
            first["choices"][0]["message"],
            {"role": "tool", "tool_call_id": "call_1", "content": "hi"},
        ]
        second = httpx.post(chat, json={"model": "a", "messages": tool_reply}, headers=headers)
        assert second.json()["choices"][0]["message"]["content"] == "finished"
        models = httpx.get(f"{mock.url}/v1/models", headers=headers).json()
        assert [m["id"] for m in models["data"]] == ["a", "b"]
        assert httpx.get(f"{mock.url}/v1/models").status_code == 401
        anth = httpx.post(f"{mock.url}/v1/messages", json={}, headers=headers)
        assert anth.status_code == 404
        assert [e["path"] for e in requests_seen(mock.url)][-1] == "/v1/messages"


def test_require_key_from_the_environment() -> None:
    with mock_process(env={"LLMGW_MOCK_REQUIRE_KEY": "from-env"}) as mock:
        body = {"model": "m", "max_tokens": 5, "messages": HI}
        ok = httpx.post(f"{mock.url}/v1/messages", json=body, headers={"x-api-key": "from-env"})
        assert ok.status_code == 200
        bad = httpx.post(f"{mock.url}/v1/messages", json=body, headers={"x-api-key": "nope"})
        assert bad.status_code == 401


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--fail-rate", "1.5"], "--fail-rate is a fraction"),
        (["--format", "grpc"], "--format must be one of"),
        (["--drop-after", "0"], "--drop-after must be 1 or more"),
        (["--fail-status", "200"], "--fail-status must be an HTTP error status"),
        (["--script", "/nonexistent/turns.json"], "cannot read /nonexistent/turns.json"),
    ],
)
def test_bad_flags_exit_2_with_one_line_and_empty_stdout(args: list[str], message: str) -> None:
    done = subprocess.run(
        [*llmgw_command(), "mock", "--port", "0", *args],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2
    assert done.stdout == ""
    assert message in done.stderr
    assert "Traceback" not in done.stderr


def test_bad_script_content_names_the_problem(tmp_path: Path) -> None:
    script = tmp_path / "bad.json"
    script.write_text('[{"tool_call": {"input": {}}}]', encoding="utf-8")
    done = subprocess.run(
        [*llmgw_command(), "mock", "--port", "0", "--script", str(script)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2
    assert "turns[0].tool_calls[0] needs a `name`" in done.stderr


def test_port_in_use_is_a_usage_error() -> None:
    with mock_process() as mock:
        port = mock.url.rsplit(":", 1)[1]
        done = subprocess.run(
            [*llmgw_command(), "mock", "--port", port],
            capture_output=True,
            text=True,
            timeout=60,
        )
    assert done.returncode == 2
    assert "cannot listen" in done.stderr and "--port 0" in done.stderr
