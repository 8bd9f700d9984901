"""The extension points later work plugs into: a router subclass (chain, retries, model
mapping; issue 6) and the translator registry (client format != member format; issue 8)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

import httpx
import openai
import pytest

from llmgw_cli.shim.config import ShimConfig
from llmgw_cli.shim.members.member import Member
from llmgw_cli.shim.plugins.contract import Exchange
from llmgw_cli.shim.route.router import Failure, Route, Router
from llmgw_cli.shim.translate import registry as translation
from tests.helpers.mockserver import mock_thread, requests_seen
from tests.shim.conftest import save_profile, shim_for
from tests.shim.test_shim_faults import closed_port

BODY = {
    "model": "claude-opus-5-5",
    "max_tokens": 20,
    "messages": [{"role": "user", "content": "hi"}],
}


class FallbackRouter(Router):
    """What a chain router does: next member on failure, each member its own model name."""

    def __init__(self, members: Sequence[Member]) -> None:
        super().__init__(members)
        self.outcomes: list[tuple[str, str | None]] = []
        self._fallback = Route(self.members, name="fallback", models={"up": "claude-haiku-4-5"})

    def route(self, exchange: Exchange) -> Route:
        return self._fallback

    def retry_status(self, status: int) -> bool:
        return status >= 500 or status == 429

    def retry_delay(
        self, exchange: Exchange, attempt: int, member: Member, failure: Failure
    ) -> float | None:
        return 0.0

    def record(self, member: Member, exchange: Exchange, failure: Failure | None) -> None:
        super().record(member, exchange, failure)
        self.outcomes.append((member.name, failure.kind if failure else None))


def fallback_router(holder: list[FallbackRouter]):  # type: ignore[no-untyped-def]
    def build(config: ShimConfig, members: Sequence[Member]) -> Router:
        holder.append(FallbackRouter(members))
        return holder[0]

    return build


@pytest.mark.parametrize("first", ["refused", "503"])
def test_a_router_moves_on_and_maps_the_model(first: str) -> None:
    routers: list[FallbackRouter] = []
    with mock_thread() as up_url, mock_thread(fail_rate=1.0, fail_status=503) as bad_url:
        save_profile("down", f"http://127.0.0.1:{closed_port()}" if first == "refused" else bad_url)
        save_profile("up", up_url)
        with shim_for("down", "up", router=fallback_router(routers)) as shim:
            r = httpx.post(shim.url + "/v1/messages", json=BODY, headers={"x-api-key": shim.token})
        seen = requests_seen(up_url, "/v1/messages")
    assert r.status_code == 200, r.text
    assert r.headers["x-llmgw-attempts"] == "2"
    assert r.headers["x-llmgw-upstream"] == "up"
    assert r.headers["x-llmgw-route"] == "fallback"
    assert seen[-1]["body"]["model"] == "claude-haiku-4-5"  # the member's own name for it
    kind = "connect" if first == "refused" else "status"
    assert routers[0].outcomes == [("down", kind), ("up", None)]


def test_the_last_members_error_reaches_the_client_unchanged() -> None:
    routers: list[FallbackRouter] = []
    with (
        mock_thread(fail_rate=1.0, fail_status=529) as a,
        mock_thread(fail_rate=1.0, fail_status=503) as b,
    ):
        save_profile("a", a)
        save_profile("b", b)
        with shim_for("a", "b", router=fallback_router(routers)) as shim:
            r = httpx.post(shim.url + "/v1/messages", json=BODY, headers={"x-api-key": shim.token})
    assert r.status_code == 503  # the upstream's own answer, not a shim 502
    assert r.headers["x-llmgw-attempts"] == "2"
    assert r.json()["type"] == "error"


@pytest.fixture
def anthropic_only() -> Iterator[str]:
    with mock_thread(format="anthropic", output_tokens=5) as url:
        save_profile("aonly", url, formats=["anthropic"])
        yield url


def test_without_a_translator_the_format_mismatch_is_named(
    anthropic_only: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(translation, "_REGISTRY", {})  # as if none were registered
    with shim_for("aonly") as shim:
        client = openai.OpenAI(base_url=shim.url + "/v1", api_key=shim.token, max_retries=0)
        with pytest.raises(openai.APIStatusError) as info:
            client.chat.completions.create(
                model="gpt-4o", messages=[{"role": "user", "content": "hi"}]
            )
    assert info.value.status_code == 502
    assert "serves only anthropic" in str(info.value)
