"""`llmgw shim start` in the foreground and Ctrl-C: the first SIGINT lets an open stream
finish, a second one exits at once (as uvicorn does)."""

from __future__ import annotations

import signal
import subprocess
import threading
import time

import httpx

from llmgw_cli import shimstate
from tests.helpers.cli import LLMGW, env_with
from tests.helpers.mockserver import mock_thread
from tests.shim.conftest import REAL_KEY, save_profile

BODY = {
    "model": "claude-sonnet-4-5",
    "max_tokens": 400,
    "stream": True,
    "messages": [{"role": "user", "content": "hi"}],
}


def _running(proc: subprocess.Popen[bytes]) -> shimstate.ShimState:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        state = shimstate.read()
        if state is not None and state.pid == proc.pid:
            return state
        assert proc.poll() is None, proc.communicate()[1].decode()
        time.sleep(0.05)
    raise AssertionError("the shim did not start")


def test_first_sigint_waits_for_the_stream_a_second_exits_at_once() -> None:
    # 400 tokens, 25 ms apart: a ten-second stream, longer than the test waits.
    with mock_thread(require_key=REAL_KEY, itl_ms=25, output_tokens=400) as url:
        save_profile("m", url)
        proc = subprocess.Popen(
            [LLMGW, "shim", "start", "--profile", "m", "--port", "0"],
            env=env_with(),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        try:
            state = _running(proc)
            chunks: list[bytes] = []
            first = threading.Event()

            def stream() -> None:
                headers = {"x-api-key": state.token}
                try:
                    with httpx.stream(
                        "POST", state.url + "/v1/messages", json=BODY, headers=headers, timeout=30
                    ) as r:
                        for chunk in r.iter_raw():
                            chunks.append(chunk)
                            first.set()
                except httpx.HTTPError:
                    pass  # cut by the forced exit

            reader = threading.Thread(target=stream)
            reader.start()
            assert first.wait(10)

            proc.send_signal(signal.SIGINT)
            time.sleep(1.0)
            assert proc.poll() is None  # still serving the open stream
            seen = len(chunks)
            time.sleep(0.3)
            assert len(chunks) > seen  # and the stream still flows

            t0 = time.monotonic()
            proc.send_signal(signal.SIGINT)
            proc.wait(5)
            assert time.monotonic() - t0 < 2.0
            assert proc.returncode != 0
            reader.join(10)
            assert b"message_stop" not in b"".join(chunks)  # the stream was cut, not finished
            assert shimstate.read() is None  # a forced exit still removes the state file
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
