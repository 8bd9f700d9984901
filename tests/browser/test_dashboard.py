"""The shim's live dashboard in real headless Chromium: a two-member chain over two embedded
mocks, the page opened with a one-time code, updates pushed over SSE, a breaker opening when
the first member goes away, and nothing served without the session cookie."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from llmgw_cli.shim import config as shim_config
from llmgw_cli.shim.serve.dashboard import COOKIE, PATH
from llmgw_cli.shim.serve.server import Config, RunningShim, run_in_thread
from tests.browser.chrome import Browser
from tests.helpers.mockserver import mock_thread
from tests.shim.conftest import NO_PLUGINS, auth_headers, save_profile

BODY = {"model": "claude-sonnet-4-5", "max_tokens": 16,
        "messages": [{"role": "user", "content": "SECRET-PROMPT-TEXT"}]}  # fmt: skip


@dataclass
class Chain:
    shim: RunningShim
    stop_first: Callable[[], None]


@pytest.fixture
def chain() -> Iterator[Chain]:
    with ExitStack() as first, ExitStack() as rest:
        a = first.enter_context(mock_thread(ttft_ms=5, itl_ms=1, output_tokens=6))
        b = rest.enter_context(mock_thread(ttft_ms=15, itl_ms=2, output_tokens=6))
        save_profile("primary", a, auth="none")
        save_profile("backup", b, auth="none")
        cfg = shim_config.for_chain(["primary", "backup"], host="127.0.0.1", port=0)
        cfg.plugins = dict(NO_PLUGINS)
        cfg.breaker = shim_config.Breaker(failures=1, window_s=30, cooldown_s=60)
        cfg.shutdown_grace_s = 2.0
        with run_in_thread(Config(shim=cfg, public=False)) as shim:
            yield Chain(shim, first.close)


def _code(shim: RunningShim) -> str:
    resp = httpx.post(shim.url + PATH + "/code", headers=auth_headers(shim, "bearer"))
    assert resp.status_code == 200, resp.text
    code: str = resp.json()["code"]
    return code


def _send(shim: RunningShim) -> httpx.Response:
    headers = {**auth_headers(shim), "anthropic-version": "2023-06-01"}
    return httpx.post(shim.url + "/v1/messages", json=BODY, headers=headers, timeout=30)


def _wait(browser: Browser, script: str, timeout: float = 2.0) -> tuple[Any, float]:
    """Poll the page (not the shim) until ``script`` is truthy; returns it and the wait."""
    t0 = time.monotonic()
    while True:
        value = browser.js(script)
        waited = time.monotonic() - t0
        if value or waited > timeout:
            return value, waited
        time.sleep(0.05)


MEMBERS = """return [...document.querySelectorAll('.member')].map(m => ({
  id: m.id, state: m.dataset.state,
  requests: m.querySelector('.v-requests').textContent}))"""


def test_dashboard_live(chain: Chain, browser: Browser) -> None:
    shim = chain.shim
    requests = browser.open(f"{shim.url}{PATH}?code={_code(shim)}")
    assert browser.driver.current_url == shim.url + PATH  # the code is gone from the URL
    assert all(not r.failed for r in requests)
    assert {r.url.split("?")[0] for r in requests} <= {shim.url + PATH, shim.url + PATH + "/events"}
    (cookie,) = browser.cookies()
    assert (cookie["name"], cookie["httpOnly"], cookie["sameSite"]) == (COOKIE, True, "Strict")
    assert cookie["path"] == PATH and shim.token not in cookie["value"]
    assert browser.js("return document.cookie") == ""  # HttpOnly: scripts cannot read it
    members, _ = _wait(browser, MEMBERS)
    assert [(m["id"], m["state"]) for m in members] == [
        ("member-primary", "closed"), ("member-backup", "closed")]  # fmt: skip
    _wait(browser, "return document.getElementById('live').textContent === 'live'")
    before = browser.js("return Number(document.body.dataset.seq)")

    assert _send(shim).status_code == 200
    seq, waited = _wait(browser, f"return Number(document.body.dataset.seq) > {before}")
    assert seq and waited < 2.0, waited
    row = browser.js("""const r = document.querySelector('#requests tr');
        return [...r.cells].map(c => c.textContent.trim())""")
    assert row[1] == "claude-sonnet-4-5" and row[2] == "200" and row[5] == "primary"
    assert row[6] == "default" and row[7] == "1"
    assert "SECRET-PROMPT-TEXT" not in browser.driver.page_source

    chain.stop_first()  # the first member goes away: connection refused opens its breaker
    resp = _send(shim)
    assert resp.status_code == 200 and resp.headers["x-llmgw-upstream"] == "backup"
    opened, waited = _wait(
        browser, "return document.getElementById('member-primary').dataset.state === 'open'"
    )
    assert opened and waited < 2.0, waited
    assert browser.js("return document.querySelector('#member-primary .state').textContent") == (
        "open")  # fmt: skip
    members = browser.js(MEMBERS)
    assert members[1]["requests"] == "1"  # backup answered the second request
    assert browser.js("return document.querySelector('#requests tr').cells[7].textContent") == "2"


def test_dashboard_refuses_without_the_cookie(chain: Chain) -> None:
    shim = chain.shim
    base = shim.url + PATH
    with httpx.Client(follow_redirects=False) as client:
        for url in (base, base + "/events"):
            assert client.get(url).status_code == 401
        assert client.get(base, cookies={COOKIE: "forged"}).status_code == 401
        assert client.post(base + "/code").status_code == 401  # the code needs the token
        assert client.get(base + "?token=wrong").status_code == 401
        code = _code(shim)
        login = client.get(f"{base}?code={code}")
        assert login.status_code == 303 and login.headers["location"] == PATH
        set_cookie = login.headers["set-cookie"]
        assert "HttpOnly" in set_cookie and "SameSite=Strict" in set_cookie
        assert client.get(f"{base}?code={code}").status_code == 401  # a code works once
        sid = login.cookies[COOKIE]
        page = client.get(base, cookies={COOKIE: sid})
        assert page.status_code == 200 and shim.token not in page.text
        assert "script-src 'nonce-" in page.headers["content-security-policy"]
        by_token = client.get(f"{base}?token={shim.token}")
        assert by_token.status_code == 303 and COOKIE in by_token.cookies


def test_shim_dashboard_command_prints_a_one_time_link(browser: Browser) -> None:
    from llmgw_cli import shimstate as runtime
    from tests.helpers.cli import run

    none = run("shim", "dashboard")
    assert none.returncode == 2 and "llmgw shim start" in none.stderr  # says how to start one
    with mock_thread() as url:
        save_profile("m", url, auth="none")
        assert run("shim", "start", "--profile", "m", "--port", "0", "--detach").returncode == 0
        try:
            state = runtime.read()
            assert state is not None
            out = run("shim", "dashboard")
            assert out.returncode == 0, out.stderr
            link = out.stdout.strip()
            assert link.startswith(state.url + PATH + "?code=") and state.token not in link
            assert "once" in out.stderr
            browser.open(link)
            assert browser.driver.current_url == state.url + PATH
            members, _ = _wait(browser, MEMBERS, timeout=5)
            assert [m["id"] for m in members] == ["member-m"]
            assert httpx.get(link).status_code == 401  # used up by the browser
        finally:
            run("shim", "stop")
