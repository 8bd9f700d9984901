"""Helpers for the governance tests: exchanges shaped like the shim core builds them."""

from __future__ import annotations

import json
import uuid
from typing import Any

import pytest

from llmgw_cli.shim.plugins.contract import Exchange


@pytest.fixture(autouse=True)
def upstream_key(monkeypatch: pytest.MonkeyPatch) -> str:
    """The key the shimkit profiles read (``env:GOV_TEST_KEY``)."""
    from tests.governance.shimkit import KEY_ENV, REAL_KEY

    monkeypatch.setenv(KEY_ENV, REAL_KEY)
    return REAL_KEY


def make_exchange(
    body: Any = None,
    *,
    path: str = "/v1/messages",
    fmt: str = "anthropic",
    headers: dict[str, str] | None = None,
    status: int | None = 200,
    raw: bytes | None = None,
) -> Exchange:
    data = raw if raw is not None else json.dumps(body if body is not None else {}).encode()
    ex = Exchange(
        request_id=uuid.uuid4().hex,
        method="POST",
        path=path,
        client_format=fmt,
        headers={k.lower(): v for k, v in (headers or {}).items()},
        body=data,
    )
    ex.status = status
    return ex


def anthropic_body(
    text: str, model: str = "claude-sonnet-4-5", max_tokens: int = 1024
) -> dict[str, Any]:
    return {
        "model": model,
        "max_tokens": max_tokens,
        "messages": [{"role": "user", "content": text}],
    }


def write_audit_log(state_dir: Any, rows: list[dict[str, Any]], **cfg: Any) -> Any:
    """Write audit lines through the real plugin; each row sets the exchange's fields.

    Row keys: ts (epoch), model, user, profile, status, e2e_ms, ttft_ms, usage (Usage).
    Rows are written in timestamp order, as a running shim appends them.
    """
    import asyncio

    from llmgw_cli.prices import PriceTable
    from llmgw_cli.shim.plugins.audit import AuditPlugin

    plugin = AuditPlugin(cfg, state_dir, PriceTable())

    async def go() -> None:
        for row in sorted(rows, key=lambda r: r["ts"]):
            ex = make_exchange(
                anthropic_body("q", model=row.get("model", "claude-sonnet-4-5")),
                headers={"X-User-ID": row.get("user", "alice")},
                status=row.get("status", 200),
            )
            ex.wall_start = row["ts"]
            ex.profile = row.get("profile", "corp")
            ex.e2e_ms, ex.ttft_ms = row.get("e2e_ms", 1000.0), row.get("ttft_ms", 300.0)
            if "usage" in row:
                ex.usage = row["usage"]
            await plugin.on_complete(ex)
        await plugin.close()

    asyncio.run(go())
    return plugin.path
