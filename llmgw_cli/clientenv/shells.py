"""Render an EnvPlan as code for one shell. Only shell code goes to stdout.

One ``Shell`` record per output format (docs/architecture.md: one record per extension
kind); ``--shell`` choices, detection, help text and error messages are generated from
``RECORDS``, built from the ``shellforms.FORMS`` (one record each). A new shell is one
more ``Form`` there.

A user's secret-like value that a profile overwrites is saved by the emitted code itself,
by reference, in a shell-local (unexported) ``_llmgw_saved_NAME`` and restored from there
(``save_form`` / ``restore_form``): it never passes through llmgw (clientenv/envstate.py).
"""

from __future__ import annotations

from dataclasses import dataclass

from llmgw_cli.clientenv import shellforms
from llmgw_cli.clientenv.plan import EnvPlan
from llmgw_cli.errors import UsageError

SAVED = shellforms.SAVED


@dataclass(frozen=True)
class Shell:
    """One output format: the lines of ``shellforms.Form`` (shared with the warm path)."""

    form: shellforms.Form

    @property
    def name(self) -> str:
        return self.form.name

    @property
    def load_hint(self) -> str | None:
        return self.form.load_hint

    def render(self, plan: EnvPlan) -> str:
        return self.form.render(plan.set, plan.unset, plan.save, plan.restore)


RECORDS: tuple[Shell, ...] = tuple(Shell(f) for f in shellforms.FORMS)
BY_NAME: dict[str, Shell] = {n: s for s in RECORDS for n in (s.name, *s.form.aliases)}
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
    """The user's shell: the parent process by shellingham, else $SHELL, else bash
    (remembered for the warm path: clientenv/shelldetect.py)."""
    from llmgw_cli.clientenv import warmstore

    name = shellforms.detect()
    warmstore.remember_shell(name)
    return name


def render(plan: EnvPlan, shell: str) -> str:
    text = lookup(shell).render(plan)
    return text + "\n" if text else ""


def hint(shell: str, args: str = "") -> str:
    """How to load the output; quoted, since unquoted eval mangles newlines and globs."""
    form = lookup(shell).load_hint or 'eval "$({cmd})"'
    return form.format(cmd=f"llmgw env{args}")
