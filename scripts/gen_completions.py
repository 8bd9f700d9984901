"""Regenerate the committed shell completion scripts: python scripts/gen_completions.py

tests/cli/test_completion.py fails when completions/ is not what `llmgw completion SHELL` prints.
"""

from __future__ import annotations

from pathlib import Path

from llmgw_cli.cli.completion import script

FILES = {"bash": "llmgw.bash", "zsh": "_llmgw", "fish": "llmgw.fish"}
FOLDER = Path(__file__).resolve().parents[1] / "completions"


def main() -> None:
    FOLDER.mkdir(exist_ok=True)
    for shell, name in FILES.items():
        (FOLDER / name).write_text(script(shell), encoding="utf-8")
        print(f"wrote {FOLDER / name}")


if __name__ == "__main__":
    main()
