"""Model discovery and probes served by the shim, request-class routing on Claude Code's
hint headers (with the heuristic for versions without them), session stickiness, and
`env --shim` turning on what the shim serves."""

from __future__ import annotations

import time

import httpx
import pytest

from llmgw_cli.config.model import Models
from llmgw_cli.config.store import ProfileStore
from llmgw_cli.errors import ConfigError
from llmgw_cli.shim import config as shim_config
from tests.guide.conftest import PLUGINS_OFF, key, shim_yaml
from tests.guide.upstream import recording
from tests.helpers.cli import run
from tests.shim.conftest import save_profile

MSG = {
    "model": "claude-sonnet-4-5",
    "max_tokens": 8,
    "messages": [{"role": "user", "content": "hi"}],
}
AV = {"anthropic-version": "2023-06-01"}


def _with_models(name: str, url: str, **models: str) -> None:
    profile = save_profile(name, url, headers={})
    profile.models = Models(**models)
    ProfileStore().save(profile)


def test_models_list_is_served_by_the_shim_within_claude_codes_3_s() -> None:
    with recording() as a, recording() as b:
        _with_models("a", a.url, default="claude-sonnet-4-5", haiku="claude-haiku-4-5")
        _with_models("b", b.url, default="qwen3-coder")
        text = (
            "chain: [a, b]\n"
            + PLUGINS_OFF
            + "models: {claude-local-qwen: {b: qwen3-coder}}\n"
            + "display_names: {claude-sonnet-4-5: Sonnet 4.5 (corp)}\n"
        )
        with shim_yaml(text) as shim:
            t0 = time.monotonic()
            answer = httpx.get(
                f"{shim.url}/v1/models?limit=1000", headers={**AV, **key(shim)}, timeout=3
            )
            took = time.monotonic() - t0
            hello = httpx.head(f"{shim.url}/api/hello", timeout=3)
            denied = httpx.get(f"{shim.url}/v1/models?limit=1000", headers=AV, timeout=3)
    assert answer.status_code == 200 and not answer.history and took < 3.0
    page = answer.json()
    names = {m["id"]: m["display_name"] for m in page["data"]}
    assert names == {
        "claude-sonnet-4-5": "Sonnet 4.5 (corp)",
        "claude-haiku-4-5": "claude-haiku-4-5 (a)",
        "qwen3-coder": "qwen3-coder (b)",  # listed; Claude Code keeps only claude/anthropic ids
        "claude-local-qwen": "qwen3-coder via b",  # the alias that shows it in /model
    }
    assert page["has_more"] is False
    assert hello.status_code == 200
    assert denied.status_code == 401
    assert a.seen == [] and b.seen == []  # nothing went upstream


def test_an_openai_clients_model_list_still_comes_from_the_member() -> None:
    with recording() as up:
        save_profile("up", up.url, headers={})
        with shim_yaml("chain: [up]\n" + PLUGINS_OFF) as shim:
            answer = httpx.get(f"{shim.url}/v1/models", headers=key(shim), timeout=5)
    assert answer.status_code == 200
    assert [s.path for s in up.seen] == ["/v1/models"]


RULES = (
    "chain: [a, b]\n"
    + PLUGINS_OFF
    + "routing_rules:\n"
    + "  - {name: main-to-a, match: {request_class: main}, route: a, fallback: [b]}\n"
    + "  - {name: rest-to-b, match: {request_class: 'subagent|workflow|compaction|auxiliary'},"
    + " route: b, fallback: [a]}\n"
)


