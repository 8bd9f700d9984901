"""The PII filter through the real shim with the official SDKs: block and redact modes."""

from __future__ import annotations

from typing import Any

import anthropic
import openai
import pytest

from llmgw_cli import paths
from tests.governance.shimkit import OFF, shim_thread
from tests.helpers.mockserver import mock_thread, requests_seen

SEED = {"error": "PII detected in prompt", "type": "security_violation"}
VALUES = {
    "EMAIL": "bob@example.com",
    "PHONE": "+1 415-555-0134",
    "CARD": "4111 1111 1111 1111",
    "IBAN": "DE89370400440532013000",
    "SSN": "123-45-6789",
    "IP": "10.1.2.3",
    "SECRET": "sk-ant-api03-abcdefghijklmnopqrstuvwxyz0123456789ABCD",
}
PROMPT = (
    "Mail {EMAIL} or call {PHONE}; card {CARD}, IBAN {IBAN}, SSN {SSN}; "
    "the box at {IP} uses key {SECRET}."
).format(**VALUES)
REDACTED = (
    "Mail [EMAIL] or call [PHONE]; card [CARD], IBAN [IBAN], SSN [SSN]; "
    "the box at [IP] uses key [SECRET]."
)
CLEAN = "Bump requests to 2.31.0 on python 3.12.1, version 1.2.3.4; order 4111111111111112."


def pii(mode: str) -> dict[str, Any]:
    return {"pii": {"enabled": True, "mode": mode}, "metrics": OFF, "audit": {}}


def clients(url: str, token: str) -> tuple[anthropic.Anthropic, openai.OpenAI]:
    return (
        anthropic.Anthropic(base_url=url, api_key=token),
        openai.OpenAI(base_url=url + "/v1", api_key=token),
    )


def ask_anthropic(client: anthropic.Anthropic, text: str) -> Any:
    return client.messages.create(
        model="claude-sonnet-4-5", max_tokens=8, messages=[{"role": "user", "content": text}]
    )


def ask_openai(client: openai.OpenAI, text: str) -> Any:
    return client.chat.completions.create(
        model="gpt-4o", max_tokens=8, messages=[{"role": "user", "content": text}]
    )


def test_block_mode_answers_400_in_each_apis_error_format_and_sends_nothing() -> None:
    with mock_thread() as url:
        with shim_thread(url, pii("block")) as shim:
            ant, oai = clients(shim.url, shim.token)
            with pytest.raises(anthropic.BadRequestError) as a_err:
                ask_anthropic(ant, f"please email {VALUES['EMAIL']}")
            with pytest.raises(openai.BadRequestError) as o_err:
                ask_openai(oai, f"charge {VALUES['CARD']}")
            clean = ask_anthropic(ant, CLEAN)  # false positives do not block
            seen = requests_seen(url)
        audit = (paths.state_dir() / "audit.jsonl").read_text()
    assert a_err.value.status_code == 400 and o_err.value.status_code == 400
    a_body = a_err.value.body
    assert isinstance(a_body, dict) and a_body["type"] == "error"
    assert SEED.items() <= a_body["error"].items()
    assert a_body["error"]["kinds"] == ["email"]
    o_body = o_err.value.body  # the SDK hands over the inner error object
    assert isinstance(o_body, dict) and SEED.items() <= o_body.items()
    assert o_body["kinds"] == ["credit_card"]
    assert a_err.value.response.headers["x-should-retry"] == "false"  # no SDK retries
    assert clean.content and len(seen) == 1  # only the clean request went upstream
    assert CLEAN in str(seen[0]["body"])
    for value in VALUES.values():
        assert value not in audit  # the matched values are never logged
    assert '"pii":["email"]' in audit and '"pii":["credit_card"]' in audit


def test_redact_mode_forwards_labels_instead_of_values() -> None:
    tool_turn: list[dict[str, Any]] = [
        {"role": "user", "content": "look the user up"},
        {
            "role": "assistant",
            "content": [{"type": "tool_use", "id": "t1", "name": "lookup", "input": {}}],
        },
        {
            "role": "user",
            "content": [
                {"type": "tool_result", "tool_use_id": "t1", "content": f"ssn {VALUES['SSN']}"}
            ],
        },
    ]
    with mock_thread() as url:
        with shim_thread(url, pii("redact")) as shim:
            ant, oai = clients(shim.url, shim.token)
            a_reply = ask_anthropic(ant, PROMPT)
            o_reply = ask_openai(oai, PROMPT)
            ant.messages.create(model="claude-sonnet-4-5", max_tokens=8, messages=tool_turn)  # type: ignore[arg-type]
            seen = requests_seen(url)
        audit = (paths.state_dir() / "audit.jsonl").read_text()
    assert a_reply.content and o_reply.choices
    anthropic_body, openai_body, tool_body = (entry["body"] for entry in seen)
    assert anthropic_body["messages"][0]["content"] == REDACTED
    assert openai_body["messages"][0]["content"] == REDACTED
    assert tool_body["messages"][2]["content"][0]["content"] == "ssn [SSN]"
    upstream = str(seen)
    for value in VALUES.values():
        assert value not in upstream and value not in audit
