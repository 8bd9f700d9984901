"""The gate tests' fixtures: the members' keys in this process's environment."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.gates.kit import Upstream, capturing, secrets_env


@pytest.fixture(autouse=True)
def member_keys(monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in secrets_env().items():
        monkeypatch.setenv(name, value)


@pytest.fixture
def upstream() -> Iterator[Upstream]:
    with capturing() as up:
        yield up


@pytest.fixture
def attacker() -> Iterator[Upstream]:
    with capturing() as up:
        yield up