@pytest.mark.parametrize(
    ("headers", "model", "member", "route"),
    [
        ({"x-claude-code-request-class": "main"}, "claude-sonnet-4-5", "a",
         "main-to-a; signal=x-claude-code-request-class"),
        ({"x-claude-code-request-class": "subagent"}, "claude-sonnet-4-5", "b",
         "rest-to-b; signal=x-claude-code-request-class"),
        ({}, "claude-haiku-4-5", "b", "rest-to-b; signal=heuristic: haiku model"),
        ({}, "claude-sonnet-4-5", "a", "main-to-a; signal=heuristic: no hint header"),
    ],
)  # fmt: skip
def test_request_class_rules_route_and_say_which_signal_decided(
    headers: dict[str, str], model: str, member: str, route: str
) -> None:
    with recording() as a, recording() as b:
        save_profile("a", a.url, headers={})
        save_profile("b", b.url, headers={})
        with shim_yaml(RULES) as shim:
            answer = httpx.post(
                f"{shim.url}/v1/messages",
                json={**MSG, "model": model},
                headers={**AV, **key(shim), **headers},
                timeout=10,
            )
    assert answer.status_code == 200
    assert answer.headers["x-llmgw-upstream"] == member
    assert answer.headers["x-llmgw-route"] == route
    assert len((a if member == "a" else b).posts()) == 1
    assert not (b if member == "a" else a).posts()


def test_a_request_class_outside_claude_codes_list_is_refused() -> None:
    save_profile("a", "http://127.0.0.1:9", headers={})
    text = "chain: [a]\nrouting_rules:\n  - {match: {request_class: boss}, route: a}\n"
    with pytest.raises(ConfigError, match="boss: use main\\|subagent"):
        shim_config.from_text(text, "shim.yaml")


def _turn(url: str, token: dict[str, str], session: str) -> httpx.Response:
    return httpx.post(
        f"{url}/v1/messages",
        json=MSG,
        headers={**AV, **token, "x-claude-code-session-id": session},
        timeout=10,
    )


def test_a_session_stays_on_its_member_until_it_fails_then_moves_once() -> None:
    with recording() as a, recording() as b:
        save_profile("a", a.url, headers={})
        save_profile("b", b.url, headers={})
        text = "chain: [a, b]\norder: adaptive\nretry: {attempts: 2, backoff_ms: 1}\n" + PLUGINS_OFF
        with shim_yaml(text) as shim:
            first = _turn(shim.url, key(shim), "S1")
            served = first.headers["x-llmgw-upstream"]
            other = b if served == "a" else a
            home = a if served == "a" else b
            for _ in range(3):  # adaptive order may prefer the other; the session stays
                assert _turn(shim.url, key(shim), "S1").headers["x-llmgw-upstream"] == served
            home.status = 500  # the session's member fails: a failover moves the session
            moved = _turn(shim.url, key(shim), "S1")
            home.status = 200
            after = _turn(shim.url, key(shim), "S1")
            sessions = shim.server.router.public()["sessions"]
    assert moved.status_code == 200 and moved.headers["x-llmgw-upstream"] != served
    assert after.headers["x-llmgw-upstream"] != served  # stays where it moved
    assert sessions == {"tracked": 1, "moved": 1}
    assert other.posts()


def test_env_shim_turns_on_discovery_and_hint_headers_when_the_shim_uses_them() -> None:
    with recording() as a, recording() as b:
        _with_models("a", a.url, default="claude-sonnet-4-5")
        save_profile("b", b.url, headers={})
        with shim_yaml(RULES, public=True):
            hinted = run("env", "--shim", "--shell", "bash")
        with shim_yaml("chain: [a]\n" + PLUGINS_OFF, public=True):
            plain = run("env", "--shim", "--shell", "bash")
    assert hinted.returncode == 0, hinted.stderr
    assert "CLAUDE_CODE_GATEWAY_HINT_HEADERS=1" in hinted.stdout
    assert "CLAUDE_CODE_ENABLE_GATEWAY_MODEL_DISCOVERY=1" in hinted.stdout
    assert "CLAUDE_CODE_ENABLE_GATEWAY_MODEL_DISCOVERY=1" in plain.stdout
    assert "CLAUDE_CODE_GATEWAY_HINT_HEADERS=1" not in plain.stdout
    assert "ANTHROPIC_SMALL_FAST_MODEL" not in hinted.stdout + plain.stdout
