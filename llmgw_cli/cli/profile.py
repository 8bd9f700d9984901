"""`llmgw profile …`: add, list, show, use, remove, rename, edit, import, export."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import typer

from llmgw_cli.cli import console
from llmgw_cli.cli.completion import profile_names
from llmgw_cli.config import manage
from llmgw_cli.config.secrets import Secrets
from llmgw_cli.config.store import ProfileStore
from llmgw_cli.errors import UsageError

profile_app = typer.Typer(help="Manage gateway profiles.", no_args_is_help=True)


def register(app: typer.Typer) -> None:
    app.add_typer(profile_app, name="profile")


def _read_stdin_secret() -> str:
    if sys.stdin.isatty():
        import getpass

        return getpass.getpass("Secret (input hidden): ").strip()
    return sys.stdin.read().strip()


@profile_app.command("add")
def add(
    name: str = typer.Argument(..., help="Profile name, e.g. corp."),
    endpoint: str = typer.Option(None, "--endpoint", help="Gateway root URL, without /v1."),
    fmt: list[str] = typer.Option(
        [], "--format", help="Wire format served: anthropic, openai, bedrock, vertex (repeatable)."
    ),
    auth: str = typer.Option(None, "--auth", help="bearer | x-api-key | none."),
    secret_stdin: bool = typer.Option(
        False, "--secret-stdin", help="Read the secret from stdin into the keychain."
    ),
    secret_env: str = typer.Option(
        None, "--secret-env", metavar="VAR", help="Read the secret from $VAR at use time."
    ),
    secret_cmd: str = typer.Option(
        None, "--secret-cmd", metavar="CMD", help="Run CMD to get the secret (password manager)."
    ),
    insecure_storage: bool = typer.Option(
        False,
        "--insecure-storage",
        help="With --secret-stdin: keep the secret in a 0600 file, not the keychain.",
    ),
    header: list[str] = typer.Option(
        [], "--header", help="Custom header 'Name: Value' (repeatable)."
    ),
    model: str = typer.Option(None, "--model", help="Default model (ANTHROPIC_MODEL)."),
    opus_model: str = typer.Option(None, "--opus-model"),
    sonnet_model: str = typer.Option(None, "--sonnet-model"),
    haiku_model: str = typer.Option(None, "--haiku-model"),
    ca_bundle: str = typer.Option(
        None, "--ca-bundle", help="PEM file of the CA that signs the gateway."
    ),
    proxy: str = typer.Option(None, "--proxy", help="HTTPS proxy URL."),
    template: str = typer.Option(
        None,
        "--template",
        help=f"Start from a shipped template ({', '.join(manage.template_names())}).",
    ),
    force: bool = typer.Option(False, "--force", help="Replace an existing profile."),
) -> None:
    """Create a profile.

    The secret goes to the keychain (or stays where --secret-env/--secret-cmd say).
    """
    chosen = [x for x in (secret_stdin, secret_env, secret_cmd) if x]
    if len(chosen) > 1:
        raise UsageError("use only one of --secret-stdin, --secret-env, --secret-cmd")
    if insecure_storage and not secret_stdin:
        raise UsageError("--insecure-storage goes with --secret-stdin")
    ref = (
        f"env:{secret_env}"
        if secret_env
        else f"cmd:{secret_cmd}"
        if secret_cmd
        else ("file" if insecure_storage else "keyring")
        if secret_stdin
        else None
    )
    spec = manage.AddSpec(
        name=name,
        endpoint=endpoint,
        formats=fmt,
        auth=auth,
        secret_ref=ref,
        headers=header,
        model=model,
        opus_model=opus_model,
        sonnet_model=sonnet_model,
        haiku_model=haiku_model,
        ca_bundle=ca_bundle,
        proxy=proxy,
        template=template,
    )
    store, secrets = ProfileStore(), Secrets()
    profile = manage.build_profile(spec)
    if store.exists(name) and not force:
        raise UsageError(
            f"profile {name!r} exists; pass --force to replace it or pick another name"
        )
    secret = None
    if secret_stdin:
        if ref == "keyring":
            from llmgw_cli.config.secrets import keychain

            keychain()  # fail before reading anything when there is no keychain
        secret = _read_stdin_secret()
        if not secret:
            raise UsageError(
                'no secret on stdin; pipe it in: printf %s "$KEY" | llmgw profile add …'
            )
    was_current = store.current()
    manage.save_with_secret(store, secrets, profile, secret, force)
    for note in profile.warnings:
        console.warn(note)
    if insecure_storage:
        console.warn(f"secret stored unencrypted in {secrets.file_path(name)} (0600)")
    console.success(f"profile {name} saved to {store.path(name)}")
    if was_current is None:
        console.info('it is now the current profile; load it with: eval "$(llmgw env)"')
    elif profile.auth.secret == "keyring" and secret is None:
        console.info(f"store its secret with: llmgw secret set {name}")


@profile_app.command("list")
def list_(json_out: bool = typer.Option(False, "--json", help="Write JSON to stdout.")) -> None:
    """List profiles; the current one is marked."""
    from llmgw_cli.cli import render

    store = ProfileStore()
    render.profile_list(store, json_out)


@profile_app.command("show")
def show(
    name: str = typer.Argument(
        None, help="Profile name (default: the selected one).", autocompletion=profile_names
    ),
    json_out: bool = typer.Option(False, "--json"),
) -> None:
    """Show a profile; the secret is masked and its location named."""
    from llmgw_cli.cli import render
    from llmgw_cli.config.selection import Selection, load_selected

    selection, profile = load_selected(ProfileStore(), name)
    if name:
        selection = Selection(name, "argument", "named on the command line")
    render.profile_detail(profile, selection, Secrets(), json_out)


@profile_app.command("current")
def current(json_out: bool = typer.Option(False, "--json")) -> None:
    """Which profile applies here, and why (flag > LLMGW_PROFILE > .llmgw-profile > global)."""
    from llmgw_cli.config.selection import select

    selection = select(ProfileStore())
    if json_out:
        console.print_json(
            {"name": selection.name, "source": selection.source, "detail": selection.detail}
        )
    else:
        console.out.print(f"{selection.name}")
        console.info(f"selected by {selection.detail}")


@profile_app.command("use")
def use(
    name: str = typer.Argument(..., autocompletion=profile_names),
    local: bool = typer.Option(
        False, "--local", help="Write .llmgw-profile in this folder instead."
    ),
) -> None:
    """Make NAME the current profile (globally, or for this folder with --local)."""
    from llmgw_cli.config.selection import LOCAL_FILE, PROFILE_ENV

    store = ProfileStore()
    store.load(name)  # must exist and be valid
    if local:
        path = Path.cwd() / LOCAL_FILE
        from llmgw_cli import paths

        paths.write_atomic(path, name + "\n", mode=0o644)
        console.success(f"{path} now selects {name}")
    else:
        store.set_current(name)
        console.success(f"current profile: {name}")
    env_name = os.environ.get(PROFILE_ENV)
    if env_name and env_name != name:
        console.warn(
            f"{PROFILE_ENV}={env_name} in this shell still wins; "
            f'run: eval "$(llmgw env --profile {name})"'
        )


@profile_app.command("remove")
def remove(
    name: str = typer.Argument(..., autocompletion=profile_names),
    yes: bool = typer.Option(False, "--yes", "-y"),
) -> None:
    """Delete a profile and the secret llmgw stored for it."""
    store = ProfileStore()
    store.load(name)
    if not yes:
        if not sys.stdin.isatty():
            raise UsageError(f"removing {name!r} needs confirmation; pass --yes")
        typer.confirm(f"Remove profile {name} and its stored secret?", abort=True)
    secret_removed = manage.remove(store, Secrets(), name)
    console.success(f"removed profile {name}" + (" and its secret" if secret_removed else ""))


@profile_app.command("rename")
def rename(
    old: str = typer.Argument(..., autocompletion=profile_names), new: str = typer.Argument(...)
) -> None:
    """Rename a profile; its stored secret moves with it."""
    manage.rename(ProfileStore(), Secrets(), old, new)
    console.success(f"renamed {old} to {new}")


@profile_app.command("edit")
def edit(name: str = typer.Argument(..., autocompletion=profile_names)) -> None:
    """Open the profile in $EDITOR; the change is kept only if it validates."""
    from llmgw_cli.cli import edit as editing

    editing.edit_profile(ProfileStore(), name)


@profile_app.command("import")
def import_(
    file: Path = typer.Argument(None, help="A profile YAML file."),
    from_env: str = typer.Option(
        None, "--from-env", metavar="NAME", help="Create NAME from the variables set now."
    ),
    insecure_storage: bool = typer.Option(
        False, "--insecure-storage", help="Keep an imported secret in a 0600 file."
    ),
    force: bool = typer.Option(False, "--force"),
    yes: bool = typer.Option(
        False, "--yes", "-y", help="Accept a cmd: secret (a command llmgw will run) unasked."
    ),
) -> None:
    """Import a profile from a file, or from the environment (also seed-style CLAUDE_* names)."""
    from llmgw_cli.cli import importing

    if bool(file) == bool(from_env):
        raise UsageError("give either FILE or --from-env NAME")
    if file:
        approve = None if yes else importing.approve_command
        profile = manage.import_file(ProfileStore(), file, force, approve)
        console.success(f"imported profile {profile.name}")
    else:
        importing.import_env(ProfileStore(), Secrets(), from_env, insecure_storage, force)


@profile_app.command("export")
def export(name: str = typer.Argument(..., autocompletion=profile_names)) -> None:
    """Print a profile as YAML (never a secret: only where it lives)."""
    from llmgw_cli.config import yamlio

    profile = ProfileStore().load(name)
    sys.stdout.write(yamlio.dump(profile.to_dict()))
