"""`llmgw profile import --from-env NAME`: move a key out of the environment into a safe place."""

from __future__ import annotations

import os
import sys

import typer

from llmgw_cli.cli import console
from llmgw_cli.clientenv.mapping import MANAGED
from llmgw_cli.config import fromenv, manage, model
from llmgw_cli.config.model import Profile
from llmgw_cli.config.secretref import SecretRef
from llmgw_cli.config.secrets import Secrets, keychain, proxy_key
from llmgw_cli.config.store import ProfileStore, check_name
from llmgw_cli.config.yamlio import Located
from llmgw_cli.errors import NoKeychainError, UsageError


def import_env(
    store: ProfileStore, secrets: Secrets, name: str, insecure: bool, force: bool
) -> None:
    imported = fromenv.from_env(os.environ)
    data = dict(imported.data)
    secret = imported.secret
    where = "no secret"
    if secret is not None:
        if insecure:
            data["auth"] = {**data["auth"], "secret": "file"}  # type: ignore[dict-item]
            where = "a 0600 file"
        else:
            try:
                keychain()
                data["auth"] = {**data["auth"], "secret": "keyring"}  # type: ignore[dict-item]
                where = "the keychain"
            except NoKeychainError:
                if imported.secret_var in MANAGED:
                    raise NoKeychainError(
                        f"no system keychain to keep the key from ${imported.secret_var}; "
                        "pass --insecure-storage (0600 file), or add the profile with "
                        "--secret-env VAR / --secret-cmd CMD"
                    ) from None
                # Not a variable llmgw manages, so referring to it stays valid after switching.
                data["auth"] = {**data["auth"], "secret": f"env:{imported.secret_var}"}  # type: ignore[dict-item]
                secret, where = None, f"${imported.secret_var} (referenced, not copied)"
    profile = model.from_data(data, Located(data=data, source="environment"), check_name(name))
    proxy_password = manage.take_proxy_password(profile, insecure)
    manage.save_with_secret(store, secrets, profile, secret, force, proxy_password)
    for note in [*imported.notes, *profile.warnings]:
        console.warn(note)
    if proxy_password is not None:
        where_proxy = secrets.where(proxy_key(name), SecretRef.parse(profile.proxy.secret or ""))
        console.info(f"the password in HTTPS_PROXY went to the {where_proxy}, not the profile")
    console.success(
        f"imported profile {name} from the environment ({profile.root}; secret in {where})"
    )


def approve_command(profile: Profile) -> None:
    """A ``cmd:`` secret runs a command at every `llmgw env`: show it, ask (or --yes)."""
    ref = profile.auth.secret or ""
    if not ref.startswith("cmd:"):
        return
    command = ref[len("cmd:") :]
    console.warn(f"profile {profile.name} reads its secret by running a command: {command}")
    if not sys.stdin.isatty():
        raise UsageError(
            f"importing {profile.name!r} runs `{command}` whenever its secret is needed; "
            "read it, then pass --yes to accept"
        )
    typer.confirm("Import it and let llmgw run this command?", abort=True)
