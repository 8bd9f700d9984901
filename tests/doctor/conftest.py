"""Helpers for doctor's tests: profiles from YAML, in-process runs with a clean proxy
environment, and a trustme CA whose certificates the TLS tests serve."""

from __future__ import annotations

import ssl
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import trustme

from llmgw_cli.config.model import Profile, from_text
from llmgw_cli.config.store import ProfileStore
from llmgw_cli.doctor.context import Options
from llmgw_cli.doctor.result import ProfileReport
from llmgw_cli.doctor.runner import run_profile
from tests.helpers.cli import PROXY_VARS as PROXY_VARS

KEY = "sk-doctor-test-0123456789abcdef"


def make_profile(
    endpoint: str,
    name: str = "gw",
    *,
    formats: str = "[anthropic]",
    auth: str = "bearer",
    extra: str = "",
) -> Profile:
    secret = "" if auth == "none" else ", secret: env:DOCTOR_KEY"
    text = (
        f"version: 1\nname: {name}\nendpoint: {endpoint}\nformats: {formats}\n"
        f"auth: {{type: {auth}{secret}}}\n{extra}"
    )
    return from_text(text, f"{name}.yaml", name)


def run(
    profile: Profile,
    checks: list[str] | None = None,
    environ: dict[str, str] | None = None,
    **options: Any,
) -> ProfileReport:
    """Doctor in-process; the proxy environment is only what the test passes."""
    return run_profile(
        profile, "test", options=Options(environ=environ or {}, **options), checks=checks
    )


def statuses(report: ProfileReport) -> dict[str, str]:
    return {c.id: c.status for c in report.checks}


def check(report: ProfileReport, check_id: str) -> Any:
    found = report.get(check_id)
    assert found is not None, f"no {check_id} in {statuses(report)}"
    return found


@pytest.fixture(autouse=True)
def doctor_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DOCTOR_KEY", KEY)
    for name in PROXY_VARS:
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def save() -> Any:
    def saver(profile: Profile) -> Profile:
        ProfileStore().save(profile)
        return profile

    return saver


@pytest.fixture(scope="session")
def ca() -> trustme.CA:
    return trustme.CA(organization_name="Doctor Test Private CA")


@pytest.fixture
def ca_pem(ca: trustme.CA, tmp_path: Path) -> Path:
    path = tmp_path / "private-ca.pem"
    ca.cert_pem.write_to_path(str(path))
    return path


def server_context(cert: trustme.LeafCert) -> ssl.SSLContext:
    ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    cert.configure_cert(ctx)
    return ctx


@pytest.fixture
def tls_server_ctx(ca: trustme.CA) -> Iterator[ssl.SSLContext]:
    yield server_context(ca.issue_cert("127.0.0.1", "localhost"))
