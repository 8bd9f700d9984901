"""Every test gets its own LLMGW_HOME, and nothing from the caller's shell leaks in."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from llmgw_cli.clientenv.mapping import MANAGED


@pytest.fixture(autouse=True)
def llmgw_home(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Path]:
    home = tmp_path_factory.mktemp("llmgw-home")
    monkeypatch.setenv("LLMGW_HOME", str(home))
    for name in MANAGED:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.delenv("LLMGW_DEBUG", raising=False)
    yield home
    os.environ.pop("LLMGW_PROFILE", None)


@pytest.fixture(scope="session")
def claude_bin() -> Path:
    """Real Claude Code from npm (pinned); skipped only where npm is absent."""
    from tests.helpers.claude import find_or_install

    path = find_or_install()
    if path is None:
        pytest.skip("Claude Code is not installed and npm is absent")
    return path
