"""Secret references (keyring, env:, cmd:, file), resolution, errors and masking."""

from __future__ import annotations

import os
import shlex
import stat
import time
from pathlib import Path

import pytest
from keyring.backend import KeyringBackend

from llmgw_cli.config.model import Auth, Profile
from llmgw_cli.config.secretref import SecretRef, mask
from llmgw_cli.config.secrets import CMD_TIMEOUT_ENV, Secrets, keychain
from llmgw_cli.errors import NoKeychainError, SecretError

SECRET = "sk-ant-Very$ecret`value'\"\\-1234"


def profile(secret: str | None, auth: str = "bearer") -> Profile:
    return Profile(name="corp", endpoint="https://gw.example", auth=Auth(auth, secret))


@pytest.fixture
def no_keychain(monkeypatch: pytest.MonkeyPatch) -> None:
    import keyring

    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyring.backends.fail.Keyring")
    from keyring.backends import fail

    monkeypatch.setattr(keyring.core, "_keyring_backend", fail.Keyring())  # type: ignore[no-untyped-call]


# --- references -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "kind", "arg"),
    [
        ("keyring", "keyring", ""),
        ("file", "file", ""),
        (" keyring ", "keyring", ""),
        ("env:CORP_KEY", "env", "CORP_KEY"),
        ("env:_k1", "env", "_k1"),
        ("cmd:pass show corp/llm", "cmd", "pass show corp/llm"),
        ("cmd:  op read op://v/i/f  ", "cmd", "op read op://v/i/f"),
        ("cmd:echo a:b", "cmd", "echo a:b"),
    ],
)
def test_parse_references(text: str, kind: str, arg: str) -> None:
    ref = SecretRef.parse(text)
    assert (ref.kind, ref.arg) == (kind, arg)
    assert SecretRef.parse(str(ref)) == ref


@pytest.mark.parametrize(
    ("text", "hint"),
    [
        ("env:", "write env:MY_VAR"),
        ("env:1ABC", "write env:MY_VAR"),
        ("env:A-B", "write env:MY_VAR"),
        ("cmd:   ", "cmd: needs a command"),
        ("vault:x", "use keyring, env:VAR, cmd:COMMAND or file"),
        ("sk-live-abc", "use keyring, env:VAR, cmd:COMMAND or file"),
        ("", "use keyring"),
    ],
)
def test_bad_references_say_how_to_write_them(text: str, hint: str) -> None:
    with pytest.raises(ValueError, match=hint):
        SecretRef.parse(text)


@pytest.mark.parametrize(
    ("secret", "shown"),
    [
        ("sk-ant-api03-abcdefghijkl-WXYZ", "…WXYZ"),
        ("123456789012", "…9012"),
        ("short", "…****"),
        ("12345678901", "…****"),
        ("", "(empty)"),
        (None, "(empty)"),
    ],
)
def test_mask_shows_only_the_last_four_of_long_secrets(secret: str | None, shown: str) -> None:
    assert mask(secret) == shown


# --- env: ---------------------------------------------------------------------------


