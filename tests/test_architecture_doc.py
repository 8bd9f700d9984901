"""docs/architecture.md keeps the house explained: every file it names exists, and the code
cites it rather than documents that live outside the repository."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DOC = ROOT / "docs" / "architecture.md"


def _where_a_change_goes() -> list[str]:
    text = DOC.read_text(encoding="utf-8")
    section = text.split("## Where a change goes", 1)[1]
    rows = [line for line in section.splitlines() if line.startswith("|")][2:]
    assert rows, "the 'Where a change goes' table has no rows"
    paths: list[str] = []
    for row in rows:
        paths += re.findall(r"`([\w./<>-]+/[\w./<>-]*)`", row)
    return paths


def test_every_file_named_under_where_a_change_goes_exists() -> None:
    paths = _where_a_change_goes()
    assert len(paths) >= 10
    for path in paths:
        if "<" in path:  # a pattern such as wire/<client>_to_<member>.py: its folder exists
            path = path.rsplit("/", 1)[0]
        assert (ROOT / path).exists(), f"docs/architecture.md names {path}, which does not exist"


def test_code_cites_the_repo_docs_never_outside_ones() -> None:
    offenders = []
    for file in [*ROOT.glob("llmgw_cli/**/*.py"), *ROOT.glob("benchmarks/*.py")]:
        text = file.read_text(encoding="utf-8")
        if re.search(r"\b(design|facts)\.md\b", text):
            offenders.append(str(file.relative_to(ROOT)))
    assert offenders == [], f"cite docs/architecture.md instead: {offenders}"
