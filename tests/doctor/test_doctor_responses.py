"""Doctor on a `responses` profile: a request, a stream and a function-call round trip,
against the mock serving the Responses API, through the shim in front of an Anthropic-only
mock, and against a gateway that does not serve it."""

from __future__ import annotations

import pytest

from llmgw_cli.wire import schemas_responses
from llmgw_cli.wire.sse import SSEEvent
from tests.doctor.conftest import KEY, check, make_profile, run, statuses
from tests.helpers.mockserver import mock_thread, requests_seen
from tests.shim.conftest import save_profile, shim_for

CHECKS = ["responses", "responses_stream", "responses_tools"]


def test_a_responses_gateway_passes_all_three() -> None:
    with mock_thread(format="responses", require_key=KEY, ttft_ms=5, itl_ms=1) as url:
        report = run(make_profile(url, formats="[responses]", extra="models: {default: gpt-5}\n"))
        seen = requests_seen(url, "/v1/responses")
    got = statuses(report)
    assert {c: got[c] for c in CHECKS} == dict.fromkeys(CHECKS, "ok"), got
    assert got["auth"] == "ok"
    tools = check(report, "responses_tools")
    call_id = tools.detail["call_id"]
    outputs = [i for i in seen[-1]["body"]["input"] if i.get("type") == "function_call_output"]
    assert [o["call_id"] for o in outputs] == [call_id]  # the round trip kept the id
    assert check(report, "responses_stream").detail["first_text_ms"] is not None


def test_through_the_shim_to_an_anthropic_only_member(monkeypatch: pytest.MonkeyPatch) -> None:
    with mock_thread(format="anthropic") as url:
        save_profile("claude", url, auth="none", formats=["anthropic"])
        with shim_for("claude") as shim:
            extra = "models: {default: claude-sonnet-4-5}\n"
            profile = make_profile(shim.url, formats="[responses]", auth="bearer", extra=extra)
            monkeypatch.setenv("DOCTOR_KEY", shim.token)  # the shim's local token
            report = run(profile)
        paths = {s["path"] for s in requests_seen(url)}
    got = statuses(report)
    assert {c: got[c] for c in CHECKS} == dict.fromkeys(CHECKS, "ok"), got
    assert "/v1/messages" in paths and "/v1/responses" not in paths


def test_a_gateway_without_responses_fails_with_the_reason() -> None:
    with mock_thread(format="anthropic") as url:
        report = run(make_profile(url, formats="[responses]", extra="models: {default: m}\n"))
    result = check(report, "responses")
    assert result.status == "fail" and "404" in result.summary
    assert statuses(report)["responses_tools"] == "skip"  # it depends on responses


def _ev(data: str, name: str | None = None) -> SSEEvent:
    return SSEEvent(data, name)


def test_stream_schema_catches_order_and_numbering() -> None:
    good = [
        _ev('{"type":"response.created","sequence_number":0,"response":{}}', "response.created"),
        _ev('{"type":"response.completed","sequence_number":1,"response":{}}'),
    ]
    assert schemas_responses.stream(good) == ([], "")
    skipped = [good[0], _ev('{"type":"response.completed","sequence_number":5,"response":{}}')]
    assert "sequence_number" in schemas_responses.stream(skipped)[0][0]
    unfinished = [good[0]]
    assert "ends with response.created" in schemas_responses.stream(unfinished)[0][0]
    renamed = [_ev('{"type":"response.created","sequence_number":0}', "message_start")]
    assert "carries type" in schemas_responses.stream(renamed)[0][0]
