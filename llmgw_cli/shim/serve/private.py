"""`llmgw exec --shim` when no shim runs: a private shim for one command's lifetime.

The shim serves on a free loopback port in a thread of this process; the command gets the
shim's URL and a fresh local token, never the profile's secret. The shim takes neither the
LLMGW_HOME lock nor its state file, so it does not stand in the way of a real one.
"""

from __future__ import annotations

import os
import signal
import subprocess
from collections.abc import Callable, Sequence

from llmgw_cli.clientenv import mapping
from llmgw_cli.config.secrets import Secrets
from llmgw_cli.config.selection import load_selected
from llmgw_cli.config.store import ProfileStore
from llmgw_cli.errors import UsageError
from llmgw_cli.shim import config as shim_config
from llmgw_cli.shim.members.member import from_profile
from llmgw_cli.shim.serve.server import Config, run_in_thread


def run_with_private_shim(
    profile_flag: str | None, command: Sequence[str] | Callable[[str], Sequence[str]]
) -> int:
    """Run ``command`` through a private shim for the selected profile; its exit code.

    ``command`` may be a function of the shim's URL (Codex takes it as a ``-c`` override).
    """
    store = ProfileStore()
    _, profile = load_selected(store, profile_flag)
    member = from_profile(profile, Secrets().resolve(profile))
    cfg = shim_config.for_chain([profile.name], host="127.0.0.1", port=0)
    config = Config(shim=cfg, members=[member], public=False)
    with run_in_thread(config) as shim:
        from llmgw_cli.shim.serve.discovery import client_env

        extra = client_env(cfg, shim.server.router)
        target = mapping.ShimTarget(url=shim.url, token=shim.token, client_env=extra)
        env = mapping.apply(mapping.plan(profile, None, target, dict(os.environ)), dict(os.environ))
        env = mapping.without_secret_source(env, profile)
        argv = list(command(shim.url) if callable(command) else command)
        try:
            proc = subprocess.Popen(argv, env=env)
        except FileNotFoundError as exc:
            raise UsageError(f"command not found: {argv[0]}; check its name and your PATH") from exc
        except PermissionError as exc:
            raise UsageError(f"cannot run {argv[0]}: permission denied") from exc
        # The child shares our terminal: Ctrl-C reaches it directly; we wait for it to decide.
        previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
        try:
            code = proc.wait()
        finally:
            signal.signal(signal.SIGINT, previous)
    return 128 - code if code < 0 else code
