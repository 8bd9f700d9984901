"""`llmgw secret set|rm|list`: store, delete or locate a profile's secret where its profile says."""

from __future__ import annotations

import sys

import typer

from llmgw_cli.cli import console
from llmgw_cli.cli.completion import profile_names
from llmgw_cli.config.secretref import SecretRef
from llmgw_cli.config.secrets import Secrets
from llmgw_cli.config.store import ProfileStore
from llmgw_cli.errors import UsageError

secret_app = typer.Typer(
    help="Store, delete or list profiles' secrets (never shown, only masked).",
    no_args_is_help=True,
)


def register(app: typer.Typer) -> None:
    app.add_typer(secret_app, name="secret")


def _ref(profile_name: str) -> SecretRef:
    profile = ProfileStore().load(profile_name)
    if profile.auth.type == "none" or not profile.auth.secret:
        raise UsageError(
            f"profile {profile_name!r} has auth none; set auth.type first (llmgw profile edit)"
        )
    return SecretRef.parse(profile.auth.secret)


@secret_app.command("set")
def set_(
    profile: str = typer.Argument(..., help="Profile name.", autocompletion=profile_names),
    stdin: bool = typer.Option(
        False, "--stdin", help="Read the secret from stdin instead of a hidden prompt."
    ),
) -> None:
    """Store the secret (keychain, or the opt-in 0600 file) — read with a hidden prompt.

    Example: printf %s "$KEY" | llmgw secret set corp --stdin
    """
    ref = _ref(profile)
    if ref.kind in ("keyring",):
        from llmgw_cli.config.secrets import keychain

        keychain()
    if ref.kind not in ("keyring", "file"):
        raise UsageError(
            f"profile {profile!r} reads its secret from {ref}; set it there, not in llmgw"
        )
    if stdin or not sys.stdin.isatty():
        value = sys.stdin.read().strip()
    else:
        value = typer.prompt(f"Secret for {profile}", hide_input=True).strip()
    if not value:
        raise UsageError("the secret is empty; nothing was stored")
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
) -> None:
    """Delete the stored secret (the profile stays).

    Example: llmgw secret rm corp
    """
    ref = _ref(profile)
    secrets = Secrets()
    if secrets.delete(profile, ref):
        console.success(f"deleted the secret for {profile} from {secrets.where(profile, ref)}")
    else:
        console.info(f"no stored secret for {profile} ({secrets.where(profile, ref)})")


@secret_app.command("list")
def list_(json_out: bool = typer.Option(False, "--json", help="Write JSON to stdout.")) -> None:
    """Where each profile's secret lives, and whether it is there (masked as …abcd).

    A cmd: secret is not run to be listed. Example: llmgw secret list --json
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
        sys.stdout.write(f"{row['profile']}\t{row['ref'] or 'none'}\t{row['where']}\t{state}\n")
