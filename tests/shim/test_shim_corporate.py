"""The corporate path: a private-CA HTTPS gateway behind a CONNECT proxy, the CA named only
in the profile. The client speaks plain HTTP to the shim and needs neither CA nor proxy."""

from __future__ import annotations

from pathlib import Path

import anthropic
import httpx
import pytest
import trustme
from anthropic.types import MessageParam

from llmgw_cli.config.model import TLS, Proxy
from llmgw_cli.config.secretref import SecretRef
from llmgw_cli.config.secrets import Secrets, proxy_key
from llmgw_cli.config.store import ProfileStore
from llmgw_cli.shim.members.session import bypasses_proxy
from tests.helpers.connect_proxy import connect_proxy
from tests.helpers.tlsupstream import tls_upstream
from tests.shim.conftest import REAL_KEY, save_profile, shim_for

HI: list[MessageParam] = [{"role": "user", "content": "hi"}]


@pytest.fixture(scope="module")
def ca() -> trustme.CA:
    return trustme.CA()


@pytest.fixture
def ca_file(ca: trustme.CA, tmp_path: Path) -> Path:
    path = tmp_path / "corp-ca.pem"
    ca.cert_pem.write_to_path(str(path))
    return path


def test_https_gateway_through_a_connect_proxy_with_the_ca_only_in_the_profile(
    ca: trustme.CA, ca_file: Path
) -> None:
    with tls_upstream(ca) as up, connect_proxy() as proxy:
        save_profile(
            "corp",
            up.url,
            auth="bearer",
            tls=TLS(ca_bundle=str(ca_file)),
            proxy=Proxy(https=proxy.url),
        )
        with shim_for("corp") as shim:
            client = anthropic.Anthropic(base_url=shim.url, api_key=shim.token, max_retries=0)
            msg = client.messages.create(model="claude-sonnet-4-5", max_tokens=5, messages=HI)
        assert msg.content[0].text == "hello over TLS"  # type: ignore[union-attr]
        port = up.url.rsplit(":", 1)[1]
        assert proxy.seen == [("CONNECT", f"localhost:{port}")]  # it went through the proxy, once
        assert up.seen[0]["authorization"] == f"Bearer {REAL_KEY}"
        assert up.seen[0]["x-department"] == "Engineering"


def test_without_the_ca_the_client_gets_a_502_naming_the_certificate_problem(
    ca: trustme.CA,
) -> None:
    with tls_upstream(ca) as up, connect_proxy() as proxy:
        save_profile("corp", up.url, proxy=Proxy(https=proxy.url))
        with shim_for("corp") as shim:
            r = httpx.post(
                shim.url + "/v1/messages",
                json={"model": "claude-sonnet-4-5", "max_tokens": 5, "messages": HI},
                headers={"x-api-key": shim.token},
            )
        assert r.status_code == 502
        message = r.json()["error"]["message"]
        assert "certificate verify failed" in message.lower()
        assert "tls.ca_bundle" in message  # and says where the fix goes
        assert up.seen == []


def test_client_certificate_from_the_profile(ca: trustme.CA, ca_file: Path, tmp_path: Path) -> None:
    client_cert = ca.issue_cert("llmgw-client@example.com")
    cert, key = tmp_path / "client.pem", tmp_path / "client.key"
    client_cert.cert_chain_pems[0].write_to_path(str(cert))
    client_cert.private_key_pem.write_to_path(str(key))
    with tls_upstream(ca, require_client_cert=True) as up:
        save_profile("mtls", up.url, tls=TLS(ca_bundle=str(ca_file)))
        with shim_for("mtls") as shim:
            refused = httpx.post(
                shim.url + "/v1/messages", json={"messages": HI}, headers={"x-api-key": shim.token}
            )
        save_profile(
            "mtls",
            up.url,
            tls=TLS(ca_bundle=str(ca_file), client_cert=str(cert), client_key=str(key)),
        )
        with shim_for("mtls") as shim:
            ok = httpx.post(
                shim.url + "/v1/messages", json={"messages": HI}, headers={"x-api-key": shim.token}
            )
    assert refused.status_code == 502
    assert ok.status_code == 200, ok.text
    assert len(up.seen) == 1


def test_no_proxy_hosts_go_direct(ca: trustme.CA, ca_file: Path) -> None:
    with tls_upstream(ca) as up, connect_proxy() as proxy:
        save_profile(
            "corp",
            up.url,
            tls=TLS(ca_bundle=str(ca_file)),
            proxy=Proxy(https=proxy.url, no_proxy=["example.com", "localhost"]),
        )
        with shim_for("corp") as shim:
            r = httpx.post(
                shim.url + "/v1/messages", json={"messages": HI}, headers={"x-api-key": shim.token}
            )
        assert r.status_code == 200
        assert proxy.seen == []


@pytest.mark.parametrize(
    ("host", "rules", "bypass"),
    [
        ("gw.corp", [".corp"], True),
        ("gw.corp", ["corp"], True),
        ("corp", [".corp"], True),
        ("notcorp", ["corp"], False),
        ("gw.corp.evil.com", [".corp"], False),
        ("api.anthropic.com", ["*"], True),
        ("10.1.2.3", ["10.0.0.0/8"], True),
        ("11.1.2.3", ["10.0.0.0/8"], False),
        ("localhost", ["localhost:8080"], True),
        ("gw.corp", [], False),
        ("GW.Corp.", ["*.corp"], True),
    ],
)
def test_no_proxy_rules(host: str, rules: list[str], bypass: bool) -> None:
    assert bypasses_proxy(host, rules) is bypass


def test_proxy_password_kept_in_proxy_secret_reaches_the_proxy_only(
    ca: trustme.CA, ca_file: Path
) -> None:
    """proxy.secret (a 0600 file here): the shim authenticates to the proxy with it; the
    profile file has the user name only, and the password is not in what the client gets."""
    password = "pr0xy-pass-word-5150"
    with tls_upstream(ca) as up, connect_proxy(require_auth=("alice", password)) as proxy:
        user_url = proxy.url.replace("http://", "http://alice@")
        save_profile(
            "corp",
            up.url,
            auth="bearer",
            tls=TLS(ca_bundle=str(ca_file)),
            proxy=Proxy(https=user_url, secret="file"),
        )
        Secrets().store(proxy_key("corp"), SecretRef("file"), password)
        with shim_for("corp") as shim:
            r = httpx.post(
                shim.url + "/v1/messages",
                json={"model": "claude-sonnet-4-5", "max_tokens": 5, "messages": HI},
                headers={"x-api-key": shim.token},
            )
        assert r.status_code == 200, r.text
        assert password not in r.text
        port = up.url.rsplit(":", 1)[1]
        assert proxy.seen == [("CONNECT", f"localhost:{port}")]
        assert password not in ProfileStore().path("corp").read_text()
