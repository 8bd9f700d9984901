"""Render an EnvPlan as code for one shell. Only shell code goes to stdout."""

from __future__ import annotations

import json
import os
import shlex
from collections.abc import Callable

from llmgw_cli.clientenv.mapping import EnvPlan
from llmgw_cli.errors import UsageError

SHELLS = ("bash", "zsh", "fish", "powershell", "dotenv", "json")


# Saved user values live in shell-local variables (see clientenv/envstate.py): the emitted
# code copies them by reference, so a secret the user had never passes through llmgw.
S = "_llmgw_saved_"


def _posix(plan: EnvPlan) -> str:
    lines = [f'{S}{k}="${{{k}-}}"' for k in plan.save]
    lines += [f"unset {k}" for k in plan.unset]
    lines += [
        f'if [ -n "${{{S}{k}+x}}" ]; then export {k}="${S}{k}"; unset {S}{k}; else unset {k}; fi'
        for k in plan.restore
    ]
    lines += [f"export {k}={shlex.quote(v)}" for k, v in plan.set.items()]
    return "\n".join(lines)


def _fish_quote(value: str) -> str:
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"


def _fish(plan: EnvPlan) -> str:
    lines = [f"set -g {S}{k} ${k}" for k in plan.save]
    lines += [f"set -e {k}" for k in plan.unset]
    lines += [
        f"if set -q {S}{k}; set -gx {k} ${S}{k}; set -e {S}{k}; else; set -e {k}; end"
        for k in plan.restore
    ]
    lines += [f"set -gx {k} {_fish_quote(v)}" for k, v in plan.set.items()]
    if lines:
        # `set -e` of an unset variable fails with 4 and `set` keeps the last status, so
        # without this `llmgw env | source; and claude` would never start claude.
        lines.append("true")
    return "\n".join(lines)


# PowerShell also ends a '…' string at the typographic single quotes; doubling escapes each.
_PS_QUOTES = "'\u2018\u2019\u201a\u201b"


def _ps_quote(value: str) -> str:
    return "'" + "".join(c * 2 if c in _PS_QUOTES else c for c in value) + "'"


def _powershell(plan: EnvPlan) -> str:
    lines = [f"$global:{S}{k} = $Env:{k}" for k in plan.save]
    lines += [f"Remove-Item Env:{k} -ErrorAction SilentlyContinue" for k in plan.unset]
    lines += [
        f"if ($null -ne $global:{S}{k}) {{ $Env:{k} = $global:{S}{k}; "
        f"Remove-Variable -Scope Global -Name {S}{k} }} "
        f"else {{ Remove-Item Env:{k} -ErrorAction SilentlyContinue }}"
        for k in plan.restore
    ]
    lines += [f"$Env:{k} = {_ps_quote(v)}" for k, v in plan.set.items()]
    return "\n".join(lines)


def _dotenv(plan: EnvPlan) -> str:
    # Double quotes with backslash escapes, newlines as \n: what python-dotenv reads back.
    # Readers differ on `${VAR}` (interpolated by python-dotenv and compose) and on \"
    # (node's --env-file): for values holding those, prefer --shell json.
    def quote(v: str) -> str:
        return '"' + v.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'

    return "\n".join(f"{k}={quote(v)}" for k, v in plan.set.items())


def _json(plan: EnvPlan) -> str:
    data: dict[str, object] = {"set": plan.set, "unset": plan.unset}
    if plan.restore:  # a JSON reader holds no shell-local copies: these are simply unset
        data["restore"] = plan.restore
    return json.dumps(data, indent=2, ensure_ascii=False)


RENDERERS: dict[str, Callable[[EnvPlan], str]] = {
    "bash": _posix,
    "zsh": _posix,
    "sh": _posix,
    "fish": _fish,
    "powershell": _powershell,
    "pwsh": _powershell,
    "dotenv": _dotenv,
    "json": _json,
}


def detect() -> str:
    """The user's shell: the parent process by shellingham, else $SHELL, else bash."""
    try:
        import shellingham

        name = str(shellingham.detect_shell()[0])
    except Exception:  # shellingham raises its own ShellDetectionFailure and OSErrors
        name = os.path.basename(os.environ.get("SHELL", "bash"))
    return name if name in RENDERERS else "bash"


def render(plan: EnvPlan, shell: str) -> str:
    try:
        renderer = RENDERERS[shell]
    except KeyError as exc:
        raise UsageError(f"unknown shell {shell!r}; use one of {', '.join(SHELLS)}") from exc
    text = renderer(plan)
    return text + "\n" if text else ""


def hint(shell: str, args: str = "") -> str:
    """How to load the output; quoted, since unquoted eval mangles newlines and globs."""
    cmd = f"llmgw env{args}"
    if shell == "fish":
        return f"{cmd} | source"
    if shell in ("powershell", "pwsh"):
        return f"{cmd} --shell powershell | Invoke-Expression"
    return f'eval "$({cmd})"'
