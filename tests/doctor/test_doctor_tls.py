"""TLS failures diagnosed by name against real TLS servers with trustme certificates."""

from __future__ import annotations

import datetime
import ssl
from pathlib import Path

import pytest
import trustme

from tests.doctor.conftest import check, make_profile, run, server_context, statuses
from tests.doctor.servers import gateway

NOW = datetime.datetime.now(datetime.timezone.utc)


def bundle(ca_pem: Path) -> str:
    return f"tls: {{ca_bundle: {ca_pem}}}\n"


def test_private_ca_is_named_and_passes_with_ca_bundle(
    tls_server_ctx: ssl.SSLContext, ca_pem: Path
) -> None:
    with gateway(ssl_context=tls_server_ctx) as url:
        without = run(make_profile(url))
        with_bundle = run(make_profile(url, extra=bundle(ca_pem)))
    tls = check(without, "tls")
    assert tls.status == "fail"
    assert "TLS inspection or private CA" in tls.summary
    assert "Doctor Test Private CA" in tls.summary  # the issuer, by name
    assert "tls.ca_bundle" in tls.fix and "NODE_EXTRA_CA_CERTS" in tls.fix
    assert tls.detail["trust"] == {"certifi": "untrusted", "system": "untrusted"}
    assert check(without, "http").summary == "skipped: tls failed"

    ok = check(with_bundle, "tls")
    assert ok.status == "ok", ok.summary
    assert ok.detail["version"].startswith("TLS")
    assert ok.detail["verified_by"] == "certifi + tls.ca_bundle"
    assert ok.detail["days_left"] > 14 and "IP Address:127.0.0.1" in ok.detail["san"]
    assert all(s in ("ok", "skip") for s in statuses(with_bundle).values()), statuses(with_bundle)


def test_system_store_only_means_tls_inspection(
    tls_server_ctx: ssl.SSLContext, ca_pem: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # OpenSSL's default store (what truststore uses on Linux) honours SSL_CERT_FILE: the
    # machine trusts the CA, as after IT installs an inspection root; certifi does not.
    monkeypatch.setenv("SSL_CERT_FILE", str(ca_pem))
    with gateway(ssl_context=tls_server_ctx) as url:
        report = run(make_profile(url))
    tls = check(report, "tls")
    assert tls.status == "fail"
    assert tls.detail["trust"] == {"certifi": "untrusted", "system": "trusted"}
    assert "trusted by the system store but not by Node/certifi" in tls.summary


def test_expired_certificate(ca: trustme.CA, ca_pem: Path) -> None:
    cert = ca.issue_cert(
        "127.0.0.1",
        not_before=NOW - datetime.timedelta(days=30),
        not_after=NOW - datetime.timedelta(days=3),
    )
    with gateway(ssl_context=server_context(cert)) as url:
        report = run(make_profile(url, extra=bundle(ca_pem)))
    tls = check(report, "tls")
    assert tls.status == "fail"
    assert (
        "certificate expired 3 days ago" in tls.summary
        or "certificate expired 4 days ago" in tls.summary
    )
    assert "renew" in tls.fix


def test_expiring_soon_is_a_warning(ca: trustme.CA, ca_pem: Path) -> None:
    cert = ca.issue_cert("127.0.0.1", not_after=NOW + datetime.timedelta(days=5, hours=1))
    with gateway(ssl_context=server_context(cert)) as url:
        report = run(make_profile(url, extra=bundle(ca_pem)))
    tls = check(report, "tls")
    assert tls.status == "warn" and "certificate expires in 5 days" in tls.summary
    assert check(report, "messages").status == "ok"  # a warning blocks nothing


def test_wrong_hostname(ca: trustme.CA, ca_pem: Path) -> None:
    cert = ca.issue_cert("localhost")  # served on 127.0.0.1, which it does not name
    with gateway(ssl_context=server_context(cert)) as url:
        report = run(make_profile(url, extra=bundle(ca_pem)))
        by_name = run(make_profile(url.replace("127.0.0.1", "localhost"), extra=bundle(ca_pem)))
    tls = check(report, "tls")
    assert tls.status == "fail"
    assert "hostname mismatch: the certificate names DNS:localhost, not 127.0.0.1" in tls.summary
    assert check(by_name, "tls").status == "ok"


def test_verify_false_turns_failure_into_warning(tls_server_ctx: ssl.SSLContext) -> None:
    with gateway(ssl_context=tls_server_ctx) as url:
        report = run(make_profile(url, extra="tls: {verify: false}\n"))
    assert check(report, "config").status == "warn"
    tls = check(report, "tls")
    assert tls.status == "warn" and "private CA" in tls.summary and "not enforced" in tls.summary
    assert check(report, "messages").status == "ok"


def test_plain_http_on_a_tls_port(tls_server_ctx: ssl.SSLContext) -> None:
    with gateway() as url:  # plain http, asked for with https://
        report = run(make_profile(url.replace("http://", "https://")))
    tls = check(report, "tls")
    assert tls.status == "fail" and "does not speak TLS" in tls.summary
