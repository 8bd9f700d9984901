"""`llmgw export litellm|haproxy`: configs for a shared LiteLLM proxy or an HAProxy in front."""

from __future__ import annotations

from typing import TYPE_CHECKING

import typer

from llmgw_cli.cli import console
from llmgw_cli.cli.completion import profile_names

if TYPE_CHECKING:
    from llmgw_cli.config.model import Profile
    from llmgw_cli.export import Exported
    from llmgw_cli.shim.config import ShimConfig

export_app = typer.Typer(
    help="Write configs for peer tools (LiteLLM, HAProxy) from your profiles.",
    no_args_is_help=True,
)

PROFILE_HELP = "A profile to include (repeat; default: the config's chain, else all profiles)."


def register(app: typer.Typer) -> None:
    app.add_typer(export_app, name="export")


OUTPUT_HELP = "Write to this file, not stdout."


@export_app.command("litellm")
def litellm(
    profile: list[str] = typer.Option(
        [], "--profile", "-p", metavar="NAME", autocompletion=profile_names, help=PROFILE_HELP
    ),
    config: str = typer.Option(
        None,
        "--config",
        metavar="FILE",
        help="A shim config: its chain becomes fallbacks, its budget max_budget.",
    ),
    output: str = typer.Option(None, "--output", "-o", metavar="FILE", help=OUTPUT_HELP),
) -> None:
    """A LiteLLM proxy config: model_list, fallbacks, budgets; keys as os.environ/VAR."""
    from llmgw_cli.export import litellm as core

    shim = _shim_config(config)
    _emit(core.export(_profiles(profile, shim), shim), output)


@export_app.command("haproxy")
def haproxy(
    profile: list[str] = typer.Option(
        [], "--profile", "-p", metavar="NAME", autocompletion=profile_names, help=PROFILE_HELP
    ),
    server: list[str] = typer.Option(
        [], "--server", metavar="URL", help="A gateway instance (repeat): http://10.0.0.5:8787."
    ),
    bind: str = typer.Option(
        "*:8080", "--bind", metavar="ADDR:PORT", help="Where HAProxy listens."
    ),
    health_path: str = typer.Option(
        None,
        "--health-path",
        metavar="PATH",
        help="Health check path [default: /health for --server, else /v1/models].",
    ),
    stats_bind: str = typer.Option(
        "127.0.0.1:8404",
        "--stats-bind",
        metavar="ADDR:PORT",
        help="Where the stats page listens ('none': no page).",
    ),
    config: str = typer.Option(
        None, "--config", metavar="FILE", help="A shim config whose chain names profiles."
    ),
    output: str = typer.Option(None, "--output", "-o", metavar="FILE", help=OUTPUT_HELP),
) -> None:
    """An HAProxy config: leastconn over gateway instances, health checks, stream timeouts."""
    from llmgw_cli.export import haproxy as core

    servers = [core.server_from_url(url) for url in server]
    if profile or config or not servers:
        servers += core.servers_from_profiles(_profiles(profile, _shim_config(config)))
    path = health_path or ("/health" if server and not profile else "/v1/models")
    stats = None if stats_bind.lower() in ("", "none") else stats_bind
    _emit(core.export(servers, bind=bind, health_path=path, stats_bind=stats), output)


def _shim_config(path: str | None) -> ShimConfig | None:
    if path is None:
        return None
    from pathlib import Path

    from llmgw_cli.errors import UsageError
    from llmgw_cli.shim import config as shim_config

    file = Path(path).expanduser()
    if not file.is_file():
        raise UsageError(f"--config {path}: no such file")
    return shim_config.load(file)


def _profiles(names: list[str], shim: ShimConfig | None) -> list[Profile]:
    from llmgw_cli.config.store import ProfileStore
    from llmgw_cli.errors import UsageError

    store = ProfileStore()
    chosen = list(dict.fromkeys(names)) or (list(shim.chain) if shim else store.names())
    if not chosen:
        raise UsageError("no profiles yet: add one with `llmgw profile add NAME --endpoint URL`")
    return [store.load(name) for name in chosen]


def _emit(result: Exported, output: str | None) -> None:
    if output is None:
        typer.echo(result.text, nl=False)
    else:
        from pathlib import Path

        from llmgw_cli.paths import write_atomic

        write_atomic(Path(output).expanduser(), result.text.encode(), mode=0o644)
        console.success(f"wrote {output}")
    for note in result.notes:
        console.warn(note)
