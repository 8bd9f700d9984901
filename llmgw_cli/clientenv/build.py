"""The work behind `llmgw env`, `exec` and `token`, shared by the fast path and Typer."""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import TYPE_CHECKING

from llmgw_cli.clientenv import envstate, plancache, shells
from llmgw_cli.clientenv.plan import EnvPlan
from llmgw_cli.config.selection import Selection, load_selected, select
from llmgw_cli.config.store import ProfileStore
from llmgw_cli.errors import ConfigError

if TYPE_CHECKING:
    from llmgw_cli.clientenv import mapping
    from llmgw_cli.config.model import Profile
    from llmgw_cli.shimstate import ShimState

# mapping, the profile model, yaml and Secrets load only when the plan cache misses
# (clientenv/plancache.py): a warm `llmgw env` imports none of them.


@dataclass
class EnvRequest:
    profile: str | None = None
    shell: str | None = None
    unset: bool = False
    shim: bool = False


def running_shim() -> ShimState | None:
    from llmgw_cli import shimstate

    return shimstate.read()


def serves(state: ShimState, name: str) -> bool:
    """Whether requests to the running shim go to profile ``name`` first."""
    return state.profile == name or (bool(state.chain) and state.chain[0] == name)


def shim_label(state: ShimState) -> str:
    what = state.profile or ", ".join(state.chain) or "?"
    return f"{what} (pid {state.pid}, {state.url})"


def shim_target(state: ShimState | None = None) -> mapping.ShimTarget:
    from llmgw_cli.clientenv import mapping

    state = state or running_shim()
    if state is None:
        raise ConfigError("no shim is running: start one with `llmgw shim start --detach`")
    env = {k: v for k, v in state.client_env.items() if k in mapping.SHIM_CLIENT_VARS}
    return mapping.ShimTarget(url=state.url, token=state.token, client_env=env)


def _profile_named(store: ProfileStore, name: str | None) -> Profile | None:
    # A --config shim's members may be the seed file's providers, not profiles.
    return store.load(name) if name and store.exists(name) else None


def shim_profile(store: ProfileStore, flag: str | None, state: ShimState) -> Profile:
    """The profile whose models a shim client gets; the running shim's own by default."""
    if flag and not serves(state, flag):
        raise ConfigError(
            f"the running shim serves {shim_label(state)}, not {flag!r}: use "
            f"`llmgw exec --shim --profile {flag} -- CMD` (a private shim), or stop it "
            f"(`llmgw shim stop`) and run `llmgw shim start --profile {flag} --detach`"
        )
    from llmgw_cli.config.model import Auth, Profile

    name = flag or state.profile or (state.chain[0] if state.chain else None)
    profile = _profile_named(store, name)
    if profile is None:
        profile = Profile(name=name or "shim", endpoint=state.url, auth=Auth(type="none"))
    return profile


def plan_for(req: EnvRequest, environ: dict[str, str] | None = None) -> tuple[EnvPlan, str | None]:
    environ = dict(os.environ) if environ is None else environ
    if req.unset:
        return envstate.restore_all(environ), None
    store = ProfileStore()
    if req.shim:
        from llmgw_cli.clientenv import mapping

        state = running_shim()
        target = shim_target(state)
        assert state is not None
        profile = shim_profile(store, req.profile, state)
        return mapping.plan(profile, None, target, environ), profile.name
    compiled = compiled_selected(store, req.profile)
    if compiled is None:  # not cacheable: as before
        from llmgw_cli.clientenv import mapping
        from llmgw_cli.config.secrets import Secrets

        _, profile = load_selected(store, req.profile)
        secret = Secrets().resolve(profile)
        return mapping.plan(profile, secret, None, environ), profile.name
    wanted = compiled.split(resolve(compiled))
    return envstate.switch(wanted, compiled.profile, environ), compiled.profile


def compiled_selected(store: ProfileStore, flag: str | None) -> plancache.Compiled | None:
    """The selected profile's cached plan; compiled (and cached) from the file on a miss.
    Either way it is handed to the warm path's cache (clientenv/warm.py)."""
    name = select(store, flag).name
    path = store.path(name)
    st = plancache.stat(path)  # before the read: an edit after it invalidates the entry
    compiled = plancache.load(name, path, st)
    if compiled is None:
        _, profile = load_selected(store, flag)
        compiled = plancache.compile_profile(profile)
        if compiled is not None and st is not None:
            plancache.save(name, path, st, compiled)
    if compiled is not None and st is not None:
        from llmgw_cli.clientenv import warmstore

        warmstore.remember(name, str(path), st, compiled)
    return compiled


def resolve(compiled: plancache.Compiled) -> str | None:
    """The secret behind the cached reference, read now (never from the cache)."""
    if compiled.secret_ref is None:
        return None
    from llmgw_cli.config.secretref import SecretRef, env_value

    ref = SecretRef.parse(compiled.secret_ref)
    if ref.kind == "env":
        return env_value(compiled.profile, ref.arg)
    from llmgw_cli.config.secrets import Secrets

    return Secrets().get(compiled.profile, ref)


def env_script(req: EnvRequest) -> str:
    shell = req.shell or shells.detect()
    plan, _ = plan_for(req)
    return shells.render(plan, shell)


def token(profile_flag: str | None) -> str:
    store = ProfileStore()
    compiled = compiled_selected(store, profile_flag)
    if compiled is not None:
        name, secret = compiled.profile, resolve(compiled)
    else:
        from llmgw_cli.config.secrets import Secrets

        _, profile = load_selected(store, profile_flag)
        name, secret = profile.name, Secrets().resolve(profile)
    if secret is None:
        raise ConfigError(f"profile {name!r} has auth none: there is no token to print")
    return secret


def selected(profile_flag: str | None) -> tuple[Selection, Profile]:
    return load_selected(ProfileStore(), profile_flag)
