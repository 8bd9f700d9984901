"""A member that stalls before its first byte is left for the next; one that dies after it
is not (the client has the start of an answer: retrying would duplicate it)."""

from __future__ import annotations

import httpx

from llmgw_cli.config.model import Timeouts
from tests.helpers.hangserver import hanging_server
from tests.helpers.mockserver import mock_thread
from tests.shim.conftest import save_profile
from tests.shim.resilience.conftest import BODY, api_count, chain_shim, member

STREAM = {**BODY, "stream": True, "max_tokens": 12}
CONFIG = """
chain: [stalled, spare]
retry: {attempts: 2, backoff_ms: 1, max_backoff_ms: 5}
"""


def _stream(url: str, token: str) -> tuple[httpx.Response, str]:
    with httpx.stream(
        "POST", url + "/v1/messages", json=STREAM, headers={"x-api-key": token}, timeout=60
    ) as r:
        return r, r.read().decode()


def test_no_answer_at_all_is_abandoned_after_the_first_byte_timeout() -> None:
    with hanging_server() as hang, mock_thread(output_tokens=4) as spare:
        save_profile("stalled", hang.url, timeouts=Timeouts(first_byte_s=0.5))
        save_profile("spare", spare)
        with chain_shim(CONFIG) as shim:
            r, text = _stream(shim.url, shim.token)
            assert r.status_code == 200
            assert (r.headers["x-llmgw-upstream"], r.headers["x-llmgw-attempts"]) == ("spare", "2")
            assert "message_stop" in text and "event: error" not in text
            assert hang.count == 1
            assert "did not answer within its timeout" in member(shim, "stalled")["last_error"]


def test_headers_without_a_first_body_byte_are_still_abandoned() -> None:
    # The stalled member sends `200 text/event-stream` and then nothing: the client has
    # not been answered yet (the shim holds its headers until the first body byte).
    with hanging_server(headers_first=True) as hang, mock_thread(output_tokens=4) as spare:
        save_profile("stalled", hang.url, timeouts=Timeouts(first_byte_s=0.5))
        save_profile("spare", spare)
        with chain_shim(CONFIG) as shim:
            r, text = _stream(shim.url, shim.token)
            assert r.status_code == 200
            assert r.headers["x-llmgw-upstream"] == "spare"
            assert text.count("event: message_start") == 1
            assert "message_stop" in text
            assert hang.count == 1


def test_a_chain_wide_first_byte_timeout_overrides_the_profiles() -> None:
    with hanging_server() as hang, mock_thread(output_tokens=4) as spare:
        save_profile("stalled", hang.url)  # profile default: 120 s
        save_profile("spare", spare)
        with chain_shim(CONFIG + "timeouts: {first_byte_s: 0.5}\n") as shim:
            r, _ = _stream(shim.url, shim.token)
            assert r.headers["x-llmgw-upstream"] == "spare"


def test_a_member_dying_mid_stream_is_not_retried_and_nothing_is_duplicated() -> None:
    with mock_thread(drop_after=5, output_tokens=20) as flaky, mock_thread() as spare:
        save_profile("flaky", flaky)
        save_profile("spare", spare)
        config = "chain: [flaky, spare]\nretry: {attempts: 2, backoff_ms: 1, max_backoff_ms: 5}\n"
        with chain_shim(config) as shim:
            r, text = _stream(shim.url, shim.token)
            assert r.status_code == 200
            assert (r.headers["x-llmgw-upstream"], r.headers["x-llmgw-attempts"]) == ("flaky", "1")
            events = [e for e in text.strip().split("\n\n") if e]
            assert len(events) == 6  # five relayed, then the error event
            assert events[-1].startswith("event: error\n")
            assert "broke off" in events[-1]
            assert text.count("event: message_start") == 1  # no second answer spliced in
            assert api_count(spare) == 0
            m = member(shim, "flaky")
            assert m["errors"] == 1 and m["error_rate"] == 1.0
