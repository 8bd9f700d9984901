"""CLI tests never touch a real keychain: keyring's fail backend stands for "none here"."""

from __future__ import annotations

import pytest

from tests.helpers.cli import NO_KEYCHAIN


@pytest.fixture(autouse=True)
def no_keychain(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", NO_KEYCHAIN)
    for name in ("VISUAL", "EDITOR"):
        monkeypatch.delenv(name, raising=False)
