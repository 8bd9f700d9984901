"""The text of each shell's lines, with no imports: the warm `llmgw env` renders with it too.

One ``Form`` per output format (docs/architecture.md: one record per extension kind);
``shells.RECORDS`` wraps these with help texts and errors. A new shell is one more ``Form``
here. Every function is a pure function of strings, so the warm path (clientenv/warm.py) and
the cold one print the same bytes by construction.
"""

from __future__ import annotations

TYPE_CHECKING = False  # not typing's: on the warm path (clientenv/warm.py)
if TYPE_CHECKING:
    from collections.abc import Callable

SAVED = "_llmgw_saved_"

_POSIX_SAFE = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_@%+=:,./-")


def posix_quote(value: str) -> str:
    """``shlex.quote`` (the same output; without importing shlex on the hot path)."""
    if not value:
        return "''"
    for c in value:
        if c not in _POSIX_SAFE:
            return "'" + value.replace("'", "'\"'\"'") + "'"
    return value


def fish_quote(value: str) -> str:
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"


# PowerShell also ends a '…' string at the typographic single quotes; doubling escapes each.
_PS_QUOTES = "'\u2018\u2019\u201a\u201b"


def ps_quote(value: str) -> str:
    return "'" + "".join(c * 2 if c in _PS_QUOTES else c for c in value) + "'"


def dotenv_quote(v: str) -> str:
    # Double quotes with backslash escapes, newlines as \n: what python-dotenv reads back.
    # Readers differ on `${VAR}` (interpolated by python-dotenv and compose) and on \"
    # (node's --env-file): for values holding those, prefer --shell json.
    return '"' + v.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


class Form:
    """How one shell writes each kind of line. ``{key}``/``{saved}`` are filled in."""

    __slots__ = (
        "aliases",
        "assign",
        "finish",
        "load_hint",
        "name",
        "quote",
        "restore_form",
        "save_form",
        "unset_form",
    )  # fmt: skip

    def __init__(
        self,
        name: str,
        aliases: tuple[str, ...],
        assign: str,  # "{key}" and "{value}" (already quoted) filled in
        quote: Callable[[str], str],
        unset_form: str | None,  # None: the format cannot unset
        load_hint: str | None,  # how to load the output, "{cmd}" filled in; None: data
        finish: str | None = None,  # a last line, when there is any other
        save_form: str | None = None,  # None: no shell-local copies
        restore_form: str | None = None,
    ) -> None:
        self.name, self.aliases, self.assign, self.quote = name, aliases, assign, quote
        self.unset_form, self.load_hint, self.finish = unset_form, load_hint, finish
        self.save_form, self.restore_form = save_form, restore_form

    def assign_line(self, key: str, value: str) -> str:
        return self.assign.format(key=key, value=self.quote(value))

    def render(
        self, set_: dict[str, str], unset: list[str], save: list[str], restore: list[str]
    ) -> str:
        """The plan as this shell's code; without the final newline ("" for an empty plan)."""
        if self.name == "json":
            return json_text(set_, unset, restore)
        lines = _by_reference(self.save_form, save)
        lines += [self.unset_form.format(key=k) for k in unset] if self.unset_form else []
        lines += _by_reference(self.restore_form, restore)
        lines += [self.assign_line(k, v) for k, v in set_.items()]
        if lines and self.finish:
            lines.append(self.finish)
        return "\n".join(lines)


def _by_reference(form: str | None, keys: list[str]) -> list[str]:
    return [form.format(key=k, saved=SAVED + k) for k in keys] if form else []


def json_text(set_: dict[str, str], unset: list[str], restore: list[str]) -> str:
    import json  # only for --shell json

    data: dict[str, object] = {"set": set_, "unset": unset}
    if restore:  # a JSON reader holds no shell-local copies: these are unset
        data["restore"] = restore
    return json.dumps(data, indent=2, ensure_ascii=False)


def _posix(name: str, *aliases: str) -> Form:
    return Form(
        name, aliases, "export {key}={value}", posix_quote, "unset {key}", 'eval "$({cmd})"',
        save_form='{saved}="${{{key}-}}"',
        restore_form='if [ -n "${{{saved}+x}}" ]; then export {key}="${saved}"; unset {saved}; '
        "else unset {key}; fi",
    )  # fmt: skip


FORMS: tuple[Form, ...] = (
    _posix("bash", "sh"),
    _posix("zsh"),
    # `set -e` of an unset variable fails with 4 and `set` keeps the last status, so
    # without the final `true` `llmgw env | source; and claude` would never start claude.
    Form(
        "fish", (), "set -gx {key} {value}", fish_quote, "set -e {key}",
        "{cmd} | source", finish="true",
        save_form="set -g {saved} ${key}",
        restore_form="if set -q {saved}; set -gx {key} ${saved}; set -e {saved}; "
        "else; set -e {key}; end",
    ),
    Form(
        "powershell", ("pwsh",), "$Env:{key} = {value}", ps_quote,
        "Remove-Item Env:{key} -ErrorAction SilentlyContinue",
        "{cmd} --shell powershell | Invoke-Expression",
        save_form="$global:{saved} = $Env:{key}",
        restore_form="if ($null -ne $global:{saved}) {{ $Env:{key} = $global:{saved}; "
        "Remove-Variable -Scope Global -Name {saved} }} "
        "else {{ Remove-Item Env:{key} -ErrorAction SilentlyContinue }}",
    ),
    Form("dotenv", (), "{key}={value}", dotenv_quote, None, None),
    Form("json", (), "", str, None, None),
)  # fmt: skip

BY_NAME: dict[str, Form] = {n: f for f in FORMS for n in (f.name, *f.aliases)}


def detect() -> str:
    """The user's shell: the parent process by shellingham, else $SHELL, else bash."""
    import os

    try:
        import shellingham

        name = str(shellingham.detect_shell()[0])
    except Exception:  # shellingham raises its own ShellDetectionFailure and OSErrors
        name = os.path.basename(os.environ.get("SHELL", "bash"))
    return name if name in BY_NAME else "bash"
