"""Creating, importing and removing profiles together with their secrets, all-or-nothing."""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from llmgw_cli import paths
from llmgw_cli.config import checks, model, yamlio
from llmgw_cli.config.model import Profile
from llmgw_cli.config.secretref import SecretRef
from llmgw_cli.config.secrets import Secrets, proxy_key
from llmgw_cli.config.store import ProfileStore, check_name
from llmgw_cli.errors import ConfigError, UsageError


@dataclass
class AddSpec:
    """What `llmgw profile add` was asked for; None means "keep the template's value"."""

    name: str
    endpoint: str | None = None
    formats: list[str] = field(default_factory=list)
    auth: str | None = None
    secret_ref: str | None = None  # env:VAR, cmd:CMD, keyring or file
    headers: list[str] = field(default_factory=list)
    model: str | None = None
    opus_model: str | None = None
    sonnet_model: str | None = None
    haiku_model: str | None = None
    ca_bundle: str | None = None
    client_cert: str | None = None
    client_key: str | None = None
    proxy: str | None = None
    template: str | None = None


def template_names() -> list[str]:
    folder = paths.templates_dir()
    return sorted(p.stem for p in folder.glob("*.yaml")) if folder.is_dir() else []


def template_data(name: str) -> dict[str, Any]:
    path = paths.templates_dir() / f"{name}.yaml"
    if not path.is_file():
        raise UsageError(f"no template {name!r}; choose one of: {', '.join(template_names())}")
    data = yamlio.read(path).data
    return dict(data) if isinstance(data, dict) else {}


def parse_header(text: str) -> tuple[str, str]:
    name, sep, value = text.partition(":")
    if not sep or not name.strip():
        raise UsageError(
            f"--header {text!r} is not 'Name: Value'; write it like --header 'X-Team: ml'"
        )
    return name.strip(), value.strip()


def _tls(spec: AddSpec, data: dict[str, Any]) -> None:
    for key in ("ca_bundle", "client_cert", "client_key"):
        if getattr(spec, key):
            data["tls"] = {**(data.get("tls") or {}), key: getattr(spec, key)}
    tls = data.get("tls") or {}
    if bool(tls.get("client_cert")) != bool(tls.get("client_key")):
        raise UsageError("--client-cert and --client-key go together; pass both")


def build_profile(spec: AddSpec) -> Profile:
    data: dict[str, Any] = template_data(spec.template) if spec.template else {}
    data.pop("name", None)
    if spec.endpoint:
        data["endpoint"] = spec.endpoint
    if not data.get("endpoint"):
        raise UsageError(
            f"--endpoint is required: llmgw profile add {spec.name} --endpoint https://…"
        )
    if spec.formats:
        data["formats"] = spec.formats
    data["auth"] = _auth(spec, dict(data.get("auth") or {}))
    if spec.headers:
        data["headers"] = {
            **(data.get("headers") or {}),
            **dict(parse_header(h) for h in spec.headers),
        }
    data["models"] = _models(spec, dict(data.get("models") or {}))
    _tls(spec, data)
    if spec.proxy:
        data["proxy"] = {**(data.get("proxy") or {}), "https": spec.proxy}
    doc = yamlio.Located(data=data, source="command line")
    profile = model.from_data(data, doc, check_name(spec.name))
    if profile.tls.ca_bundle and not Path(profile.tls.ca_bundle).expanduser().is_file():
        raise UsageError(
            f"--ca-bundle {profile.tls.ca_bundle}: no such file; give the PEM file's path"
        )
    return profile


def _auth(spec: AddSpec, auth: dict[str, Any]) -> dict[str, Any]:
    """The template's auth with the flags over it; `none` carries no secret, else keyring."""
    if spec.auth:
        auth["type"] = spec.auth
    if spec.secret_ref:
        auth["secret"] = spec.secret_ref
    if auth.get("type", "bearer") == "none":
        auth.pop("secret", None)
    elif not auth.get("secret"):
        auth["secret"] = "keyring"
    return auth


def _models(spec: AddSpec, models: dict[str, Any]) -> dict[str, Any]:
    for key, value in (
        ("default", spec.model),
        ("opus", spec.opus_model),
        ("sonnet", spec.sonnet_model),
        ("haiku", spec.haiku_model),
    ):
        if value:
            models[key] = value
    return models


