"""`llmgw profile …`: add, list, show, current, use, remove, rename (edit, set, import and
export: cli/profile_files.py)."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import typer

from llmgw_cli.cli import console
from llmgw_cli.cli.completion import profile_names
from llmgw_cli.config import manage
from llmgw_cli.config.model import Profile
from llmgw_cli.config.secrets import Secrets
from llmgw_cli.config.store import ProfileStore
from llmgw_cli.errors import UsageError

profile_app = typer.Typer(help="Manage gateway profiles.", no_args_is_help=True)


def register(app: typer.Typer) -> None:
    from llmgw_cli.cli import profile_files

    profile_files.register(profile_app)  # edit, set, import, export: after the others in --help
    app.add_typer(profile_app, name="profile")


def _read_stdin_secret() -> str:
    if sys.stdin.isatty():
        import getpass

        return getpass.getpass("Secret (input hidden): ").strip()
    return sys.stdin.read().strip()


@profile_app.command("add")
def add(
    name: str = typer.Argument(..., metavar="NAME", help="Profile name, e.g. corp."),
    endpoint: str = typer.Option(
        None, "--endpoint", metavar="URL", help="Gateway root URL, without /v1."
    ),
    fmt: list[str] = typer.Option(
        [],
        "--format",
        metavar="FORMAT",
        help="Wire format served: anthropic, openai (Chat Completions), responses, bedrock "
        "or vertex (repeatable; default: anthropic).",
    ),
    auth: str = typer.Option(
        None,
        "--auth",
        metavar="TYPE",
        help="bearer (Authorization: Bearer), x-api-key or none (default: bearer).",
    ),
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
        [],
        "--header",
        metavar="'NAME: VALUE'",
        help="Custom header sent on every request (repeatable).",
    ),
    model: str = typer.Option(
        None, "--model", metavar="MODEL", help="Default model (ANTHROPIC_MODEL)."
    ),
    opus_model: str = typer.Option(
        None, "--opus-model", metavar="MODEL", help="Model for opus (ANTHROPIC_DEFAULT_OPUS_MODEL)."
    ),
    sonnet_model: str = typer.Option(
        None,
        "--sonnet-model",
        metavar="MODEL",
        help="Model for sonnet (ANTHROPIC_DEFAULT_SONNET_MODEL).",
    ),
    haiku_model: str = typer.Option(
        None,
        "--haiku-model",
        metavar="MODEL",
        help="Model for haiku and background tasks (ANTHROPIC_DEFAULT_HAIKU_MODEL).",
    ),
    ca_bundle: str = typer.Option(
        None, "--ca-bundle", metavar="PATH", help="PEM file of the CA that signs the gateway."
    ),
    client_cert: str = typer.Option(
        None, "--client-cert", metavar="PATH", help="PEM client certificate (mutual TLS)."
    ),
    client_key: str = typer.Option(
        None, "--client-key", metavar="PATH", help="PEM key of --client-cert (mutual TLS)."
    ),
    proxy: str = typer.Option(None, "--proxy", metavar="URL", help="HTTPS proxy URL."),
    template: str = typer.Option(
        None,
        "--template",
        metavar="NAME",
        help=f"Start from a shipped template ({', '.join(manage.template_names())}).",
    ),
    force: bool = typer.Option(False, "--force", help="Replace an existing profile."),
) -> None:
    """Create a profile; its secret goes to the keychain or stays where you say.

    Example: printf %s "$KEY" | llmgw profile add corp --endpoint https://gw.corp --secret-stdin
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
        client_cert=client_cert,
        client_key=client_key,
        proxy=proxy,
        template=template,
    )
    store, secrets = ProfileStore(), Secrets()
    profile = manage.build_profile(spec)
    if store.exists(name) and not force:
        raise UsageError(
            f"profile {name!r} exists; pass --force to replace it or pick another name"
        )
    proxy_password = manage.take_proxy_password(profile, insecure_storage)
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
    manage.save_with_secret(store, secrets, profile, secret, force, proxy_password)
    _report_added(store, secrets, profile, insecure_storage, proxy_password is not None)
    if was_current is None:
        console.info('it is now the current profile; load it with: eval "$(llmgw env)"')
    elif profile.auth.secret == "keyring" and secret is None:
        console.info(f"store its secret with: llmgw secret set {name}")


