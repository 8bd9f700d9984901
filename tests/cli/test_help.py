"""--help as a demanding user reads it: whole lines, named metavars, an example everywhere."""

from __future__ import annotations

import pytest
import typer

from llmgw_cli.cli.app import app, run


def leaves() -> list[list[str]]:
    found: list[list[str]] = []

    def walk(command: object, path: list[str]) -> None:
        subs = getattr(command, "commands", None)
        if not subs:
            found.append(path)
        for name, sub in (subs or {}).items():
            walk(sub, [*path, name])

    walk(typer.main.get_command(app), [])
    return found


@pytest.mark.parametrize("path", leaves(), ids=" ".join)
def test_every_command_has_an_example_and_named_metavars(
    path: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    assert run([*path, "--help"]) == 0
    text = capsys.readouterr().out
    assert "Example" in text, text
    assert "<str>" not in text and "<int>" not in text and "<float>" not in text, text


@pytest.mark.parametrize("group", [[], ["profile"], ["secret"], ["shim"]], ids=str)
def test_command_lists_show_whole_descriptions(
    group: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    assert run([*group, "--help"]) == 0
    text = capsys.readouterr().out
    assert "..." not in text.split("Commands:")[1]
