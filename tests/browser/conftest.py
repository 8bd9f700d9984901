from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.browser.chrome import Browser, chromium


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with chromium() as b:
        yield b
