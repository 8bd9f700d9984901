"""Codex CLI as a known client: `llmgw codex-config` and `llmgw exec -- codex …`.

Codex speaks only the Responses API and reads its endpoint from config.toml or ``-c``
overrides (``clientenv.codex_config``). A profile that serves Responses is handed to Codex
directly; any other goes through the running shim, or a private one for the command, whose
bridges translate Responses to the member's Messages or Chat Completions.
"""

from __future__ import annotations

import os
import sys

from llmgw_cli.cli import console
from llmgw_cli.clientenv import codex_config as cc
from llmgw_cli.errors import UsageError


def _running_shim_url() -> str | None:
    from llmgw_cli import shimstate

    state = shimstate.read()
    return state.url if state is not None else None


def write_codex_config(profile_flag: str | None, print_only: bool, use: bool) -> None:
    from llmgw_cli.clientenv.build import selected

    _, prof = selected(profile_flag)
    provider = cc.provider_for(prof, _running_shim_url())
    path = cc.codex_home() / "config.toml"
    text = cc.merged_text(cc.load_text(path), provider, use)
    if print_only:
        sys.stdout.write(text)
        return
    backup = cc.write(path, text)
    console.success(f"wrote {path}" + (f" (backup: {backup})" if backup else ""))
    how = "llmgw env --shim" if provider.through_shim else "llmgw env"
    pick = "" if use else f" (`codex -c model_provider={provider.id}`, or run with --use)"
    console.info(
        f"Codex reaches profile {prof.name} as provider {provider.id}{pick}; "
        f'its key is read from ${provider.env_key}: load it with eval "$({how})"'
    )


def exec_codex(profile_flag: str | None, command: list[str], shim: bool) -> int:
    """Run Codex on the profile; through a shim unless the profile serves Responses."""
    from llmgw_cli.clientenv import mapping
    from llmgw_cli.clientenv.build import EnvRequest, plan_for, selected

    _, prof = selected(profile_flag)
    model = prof.models.default
    if shim or not cc.serves_responses(prof):
        url = _running_shim_url()
        if url is None:
            from llmgw_cli.shim.serve.private import run_with_private_shim

            return run_with_private_shim(
                prof.name,
                lambda shim_url: cc.with_overrides(command, cc.provider_for(prof, shim_url), model),
            )
        from llmgw_cli import shimstate
        from llmgw_cli.clientenv.launch import without_chain_secrets
        from llmgw_cli.config.store import ProfileStore

        plan, _ = plan_for(EnvRequest(profile=prof.name, shim=True))
        env = mapping.without_secret_source(mapping.apply(plan, dict(os.environ)), prof)
        state = shimstate.read()
        env = without_chain_secrets(env, ProfileStore(), state.chain if state else [])
        argv = cc.with_overrides(command, cc.provider_for(prof, url), model)
    else:
        plan, _ = plan_for(EnvRequest(profile=prof.name))
        env = mapping.apply(plan, dict(os.environ))
        argv = cc.with_overrides(command, cc.provider_for(prof), model)
    sys.stdout.flush()
    try:
        os.execvpe(argv[0], argv, env)
    except FileNotFoundError as exc:
        raise UsageError(f"command not found: {argv[0]}; check its name and your PATH") from exc
    except PermissionError as exc:
        raise UsageError(f"cannot run {argv[0]}: permission denied") from exc
    return 0  # not reached: execvpe replaces this process
