"""Resolve and store profile secrets: keychain, environment, a command, or an opt-in file.

``import keyring`` costs about 130 ms (backend discovery), so it happens only when a
profile actually uses the keychain.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
from pathlib import Path
from typing import TYPE_CHECKING, Any

from llmgw_cli import paths
from llmgw_cli.config.secretref import SecretRef, env_value
from llmgw_cli.errors import NoKeychainError, SecretError

if TYPE_CHECKING:
    from llmgw_cli.config.model import Profile

SERVICE = "llmgw"
# A profile's proxy password is stored as its own secret, account/file NAME@proxy: '@' never
# appears in a profile name, so no profile's own secret can share it.
PROXY_SUFFIX = "@proxy"
CMD_TIMEOUT_ENV = "LLMGW_SECRET_CMD_TIMEOUT"
# Backends that are not a real keychain: they fail, drop, or keep secrets in plain files.
_NOT_A_KEYCHAIN = ("fail", "null", "plaintext", "chainer")

NO_KEYCHAIN_HELP = (
    "no system keychain is available here; store the secret another way: "
    "--secret-env VAR (read from the environment), --secret-cmd CMD (e.g. a password manager), "
    "or --insecure-storage (a 0600 file)"
)


def keychain() -> Any:
    """The keyring backend, or NoKeychainError when only a fake one is available."""
    try:
        import keyring
        from keyring.backends import chainer
    except ImportError as exc:  # pragma: no cover - keyring is a dependency
        raise NoKeychainError(NO_KEYCHAIN_HELP) from exc
    backend = keyring.get_keyring()
    if isinstance(backend, chainer.ChainerBackend):
        real = [b for b in backend.backends if not _fake(b)]
        if not real:
            raise NoKeychainError(NO_KEYCHAIN_HELP)
        return real[0]
    if _fake(backend):
        raise NoKeychainError(NO_KEYCHAIN_HELP)
    return backend


def _fake(backend: Any) -> bool:
    module = type(backend).__module__.lower()
    name = type(backend).__name__.lower()
    return any(word in module or word in name for word in _NOT_A_KEYCHAIN) or (
        getattr(backend, "priority", 1) <= 0
    )


def keychain_name() -> str:
    try:
        backend = keychain()
    except NoKeychainError:
        return "none"
    return str(getattr(backend, "name", type(backend).__name__))


class Secrets:
    """Secret operations for profiles. Tests pass their own folder."""

    def __init__(self, folder: Path | None = None) -> None:
        self.folder = folder if folder is not None else paths.secrets_dir()

    def file_path(self, profile: str) -> Path:
        return self.folder / profile

    def resolve(self, profile: Profile) -> str | None:
        """The secret for a profile (None for auth type none). A proxy password kept under
        ``proxy.secret`` is read too and set on ``profile.proxy.password`` (``fill_proxy``)."""
        self.fill_proxy(profile)
        if profile.auth.type == "none" or profile.auth.secret is None:
            return None
        ref = SecretRef.parse(profile.auth.secret)
        return self.get(profile.name, ref)

    def fill_proxy(self, profile: Profile) -> None:
        """Read the proxy's password from ``proxy.secret`` into ``profile.proxy.password``."""
        proxy = profile.proxy
        if proxy.secret is None or proxy.password is not None:
            return
        ref = SecretRef.parse(proxy.secret)
        key = proxy_key(profile.name)
        try:
            proxy.password = self.get(key, ref)
        except NoKeychainError:
            raise
        except SecretError as exc:
            raise SecretError(
                f"cannot read the proxy password of profile {profile.name!r} from "
                f"{self.where(key, ref)}; {proxy_fix(profile.name, ref)}"
            ) from exc

    def get(self, profile: str, ref: SecretRef) -> str:
        if ref.kind == "env":
            return env_value(profile, ref.arg)
        if ref.kind == "cmd":
            return self._run(profile, ref.arg)
        if ref.kind == "file":
            try:
                return self.file_path(profile).read_text(encoding="utf-8").rstrip("\n")
            except FileNotFoundError as exc:
                raise SecretError(
                    f"no secret file for profile {profile!r}; run `llmgw secret set {profile}`"
                ) from exc
        value = self._keychain_call("get_password", SERVICE, profile)
        if value is None:
            raise SecretError(
                f"no secret in the keychain for profile {profile!r}; "
                f"run `llmgw secret set {profile}`"
            )
        return str(value)

    def store(self, profile: str, ref: SecretRef, value: str) -> None:
        if not value:
            raise SecretError("the secret is empty; nothing was stored")
        if ref.kind == "keyring":
            self._keychain_call("set_password", SERVICE, profile, value)
        elif ref.kind == "file":
            paths.write_atomic(self.file_path(profile), value, mode=0o600)
        else:
            raise SecretError(
                f"profile {profile!r} takes its secret from {ref.kind}:{ref.arg}; "
                "llmgw does not store it (change it at its source)"
            )

    def delete(self, profile: str, ref: SecretRef) -> bool:
        if ref.kind == "file":
            try:
                self.file_path(profile).unlink()
                return True
            except FileNotFoundError:
                return False
        if ref.kind == "keyring":
            import keyring.errors

            try:
                self._keychain_call("delete_password", SERVICE, profile)
                return True
            except keyring.errors.PasswordDeleteError:
                return False
        return False

    def move(self, old: str, new: str, ref: SecretRef) -> None:
        if ref.kind not in ("keyring", "file"):
            return
        with contextlib.suppress(SecretError):
            value = self.get(old, ref)
            self.store(new, ref, value)
            self.delete(old, ref)

    def where(self, profile: str, ref: SecretRef) -> str:
        return {
            "keyring": f"system keychain (service {SERVICE!r}, account {profile!r})",
            "env": f"environment variable ${ref.arg}",
            "cmd": f"output of `{ref.arg}`",
            "file": f"file {self.file_path(profile)} (0600, not encrypted)",
        }[ref.kind]

    def _run(self, profile: str, command: str) -> str:
        try:
            timeout = float(os.environ.get(CMD_TIMEOUT_ENV) or "10")
        except ValueError as exc:
            raise SecretError(f"{CMD_TIMEOUT_ENV} must be a number of seconds, e.g. 30") from exc
        # Its own process group, so a timeout kills the shell and whatever it started
        # (a `sleep` or a hung helper would otherwise linger holding the pipe).
        with subprocess.Popen(
            command,
            shell=True,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        ) as proc:
            try:
                stdout, _ = proc.communicate(timeout=timeout)
            except subprocess.TimeoutExpired as exc:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(proc.pid, signal.SIGKILL)
                proc.communicate()
                raise SecretError(
                    f"the secret command for profile {profile!r} took longer than {timeout:g} s; "
                    f"check it runs on its own (set {CMD_TIMEOUT_ENV} to wait longer)"
                ) from exc
        done = subprocess.CompletedProcess(command, proc.returncode, stdout, "")
        if done.returncode != 0:
            # stderr is not shown: a failing helper may echo what it was given.
            raise SecretError(
                f"the secret command for profile {profile!r} exited with {done.returncode}; "
                "run it yourself to see why, or change auth.secret"
            )
        value = done.stdout.strip()
        if not value:
            raise SecretError(
                f"the secret command for profile {profile!r} printed nothing; it must print the key"
            )
        return value

    @staticmethod
    def _keychain_call(method: str, *args: str) -> Any:
        backend = keychain()
        import keyring.errors

        try:
            return getattr(backend, method)(*args)
        except keyring.errors.PasswordDeleteError:
            raise
        except keyring.errors.KeyringError as exc:
            raise NoKeychainError(
                f"the keychain refused ({type(exc).__name__}); {NO_KEYCHAIN_HELP}"
            ) from exc


def proxy_key(profile: str) -> str:
    """The account (keychain) or file name of ``profile``'s proxy password."""
    return profile + PROXY_SUFFIX


def proxy_fix(profile: str, ref: SecretRef) -> str:
    if ref.kind == "env":
        return f"run `export {ref.arg}=PASSWORD` in the shell that runs llmgw"
    if ref.kind == "cmd":
        return f"make `{ref.arg}` print the password alone on one line"
    return f"run `llmgw secret set {profile} --proxy`"


def secret_fix(profile: Profile) -> str:
    """How to change a profile's secret where it lives, as a command the user can run."""
    ref = profile.auth.secret
    if profile.auth.type == "none" or not ref:
        return (
            f"`llmgw profile set {profile.name} auth.type=bearer auth.secret=keyring`, "
            f"then `llmgw secret set {profile.name}`"
        )
    parsed = SecretRef.parse(ref)
    if parsed.kind == "env":
        return f"`export {parsed.arg}=YOUR_KEY` in the shell that runs llmgw"
    if parsed.kind == "cmd":
        return f"make `{parsed.arg}` print the key alone on one line"
    return f"`llmgw secret set {profile.name}`"
