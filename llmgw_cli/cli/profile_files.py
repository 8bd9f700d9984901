"""`llmgw profile edit|set|import|export`: the commands that read or write a profile file whole."""

from __future__ import annotations

import sys
from pathlib import Path

import typer

from llmgw_cli.cli import console
from llmgw_cli.cli.completion import profile_names
from llmgw_cli.config import checks, manage
from llmgw_cli.config.model import Profile
from llmgw_cli.config.secretref import SecretRef
from llmgw_cli.config.secrets import Secrets, proxy_key
from llmgw_cli.config.store import ProfileStore
from llmgw_cli.errors import UsageError


def register(profile_app: typer.Typer) -> None:
    profile_app.command("edit")(edit)
    profile_app.command("set")(set_)
    profile_app.command("import")(import_)
    profile_app.command("export")(export)


def report_proxy_moved(secrets: Secrets, profile: Profile) -> None:
    ref = SecretRef.parse(profile.proxy.secret or "")
    where = secrets.where(proxy_key(profile.name), ref)
    if ref.kind == "file":
        console.warn(f"no system keychain in use: the proxy's password went to the {where}")
    else:
        console.info(f"the proxy's password went to the {where}, not the profile file")


def edit(
    name: str = typer.Argument(
        ..., metavar="NAME", help="Profile name.", autocompletion=profile_names
    ),
) -> None:
    """Open the profile in $EDITOR; the change is kept only if it validates.

    Example: EDITOR=nano llmgw profile edit corp
    """
    from llmgw_cli.cli import edit as editing

    editing.edit_profile(ProfileStore(), name)


def set_(
    name: str = typer.Argument(
        ..., metavar="NAME", help="Profile name.", autocompletion=profile_names
    ),
    assignments: list[str] = typer.Argument(
        ...,
        metavar="KEY=VALUE...",
        help="Dotted keys of the profile file; VALUE is YAML, empty removes the key.",
    ),
) -> None:
    """Change profile keys without an editor; validated like the file, written atomically.

    Example: llmgw profile set corp models.default=claude-sonnet-4-5
    claude_code.env.API_TIMEOUT_MS=600000
    """
    from llmgw_cli.config import edits

    updated, moved = edits.apply(ProfileStore(), name, assignments, Secrets())
    for note in updated.warnings:
        console.warn(note)
    if moved:
        report_proxy_moved(Secrets(), updated)
    console.success(
        f"profile {name} updated ({', '.join(a.partition('=')[0] for a in assignments)})"
    )


def import_(
    file: Path = typer.Argument(None, metavar="FILE", help="A profile YAML file."),
    from_env: str = typer.Option(
        None, "--from-env", metavar="NAME", help="Create NAME from the variables set now."
    ),
    insecure_storage: bool = typer.Option(
        False, "--insecure-storage", help="Keep an imported secret in a 0600 file."
    ),
    force: bool = typer.Option(False, "--force", help="Replace an existing profile."),
    yes: bool = typer.Option(
        False, "--yes", "-y", help="Accept a cmd: secret (a command llmgw will run) unasked."
    ),
) -> None:
    """Import a profile from a file, or from the environment (also seed-style CLAUDE_* names).

    Example: llmgw profile import --from-env corp
    """
    from llmgw_cli.cli import importing

    if bool(file) == bool(from_env):
        raise UsageError("give either FILE or --from-env NAME")
    if file:
        approve = None if yes else importing.approve_command
        profile = manage.import_file(ProfileStore(), file, force, approve)
        console.success(f"imported profile {profile.name}")
    else:
        importing.import_env(ProfileStore(), Secrets(), from_env, insecure_storage, force)


def export(
    name: str = typer.Argument(
        ..., metavar="NAME", help="Profile name.", autocompletion=profile_names
    ),
) -> None:
    """Print a profile as YAML (never a secret: only where it lives).

    A proxy password still written in proxy.https is left out of the URL.
    Example: llmgw profile export corp > corp.yaml
    """
    from llmgw_cli.config import yamlio

    profile = ProfileStore().load(name)
    if profile.proxy.https:
        profile.proxy.https, password = checks.split_password(profile.proxy.https)
        if password is not None:
            console.warn(
                "the proxy's password is not exported; on the other machine: "
                f"llmgw secret set {name} --proxy"
            )
    sys.stdout.write(yamlio.dump(profile.to_dict()))
