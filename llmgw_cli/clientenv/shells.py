"""Render an EnvPlan as code for one shell. Only shell code goes to stdout.

One ``Shell`` record per output format (docs/architecture.md: one record per extension
kind); ``--shell`` choices, detection, help text and error messages are generated from
``RECORDS``. A new shell is one more record here.

A user's secret-like value that a profile overwrites is saved by the emitted code itself,
by reference, in a shell-local (unexported) ``_llmgw_saved_NAME`` and restored from there
(``save_form`` / ``restore_form``): it never passes through llmgw (clientenv/envstate.py).
"""

from __future__ import annotations

import json
import os
import shlex
from collections.abc import Callable
from dataclasses import dataclass

from llmgw_cli.clientenv.plan import EnvPlan
from llmgw_cli.errors import UsageError


@dataclass(frozen=True)
class Shell:
    name: str
    aliases: tuple[str, ...]  # other names that pick it (shellingham reports `sh`, `pwsh`)
    assign: Callable[[str, str], str]  # one `KEY=value` line
    unset_form: str | None  # one unset line, "{key}" filled in; None: the format cannot unset
    load_hint: str | None  # how to load the output, "{cmd}" filled in; None: data, not code
    finish: str | None = None  # a last line, when there is any other
    # "{key}" and "{saved}" filled in; None: the format cannot keep shell-local copies
    save_form: str | None = None
    restore_form: str | None = None

    def render(self, plan: EnvPlan) -> str:
        lines = self._by_reference(self.save_form, plan.save)
        lines += [self.unset_form.format(key=k) for k in plan.unset] if self.unset_form else []
        lines += self._by_reference(self.restore_form, plan.restore)
        lines += [self.assign(k, v) for k, v in plan.set.items()]
        if lines and self.finish:
            lines.append(self.finish)
        return "\n".join(lines)

    @staticmethod
    def _by_reference(form: str | None, keys: list[str]) -> list[str]:
        return [form.format(key=k, saved=SAVED + k) for k in keys] if form else []


SAVED = "_llmgw_saved_"


def _fish_quote(value: str) -> str:
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"


# PowerShell also ends a '…' string at the typographic single quotes; doubling escapes each.
_PS_QUOTES = "'\u2018\u2019\u201a\u201b"


def _ps_quote(value: str) -> str:
    return "'" + "".join(c * 2 if c in _PS_QUOTES else c for c in value) + "'"


def _dotenv_quote(v: str) -> str:
    # Double quotes with backslash escapes, newlines as \n: what python-dotenv reads back.
    # Readers differ on `${VAR}` (interpolated by python-dotenv and compose) and on \"
    # (node's --env-file): for values holding those, prefer --shell json.
    return '"' + v.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


class _Json(Shell):
    def render(self, plan: EnvPlan) -> str:
        data: dict[str, object] = {"set": plan.set, "unset": plan.unset}
        if plan.restore:  # a JSON reader holds no shell-local copies: these are unset
            data["restore"] = plan.restore
        return json.dumps(data, indent=2, ensure_ascii=False)


def _posix(name: str, *aliases: str) -> Shell:
    return Shell(
        name, aliases, lambda k, v: f"export {k}={shlex.quote(v)}", "unset {key}",
        'eval "$({cmd})"',
        save_form='{saved}="${{{key}-}}"',
        restore_form='if [ -n "${{{saved}+x}}" ]; then export {key}="${saved}"; unset {saved}; '
        "else unset {key}; fi",
    )  # fmt: skip


RECORDS: tuple[Shell, ...] = (
    _posix("bash", "sh"),
    _posix("zsh"),
    # `set -e` of an unset variable fails with 4 and `set` keeps the last status, so
    # without the final `true` `llmgw env | source; and claude` would never start claude.
    Shell(
        "fish", (), lambda k, v: f"set -gx {k} {_fish_quote(v)}", "set -e {key}",
        "{cmd} | source", finish="true",
        save_form="set -g {saved} ${key}",
        restore_form="if set -q {saved}; set -gx {key} ${saved}; set -e {saved}; "
        "else; set -e {key}; end",
    ),
    Shell(
        "powershell", ("pwsh",), lambda k, v: f"$Env:{k} = {_ps_quote(v)}",
        "Remove-Item Env:{key} -ErrorAction SilentlyContinue",
        "{cmd} --shell powershell | Invoke-Expression",
        save_form="$global:{saved} = $Env:{key}",
        restore_form="if ($null -ne $global:{saved}) {{ $Env:{key} = $global:{saved}; "
        "Remove-Variable -Scope Global -Name {saved} }} "
        "else {{ Remove-Item Env:{key} -ErrorAction SilentlyContinue }}",
    ),
    Shell("dotenv", (), lambda k, v: f"{k}={_dotenv_quote(v)}", None, None),
    _Json("json", (), lambda k, v: "", None, None),
)  # fmt: skip

BY_NAME: dict[str, Shell] = {n: s for s in RECORDS for n in (s.name, *s.aliases)}
SHELLS = tuple(s.name for s in RECORDS)  # the --shell choices


def choices_text() -> str:
    """`bash, zsh, fish, powershell, dotenv or json`, for help texts."""
    return ", ".join(SHELLS[:-1]) + f" or {SHELLS[-1]}"


def lookup(name: str) -> Shell:
    try:
        return BY_NAME[name]
    except KeyError as exc:
        raise UsageError(f"unknown shell {name!r}; use one of {', '.join(SHELLS)}") from exc


def detect() -> str:
    """The user's shell: the parent process by shellingham, else $SHELL, else bash."""
    try:
        import shellingham

        name = str(shellingham.detect_shell()[0])
    except Exception:  # shellingham raises its own ShellDetectionFailure and OSErrors
        name = os.path.basename(os.environ.get("SHELL", "bash"))
    return name if name in BY_NAME else "bash"


def render(plan: EnvPlan, shell: str) -> str:
    text = lookup(shell).render(plan)
    return text + "\n" if text else ""


def hint(shell: str, args: str = "") -> str:
    """How to load the output; quoted, since unquoted eval mangles newlines and globs."""
    form = lookup(shell).load_hint or 'eval "$({cmd})"'
    return form.format(cmd=f"llmgw env{args}")
