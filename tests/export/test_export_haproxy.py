"""`llmgw export haproxy`: `haproxy -c` accepts it, and a real HAProxy balances two mocks."""

from __future__ import annotations

import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

from llmgw_cli.config.model import TLS, Auth, Models, Profile
from llmgw_cli.config.store import ProfileStore
from llmgw_cli.errors import UsageError
from llmgw_cli.export import haproxy
from tests.helpers.cli import run
from tests.helpers.mockserver import mock_thread, requests_seen

HAPROXY = shutil.which("haproxy") or (
    "/usr/sbin/haproxy" if Path("/usr/sbin/haproxy").is_file() else None
)
needs_haproxy = pytest.mark.skipif(HAPROXY is None, reason="haproxy is not installed")


def _save(name: str, endpoint: str, ca: str | None = None) -> None:
    ProfileStore().save(
        Profile(
            name=name,
            endpoint=endpoint,
            auth=Auth("none"),
            models=Models(default="claude-sonnet-4-5"),
            tls=TLS(ca_bundle=ca),
        )
    )


def _check(path: Path) -> subprocess.CompletedProcess[str]:
    assert HAPROXY is not None
    return subprocess.run(
        [HAPROXY, "-c", "-f", str(path)], capture_output=True, text=True, timeout=60
    )


def test_server_lines_and_validation() -> None:
    result = haproxy.export(
        [
            haproxy.server_from_url("https://gw1.corp.example", "/etc/ca.pem"),
            haproxy.server_from_url("http://10.0.0.6:8787/"),
            haproxy.server_from_url("http://10.0.0.6:8787"),
        ],
        bind="127.0.0.1:9000",
    )
    text = result.text
    assert "    balance leastconn\n" in text
    assert "    bind 127.0.0.1:9000\n" in text
    assert (
        "    server gw1.corp.example:443 gw1.corp.example:443 check ssl verify required "
        "ca-file /etc/ca.pem sni str(gw1.corp.example) check-sni gw1.corp.example"
    ) in text
    assert text.count("server 10.0.0.6:8787 ") == 1
    assert result.notes == ["servers with the same host:port were listed once"]
    with pytest.raises(UsageError):
        haproxy.export([])
    with pytest.raises(UsageError):
        haproxy.server_from_url("gw1.corp.example")
    with pytest.raises(UsageError):
        haproxy.export([haproxy.server_from_url("http://a:1")], health_path="health me")


@needs_haproxy
def test_haproxy_accepts_the_exported_config(tmp_path: Path) -> None:
    ca = tmp_path / "ca.pem"
    import trustme

    trustme.CA().cert_pem.write_to_path(str(ca))
    _save("corp", "https://gw.corp.example:8443", str(ca))
    _save("edge", "https://edge.example/anthropic")
    _save("local", "http://127.0.0.1:11434")
    out = tmp_path / "haproxy.cfg"
    done = run("export", "haproxy", "-o", str(out))
    assert done.returncode == 0, done.stderr
    assert "/anthropic" in done.stderr  # the path prefix HAProxy cannot add is reported
    checked = _check(out)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "Configuration file is valid" in checked.stdout
    text = out.read_text()
    assert "uri /v1/models" in text and text.count("\n    server ") == 3
    servers = run("export", "haproxy", "--server", "http://10.1.0.1:8787", "--stats-bind", "none")
    assert "uri /health" in servers.stdout and "listen stats" not in servers.stdout
    (tmp_path / "s.cfg").write_text(servers.stdout)
    assert _check(tmp_path / "s.cfg").returncode == 0


@contextmanager
def _haproxy(config: Path) -> Iterator[subprocess.Popen[bytes]]:
    assert HAPROXY is not None
    proc = subprocess.Popen(
        [HAPROXY, "-db", "-f", str(config)], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    try:
        yield proc
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        assert proc.stderr is not None
        proc.stderr.close()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@needs_haproxy
def test_real_haproxy_balances_two_gateways(tmp_path: Path) -> None:
    with mock_thread() as one, mock_thread() as two:
        _save("one", one)
        _save("two", two)
        port = _free_port()
        cfg = tmp_path / "lb.cfg"
        done = run(
            "export",
            "haproxy",
            "--profile",
            "one",
            "--profile",
            "two",
            "--bind",
            f"127.0.0.1:{port}",
            "--stats-bind",
            "none",
            "-o",
            str(cfg),
        )
        assert done.returncode == 0, done.stderr
        with _haproxy(cfg) as proc:
            url = f"http://127.0.0.1:{port}"
            deadline = time.monotonic() + 30
            while True:
                try:
                    httpx.get(url + "/v1/models", timeout=2)
                    break
                except httpx.TransportError:
                    assert proc.poll() is None, "haproxy exited"
                    assert time.monotonic() < deadline, "haproxy did not listen"
                    time.sleep(0.1)
            for _ in range(6):
                reply = httpx.post(
                    url + "/v1/messages",
                    json={
                        "model": "claude-sonnet-4-5",
                        "max_tokens": 8,
                        "stream": True,
                        "messages": [{"role": "user", "content": "hi"}],
                    },
                    headers={"anthropic-version": "2023-06-01"},
                    timeout=30,
                )
                assert reply.status_code == 200
                assert "event: message_stop" in reply.text  # the stream came through whole
            # The first health checks are spread over the 10 s interval: wait for them.
            deadline = time.monotonic() + 40
            while not all(_health_checked(m) for m in (one, two)):
                assert time.monotonic() < deadline, "no health check reached a gateway"
                time.sleep(0.5)
        for mock in (one, two):
            posts = requests_seen(mock, "/v1/messages")
            assert posts, f"no requests reached {mock}"
            host = mock.removeprefix("http://")
            assert posts[-1]["headers"]["host"] == host  # http-send-name-header Host


def _health_checked(mock: str) -> bool:
    return any(
        r["method"] == "GET" and "x-forwarded-for" not in r["headers"]  # not our probe
        for r in requests_seen(mock, "/v1/models")
    )
