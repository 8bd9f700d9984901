"""The README's stories run like a user's: no keychain (keyring's fail backend), real clients."""

from __future__ import annotations

import pytest

from tests.helpers.cli import NO_KEYCHAIN


@pytest.fixture(autouse=True)
def no_keychain(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", NO_KEYCHAIN)
    for name in ("LLMGW_PROFILE", "LLMGW_ACTIVE_PROFILE", "LLMGW_ENV_STATE"):
        monkeypatch.delenv(name, raising=False)
