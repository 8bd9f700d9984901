"""Rows 3 and 10 of issue 13: no member's secret reaches the client or the audit log.

An upstream that echoes the credential (a header and the body: whole, chunked with the key
cut across two chunks, and as an SSE stream) through `llmgw exec --shim` and a real shim; a
prompt holding the member's key in an audit log with ``include_prompts``.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from llmgw_cli.shim.plugins.scrub import REPLACEMENT, Scrubber
from tests.gates.kit import (
    KEY_A,
    KEY_B,
    OFF,
    Upstream,
    auth,
    message,
    shim_in_thread,
    write_profile,
)
from tests.helpers.cli import LLMGW, env_with

CHILD = r"""
import json, os, urllib.request, urllib.error
req = urllib.request.Request(
    os.environ["ANTHROPIC_BASE_URL"] + "/v1/messages",
    data=b'{"model": "m", "max_tokens": 1, "messages": []}',
    headers={"Authorization": "Bearer " + os.environ["ANTHROPIC_AUTH_TOKEN"],
             "Content-Type": "application/json"},
)
try:
    urllib.request.urlopen(req, timeout=20)
except urllib.error.HTTPError as exc:
    print(json.dumps({"status": exc.code, "headers": dict(exc.headers),
                      "body": exc.read().decode(), "env": dict(os.environ)}))
"""


@pytest.mark.parametrize(
    "mode",
    [{}, {"split": True}, {"split": True, "sse": True}],
    ids=["whole", "split-chunks", "sse-split"],
)
def test_exec_shim_child_never_sees_the_secret_an_upstream_echoes(
    llmgw_home: Path, upstream: Upstream, mode: dict[str, bool]
) -> None:
    upstream.mode.update(echo_auth=True, **mode)
    write_profile(llmgw_home, "gw", upstream.url)
    proc = subprocess.run(
        [LLMGW, "exec", "--profile", "gw", "--shim", "--", sys.executable, "-c", CHILD],
        capture_output=True,
        text=True,
        timeout=60,
        env=env_with({"LLMGW_HOME": str(llmgw_home)}),
    )
    assert proc.returncode == 0, proc.stderr
    seen = json.loads(proc.stdout)
    assert seen["status"] == 401
    # The upstream really did echo it: the shim removed it on the way back.
    assert upstream.seen[0]["headers"]["Authorization"] == f"Bearer {KEY_A}"
    assert KEY_A not in proc.stdout and KEY_A not in proc.stderr
    assert REPLACEMENT in seen["body"] and REPLACEMENT in seen["headers"]["WWW-Authenticate"]
    assert "GATES_KEY_A" not in seen["env"]


def test_audit_line_never_holds_a_secret_prompts_included(
    llmgw_home: Path, upstream: Upstream, tmp_path: Path
) -> None:
    write_profile(llmgw_home, "gw", upstream.url)
    log = tmp_path / "audit.jsonl"
    plugins = {
        "metrics": OFF,
        "audit": {"enabled": True, "path": str(log), "include_prompts": True},
    }
    with shim_in_thread(["gw"], plugins) as shim:
        prompt = f"my key is {KEY_A} and the token {shim.token}, keep them"
        r = httpx.post(shim.url + "/v1/messages", json=message(prompt), headers=auth(shim.token))
        assert r.status_code == 200
        token = shim.token
    text = log.read_text()
    assert "my key is" in text  # the prompt is logged...
    assert KEY_A not in text and token not in text  # ...without the secrets


def test_stream_scrubber_across_every_cut() -> None:
    scrub = Scrubber([KEY_A, KEY_B, None, "short"])
    data = f"a {KEY_A} b {KEY_B[:10]} c {KEY_B}{KEY_A}".encode()
    want = scrub.raw(data)
    assert KEY_A.encode() not in want and KEY_B.encode() not in want
    assert b"short" in scrub.raw(b"short")  # too short to be a key: left alone
    for cut in range(1, len(data)):
        s = scrub.stream()
        out = s.feed(data[:cut]) + s.feed(data[cut:]) + s.close()
        assert out == want, cut
    # Only a tail that could begin a secret is held: an SSE event goes out whole at once.
    s = scrub.stream()
    assert s.feed(b"data: {}\n\n") == b"data: {}\n\n"
