"""`llmgw doctor` flags and exit codes through the installed console script."""

from __future__ import annotations

import json
import subprocess
import sys

from llmgw_cli.config.store import ProfileStore
from tests.doctor.conftest import KEY, PROXY_VARS, make_profile
from tests.doctor.servers import Gateway, gateway
from tests.doctor.test_doctor_net import closed_port
from tests.helpers.cli import run
from tests.helpers.mockserver import mock_thread

CLEAN: dict[str, str | None] = dict.fromkeys(PROXY_VARS)


def ids(stdout: str) -> list[str]:
    return [c["id"] for c in json.loads(stdout)["results"][0]["checks"]]


def test_list_checks() -> None:
    human = run("doctor", "--list-checks")
    assert human.returncode == 0
    for word in ("config", "chat_stream", "count_tokens", "layer", "needs"):
        assert word in human.stdout
    listed = json.loads(run("doctor", "--list-checks", "--json").stdout)["checks"]
    assert [c["id"] for c in listed][:6] == ["config", "secret", "proxy", "dns", "tcp", "tls"]
    assert {c["id"]: c["depends"] for c in listed}["betas"] == ["messages"]


def test_check_runs_its_dependencies(save: object) -> None:
    with mock_thread() as url:
        save(make_profile(url, "m", auth="none"))  # type: ignore[operator]
        tcp_only = run("doctor", "-p", "m", "--check", "tcp", "--json", env=CLEAN)
        betas = run(
            "doctor", "-p", "m", "--check", "betas", "--check", "clock", "--json", env=CLEAN
        )
        chat = run("doctor", "-p", "m", "--check", "chat", "--json", env=CLEAN)
    assert tcp_only.returncode == 0 and ids(tcp_only.stdout) == ["config", "proxy", "dns", "tcp"]
    assert ids(betas.stdout) == [
        "config",
        "secret",
        "proxy",
        "dns",
        "tcp",
        "tls",
        "http",
        "auth",
        "clock",
        "messages",
        "betas",
    ]
    chat_checks = json.loads(chat.stdout)["results"][0]["checks"]
    assert chat_checks[-1]["id"] == "chat" and chat_checks[-1]["status"] == "skip"
    assert chat_checks[-1]["summary"] == "does not apply to formats anthropic"


def test_usage_and_config_errors_exit_2(save: object) -> None:
    save(make_profile("http://127.0.0.1:9", "a"))  # type: ignore[operator]
    assert run("doctor", "-p", "a", "--check", "bogus").returncode == 2
    assert "unknown check bogus" in run("doctor", "-p", "a", "--check", "bogus").stderr
    assert run("doctor", "-p", "a", "--all").returncode == 2
    assert run("doctor", "-p", "nope").returncode == 2
    assert run("doctor", env={"LLMGW_PROFILE": None}).returncode == 2  # nothing selected
    store = ProfileStore()
    store.path("broken").write_text("version: 1\nendpoint: not a url\n", encoding="utf-8")
    broken = run("doctor", "-p", "broken", "--json")
    assert broken.returncode == 2
    result = json.loads(broken.stdout)["results"][0]
    assert result["ok"] is False and result["checks"][0]["status"] == "fail"
    assert "not a url" in result["checks"][0]["fix"]


def test_all_profiles_and_exit_1(save: object) -> None:
    with mock_thread() as url:
        save(make_profile(url, "good", auth="none"))  # type: ignore[operator]
        save(make_profile(f"http://127.0.0.1:{closed_port()}", "down", auth="none"))  # type: ignore[operator]
        done = run("doctor", "--all", "--json", env=CLEAN)
        human = run("doctor", "--all", env=CLEAN)
    assert done.returncode == 1
    results = {r["profile"]: r["ok"] for r in json.loads(done.stdout)["results"]}
    assert results == {"down": False, "good": True}
    assert "2 profiles, 1 failing: down" in human.stdout


def test_strict_fails_on_warnings(save: object) -> None:
    with gateway(Gateway(count_tokens=False)) as url:
        save(make_profile(url, "warned"))  # type: ignore[operator]
        plain = run("doctor", "-p", "warned", env={**CLEAN, "DOCTOR_KEY": KEY})
        strict = run(
            "doctor", "-p", "warned", "--strict", "--json", env={**CLEAN, "DOCTOR_KEY": KEY}
        )
    assert plain.returncode == 0, plain.stdout
    assert "1 warning" in plain.stdout
    assert strict.returncode == 1
    assert json.loads(strict.stdout)["results"][0]["ok"] is False


def test_verbose_shows_headers_never_the_secret(save: object) -> None:
    with mock_thread(require_key=KEY) as url:
        save(make_profile(url, "v", extra="headers: {X-Department: Engineering}\n"))  # type: ignore[operator]
        human = run("doctor", "-p", "v", "-v", env={**CLEAN, "DOCTOR_KEY": KEY})
        data = run("doctor", "-p", "v", "-v", "--json", env={**CLEAN, "DOCTOR_KEY": KEY})
    assert human.returncode == 0, human.stdout
    assert "→ GET " in human.stdout and "X-Department: Engineering" in human.stdout
    assert "authorization: Bearer …cdef" in human.stdout
    assert "anthropic-version: 2023-06-01" in human.stdout
    assert KEY not in human.stdout + human.stderr + data.stdout + data.stderr
    checks = {c["id"]: c for c in json.loads(data.stdout)["results"][0]["checks"]}
    exchange = checks["http"]["detail"]["exchanges"][0]
    assert (
        exchange["status"] == 200 and exchange["request_headers"]["authorization"] == "Bearer …cdef"
    )


def test_doctor_does_not_slow_help() -> None:
    probe = run("--help")
    assert probe.returncode == 0 and "doctor" in probe.stdout
    # The command module registers without importing doctor's core (or httpx through it).
    code = (
        "import sys, llmgw_cli.cli.app; "
        "print([m for m in sys.modules if m.startswith('llmgw_cli.doctor')])"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
