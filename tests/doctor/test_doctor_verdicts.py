"""No false verdicts, against real local servers: a burst is blamed on buffering only when a
second stream bursts too; a 404 naming another path than doctor's names the gateway's route;
a 429 that follows doctor's own failure is attributed to it."""

from __future__ import annotations

from aiohttp import web

from tests.doctor.conftest import check, make_profile, run
from tests.doctor.servers import Gateway, gateway
from tests.helpers.appserver import serve_app
from tests.helpers.mockserver import mock_thread


def test_a_cold_first_burst_then_a_live_stream_is_no_warning() -> None:
    with gateway(Gateway(burst_ms=400, bursts=1, stream_gap_ms=30)) as url:
        stream = check(run(make_profile(url), ["stream"]), "stream")
    assert stream.status == "ok", stream.summary
    assert "the first stream came in one burst (a cold start), a second was live" in stream.summary
    assert stream.detail["first_stream_burst"] is True


def test_two_bursts_are_a_buffering_warning() -> None:
    with gateway(Gateway(burst_ms=400)) as url:
        stream = check(run(make_profile(url), ["stream"]), "stream")
    assert stream.status == "warn"
    assert "in two streamed requests: something buffers the stream" in stream.summary


def cooling_gateway() -> web.Application:
    """A LiteLLM-like gateway whose route calls its upstream's /v1/responses (404), and which
    puts the route in cooldown after that failure (429 for everything after)."""
    failed: list[bool] = []

    async def models(request: web.Request) -> web.Response:
        return web.json_response({"data": [{"id": "gpt-4o"}]})

    async def messages(request: web.Request) -> web.Response:
        if failed:
            text = "No deployments available for selected model. All deployments are in cooldown."
            return web.json_response(
                {"type": "error", "error": {"type": "rate_limit_error", "message": text}},
                status=429,
            )
        failed.append(True)
        text = 'NotFoundError: {"error": {"message": "Unknown request URL: POST /v1/responses"}}'
        return web.json_response(
            {"type": "error", "error": {"type": "not_found_error", "message": text}}, status=404
        )

    app = web.Application()
    app.router.add_get("/v1/models", models)
    app.router.add_post("/v1/messages", messages)
    return app


def test_route_404_then_cooldown_429_name_the_route_and_doctors_own_failure() -> None:
    with serve_app(cooling_gateway()) as port:
        profile = make_profile(f"http://127.0.0.1:{port}", extra="models: {default: gpt-4o}\n")
        report = run(profile, ["messages", "stream"])
    messages = check(report, "messages")
    assert messages.status == "fail"
    assert "it called /v1/responses on its upstream" in messages.summary
    assert "the gateway's route for gpt-4o is wrong, not the model name" in messages.summary
    stream = check(report, "stream")
    assert stream.status == "warn", stream.summary
    assert "429 caused by doctor's own failed request: messages" in stream.summary
    assert "put the route in cooldown" in stream.summary
    assert "fix what the messages check reports" in (stream.fix or "")


def test_a_plain_model_404_still_names_the_model() -> None:
    """Not over-attributed: a 404 about the model itself is the model's."""
    with mock_thread(strict_models=True, models=("claude-opus-5-5",)) as url:
        profile = make_profile(url, extra="models: {default: claude-nope}\n")
        report = run(profile, ["messages"])
    messages = check(report, "messages")
    assert messages.status == "fail" and "use a model the gateway serves" in (messages.fix or "")
