"""The network layers against real sockets: a closed port, a name that cannot exist, and
an HTTP proxy on loopback (CONNECT and forwarding, 407, clients that disagree)."""

from __future__ import annotations

import json
import socket
import ssl
from pathlib import Path

import pytest

from tests.doctor.conftest import KEY, PROXY_VARS, check, make_profile, run, statuses
from tests.doctor.servers import gateway
from tests.helpers import cli
from tests.helpers.connect_proxy import connect_proxy
from tests.helpers.mockserver import mock_thread, requests_seen

NO_PROXY_ENV: dict[str, str | None] = dict.fromkeys(PROXY_VARS)


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_closed_port_is_connection_refused(save: object) -> None:
    port = closed_port()
    save(make_profile(f"http://127.0.0.1:{port}", "closed"))  # type: ignore[operator]
    done = cli.run("doctor", "--profile", "closed", "--json", env=NO_PROXY_ENV)
    assert done.returncode == 1, done.stderr
    checks = {c["id"]: c for c in json.loads(done.stdout)["results"][0]["checks"]}
    tcp = checks["tcp"]
    assert tcp["status"] == "fail"
    assert "connection refused" in tcp["summary"]
    assert f"nothing listens on 127.0.0.1:{port}" in tcp["fix"]
    assert checks["http"]["status"] == "skip" and checks["http"]["summary"] == "skipped: tcp failed"
    assert checks["messages"]["summary"] == "skipped: tcp failed"

    human = cli.run("doctor", "--profile", "closed", env=NO_PROXY_ENV)
    assert human.returncode == 1
    assert "✗" in human.stdout and "fix: nothing listens" in human.stdout


def test_invalid_host_fails_dns(save: object) -> None:
    save(make_profile("https://gateway.example.invalid", "nowhere"))  # type: ignore[operator]
    done = cli.run("doctor", "--profile", "nowhere", "--json", env=NO_PROXY_ENV)
    assert done.returncode == 1
    checks = {c["id"]: c for c in json.loads(done.stdout)["results"][0]["checks"]}
    assert checks["dns"]["status"] == "fail"
    assert "gateway.example.invalid" in checks["dns"]["summary"]
    assert checks["dns"]["detail"]["kind"] in ("nxdomain", "temporary", "timeout")
    assert checks["dns"]["fix"]
    assert checks["tcp"]["summary"] == "skipped: dns failed"


def test_forwarding_proxy_carries_every_http_check() -> None:
    with mock_thread(require_key=KEY) as url, connect_proxy() as proxy:
        report = run(
            make_profile(url, formats="[anthropic, openai]"), environ={"http_proxy": proxy.url}
        )
        seen_by_mock = requests_seen(url)
    proxy_check = check(report, "proxy")
    assert proxy_check.status == "ok", proxy_check.summary
    assert proxy_check.summary.startswith(f"via proxy {proxy.url} (from http_proxy)")
    assert proxy_check.detail["clients"]["curl"].startswith("via")
    assert all(s in ("ok", "skip") for s in statuses(report).values()), statuses(report)
    forwarded = proxy.targets("POST") + proxy.targets("GET")
    for path in (
        "/v1/models",
        "/v1/messages?beta=true",
        "/v1/chat/completions",
        "/v1/messages/count_tokens?beta=true",
    ):
        assert f"{url}{path}" in forwarded, (path, proxy.seen)
    assert len(seen_by_mock) >= len([t for t in forwarded if "/v1/" in t])


def test_connect_tunnel_for_tls(tls_server_ctx: ssl.SSLContext, ca_pem: Path) -> None:
    with gateway(ssl_context=tls_server_ctx) as url, connect_proxy() as proxy:
        profile = make_profile(
            url, extra=f"tls: {{ca_bundle: {ca_pem}}}\nproxy: {{https: '{proxy.url}'}}\n"
        )
        report = run(profile)
    # llmgw env sets both spellings; curl and Python read the lowercase one first
    assert check(report, "proxy").summary.startswith(f"via proxy {proxy.url} (from https_proxy)")
    assert "CONNECT to 127.0.0.1" in check(report, "proxy").summary
    assert check(report, "tls").status == "ok"
    assert check(report, "messages").status == "ok"
    hostport = url.removeprefix("https://")
    assert proxy.targets("CONNECT").count(hostport) >= 3  # proxy probe, tls, httpx


