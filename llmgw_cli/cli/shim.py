"""`llmgw shim start|stop|reload|status|logs`: the local forwarding proxy's lifecycle."""

from __future__ import annotations

import os
import sys
import time
from typing import TYPE_CHECKING

import typer

from llmgw_cli.cli import console
from llmgw_cli.cli.completion import profile_option
from llmgw_cli.errors import LlmgwError, UsageError

if TYPE_CHECKING:
    from llmgw_cli.shim.config import ShimConfig

shim_app = typer.Typer(
    help="The local forwarding proxy: credential swap, headers, unbuffered streaming.",
    no_args_is_help=True,
)


def register(app: typer.Typer) -> None:
    app.add_typer(shim_app, name="shim")


@shim_app.command("start")
def start(
    profile: str = profile_option("Forward to this profile (default: the selected one)."),
    chain: str = typer.Option(None, "--chain", help="Profiles in fallback order: A,B,C."),
    config: str = typer.Option(None, "--config", help="A shim config file (YAML)."),
    host: str = typer.Option(None, "--host", help="Address to listen on (default 127.0.0.1)."),
    port: int = typer.Option(
        None, "--port", help="Port to listen on (default 8787; 0: any free port)."
    ),
    ping_interval: float = typer.Option(
        None,
        "--ping-interval",
        help="Seconds of upstream silence before the shim sends an SSE ping (default 15; 0: off).",
    ),
    detach: bool = typer.Option(
        False, "--detach", "-d", help="Run in the background; see `shim status`."
    ),
    loop: str = typer.Option(
        "auto",
        "--loop",
        help="Event loop: auto (uvloop when installed, else asyncio's), uvloop (insist) "
        "or asyncio.",
    ),
) -> None:
    """Start the shim in the foreground (Ctrl-C stops it), or in the background with --detach."""
    if sum(x is not None for x in (profile, chain, config)) > 1:
        raise UsageError("use one of --profile, --chain or --config")
    cfg = _build_config(profile, chain, config, host, port).with_flags(ping_interval=ping_interval)
    from llmgw_cli.shim.config import is_loopback

    if not is_loopback(cfg.listen.host):
        console.warn(
            f"listening on {cfg.listen.host}: other machines can reach the shim "
            "(they still need its local token)"
        )
    if detach:
        from pathlib import Path

        from llmgw_cli.shim.serve import daemon

        if config is not None:
            config = str(Path(config).expanduser().resolve())
        elif chain is None:
            profile = cfg.chain[0]  # resolved here, so the child needs no working-dir context
        args = _args(profile, chain, config, host, port)
        if ping_interval is not None:
            args += ["--ping-interval", str(ping_interval)]
        state = daemon.start_detached([*args, "--loop", loop])
        console.success(f"shim running at {state.url} (pid {state.pid}); log: {state.log_file}")
        console.info(
            'point clients at it: eval "$(llmgw env --shim)"  or  llmgw exec --shim -- CMD'
        )
        return
    _serve(cfg, loop)


def _args(
    profile: str | None, chain: str | None, config: str | None, host: str | None, port: int | None
) -> list[str]:
    out: list[str] = []
    for flag, value in (
        ("--profile", profile),
        ("--chain", chain),
        ("--config", config),
        ("--host", host),
        ("--port", port),
    ):
        if value is not None:
            out += [flag, str(value)]
    return out


def _build_config(
    profile: str | None, chain: str | None, config: str | None, host: str | None, port: int | None
) -> ShimConfig:
    from pathlib import Path

    from llmgw_cli.shim import config as shim_config

    if config is not None:
        return shim_config.load(Path(config).expanduser()).with_flags(host, port)
    if chain is not None:
        names = [n.strip() for n in chain.split(",") if n.strip()]
        return shim_config.for_chain(names, host, port)
    from llmgw_cli.clientenv.build import selected

    selection, _ = selected(profile)
    return shim_config.for_chain([selection.name], host, port)


def _serve(cfg: ShimConfig, loop: str = "auto") -> None:
    import logging

    from llmgw_cli.shim.serve import daemon, server

    logging.basicConfig(
        level=logging.WARNING, format="%(asctime)s %(levelname)s %(message)s", stream=sys.stderr
    )
    logging.getLogger("llmgw.shim").setLevel(logging.INFO)
    server.run(server.Config(shim=cfg, log_file=os.environ.get(daemon.LOG_ENV)), loop)


@shim_app.command("stop")
def stop(
    timeout: float = typer.Option(
        30.0, "--timeout", help="Seconds in-flight requests get before a hard stop."
    ),
) -> None:
    """Stop the running shim gracefully (in-flight streams may finish)."""
    from llmgw_cli.shim.serve import daemon

    state = daemon.stop(timeout)
    if state is None:
        console.info("no shim is running")
        return
    console.success(f"stopped the shim at {state.url} (pid {state.pid})")


