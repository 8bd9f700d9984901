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

import base64
import json
import re
from dataclasses import dataclass, field

from llmgw_cli.clientenv.plan import EnvPlan, ProfileEnv
from llmgw_cli.config.names import ENV_NAME_RE

STATE_VAR = "LLMGW_ENV_STATE"
ACTIVE_VAR = "LLMGW_ACTIVE_PROFILE"
SAVED_PREFIX = "_llmgw_saved_"
_MAX_RECORD = 256 * 1024  # an outside input: bounded before it is decoded
_SECRET_NAME = re.compile(r"KEY|TOKEN|SECRET|PASSW|CREDENTIAL|HEADERS", re.IGNORECASE)
_NOT_SECRET = frozenset({"CLAUDE_CODE_CLIENT_KEY", "CLAUDE_CODE_SKIP_BEDROCK_AUTH"})
_USERINFO = re.compile(r"://[^/@\s]*@")


@dataclass
class State:
    profile: str | None = None
    set: list[str] = field(default_factory=list)
    was: dict[str, str] = field(default_factory=dict)
    saved: list[str] = field(default_factory=list)


def secret_like(name: str, value: str) -> bool:
    if _USERINFO.search(value):
        return True
    return name not in _NOT_SECRET and bool(_SECRET_NAME.search(name))


def encode(state: State) -> str:
    data = {"v": 1, "p": state.profile, "set": state.set, "was": state.was, "saved": state.saved}
    raw = json.dumps(data, separators=(",", ":"), ensure_ascii=False).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _names(value: object) -> list[str]:
    # Names end up in shell code that is eval'ed: anything but a plain name is dropped.
    if not isinstance(value, list):
        return []
    return [n for n in value if isinstance(n, str) and ENV_NAME_RE.match(n)]


def decode(text: str | None) -> State:
    """The record in the environment; a damaged or foreign one counts as none."""
    if not text or len(text) > _MAX_RECORD:
        return State()
    try:
        data = json.loads(base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)))
    except (ValueError, TypeError):
        return State()
    if not isinstance(data, dict) or data.get("v") != 1:
        return State()
    was = data.get("was")
    profile = data.get("p")
    return State(
        profile=profile if isinstance(profile, str) else None,
        set=_names(data.get("set")),
        was={
            k: v
            for k, v in (was.items() if isinstance(was, dict) else [])
            if isinstance(k, str) and ENV_NAME_RE.match(k) and isinstance(v, str)
        },
        saved=_names(data.get("saved")),
    )


def _undo(plan: EnvPlan, name: str, old: State) -> None:
    """Put back what the user had under ``name`` before llmgw set it."""
    if name in old.was:
        plan.set[name] = old.was[name]
    elif name in old.saved:
        plan.restore.append(name)
    else:
        plan.unset.append(name)


def _keep_users(name: str, old: State, new: State, plan: EnvPlan, environ: dict[str, str]) -> None:
    """Record the user's value of a name llmgw is about to set or clear."""
    if name in old.set:  # llmgw's own value now: the user's is in the old record
        if name in old.was:
            new.was[name] = old.was[name]
        elif name in old.saved:
            new.saved.append(name)
    elif name in environ:
        if secret_like(name, environ[name]):
            new.saved.append(name)
            plan.save.append(name)
        else:
            new.was[name] = environ[name]


def switch(wanted: ProfileEnv, profile: str, environ: dict[str, str]) -> EnvPlan:
    """From whatever llmgw set before (if anything) to ``wanted``, keeping the user's own."""
    old = decode(environ.get(STATE_VAR))
    plan = EnvPlan()
    cleared = [n for n in wanted.cleared if n not in wanted.values]
    touched = [*wanted.values, *cleared]
    new = State(profile=profile, set=touched)
    for name in touched:
        _keep_users(name, old, new, plan, environ)
    for name in old.set:
        if name not in touched:
            _undo(plan, name, old)
    plan.unset += cleared
    plan.set.update(wanted.values)
    plan.set[STATE_VAR] = encode(new)
    plan.set[ACTIVE_VAR] = profile
    return plan


def restore_all(environ: dict[str, str]) -> EnvPlan:
    """``llmgw env --unset``: undo everything the record says llmgw set."""
    old = decode(environ.get(STATE_VAR))
    plan = EnvPlan()
    for name in old.set:
        _undo(plan, name, old)
    plan.unset += [n for n in (STATE_VAR, ACTIVE_VAR) if n in environ]
    return plan
