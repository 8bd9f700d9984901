"""The work behind `llmgw env`, `exec` and `token`, shared by the fast path and Typer."""

from __future__ import annotations

import os
from dataclasses import dataclass

from llmgw_cli.clientenv import mapping, shells
from llmgw_cli.config.model import Auth, Profile
from llmgw_cli.config.secrets import Secrets
from llmgw_cli.config.selection import Selection, load_selected
from llmgw_cli.config.store import ProfileStore
from llmgw_cli.errors import ConfigError


@dataclass
class EnvRequest:
    profile: str | None = None
    shell: str | None = None
    unset: bool = False
    shim: bool = False


def shim_target() -> mapping.ShimTarget:
    from llmgw_cli import shimstate

    state = shimstate.read()
    if state is None:
        raise ConfigError("no shim is running: start one with `llmgw shim start --detach`")
    env = {k: v for k, v in state.client_env.items() if k in mapping.SHIM_CLIENT_VARS}
    return mapping.ShimTarget(url=state.url, token=state.token, client_env=env)


def _shim_profile(store: ProfileStore, flag: str | None) -> Profile | None:
    """With --shim and no --profile, the running shim's own profile supplies the models."""
    from llmgw_cli import shimstate

    state = shimstate.read()
    name = (
        flag
        or (state.profile if state else None)
        or (state.chain[0] if state and state.chain else None)
    )
    return store.load(name) if name else None


def plan_for(
    req: EnvRequest, environ: dict[str, str] | None = None
) -> tuple[mapping.EnvPlan, str | None]:
    environ = dict(os.environ) if environ is None else environ
    if req.unset:
        return mapping.unset_plan(environ), None
    store = ProfileStore()
    if req.shim:
        target = shim_target()
        profile = _shim_profile(store, req.profile)
        if profile is None:
            profile = Profile(name="shim", endpoint=target.url, auth=Auth(type="none"))
        return mapping.plan(profile, None, target, environ), profile.name
    _, profile = load_selected(store, req.profile)
    secret = Secrets().resolve(profile)
    return mapping.plan(profile, secret, None, environ), profile.name


def env_script(req: EnvRequest) -> str:
    shell = req.shell or shells.detect()
    plan, _ = plan_for(req)
    return shells.render(plan, shell)


def token(profile_flag: str | None) -> str:
    _, profile = load_selected(ProfileStore(), profile_flag)
    secret = Secrets().resolve(profile)
    if secret is None:
        raise ConfigError(f"profile {profile.name!r} has auth none: there is no token to print")
    return secret


def selected(profile_flag: str | None) -> tuple[Selection, Profile]:
    return load_selected(ProfileStore(), profile_flag)