@shim_app.command("reload")
def reload() -> None:
    """Re-read the shim's config and profiles without dropping in-flight requests.

    The shim checks the new config itself; one that fails is refused (exit 2, with the
    reason) and the running config is kept. SIGHUP does the same without the answer.
    """
    from llmgw_cli.shim.serve import control

    state = control.reload()
    try:  # say what runs now, as the shim itself reports it
        now = control.status(state)
    except LlmgwError:
        console.success(f"the shim (pid {state.pid}) was asked to reload (SIGHUP)")
        return
    chain = ", ".join(map(str, now.get("chain") or []))
    plugins = ", ".join(map(str, now.get("plugins") or [])) or "none"
    console.success(
        f"the shim (pid {state.pid}) reloaded its config, profiles and plugins "
        f"(chain: {chain}; plugins: {plugins})"
    )


@shim_app.command("status")
def status(
    json_: bool = typer.Option(False, "--json", help="Write JSON to stdout."),
    watch: bool = typer.Option(
        False, "--watch", "-w", help="A live view of the members (Ctrl-C stops)."
    ),
    interval: float = typer.Option(1.0, "--interval", help="Seconds between --watch refreshes."),
    count: int = typer.Option(
        None, "--count", help="With --watch: stop after this many refreshes."
    ),
) -> None:
    """Where the shim listens, since when, for which profiles, and its request counts."""
    from llmgw_cli.shim.serve import daemon

    if watch:
        if json_:
            raise UsageError("use --json or --watch, not both")
        if interval <= 0:
            raise UsageError("--interval must be more than 0 seconds")
        from llmgw_cli.cli import shim_watch

        shim_watch.watch(interval, count)
        return

    data = daemon.status()
    if json_:
        console.print_json(data if data is not None else {"running": False})
    if data is None:
        if not json_:
            console.info("no shim is running (start one with `llmgw shim start --detach`)")
        raise typer.Exit(1)
    if json_:
        return
    out = console.plain  # names, URLs and errors come from files and upstreams: text only
    out.print(f"url:      {data['url']}")
    out.print(f"pid:      {data['pid']}")
    out.print(f"uptime:   {_duration(data['uptime_s'])}")
    out.print(f"profile:  {data['profile'] or ', '.join(data['chain'])}")
    out.print(f"status:   {data.get('status', '?')}")
    out.print(
        f"requests: {data.get('requests', '?')}  errors: {data.get('errors', '?')}  "
        f"in flight: {data.get('in_flight', '?')}"
    )
    if data.get("plugins") is not None:
        out.print(f"plugins:  {', '.join(data['plugins']) or 'none'}")
    for m in data.get("members", []):
        reach = {True: "reachable", False: "unreachable", None: "not checked yet"}[m["reachable"]]
        breaker = f"circuit {m['state'].replace('_', '-')}; " if "state" in m else ""
        figures = ""
        if m.get("p50_ttft_ms") is not None:
            figures += f", p50 TTFT {m['p50_ttft_ms']:.0f} ms"
        if m.get("tokens"):
            figures += f", {m['tokens']:,} tokens"
        out.print(
            f"  {m['name']}: {m['upstream']} ({breaker}{reach}; "
            f"{m['requests']} requests, {m['errors']} errors{figures})"
        )


def _duration(seconds: float) -> str:
    s = int(seconds)
    return (
        time.strftime("%H:%M:%S", time.gmtime(s))
        if s < 86400
        else f"{s // 86400}d {s % 86400 // 3600}h"
    )


@shim_app.command("logs")
def logs(
    lines: int = typer.Option(50, "--lines", "-n", help="How many of the last lines to show."),
    follow: bool = typer.Option(
        False, "--follow", "-f", help="Keep printing new lines (Ctrl-C stops)."
    ),
) -> None:
    """Show the detached shim's log."""
    from llmgw_cli.shim.serve import daemon

    path = daemon.log_path()
    if not path.exists():
        raise UsageError(f"no shim log yet at {path}; a shim started with --detach writes it")
    sys.stdout.writelines(daemon.tail(path, lines))
    sys.stdout.flush()
    if not follow:
        return
    with open(path, encoding="utf-8", errors="replace") as fh:
        fh.seek(0, os.SEEK_END)
        try:
            while True:
                line = fh.readline()
                if line:
                    sys.stdout.write(line)
                    sys.stdout.flush()
                else:
                    time.sleep(0.2)
        except KeyboardInterrupt:
            return


@shim_app.command("dashboard")
def dashboard(
    open_browser: bool = typer.Option(False, "--open", help="Open it in the default browser."),
) -> None:
    """Print a one-time link to the running shim's live dashboard (members, last requests)."""
    from llmgw_cli.shim.serve import control

    url = control.dashboard_url(control.running())
    typer.echo(url)
    console.info("the link works once, within 60 s; the page then keeps its session cookie")
    if open_browser:
        import webbrowser

        if not webbrowser.open(url):
            console.warn("no browser could be started here: open the link above yourself")