def test_proxy_authentication_407(tls_server_ctx: ssl.SSLContext, ca_pem: Path) -> None:
    with (
        gateway(ssl_context=tls_server_ctx) as url,
        connect_proxy(require_auth=("alice", "s3cret-pw")) as proxy,
    ):
        bare = run(make_profile(url, extra=f"proxy: {{https: '{proxy.url}'}}\n"))
        wrong = proxy.url.replace("http://", "http://alice:nope@")
        refused = run(make_profile(url, extra=f"proxy: {{https: '{wrong}'}}\n"))
        right = proxy.url.replace("http://", "http://alice:s3cret-pw@")
        passed = run(
            make_profile(url, extra=f"tls: {{ca_bundle: {ca_pem}}}\nproxy: {{https: '{right}'}}\n")
        )
    assert check(bare, "proxy").status == "fail"
    assert "requires authentication (407" in check(bare, "proxy").summary
    assert "USER:PASSWORD@" in check(bare, "proxy").fix
    assert "refused the credentials" in check(refused, "proxy").summary
    assert check(passed, "proxy").status == "ok"
    assert "s3cret-pw" not in check(passed, "proxy").summary
    assert "alice:****@" in check(passed, "proxy").summary
    assert check(passed, "messages").status == "ok"


def test_no_proxy_differences_are_reported(tls_server_ctx: ssl.SSLContext, ca_pem: Path) -> None:
    with gateway(ssl_context=tls_server_ctx) as url, connect_proxy() as proxy:
        extra = f"tls: {{ca_bundle: {ca_pem}}}\nproxy: {{https: '{proxy.url}', no_proxy: "
        cidr = run(make_profile(url, extra=extra + "['127.0.0.0/8']}\n"))
        twin = run(make_profile(url, extra=extra + "[localhost]}\n"))
        stale = run(
            make_profile(url, extra=extra + "[]}\n"), environ={"https_proxy": "http://127.0.0.1:9"}
        )
        dropped = run(
            make_profile(url, extra=f"tls: {{ca_bundle: {ca_pem}}}\n"),
            environ={"HTTPS_PROXY": proxy.url},
        )
    c = check(cidr, "proxy")
    assert c.status == "warn"
    assert "curl would go direct (NO_PROXY entry '127.0.0.0/8')" in c.summary
    assert "only curl honours CIDR ranges" in " ".join(c.detail["notes"])
    assert check(cidr, "messages").status == "ok"  # the proxy path itself works
    t = check(twin, "proxy")
    assert t.status == "warn"
    assert "NO_PROXY lists localhost but the endpoint uses 127.0.0.1" in " ".join(
        t.detail["problems"]
    )
    # A stale lowercase https_proxy in the shell: `llmgw env` sets both spellings now, so it
    # is replaced and every client goes the profile's way.
    s = check(stale, "proxy")
    assert s.status == "ok", s.summary
    assert not s.detail["clients"]["node"].startswith("via http://127.0.0.1:9")
    # The user's own HTTPS_PROXY and a profile that sets none: `llmgw env` keeps the user's.
    d = check(dropped, "proxy")
    assert d.status == "ok" and d.summary.startswith(f"via proxy {proxy.url} (from HTTPS_PROXY)")


def test_proxy_password_from_proxy_secret(
    tls_server_ctx: ssl.SSLContext, ca_pem: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """proxy.secret: the password is read when doctor runs and never shown."""
    monkeypatch.setenv("PROXY_PW", "s3cret-pw")
    with (
        gateway(ssl_context=tls_server_ctx) as url,
        connect_proxy(require_auth=("alice", "s3cret-pw")) as proxy,
    ):
        user_url = proxy.url.replace("http://", "http://alice@")
        extra = f"tls: {{ca_bundle: {ca_pem}}}\n"
        extra += f"proxy: {{https: '{user_url}', secret: env:PROXY_PW}}\n"
        passed = run(make_profile(url, extra=extra))
        monkeypatch.delenv("PROXY_PW")
        missing = run(make_profile(url, extra=extra))
    assert check(passed, "proxy").status == "ok"
    assert "alice:****@" in check(passed, "proxy").summary
    assert check(passed, "messages").status == "ok"
    assert "s3cret-pw" not in json.dumps([c.summary for c in passed.checks])
    assert check(missing, "proxy").status == "fail"
    assert "export PROXY_PW=" in check(missing, "proxy").fix