def _report_added(
    store: ProfileStore, secrets: Secrets, profile: Profile, insecure: bool, moved: bool
) -> None:
    name = profile.name
    for note in profile.warnings:
        console.warn(note)
    if moved:
        from llmgw_cli.cli.profile_files import report_proxy_moved

        report_proxy_moved(secrets, profile)
    if insecure:
        console.warn(f"secret stored unencrypted in {secrets.file_path(name)} (0600)")
    console.success(f"profile {name} saved to {store.path(name)}")


@profile_app.command("list")
@profile_app.command("ls", help="List profiles (same as list).\n\nExample: llmgw profile ls")
def list_(json_out: bool = typer.Option(False, "--json", help="Write JSON to stdout.")) -> None:
    """List profiles; the current one is marked.

    Example: llmgw profile list --json
    """
    from llmgw_cli.cli import render

    store = ProfileStore()
    render.profile_list(store, json_out)


@profile_app.command("show")
def show(
    name: str = typer.Argument(
        None, help="Profile name (default: the selected one).", autocompletion=profile_names
    ),
    json_out: bool = typer.Option(False, "--json", help="Write JSON to stdout."),
) -> None:
    """Show a profile; the secret is masked and its location named.

    Example: llmgw profile show corp
    """
    from llmgw_cli.cli import render
    from llmgw_cli.config.selection import Selection, load_selected

    selection, profile = load_selected(ProfileStore(), name)
    if name:
        selection = Selection(name, "argument", "named on the command line")
    render.profile_detail(profile, selection, Secrets(), json_out)


@profile_app.command("current")
def current(json_out: bool = typer.Option(False, "--json", help="Write JSON to stdout.")) -> None:
    """Which profile applies here, why, and which other sources it beat.

    Order: --profile > LLMGW_PROFILE > .llmgw-profile > LLMGW_ACTIVE_PROFILE > global.

    Example: llmgw profile current --json
    """
    from llmgw_cli.config.selection import select

    selection = select(ProfileStore())
    over = [{"name": s.name, "source": s.source, "detail": s.detail} for s in selection.passed_over]
    if json_out:
        console.print_json(
            {
                "name": selection.name,
                "source": selection.source,
                "detail": selection.detail,
                "passed_over": over,
            }
        )
        return
    sys.stdout.write(f"{selection.name}\n")
    console.info(f"selected by {selection.detail}")
    for item in over:
        console.info(f"passed over: {item['name']} from {item['detail']}")


@profile_app.command("use")
def use(
    name: str = typer.Argument(
        ..., metavar="NAME", help="Profile name.", autocompletion=profile_names
    ),
    local: bool = typer.Option(
        False, "--local", help="Write .llmgw-profile in this folder instead."
    ),
) -> None:
    """Make NAME the current profile (globally, or for this folder with --local).

    Example: llmgw profile use corp --local
    """
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
        console.warn(f"{PROFILE_ENV}={env_name} in this shell still wins; run: unset {PROFILE_ENV}")


@profile_app.command("remove")
@profile_app.command(
    "rm", help="Delete a profile (same as remove).\n\nExample: llmgw profile rm old --yes"
)
def remove(
    name: str = typer.Argument(
        ..., metavar="NAME", help="Profile name.", autocompletion=profile_names
    ),
    yes: bool = typer.Option(False, "--yes", "-y", help="Do not ask for confirmation."),
) -> None:
    """Delete a profile and the secret llmgw stored for it.

    Example: llmgw profile remove old --yes
    """
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
    old: str = typer.Argument(
        ..., metavar="OLD", help="Current name.", autocompletion=profile_names
    ),
    new: str = typer.Argument(..., metavar="NEW", help="New name."),
) -> None:
    """Rename a profile; its stored secret moves with it.

    Example: llmgw profile rename corp corp-eu
    """
    manage.rename(ProfileStore(), Secrets(), old, new)
    console.success(f"renamed {old} to {new}")