def test_env_reference_reads_the_variable_at_use_time(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CORP_KEY", SECRET)
    assert Secrets().resolve(profile("env:CORP_KEY")) == SECRET
    monkeypatch.setenv("CORP_KEY", "rotated-000000000")
    assert Secrets().resolve(profile("env:CORP_KEY")) == "rotated-000000000"


@pytest.mark.parametrize("value", [None, ""])
def test_env_reference_unset_names_the_variable(
    monkeypatch: pytest.MonkeyPatch, value: str | None
) -> None:
    if value is None:
        monkeypatch.delenv("CORP_KEY", raising=False)
    else:
        monkeypatch.setenv("CORP_KEY", value)
    with pytest.raises(
        SecretError, match=r"\$CORP_KEY, which is not set; run `export CORP_KEY=YOUR_KEY`"
    ):
        Secrets().resolve(profile("env:CORP_KEY"))


def test_auth_none_has_no_secret() -> None:
    assert Secrets().resolve(profile(None, auth="none")) is None
    assert Secrets().resolve(profile("env:NOPE_NOT_SET", auth="none")) is None


# --- cmd: ---------------------------------------------------------------------------


def test_cmd_reference_runs_the_command_and_strips_its_output() -> None:
    assert (
        Secrets().resolve(profile("cmd:printf '  %s\\n\\n' tok-from-cmd-1234"))
        == "tok-from-cmd-1234"
    )


def test_cmd_reference_gets_no_stdin() -> None:
    # A helper that waits for input must not hang on the caller's terminal.
    assert Secrets().resolve(profile("cmd:cat; echo done")) == "done"


def test_cmd_failure_is_clear_and_hides_stderr() -> None:
    ref = f"cmd:echo {shlex.quote(SECRET)} >&2; echo partial-output; exit 3"
    with pytest.raises(SecretError) as info:
        Secrets().resolve(profile(ref))
    message = info.value.message
    assert "exited with 3" in message
    assert "run it yourself" in message
    assert SECRET not in message
    assert "partial-output" not in message
    assert info.value.exit_code == 2


def test_cmd_printing_nothing_is_an_error() -> None:
    with pytest.raises(SecretError, match="printed nothing"):
        Secrets().resolve(profile("cmd:true"))


def test_cmd_timeout_kills_the_command_and_all_it_started(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(CMD_TIMEOUT_ENV, "0.5")
    pidfile = tmp_path / "pid"
    # A shell that starts a child and waits: killing only the shell would orphan `sleep`.
    ref = f"cmd:sleep 60 & echo $! > {pidfile}; wait; echo never"
    started = time.monotonic()
    with pytest.raises(SecretError) as info:
        Secrets().resolve(profile(ref))
    assert time.monotonic() - started < 30  # not the 60 s the command wanted
    assert "took longer than 0.5 s" in info.value.message
    assert CMD_TIMEOUT_ENV in info.value.message
    pid = int(pidfile.read_text())
    for _ in range(100):
        if not _alive(pid):
            break
        time.sleep(0.05)
    assert not _alive(pid)


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().split(")")[-1].split()[0]
    except FileNotFoundError:
        return False
    return state != "Z"  # a zombie waiting for a reaper is dead


def test_bad_timeout_setting_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(CMD_TIMEOUT_ENV, "soon")
    with pytest.raises(SecretError, match="number of seconds"):
        Secrets().resolve(profile("cmd:echo x"))


# --- file (opt-in) --------------------------------------------------------------------


def test_file_store_is_0600_and_round_trips(tmp_path: Path) -> None:
    secrets = Secrets(tmp_path / "secrets")
    ref = SecretRef.parse("file")
    secrets.store("corp", ref, SECRET)
    path = tmp_path / "secrets" / "corp"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert secrets.resolve(profile("file")) == SECRET
    assert "0600" in secrets.where("corp", ref)
    secrets.move("corp", "corp2", ref)
    assert not path.exists()
    assert secrets.get("corp2", ref) == SECRET
    assert secrets.delete("corp2", ref) is True
    assert secrets.delete("corp2", ref) is False
    assert os.listdir(tmp_path / "secrets") == []


def test_missing_file_secret_says_how_to_set_it(tmp_path: Path) -> None:
    with pytest.raises(SecretError, match="llmgw secret set corp"):
        Secrets(tmp_path).resolve(profile("file"))


def test_empty_secret_is_not_stored(tmp_path: Path) -> None:
    with pytest.raises(SecretError, match="empty"):
        Secrets(tmp_path).store("corp", SecretRef.parse("file"), "")
    assert not (tmp_path / "corp").exists()


def test_env_and_cmd_secrets_are_not_stored_by_llmgw(tmp_path: Path) -> None:
    with pytest.raises(SecretError, match="does not store it"):
        Secrets(tmp_path).store("corp", SecretRef.parse("env:X"), "value")


# --- keyring ----------------------------------------------------------------------------


@pytest.mark.usefixtures("no_keychain")
def test_no_keychain_offers_the_alternatives() -> None:
    with pytest.raises(NoKeychainError) as info:
        keychain()
    message = info.value.message
    for option in ("--secret-env", "--secret-cmd", "--insecure-storage"):
        assert option in message
    with pytest.raises(NoKeychainError):
        Secrets().store("corp", SecretRef.parse("keyring"), SECRET)
    with pytest.raises(NoKeychainError):
        Secrets().resolve(profile("keyring"))


def test_plaintext_and_null_backends_count_as_no_keychain(monkeypatch: pytest.MonkeyPatch) -> None:
    import keyring
    from keyring.backends import null

    monkeypatch.setattr(keyring.core, "_keyring_backend", null.Keyring())  # type: ignore[no-untyped-call]
    with pytest.raises(NoKeychainError):
        keychain()
    # keyrings.alt's PlaintextKeyring keeps base64 in a file: not a keychain (facts.md).
    monkeypatch.setattr(keyring.core, "_keyring_backend", PlaintextKeyring())  # type: ignore[no-untyped-call]
    with pytest.raises(NoKeychainError):
        keychain()


class PlaintextKeyring(KeyringBackend):
    """Stands in for keyrings.alt.file.PlaintextKeyring (not installed here)."""

    priority = 1

    def get_password(self, service: str, username: str) -> str | None:
        return None

    def set_password(self, service: str, username: str, password: str) -> None:
        raise AssertionError("must not be used")

    def delete_password(self, service: str, username: str) -> None:
        raise AssertionError("must not be used")