def take_proxy_password(profile: Profile, insecure: bool = False) -> str | None:
    """Move a password out of ``proxy.https`` (which keeps ``user@host``) and name its new home
    (``proxy_storage``) in ``proxy.secret``; returns the password, None when none."""
    url = profile.proxy.https
    if not url or profile.proxy.secret is not None:
        return None
    bare, password = checks.split_password(url)
    if not password:
        return None
    profile.proxy.https, profile.proxy.secret = bare, proxy_storage(insecure)
    profile.warnings = [w for w in profile.warnings if not w.startswith(model.PLAIN_PROXY_PASSWORD)]
    return password


def proxy_storage(insecure: bool = False) -> str:
    """Where a proxy password taken out of a URL goes: the keychain, or (none here, or asked
    for) a 0600 file: either is better than the profile file, which is shown and exported."""
    from llmgw_cli.config.secrets import keychain
    from llmgw_cli.errors import NoKeychainError

    if insecure:
        return "file"
    try:
        keychain()
    except NoKeychainError:
        return "file"
    return "keyring"


def save_with_secret(
    store: ProfileStore,
    secrets: Secrets,
    profile: Profile,
    secret: str | None,
    force: bool,
    proxy_password: str | None = None,
) -> None:
    """Store the secrets first, then the profile; undo them if the profile cannot be saved."""
    if store.exists(profile.name) and not force:
        raise ConfigError(
            f"profile {profile.name!r} exists; pass --force to replace it or pick another name"
        )
    stored: list[tuple[str, SecretRef]] = []
    if secret is not None:
        ref = SecretRef.parse(profile.auth.secret) if profile.auth.secret else None
        if ref is None or ref.kind not in ("keyring", "file"):
            raise UsageError("a secret on stdin needs auth.secret keyring or file")
        stored.append((profile.name, ref))
    if proxy_password is not None and profile.proxy.secret:
        stored.append((proxy_key(profile.name), SecretRef.parse(profile.proxy.secret)))
    values = [v for v in (secret, proxy_password) if v is not None]
    try:
        for (account, ref), value in zip(stored, values, strict=True):
            secrets.store(account, ref, value)
        store.save(profile)
    except BaseException:
        for account, ref in stored:
            with contextlib.suppress(Exception):
                secrets.delete(account, ref)
        raise
    if store.current() is None:
        store.set_current(profile.name)


def remove(store: ProfileStore, secrets: Secrets, name: str) -> bool:
    """Delete a profile and the secret llmgw stored for it; True when a secret was deleted."""
    profile = store.load(name)
    removed = False
    for account, ref in _stored_secrets(profile):
        with contextlib.suppress(Exception):  # a missing keychain must not block removal
            removed = secrets.delete(account, ref) or removed
    store.delete(name)
    return removed


def _stored_secrets(profile: Profile) -> list[tuple[str, SecretRef]]:
    """Where llmgw may hold this profile's secrets: its own, and its proxy's password."""
    out = []
    if profile.auth.secret:
        out.append((profile.name, SecretRef.parse(profile.auth.secret)))
    if profile.proxy.secret:
        out.append((proxy_key(profile.name), SecretRef.parse(profile.proxy.secret)))
    return out


def rename(store: ProfileStore, secrets: Secrets, old: str, new: str) -> Profile:
    profile = store.load(old)
    check_name(new)
    if store.exists(new):
        raise ConfigError(f"a profile named {new!r} exists; remove it first or pick another name")
    if profile.auth.secret:
        secrets.move(old, new, SecretRef.parse(profile.auth.secret))
    if profile.proxy.secret:
        secrets.move(proxy_key(old), proxy_key(new), SecretRef.parse(profile.proxy.secret))
    return store.rename(old, new)


def import_file(
    store: ProfileStore,
    path: Path,
    force: bool,
    approve: Callable[[Profile], None] | None = None,
) -> Profile:
    """``approve`` sees the validated profile before it is saved (raise to refuse it)."""
    doc = yamlio.read(path)
    name = doc.data.get("name") if isinstance(doc.data, dict) else None
    if not isinstance(name, str):
        raise ConfigError(f"{path}: the file has no name: line; add name: <profile-name>")
    profile = model.from_data(doc.data, doc, check_name(name))
    if store.exists(profile.name) and not force:
        raise ConfigError(f"profile {profile.name!r} exists; pass --force to replace it")
    if approve is not None:
        approve(profile)
    store.save(profile)
    return profile
