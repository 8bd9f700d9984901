"""Story g: bench a llama.cpp-style server that closes the connection after every stream.

It announces keep-alive each time, so a pooled connection is dead when it is reused. Each
such request is retried once on a fresh connection: the user sees 0 errors, and every
request counted as a new connection.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.helpers.closing_server import closing_server
from tests.stories.kit import llmgw, user_env

pytestmark = pytest.mark.e2e

N = 40


def test_bench_against_a_server_that_closes_after_each_stream(tmp_path: Path) -> None:
    env = user_env(tmp_path)
    out = tmp_path / "bench.json"
    with closing_server() as server:
        llmgw("profile", "add", "llama", "--endpoint", server.url, "--auth", "none",
              "--model", "qwen3-coder", env=env)  # fmt: skip
        done = llmgw("bench", "--profile", "llama", "-n", str(N), "-c", "4",
                     "--json", str(out), env=env)  # fmt: skip
    run = json.loads(out.read_text())["runs"][0]
    assert (run["requests"], run["ok"], run["errors"]) == (N, N, {})
    assert run["connections"] == {"new": N, "reused": 0}
    assert "disconnected" not in done.stdout + done.stderr
    # The server really did close on reused connections: requests came in on dead ones.
    assert server.dropped_requests > 0
    assert server.answered == N and server.connections >= N
