"""HTTP and API layers: auth, models, betas, HTML, buffering, the query string, the clock."""

from __future__ import annotations

from tests.doctor.conftest import KEY, check, make_profile, run, statuses
from tests.doctor.servers import Gateway, gateway
from tests.helpers.mockserver import mock_thread


def test_wrong_key_fails_auth(monkeypatch: object) -> None:
    with mock_thread(require_key="the-real-key-0123456789") as url:
        report = run(make_profile(url, formats="[anthropic, openai]"))
    auth = check(report, "auth")
    assert auth.status == "fail"
    assert auth.summary.startswith("401 Unauthorized: the key was not accepted")
    assert "x-api-key does not work either" in auth.summary
    assert "`export DOCTOR_KEY=YOUR_KEY`" in auth.fix  # where an env: secret lives
    assert check(report, "messages").summary == "skipped: auth failed"
    assert check(report, "chat").summary == "skipped: auth failed"
    assert KEY not in str([c.to_json(verbose=True) for c in report.checks])


def test_other_header_style_would_work() -> None:
    with gateway(Gateway(only_header="x-api-key", key=KEY)) as url:
        report = run(make_profile(url, auth="bearer"))
        fixed = run(make_profile(url, auth="x-api-key"))
    auth = check(report, "auth")
    assert auth.status == "fail"
    assert "with x-api-key the same key works" in auth.summary
    assert auth.fix == "`llmgw profile set gw auth.type=x-api-key`"
    assert check(fixed, "auth").status == "ok" and check(fixed, "messages").status == "ok"


def test_rejected_betas_name_the_fix() -> None:
    with mock_thread(reject_betas=True) as url:
        report = run(make_profile(url, auth="none"))
        disabled = run(
            make_profile(
                url, auth="none", extra="claude_code: {disable_experimental_betas: true}\n"
            )
        )
    assert check(report, "messages").status == "ok"  # plain requests are fine
    betas = check(report, "betas")
    assert betas.status == "fail"
    assert "rejects the anthropic-beta values and the context_management field" in betas.summary
    assert "`llmgw profile set gw claude_code.disable_experimental_betas=true`" in betas.fix
    assert "CLAUDE_CODE_DISABLE_EXPERIMENTAL_BETAS=1" in betas.fix
    assert check(disabled, "betas").status == "ok"


def test_unlisted_model_gets_a_suggestion() -> None:
    with mock_thread(strict_models=True) as url:
        typo = run(make_profile(url, auth="none", extra="models: {default: claude-sonet-4-5}\n"))
    with mock_thread(models=("gpt-4o", "claude-sonnet-4-5"), strict_models=True) as url:
        default = run(make_profile(url, auth="none"))
    with mock_thread(models=("claude-sonnet-4-5",)) as url:  # serves any name it is asked
        wildcard = run(make_profile(url, auth="none"))
    models = check(typo, "models")
    assert models.status == "fail"
    assert (
        "models.default claude-sonet-4-5 is not listed (did you mean claude-sonnet-4-5"
        in models.summary
    )
    assert "`llmgw profile set gw models.default=claude-sonnet-4-5`" in models.fix
    miss = check(default, "models")
    assert miss.status == "fail"
    assert "Claude Code's default model claude-opus-5-5 is not listed" in miss.summary
    # The request checks still run, with a model the gateway does serve.
    assert check(default, "messages").status == "ok"
    assert check(default, "messages").detail["model"] == "claude-sonnet-4-5"
    routed = check(wildcard, "models")
    assert routed.status == "warn", routed.summary
    assert "claude-opus-5-5 is not listed, but a 1-token request with it works" in routed.summary


def test_endpoint_ending_in_v1_is_a_config_warning() -> None:
    with mock_thread() as url:
        report = run(make_profile(url + "/v1", auth="none"))
    config = check(report, "config")
    assert config.status == "warn"
    assert "/v1" in config.summary and "/v1/v1/messages" in config.summary
    assert check(report, "messages").status == "ok"  # doctor itself uses the root


def test_html_page_with_200_fails_naming_html() -> None:
    with gateway(Gateway(html=True)) as url:
        report = run(make_profile(url))
    http = check(report, "http")
    assert http.status == "fail"
    assert (
        "an HTML page titled 'Sign in - Corp SSO' (status 200) where JSON was expected"
        in http.summary
    )
    assert "SSO" in http.fix


def test_stream_in_one_burst_is_a_warning() -> None:
    with gateway(Gateway(burst_ms=600)) as url:
        buffered = run(make_profile(url))
    with gateway(Gateway(stream_gap_ms=60)) as url:
        live = run(make_profile(url))
    with mock_thread(ttft_ms=400) as url:  # slow first token, but a live stream
        slow = run(make_profile(url, auth="none"))
    stream = check(buffered, "stream")
    assert stream.status == "warn", stream.summary
    assert "events arrived in one burst" in stream.summary
    assert "proxy_buffering off" in stream.fix
    assert stream.detail["first_event_ms"] >= 600
    assert check(live, "stream").status == "ok", check(live, "stream").summary
    assert check(slow, "stream").status == "ok", check(slow, "stream").summary
    assert check(slow, "stream").detail["first_text_ms"] >= 400


def test_cut_stream_fails() -> None:
    with mock_thread(drop_after=3) as url:
        report = run(make_profile(url, auth="none", formats="[anthropic, openai]"))
    assert check(report, "stream").status == "fail"
    assert "message_stop" in check(report, "stream").summary
    assert check(report, "chat_stream").status == "fail"


def test_gateway_choking_on_beta_query() -> None:
    with gateway(Gateway(choke_beta_query=True)) as url:
        report = run(make_profile(url))
    messages = check(report, "messages")
    assert messages.status == "fail"
    assert "without ?beta=true → 200" in messages.summary
    assert check(report, "betas").summary == "skipped: messages failed"


def test_clock_skew_from_date_header() -> None:
    with gateway(Gateway(date_offset_s=-600)) as url:
        far = run(make_profile(url), checks=["clock"])
    with gateway(Gateway(date_offset_s=90)) as url:
        near = run(make_profile(url), checks=["clock"])
    # The Date header has whole seconds: allow one either way.
    assert (
        check(far, "clock").status == "fail"
        and "server clock behind by" in check(far, "clock").summary
    )
    assert abs(check(far, "clock").detail["skew_s"] + 600) <= 1.5
    assert check(near, "clock").status == "warn" and "ahead by" in check(near, "clock").summary
    assert abs(check(near, "clock").detail["skew_s"] - 90) <= 1.5


def test_count_tokens_missing_is_a_warning() -> None:
    with gateway(Gateway(count_tokens=False)) as url:
        report = run(make_profile(url))
    ct = check(report, "count_tokens")
    assert ct.status == "warn" and "not served (404)" in ct.summary
    assert "fail" not in statuses(report).values()
