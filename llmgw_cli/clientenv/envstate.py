"""The record ``llmgw env`` leaves in the shell: what it set and what the user had before.

``LLMGW_ENV_STATE`` holds base64url(JSON) of::

    {"v": 1, "p": PROFILE, "set": [NAMES llmgw set or cleared],
     "was": {NAME: the user's earlier value}, "saved": [NAMES kept by reference]}

A user's earlier value is written into the record only when it cannot be a secret. A
secret-like one (``OPENAI_API_KEY``, ``ANTHROPIC_*_TOKEN``/``KEY``, any name with KEY, TOKEN,
SECRET or PASSWORD, a URL with a password) is copied by the emitted shell code into a
shell-local, unexported variable ``_llmgw_saved_NAME`` and restored from it: the value never
appears in llmgw's output, in the record, or in a child's environment. See
README.md, "Hand a profile to your tools".
"""

from __future__ import annotations

from dataclasses import dataclass, field

from llmgw_cli.clientenv import envswitch
from llmgw_cli.clientenv.plan import EnvPlan, ProfileEnv

# The logic is envswitch's (plain values, shared with the warm `llmgw env`); this module
# gives it the cold path's types.
STATE_VAR = envswitch.STATE_VAR
ACTIVE_VAR = envswitch.ACTIVE_VAR
SAVED_PREFIX = "_llmgw_saved_"
_MAX_RECORD = envswitch.MAX_RECORD


@dataclass
class State:
    profile: str | None = None
    set: list[str] = field(default_factory=list)
    was: dict[str, str] = field(default_factory=dict)
    saved: list[str] = field(default_factory=list)


def secret_like(name: str, value: str) -> bool:
    return envswitch.secret_like(name, value)


def encode(state: State) -> str:
    return envswitch.encode(state.profile, state.set, state.was, state.saved)


def decode(text: str | None) -> State:
    """The record in the environment; a damaged or foreign one counts as none."""
    return State(*envswitch.decode(text))


def _plan(plain: envswitch.Plan) -> EnvPlan:
    return EnvPlan(set=plain[0], unset=plain[1], save=plain[2], restore=plain[3])


def switch(wanted: ProfileEnv, profile: str, environ: dict[str, str]) -> EnvPlan:
    """From whatever llmgw set before (if anything) to ``wanted``, keeping the user's own."""
    return _plan(envswitch.switch(wanted.values, wanted.cleared, profile, environ))


def restore_all(environ: dict[str, str]) -> EnvPlan:
    """``llmgw env --unset``: undo everything the record says llmgw set."""
    return _plan(envswitch.restore_all(environ))
