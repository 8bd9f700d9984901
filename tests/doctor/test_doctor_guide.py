"""Claude Code's troubleshooting table, one row per test, against a real `llmgw mock` playing
the gateway fault: the check fails and names its fix; where a `claude_code:` switch is the
fix, `llmgw doctor --fix` writes it (backup, diff) and the next run passes."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from llmgw_cli.config.store import ProfileStore
from tests.doctor.conftest import check, make_profile, run
from tests.helpers.cli import PROXY_VARS
from tests.helpers.cli import run as cli
from tests.helpers.mockserver import mock_thread

HEALTHY = {"context_window": 200_000}
MODEL = "models: {default: claude-sonnet-4-5}\n"

# check id, mock faults, what the failure says, the switch --fix writes (key, YAML value)
SWITCH_ROWS = [
    (
        "adaptive",
        {"reject_adaptive": True},
        "rejects adaptive thinking",
        "disable_adaptive_thinking",
        True,
    ),
    (
        "tool_regex",
        {"reject_tool_regex": True},
        "regex in a tool schema",
        "disable_structured_outputs",
        True,
    ),
    ("advisor", {"reject_advisor": True}, "rejects the advisor tool", "disable_advisor_tool", True),
    ("context_limit", {"reword_context_errors": True}, "reworded", "auto_compact_window", 180000),
    ("betas", {"reject_betas": True}, "rejects", "disable_experimental_betas", True),
]


# Checks that send the oversized (billable) probe: only under --deep.
DEEP_ONLY = ("context_limit", "error_bodies")


def doctor_json(*args: str) -> tuple[int, dict[str, Any], str]:
    deep = ("--deep",) if any(a in DEEP_ONLY for a in args) else ()
    done = cli("doctor", "--profile", "gw", "--json", *args, *deep, env=dict.fromkeys(PROXY_VARS))
    results = json.loads(done.stdout)["results"][0]
    return done.returncode, {c["id"]: c for c in results["checks"]}, done.stdout + done.stderr


@pytest.mark.parametrize(("check_id", "faults", "said", "key", "value"), SWITCH_ROWS)
def test_row_fails_then_fix_writes_the_switch_and_the_next_run_passes(
    check_id: str, faults: dict[str, Any], said: str, key: str, value: Any
) -> None:
    with mock_thread(**HEALTHY, **faults) as url:
        ProfileStore().save(make_profile(url, extra=MODEL))
        code, checks, out = doctor_json("--check", check_id)
        assert code == 1, out
        assert checks[check_id]["status"] == "fail", checks[check_id]
        assert said in checks[check_id]["summary"]
        assert f"claude_code.{key}" in checks[check_id]["fix"]  # the switch, by name

        deep = ("--deep",) if check_id in DEEP_ONLY else ()
        done = cli(
            "doctor",
            "--profile",
            "gw",
            "--check",
            check_id,
            "--fix",
            *deep,
            env=dict.fromkeys(PROXY_VARS),
        )
        assert done.returncode == 0, done.stdout + done.stderr  # the re-run proves the fix
        assert f"+  {key}: {str(value).lower()}" in done.stdout  # the diff
        assert f"re-running {check_id}" in done.stdout
        backups = list(ProfileStore().root.glob("gw.yaml.*.bak"))
        assert len(backups) == 1 and key not in backups[0].read_text()
        assert getattr(ProfileStore().load("gw").claude_code, key) == value

        code, checks, out = doctor_json("--check", check_id)
        assert code == 0, out
        assert checks[check_id]["status"] == "ok"
        assert f"claude_code.{key}" in checks[check_id]["summary"]


def test_discovery_redirect_with_discovery_on_fails_and_fix_turns_it_off() -> None:
    with mock_thread(**HEALTHY, models_redirect=True) as url:
        extra = MODEL + "claude_code: {model_discovery: true}\n"
        ProfileStore().save(make_profile(url, extra=extra))
        code, checks, _ = doctor_json("--check", "discovery")
        assert code == 1 and checks["discovery"]["status"] == "fail"
        assert "307 redirect" in checks["discovery"]["summary"]
        assert "claude_code.model_discovery: false" in checks["discovery"]["fix"]
        done = cli(
            "doctor",
            "--profile",
            "gw",
            "--check",
            "discovery",
            "--fix",
            env=dict.fromkeys(PROXY_VARS),
        )
        assert done.returncode == 0, done.stdout
        assert "-  model_discovery: true" in done.stdout
        code, checks, _ = doctor_json("--check", "discovery")
        assert code == 0 and "model_discovery is off" in checks["discovery"]["summary"]


# Rows whose fix is a change on the gateway: the check fails (or warns) and says so; --fix
# has nothing to write and says that too.
GATEWAY_ROWS = [
    ("waf", {"waf_403_over_bytes": 60_000}, "fail", "403", "exempt /v1/messages"),
    ("error_bodies", {"reshape_errors": True}, "fail", "not the API's", "unchanged"),
    (
        "retry_after",
        {"fail_rate": 1.0, "fail_status": 429, "retry_after_format": "http-date"},
        "fail",
        "not whole seconds",
        "whole seconds",
    ),
    (
        "retry_after",
        {"fail_rate": 1.0, "fail_status": 429, "retry_after_format": "float"},
        "fail",
        "'1.5'",
        "llmgw shim",
    ),
    ("pings", {"strip_pings": True}, "warn", "no ping events", "forward ping events"),
]


@pytest.mark.parametrize(("check_id", "faults", "status", "said", "fix"), GATEWAY_ROWS)
def test_gateway_side_rows_name_the_gateway_change(
    check_id: str, faults: dict[str, Any], status: str, said: str, fix: str
) -> None:
    with mock_thread(**HEALTHY, **faults) as url:
        ProfileStore().save(make_profile(url, extra=MODEL))
        _, checks, _out = doctor_json("--check", check_id)
        assert checks[check_id]["status"] == status, checks[check_id]
        assert said in checks[check_id]["summary"] and fix in checks[check_id]["fix"]
        assert "profile_fix" not in checks[check_id]["detail"]
    with mock_thread(**HEALTHY) as url:  # the same check against a healthy gateway
        ProfileStore().save(make_profile(url, extra=MODEL))
        _, checks, _out = doctor_json("--check", check_id)
        assert checks[check_id]["status"] in ("ok", "skip"), checks[check_id]


def test_fix_with_nothing_to_write_says_so() -> None:
    with mock_thread(**HEALTHY, waf_403_over_bytes=60_000) as url:
        ProfileStore().save(make_profile(url, extra=MODEL))
        done = cli(
            "doctor", "--profile", "gw", "--check", "waf", "--fix", env=dict.fromkeys(PROXY_VARS)
        )
        assert done.returncode == 1
        assert "--fix: nothing to write for gw" in done.stdout
        assert not list(ProfileStore().root.glob("*.bak"))


def test_slow_stream_without_pings_warns_and_with_pings_passes() -> None:
    with mock_thread(stream_pause_ms=700) as url:
        report = run(make_profile(url, extra=MODEL), ["pings"], ping_gap_s=0.3)
        assert check(report, "pings").status == "warn"
        assert "silent for 0.7 s" in check(report, "pings").summary
    with mock_thread(stream_pause_ms=700, ping_every_ms=100) as url:
        report = run(make_profile(url, extra=MODEL), ["pings"], ping_gap_s=0.3)
        assert check(report, "pings").status == "ok", check(report, "pings").summary


def test_both_key_variables_set_is_an_auth_conflict() -> None:
    both = {"ANTHROPIC_API_KEY": "a-key", "ANTHROPIC_AUTH_TOKEN": "a-token"}
    with mock_thread(reject_both_auth=True) as url:
        report = run(make_profile(url, extra=MODEL), ["auth_conflict"], environ=both)
        conflict = check(report, "auth_conflict")
        assert conflict.status == "fail" and "refuses that (401" in conflict.summary
        assert 'eval "$(llmgw env --profile gw)"' in conflict.fix
    with mock_thread() as url:  # a gateway that tolerates both: a warning
        assert (
            check(run(make_profile(url), ["auth_conflict"], environ=both), "auth_conflict").status
            == "warn"
        )
        assert check(run(make_profile(url), ["auth_conflict"]), "auth_conflict").status == "ok"


@pytest.mark.parametrize(
    ("command", "status", "said"),
    [
        ("printf 'one\\ntwo\\n'", "fail", "printed 2 lines"),
        ("exit 3", "fail", "exited 3"),
        ("sleep 5", "fail", "did not finish within 1 s"),
        ("llmgw token --profile gw", "ok", "one line, exit 0"),
    ],
)
def test_api_key_helper(tmp_path: Path, command: str, status: str, said: str) -> None:
    config = tmp_path / "claude"
    config.mkdir()
    (config / "settings.json").write_text(json.dumps({"apiKeyHelper": command}))
    profile = make_profile("http://127.0.0.1:9", extra=MODEL)
    ProfileStore().save(profile)  # `llmgw token --profile gw` reads it
    report = run(
        profile, ["api_key_helper"], environ={"CLAUDE_CONFIG_DIR": str(config)}, helper_budget_s=1.0
    )
    helper = check(report, "api_key_helper")
    assert helper.status == status and said in helper.summary, helper.summary


def test_json_for_stream_is_a_warning_unless_the_fallback_is_off() -> None:
    with mock_thread(json_for_stream=True) as url:
        stream = check(run(make_profile(url, extra=MODEL), ["stream"]), "stream")
        assert stream.status == "warn", stream.summary
        assert "retries the request without streaming" in stream.summary
        extra = MODEL + "claude_code: {disable_nonstreaming_fallback: true}\n"
        stream = check(run(make_profile(url, extra=extra), ["stream"]), "stream")
        assert stream.status == "fail" and "will not retry" in stream.summary
