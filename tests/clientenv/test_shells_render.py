"""Shell renderers: the exact text for each shell (real shells load it in tests/e2e)."""

from __future__ import annotations

import json

import pytest

from llmgw_cli.clientenv.mapping import EnvPlan
from llmgw_cli.clientenv.shells import SHELLS, hint, render
from llmgw_cli.errors import UsageError

PLAN = EnvPlan(set={"A": "plain", "B": 'it\'s $HOME `x` \\ "q"\nline2 é*'}, unset=["C", "D"])


def test_posix() -> None:
    assert (
        render(PLAN, "bash")
        == render(PLAN, "zsh")
        == (
            "unset C\nunset D\nexport A=plain\nexport B='it'\"'\"'s $HOME `x` \\ \"q\"\nline2 é*'\n"
        )
    )


def test_fish() -> None:
    assert render(PLAN, "fish") == (
        "set -e C\nset -e D\nset -gx A 'plain'\n"
        "set -gx B 'it\\'s $HOME `x` \\\\ \"q\"\nline2 é*'\ntrue\n"
    )


def test_powershell_doubles_every_kind_of_single_quote() -> None:
    plan = EnvPlan(set={"A": "it's", "B": "\u2018a\u2019 \u201ab\u201b $x"}, unset=["C"])
    assert render(plan, "powershell") == (
        "Remove-Item Env:C -ErrorAction SilentlyContinue\n"
        "$Env:A = 'it''s'\n"
        "$Env:B = '\u2018\u2018a\u2019\u2019 \u201a\u201ab\u201b\u201b $x'\n"
    )
    assert render(plan, "pwsh") == render(plan, "powershell")


def test_dotenv_sets_only() -> None:
    assert render(PLAN, "dotenv") == ('A="plain"\nB="it\'s $HOME `x` \\\\ \\"q\\"\\nline2 é*"\n')


def test_dotenv_reads_back_with_python_dotenv() -> None:
    dotenv = pytest.importorskip("dotenv")
    import io

    plan = EnvPlan(set={"A": "plain", "B": 'quote " back \\ new\nline é *'})
    values = dotenv.dotenv_values(stream=io.StringIO(render(plan, "dotenv")), interpolate=False)
    assert values == plan.set


def test_json_shape() -> None:
    assert json.loads(render(PLAN, "json")) == {"set": PLAN.set, "unset": PLAN.unset}


def test_empty_plan_renders_nothing() -> None:
    assert render(EnvPlan(), "bash") == ""


def test_unknown_shell_lists_the_choices() -> None:
    with pytest.raises(UsageError) as info:
        render(PLAN, "tcsh")
    assert ", ".join(SHELLS) in info.value.message


@pytest.mark.parametrize(
    ("shell", "line"),
    [
        ("bash", 'eval "$(llmgw env --profile x)"'),
        ("zsh", 'eval "$(llmgw env --profile x)"'),
        ("fish", "llmgw env --profile x | source"),
        ("powershell", "llmgw env --profile x --shell powershell | Invoke-Expression"),
    ],
)
def test_hint_is_quoted(shell: str, line: str) -> None:
    assert hint(shell, " --profile x") == line
