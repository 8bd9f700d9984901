"""Scripts, the /_mock/* test hooks, seeded failures and the request log bounds."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest

from llmgw_cli.errors import ConfigError, UsageError
from llmgw_cli.mock.config import MockConfig
from llmgw_cli.mock.replies import pick_turn, split_words
from llmgw_cli.mock.script import load_script, parse_script
from tests.helpers.mockserver import clear, mock_thread, requests_seen, stats

HI = [{"role": "user", "content": "hi"}]


def test_turn_choice_by_assistant_count_and_tool_result_rule() -> None:
    script = parse_script({"turns": ["zero", "one"], "on_tool_result": "after tool"})
    assistant = {"role": "assistant", "content": "x"}
    assert pick_turn(script, HI, openai=False).text == "zero"
    assert pick_turn(script, [*HI, assistant, *HI], openai=False).text == "one"
    assert pick_turn(script, [*HI, assistant, *HI, assistant, *HI], False).text == "one"  # last
    anth_result = {"role": "user", "content": [{"type": "tool_result", "tool_use_id": "t"}]}
    assert pick_turn(script, [*HI, assistant, anth_result], openai=False).text == "after tool"
    oai_result = {"role": "tool", "tool_call_id": "c", "content": "x"}
    assert pick_turn(script, [*HI, assistant, oai_result], openai=True).text == "after tool"
    # Without on_tool_result the assistant count decides.
    plain = parse_script(["zero", "one"])
    assert plain.on_tool_result is None
    assert pick_turn(plain, [*HI, assistant, oai_result], openai=True).text == "one"


def test_script_tool_call_forms() -> None:
    script = parse_script(
        [
            {
                "tool_call": {"name": "a", "arguments": '{"x": 1}'},
                "tool_calls": [{"name": "b", "input": {"y": [2]}, "id": "id_b"}],
            }
        ]
    )
    (turn,) = script.turns
    assert [(c.name, c.input, c.arguments, c.id) for c in turn.tool_calls] == [
        ("a", {"x": 1}, '{"x":1}', None),
        ("b", {"y": [2]}, '{"y":[2]}', "id_b"),
    ]


@pytest.mark.parametrize(
    ("data", "problem"),
    [
        ({}, "needs a non-empty list of `turns`"),
        ([], "needs a non-empty list of `turns`"),
        ({"turns": ["x"], "extra": 1}, "unknown keys ['extra']"),
        ([{"txt": "x"}], "unknown keys ['txt']"),
        ([{"tool_call": {"name": "a", "arguments": "{nope"}}], "`arguments` is not JSON"),
        ([{"tool_call": {"name": "a", "input": [1]}}], "must be a JSON object"),
        ([{"text": "x", "usage": {"input_tokens": -1}}], "`usage` maps"),
        ([{"text": "x", "stop_reason": "done"}], "`stop_reason` must be one of"),
        ([{}], "is empty"),
        ([3], "must be a string or a mapping"),
    ],
)
def test_script_errors_name_the_place(data: object, problem: str) -> None:
    with pytest.raises(ConfigError) as info:
        parse_script(data, "s.json")
    assert problem in info.value.message
    assert "s.json" in info.value.message


def test_load_script_json_and_yaml(tmp_path: Path) -> None:
    js = tmp_path / "a.json"
    js.write_text(json.dumps(["hi"]), encoding="utf-8")
    assert load_script(js).turns[0].text == "hi"
    ym = tmp_path / "a.yml"
    ym.write_text("- text: hello there\n", encoding="utf-8")
    assert load_script(ym).turns[0].text == "hello there"
    bad = tmp_path / "b.yaml"
    bad.write_text("turns: [\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"b\.yaml:\d+: .*fix the YAML syntax"):
        load_script(bad)
    bad_json = tmp_path / "b.json"
    bad_json.write_text("turns:\n - x\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"name it \.yaml for YAML"):
        load_script(bad_json)


def test_split_words_keeps_the_text_exactly() -> None:
    for text in ["", "one", " two  words ", "tab\tand\nnewline", "émoji 🎉 end"]:
        assert "".join(split_words(text)) == text


def test_config_validation() -> None:
    MockConfig().validate()
    for bad in (
        MockConfig(port=70000),
        MockConfig(ttft_ms=-1),
        MockConfig(output_tokens=-1),
        MockConfig(models=()),
        MockConfig(require_key=""),
    ):
        with pytest.raises(UsageError):
            bad.validate()


def test_request_log_stats_and_clear() -> None:
    with mock_thread(log_body_limit=100) as url:
        body = {"model": "m", "max_tokens": 5, "messages": HI}
        headers = {"x-department": "Eng", "anthropic-beta": "a,b"}
        httpx.post(f"{url}/v1/messages?beta=true", json=body, headers=headers)
        httpx.post(f"{url}/v1/messages", json={**body, "stream": True})
        big = {"model": "m", "messages": [{"role": "user", "content": "x" * 500}]}
        httpx.post(f"{url}/v1/chat/completions", json=big)
        httpx.get(f"{url}/health")  # not recorded

        seen = requests_seen(url)
        assert [e["path"] for e in seen] == ["/v1/messages", "/v1/messages", "/v1/chat/completions"]
        first = seen[0]
        assert first["method"] == "POST" and first["query"] == "beta=true"
        assert first["headers"]["x-department"] == "Eng"
        assert first["headers"]["anthropic-beta"] == "a,b"
        assert first["body"] == body and not first["body_truncated"]
        assert seen[2]["body_truncated"] and seen[2]["body_size"] > 500
        assert isinstance(seen[2]["body"], str) and len(seen[2]["body"]) == 100
        assert [e["seq"] for e in requests_seen(url, "/v1/messages")] == [1, 2]

        counts = stats(url)
        assert counts["requests"] == 3
        assert counts["by_path"] == {"/v1/messages": 2, "/v1/chat/completions": 1}
        assert counts["by_status"] == {"200": 3}
        assert counts["streams"]["completed"] == 1 and counts["streams"]["active"] == 0

        clear(url)
        assert requests_seen(url) == []
        assert stats(url)["requests"] == 0


def test_log_is_bounded() -> None:
    with mock_thread(log_limit=3) as url:
        for _ in range(5):
            httpx.get(f"{url}/v1/models")
        assert [e["seq"] for e in requests_seen(url)] == [3, 4, 5]
        assert stats(url)["requests"] == 5


def test_open_connections_are_counted() -> None:
    with mock_thread() as url:
        with httpx.Client() as a, httpx.Client() as b:
            a.get(f"{url}/v1/models")
            b.get(f"{url}/v1/models")
            assert stats(url)["connections_open"] >= 3  # a, b and the stats request itself
        # Closed clients leave only the stats request's own connection.
        assert stats(url)["connections_open"] == 1


def test_seeded_fail_rate_is_reproducible_and_about_right() -> None:
    def statuses() -> list[int]:
        with mock_thread(fail_rate=0.2, seed=7) as url, httpx.Client() as client:
            return [client.get(f"{url}/v1/models").status_code for _ in range(300)]

    first, second = statuses(), statuses()
    assert first == second
    failures = first.count(503)
    assert set(first) == {200, 503}
    assert 30 <= failures <= 90  # 20 % of 300 = 60; binomial sd is about 7


def test_unknown_path_is_404_in_each_shape() -> None:
    with mock_thread() as url:
        oai = httpx.get(f"{url}/v2/whatever")
        assert oai.status_code == 404 and oai.json()["error"]["code"] == "unknown_url"
        anth = httpx.get(f"{url}/v2/whatever", headers={"anthropic-version": "2023-06-01"})
        assert anth.json() == {
            "type": "error",
            "error": {
                "type": "not_found_error",
                "message": "Unknown request URL: GET /v2/whatever",
            },
        }
