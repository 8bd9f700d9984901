"""A proxy's password lives in proxy.secret (keychain, 0600 file, env:, cmd:), never in the
profile file: `profile add --proxy`, `profile set proxy.https=…` and `secret set --proxy` move
it out of the URL; `llmgw env` puts it back into HTTPS_PROXY at run time."""

from __future__ import annotations

import json
import stat
from pathlib import Path

import pytest

from llmgw_cli.config import checks
from llmgw_cli.config.model import Proxy, from_text
from llmgw_cli.config.secrets import Secrets, proxy_key
from llmgw_cli.errors import ConfigError, SecretError
from tests.helpers.cli import NO_KEYCHAIN, run

PASSWORD = "p@ss:w/rd é%-9911"
ENCODED = "p%40ss%3Aw%2Frd%20%C3%A9%25-9911"
KEY = "sk-proxy-test-key-4242"
HEAD = "version: 1\nname: corp\nendpoint: https://gw.example\nauth: {type: bearer, secret: file}\n"


@pytest.fixture(autouse=True)
def no_keychain(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", NO_KEYCHAIN)


def all_bytes(folder: Path) -> bytes:
    return b"".join(p.read_bytes() for p in folder.rglob("*") if p.is_file())


def profile_file(home: Path, name: str = "corp") -> str:
    return (home / "config" / "profiles" / f"{name}.yaml").read_text()


@pytest.mark.parametrize("password", [PASSWORD, "plain", "a b", "%41", "ü:@/?#[]"])
def test_split_and_put_back_are_inverse(password: str) -> None:
    url = checks.with_password("http://alice@proxy.corp:3128", password)
    assert checks.split_password(url) == ("http://alice@proxy.corp:3128", password)
    proxy = Proxy(https="http://alice@proxy.corp:3128")
    proxy.password = password
    assert proxy.url() == url


def test_validation_of_proxy_secret() -> None:
    with pytest.raises(ConfigError, match=r"needs proxy\.https with a user name"):
        from_text(HEAD + "proxy: {https: 'http://proxy:3128', secret: keyring}\n", "f.yaml")
    with pytest.raises(ConfigError, match=r"both in the URL and in proxy\.secret"):
        from_text(HEAD + "proxy: {https: 'http://a:b@proxy:3128', secret: keyring}\n", "f.yaml")
    with pytest.raises(ConfigError, match="not a secret reference"):
        from_text(HEAD + "proxy: {https: 'http://a@proxy:3128', secret: vault}\n", "f.yaml")
    plain = from_text(HEAD + "proxy: {https: 'http://a:b@proxy:3128'}\n", "f.yaml")
    assert any("`llmgw secret set corp --proxy`" in w for w in plain.warnings)
    kept = from_text(HEAD + "proxy: {https: 'http://a@proxy:3128', secret: env:PW}\n", "f.yaml")
    assert kept.warnings == [] and kept.proxy.url() == "http://a@proxy:3128"


def test_an_env_reference_is_read_at_run_time(monkeypatch: pytest.MonkeyPatch) -> None:
    p = from_text(HEAD + "proxy: {https: 'http://a@proxy:3128', secret: env:PROXY_PW}\n", "f.yaml")
    with pytest.raises(SecretError, match=r"proxy password of profile 'corp'.*export PROXY_PW="):
        Secrets().fill_proxy(p)
    monkeypatch.setenv("PROXY_PW", PASSWORD)
    Secrets().fill_proxy(p)
    assert p.proxy.url() == f"http://a:{ENCODED}@proxy:3128"
    assert PASSWORD not in repr(p) and "password" not in p.to_dict()["proxy"]


def test_profile_add_moves_the_password_out_of_the_file(llmgw_home: Path) -> None:
    url = f"http://alice:{ENCODED}@proxy.corp:3128"
    add = run(
        "profile", "add", "corp", "--endpoint", "https://gw.example", "--proxy", url,
        "--secret-stdin", "--insecure-storage", input=KEY,
    )  # fmt: skip
    assert add.returncode == 0, add.stderr
    assert "proxy's password went to the file" in add.stderr
    text = profile_file(llmgw_home)
    assert "alice@proxy.corp:3128" in text and "secret: file" in text
    assert ENCODED not in text and PASSWORD not in text
    stored = Secrets().file_path("corp@proxy")
    assert stored.read_text() == PASSWORD
    assert stat.S_IMODE(stored.stat().st_mode) == 0o600

    env = json.loads(run("env", "--profile", "corp", "--shell", "json").stdout)["set"]
    assert env["HTTPS_PROXY"] == env["https_proxy"] == url
    shown = run("profile", "show", "corp").stdout
    assert "alice:***@proxy.corp:3128" in shown and "corp@proxy" in shown
    assert PASSWORD not in shown and ENCODED not in shown
    rows = json.loads(run("secret", "list", "--json").stdout)["secrets"]
    proxy_row = next(r for r in rows if r["for"] == "proxy")
    assert proxy_row["ref"] == "file" and proxy_row["available"] is True
    assert PASSWORD not in json.dumps(rows)

    assert run("profile", "rename", "corp", "corp2").returncode == 0
    assert not stored.exists()
    assert Secrets().file_path("corp2@proxy").read_text() == PASSWORD
    env = json.loads(run("env", "--profile", "corp2", "--shell", "json").stdout)["set"]
    assert env["HTTPS_PROXY"] == url
    assert run("profile", "remove", "corp2", "--yes").returncode == 0
    assert not Secrets().file_path("corp2@proxy").exists()
    assert PASSWORD.encode() not in all_bytes(llmgw_home)
    assert ENCODED.encode() not in all_bytes(llmgw_home)


def test_no_keychain_a_0600_file_rather_than_the_profile(llmgw_home: Path) -> None:
    url = f"http://alice:{ENCODED}@proxy.corp:3128"
    add = run("profile", "add", "corp", "--endpoint", "https://gw.example", "--proxy", url)
    assert add.returncode == 0, add.stderr
    assert "no system keychain in use: the proxy's password went to the file" in add.stderr
    assert ENCODED not in add.stderr and PASSWORD not in add.stderr
    assert "secret: file" in profile_file(llmgw_home) and ENCODED not in profile_file(llmgw_home)
    assert "alice:***@proxy.corp:3128" in run("profile", "show", "corp").stdout

    assert (
        run(
            "profile", "add", "other", "--endpoint", "https://gw.example", "--auth", "none"
        ).returncode
        == 0
    )
    done = run("profile", "set", "other", "proxy.https=http://bob:pw-set-4321@proxy:3128")
    assert done.returncode == 0, done.stderr
    assert "pw-set-4321" not in profile_file(llmgw_home, "other") + done.stderr
    assert Secrets().file_path("other@proxy").read_text() == "pw-set-4321"
    env = json.loads(run("env", "--profile", "other", "--shell", "json").stdout)["set"]
    assert env["HTTPS_PROXY"] == "http://bob:pw-set-4321@proxy:3128"


def test_secret_set_proxy_moves_a_plain_password(llmgw_home: Path) -> None:
    add = run(
        "profile", "add", "corp", "--endpoint", "https://gw.example",
        "--secret-stdin", "--insecure-storage", input=KEY,
    )  # fmt: skip
    assert add.returncode == 0, add.stderr
    # An old file written by hand, the password in the URL: loaded with a warning.
    path = llmgw_home / "config" / "profiles" / "corp.yaml"
    path.write_text(path.read_text() + "proxy:\n  https: http://bob:old-secret-77@proxy:3128\n")
    show = run("profile", "show", "corp")
    assert "bob:***@proxy:3128" in show.stdout and "old-secret-77" not in show.stdout
    doctor = run("doctor", "--profile", "corp", "--check", "config", "--json")
    config = json.loads(doctor.stdout)["results"][0]["checks"][0]
    assert config["status"] == "warn" and config["fix"] == "llmgw secret set corp --proxy"
    assert "old-secret-77" not in doctor.stdout

    exported = run("profile", "export", "corp")
    assert exported.returncode == 0 and "http://bob@proxy:3128" in exported.stdout
    assert "old-secret-77" not in exported.stdout + exported.stderr
    assert "secret set corp --proxy" in exported.stderr

    moved = run("secret", "set", "corp", "--proxy", "--stdin", input="new-secret-88")
    assert moved.returncode == 0, moved.stderr
    text = profile_file(llmgw_home)
    assert "old-secret-77" not in text and "bob@proxy:3128" in text and "secret: file" in text
    env = json.loads(run("env", "--profile", "corp", "--shell", "json").stdout)["set"]
    assert env["HTTPS_PROXY"] == "http://bob:new-secret-88@proxy:3128"
    assert run("secret", "rm", "corp", "--proxy").returncode == 0
    assert not Secrets().file_path(proxy_key("corp")).exists()
    failed = run("env", "--profile", "corp", "--shell", "json")
    assert failed.returncode != 0
    assert "llmgw secret set corp --proxy" in failed.stderr


def test_secret_set_proxy_needs_a_proxy_user(llmgw_home: Path) -> None:
    assert run("profile", "add", "corp", "--endpoint", "https://gw.example").returncode == 0
    done = run("secret", "set", "corp", "--proxy", "--stdin", input="pw")
    assert done.returncode == 2
    assert "proxy.https=http://USER@proxy:3128" in done.stderr


def test_import_from_env_keeps_the_proxy_password_out(llmgw_home: Path) -> None:
    env = {
        "ANTHROPIC_BASE_URL": "https://gw.example",
        "ANTHROPIC_AUTH_TOKEN": KEY,
        "HTTPS_PROXY": "http://carol:env-proxy-pw-31@proxy:3128",
    }
    done = run("profile", "import", "--from-env", "imp", "--insecure-storage", env=env)
    assert done.returncode == 0, done.stderr
    assert "env-proxy-pw-31" not in profile_file(llmgw_home, "imp") + done.stderr
    assert Secrets().file_path("imp@proxy").read_text() == "env-proxy-pw-31"
