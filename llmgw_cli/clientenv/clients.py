"""What `llmgw exec` knows about the clients it starts (Codex has its own path: cli/codexexec.py).

One record per client: how to recognise its command, which wire formats it can speak to
directly, and any arguments it needs because it ignores the environment.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from llmgw_cli.config.model import Profile


def _no_args(base_url: str) -> list[str]:
    del base_url
    return []


@dataclass(frozen=True)
class Client:
    name: str
    commands: tuple[str, ...]
    speaks: tuple[str, ...]  # profile formats it can talk to without a translating shim
    extra_args: Callable[[str], list[str]] = _no_args


CLIENTS = (Client("Claude Code", ("claude",), ("anthropic", "bedrock", "vertex")),)


def known(command: Sequence[str]) -> Client | None:
    if not command:
        return None
    base = os.path.basename(command[0])
    return next((c for c in CLIENTS if base in c.commands), None)


def needs_shim(client: Client | None, profile: Profile) -> bool:
    """A client that cannot speak any of the profile's formats goes through a private shim."""
    if client is None or client.name != "Claude Code":
        return False  # the shim translates for Claude Code (Messages in, Chat out) only
    return not set(client.speaks) & set(profile.formats)


def with_extra_args(client: Client | None, command: list[str], openai_base: str) -> list[str]:
    if client is None or len(command) == 0:
        return command
    return [command[0], *client.extra_args(openai_base), *command[1:]]
