"""How `llmgw exec` starts a command: directly, through the running shim, or a private one."""

from __future__ import annotations

import os
import shutil
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from llmgw_cli.clientenv import build, clients, mapping
from llmgw_cli.config.model import Profile
from llmgw_cli.config.secrets import Secrets
from llmgw_cli.config.store import ProfileStore
from llmgw_cli.errors import CommandNotExecutable, CommandNotFound

if TYPE_CHECKING:
    from llmgw_cli.shimstate import ShimState


def check_command(name: str, path: str | None = None) -> str:
    """The program exec would run; 127 when there is none, 126 when it may not be run."""
    if "/" in name:
        if not os.path.exists(name):
            raise CommandNotFound(f"command not found: {name}; check the path")
        if os.path.isdir(name) or not os.access(name, os.X_OK):
            raise CommandNotExecutable(f"cannot run {name}: not an executable file (chmod +x?)")
        return name
    found = shutil.which(name, path=path)
    if found:
        return found
    search = (path if path is not None else os.environ.get("PATH", "")).split(os.pathsep)
    if any(os.path.isfile(os.path.join(d, name)) for d in search if d):
        raise CommandNotExecutable(f"cannot run {name}: found on PATH but not executable")
    raise CommandNotFound(f"command not found: {name}; check its name and your PATH")


@dataclass
class Launch:
    env: dict[str, str] | None = None  # run directly with this environment
    private_for: str | None = None  # else: a private shim for this profile
    notice: str | None = None  # one stderr line saying what llmgw chose
    command: list[str] | None = None


def _direct(profile: Profile, command: list[str], environ: dict[str, str]) -> Launch:
    secret = Secrets().resolve(profile)
    env = mapping.apply(mapping.plan(profile, secret, None, environ), environ)
    client = clients.known(command)
    return Launch(env=env, command=clients.with_extra_args(client, command, profile.openai_base))


def _through_running(
    state: ShimState, flag: str | None, command: list[str], environ: dict[str, str]
) -> Launch:
    store = ProfileStore()
    profile = build.shim_profile(store, flag, state)
    target = build.shim_target(state)
    env = mapping.apply(mapping.plan(profile, None, target, environ), environ)
    env = without_chain_secrets(env, store, [profile.name, *state.chain])
    base = target.url.rstrip("/") + "/v1"
    return Launch(env=env, command=clients.with_extra_args(clients.known(command), command, base))


def without_chain_secrets(
    env: dict[str, str], store: ProfileStore, names: Sequence[str]
) -> dict[str, str]:
    """Behind a shim the child needs only the local token: no chain member's ``env:``
    secret variable reaches it (docs/architecture.md, "the shim's gates")."""
    for name in dict.fromkeys(names):
        if store.exists(name):
            env = mapping.without_secret_source(env, store.load(name))
    return env


def decide(flag: str | None, shim: bool, command: Sequence[str], environ: dict[str, str]) -> Launch:
    cmd = list(command)
    check_command(cmd[0], environ.get("PATH"))
    if shim:
        state = build.running_shim()
        if state is not None and (flag is None or build.serves(state, flag)):
            return _through_running(state, flag, cmd, environ)
        _, profile = build.selected(flag)
        notice = None
        if state is not None:
            notice = (
                f"llmgw: the running shim serves {build.shim_label(state)}; "
                f"profile {profile.name} goes through a private shim for this command"
            )
        return Launch(private_for=profile.name, notice=notice, command=cmd)
    _, profile = build.selected(flag)
    client = clients.known(cmd)
    if client is not None and clients.needs_shim(client, profile):
        return Launch(
            private_for=profile.name,
            command=cmd,
            notice=(
                f"llmgw: profile {profile.name} serves only {', '.join(profile.formats)}, "
                f"which {client.name} cannot speak; going through a private shim that translates"
            ),
        )
    return _direct(profile, cmd, environ)
