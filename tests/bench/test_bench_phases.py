"""Connection phases: DNS, TCP and TLS timed apart on bench's own loop, and the TraceConfig
fallback when bench runs inside someone else's event loop."""

from __future__ import annotations

import asyncio
import ssl
from pathlib import Path

import pytest
import trustme

from llmgw_cli.bench import runner
from llmgw_cli.bench.target import Options, build
from llmgw_cli.config.model import TLS, Auth, Profile
from tests.bench import servers


@pytest.fixture(scope="module")
def ca() -> trustme.CA:
    return trustme.CA()


def tls_server_context(ca: trustme.CA) -> ssl.SSLContext:
    ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("localhost").configure_cert(ctx)
    return ctx


def test_dns_tcp_and_tls_are_timed_apart_over_https(ca: trustme.CA, tmp_path: Path) -> None:
    bundle = tmp_path / "ca.pem"
    ca.cert_pem.write_to_path(str(bundle))
    with servers.serve(servers.fixed_message, tls_server_context(ca)) as url:
        assert url.startswith("https://localhost:")
        profile = Profile(
            name="tls", endpoint=url, auth=Auth(type="none"), tls=TLS(ca_bundle=str(bundle))
        )
        options = Options(requests=6, concurrency=2, stream=False)
        result = runner.run([build(profile, "m", None, options)], options)
    r = result.runs[0]
    assert r["ok"] == 6, r["errors"]
    assert r["connections"] == {"new": 2, "reused": 4}
    phases = r["phases_ms"]
    assert phases["dns"]["min"] > 0  # "localhost" went through the resolver
    assert phases["tcp"]["min"] > 0 and phases["tls"]["min"] > 0
    new = [s for s in result.samples[0] if s.reused is False]
    assert len(new) == 2 and all(s.tls_ms is not None and s.tls_ms > 0 for s in new)
    # The time to first byte contains both phases.
    assert all(s.ttfb_ms and s.ttfb_ms > (s.tcp_ms or 0) + (s.tls_ms or 0) for s in new)
    assert all(s.dns_ms is None and s.tls_ms is None for s in result.samples[0] if s.reused)


def test_a_bad_certificate_is_a_tls_error(ca: trustme.CA) -> None:
    with servers.serve(servers.fixed_message, tls_server_context(ca)) as url:
        profile = Profile(name="untrusted", endpoint=url, auth=Auth(type="none"))
        options = Options(requests=2, stream=False)
        result = runner.run([build(profile, "m", None, options)], options)
    assert result.runs[0]["errors"] == {"tls": 2}


def test_inside_a_foreign_loop_the_trace_config_takes_over() -> None:
    with servers.serve(servers.fixed_message) as url:
        profile = Profile(name="plain", endpoint=url, auth=Auth(type="none"))
        options = Options(requests=4, concurrency=2, stream=False)
        result = asyncio.run(runner.run_async([build(profile, "m", None, options)], options))
    r = result.runs[0]
    assert r["ok"] == 4 and r["connections"] == {"new": 2, "reused": 2}
    assert r["phases_ms"]["tcp"]["min"] > 0 and r["phases_ms"]["tls"] is None
