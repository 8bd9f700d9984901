"""`llmgw secret set|rm|list`: store, delete or locate a profile's secret where its profile says.

``--proxy`` works on the profile's proxy password instead (``proxy.secret``; stored as its own
secret, account NAME@proxy), and `secret set --proxy` moves a password out of ``proxy.https``.
"""

from __future__ import annotations

import sys

import typer

from llmgw_cli.cli import console
from llmgw_cli.cli.completion import profile_names
from llmgw_cli.config import checks
from llmgw_cli.config.model import Profile
from llmgw_cli.config.secretref import SecretRef
from llmgw_cli.config.secrets import Secrets, proxy_key
from llmgw_cli.config.store import ProfileStore
from llmgw_cli.errors import UsageError

secret_app = typer.Typer(
    help="Store, delete or list profiles' secrets (never shown, only masked).",
    no_args_is_help=True,
)

PROXY_HELP = "The proxy's password (proxy.secret), not the profile's key."


def register(app: typer.Typer) -> None:
    app.add_typer(secret_app, name="secret")


def _ref(profile_name: str) -> SecretRef:
    profile = ProfileStore().load(profile_name)
    if profile.auth.type == "none" or not profile.auth.secret:
        raise UsageError(
            f"profile {profile_name!r} has auth none; set auth.type first (llmgw profile edit)"
        )
    return SecretRef.parse(profile.auth.secret)


def _proxy_ref(profile: Profile) -> SecretRef:
    """Where this profile's proxy password lives, or goes: its proxy.secret, else the keychain
    (a 0600 file when the profile's own secret is in one)."""
    name = profile.name
    if not profile.proxy.https or checks.url_user(profile.proxy.https) is None:
        raise UsageError(
            f"profile {name!r} has no proxy with a user name; set one first: "
            f"llmgw profile set {name} proxy.https=http://USER@proxy:3128"
        )
    if profile.proxy.secret:
        return SecretRef.parse(profile.proxy.secret)
    return SecretRef("file" if profile.auth.secret == "file" else "keyring")


def _read(label: str, stdin: bool) -> str:
    if stdin or not sys.stdin.isatty():
        value = sys.stdin.read().strip()
    else:
        value = typer.prompt(label, hide_input=True).strip()
    if not value:
        raise UsageError("the secret is empty; nothing was stored")
    return value


def _storable(ref: SecretRef, reads: str) -> None:
    if ref.kind == "keyring":
        from llmgw_cli.config.secrets import keychain

        keychain()
    if ref.kind not in ("keyring", "file"):
        raise UsageError(f"{reads} from {ref}; set it there, not in llmgw")


def _set_proxy(name: str, stdin: bool) -> None:
    store, secrets = ProfileStore(), Secrets()
    profile = store.load(name)
    ref = _proxy_ref(profile)
    _storable(ref, f"profile {name!r} reads its proxy password")
    value = _read(f"Proxy password for {name}", stdin)
    secrets.store(proxy_key(name), ref, value)
    bare, _ = checks.split_password(profile.proxy.https or "")
    if profile.proxy.secret != str(ref) or bare != profile.proxy.https:
        profile.proxy.https, profile.proxy.secret = bare, str(ref)
        store.save(profile)  # the URL keeps USER@host; the password is out of the file
    console.success(f"proxy password for {name} stored in {secrets.where(proxy_key(name), ref)}")


@secret_app.command("set")
def set_(
    profile: str = typer.Argument(..., help="Profile name.", autocompletion=profile_names),
    stdin: bool = typer.Option(
        False, "--stdin", help="Read the secret from stdin instead of a hidden prompt."
    ),
    proxy: bool = typer.Option(False, "--proxy", help=PROXY_HELP),
) -> None:
    """Store the secret (keychain, or the opt-in 0600 file) — read with a hidden prompt.

    With --proxy: the proxy's password; one written in proxy.https moves out of the file.
    Example: printf %s "$KEY" | llmgw secret set corp --stdin
    """
    if proxy:
        _set_proxy(profile, stdin)
        return
    ref = _ref(profile)
    _storable(ref, f"profile {profile!r} reads its secret")
    value = _read(f"Secret for {profile}", stdin)
    secrets = Secrets()
    secrets.store(profile, ref, value)
    console.success(f"secret for {profile} stored in {secrets.where(profile, ref)}")


@secret_app.command("rm")
@secret_app.command(
    "remove",
    help="Delete the stored secret (same as rm).\n\nExample: llmgw secret remove corp",
)
def rm(
    profile: str = typer.Argument(..., help="Profile name.", autocompletion=profile_names),
    proxy: bool = typer.Option(False, "--proxy", help=PROXY_HELP),
) -> None:
    """Delete the stored secret (the profile stays).

    Example: llmgw secret rm corp
    """
    if proxy:
        account, ref = proxy_key(profile), _proxy_ref(ProfileStore().load(profile))
        what = f"the proxy password for {profile}"
    else:
        account, ref, what = profile, _ref(profile), f"the secret for {profile}"
    secrets = Secrets()
    if secrets.delete(account, ref):
        console.success(f"deleted {what} from {secrets.where(account, ref)}")
    else:
        console.info(f"no stored {what.removeprefix('the ')} ({secrets.where(account, ref)})")


@secret_app.command("list")
def list_(json_out: bool = typer.Option(False, "--json", help="Write JSON to stdout.")) -> None:
    """Where each profile's secret lives, and whether it is there (masked as …abcd).

    A proxy password is a row of its own ("for": "proxy"). A cmd: secret is not run to be
    listed. Example: llmgw secret list --json
    """
    from llmgw_cli.cli.render import secret_rows

    rows = secret_rows(ProfileStore(), Secrets())
    if json_out:
        console.print_json({"secrets": rows})
        return
    if not rows:
        console.info("no profiles yet: llmgw profile add NAME --endpoint URL")
    for row in rows:
        state = row.get("masked") or row.get("problem") or ""
        label = f"{row['profile']} (proxy)" if row.get("for") == "proxy" else row["profile"]
        sys.stdout.write(f"{label}\t{row['ref'] or 'none'}\t{row['where']}\t{state}\n")
