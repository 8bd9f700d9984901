"""PII detection: a table of true and false positives, then the plugin's block and redact modes."""

from __future__ import annotations

import asyncio
import json
import logging
from pathlib import Path
from typing import Any

import pytest

from llmgw_cli.errors import ConfigError
from llmgw_cli.pii import Scanner
from llmgw_cli.pii.detectors import iban_ok, luhn_ok
from llmgw_cli.pii.scan import ENTRY_COST
from llmgw_cli.prices import PriceTable
from llmgw_cli.shim.plugins.contract import Reject
from llmgw_cli.shim.plugins.pii import PIIPlugin
from llmgw_cli.wire.text import user_texts

from .conftest import anthropic_body, make_exchange

JWT = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U"
# (text, kinds expected): an empty tuple means nothing may be flagged.
CASES: list[tuple[str, tuple[str, ...]]] = [
    # email
    ("write to alice@example.com please", ("email",)),
    ("j.doe+billing@mail.corp.co.uk", ("email",)),
    ("assets/icon@2x.png", ()),
    ("git clone git@github.com:org/repo.git", ()),
    ("npm i @types/node@20.1.0", ()),
    ("@decorator on a method", ()),
    # phone
    ("call me at (415) 555-2671 today", ("phone",)),
    ("London office +44 20 7946 0958", ("phone",)),
    ("Tokyo +81 3-1234-5678", ("phone",)),
    ("+1-202-555-0147", ("phone",)),
    ("logged at 2024-01-15 10:30:00", ()),
    ("listening on port 8080, pid 12345678", ()),
    ("ISBN 978-3-16-148410-0", ()),
    ("build 555-123-4567 failed", ()),  # 7 digits after 555 is no US number
    # payment cards (Luhn + network prefix)
    ("card 4111 1111 1111 1111 exp 12/29", ("credit_card",)),
    ("4111-1111-1111-1111", ("credit_card",)),
    ("amex 378282246310005", ("credit_card",)),
    ("mc 5555555555554444", ("credit_card",)),
    ("discover 6011111111111117", ("credit_card",)),
    ("card 4111 1111 1111 1112", ()),  # fails Luhn
    ("id 1234567812345678", ()),  # Luhn-valid but no card network starts with 1
    ("epoch ms 1732665600000", ()),
    ("4111 11111 111 1111", ()),  # not how cards are printed
    ("ISBN-13 9780306406157", ()),
    # IBAN (mod 97)
    ("IBAN DE89 3704 0044 0532 0130 00", ("iban",)),
    ("GB82WEST12345698765432", ("iban",)),
    ("pay GB82 WEST 1234 5698 7654 32 by Friday", ("iban",)),
    ("DE89 3704 0044 0532 0130 01", ()),  # check digits wrong
    ("XX89370400440532013000", ()),  # no such country
    # US SSN
    ("ssn 123-45-6789", ("ssn",)),
    ("SSN: 219 09 9999", ("ssn",)),
    ("000-12-3456", ()),
    ("666-12-3456", ()),
    ("900-12-3456", ()),
    ("123-00-4567", ()),
    ("123-45-0000", ()),
    ("released 2023-11-27", ()),
    # IP addresses
    ("the server is 8.8.8.8.", ("ip",)),
    ("ssh 10.0.0.5", ("ip",)),
    ("upstream 2001:4860:4860::8888", ("ip",)),
    ("bind 127.0.0.1 and 0.0.0.0", ()),
    ("version 1.2.3.4", ()),
    ("v1.2.3.4", ()),
    ('def f(version="1.2.3.4"):', ()),
    ('{"version": "10.0.19041.1", "release": "4.3.2.1"}', ()),
    ('host = "203.0.113.9"', ("ip",)),
    ("HOST=10.0.0.5", ("ip",)),
    ("1.2.3.4.5", ()),
    ("requests==2.31.0.1", ()),
    ("octet 256.1.1.1", ()),
    ("netmask 255.255.255.0", ()),
    ("std::vector<int> x; a::b", ()),
    ("12:30:45 and 00:1a:2b:3c:4d:5e", ()),
    ("link-local fe80::1", ()),
    # secrets
    ("key sk-ant-api03-abcdefghijklmnopqrstuvwxyz0123456789", ("secret",)),
    ("OPENAI_API_KEY=sk-proj-Ab1_Ab1_Ab1_Ab1_Ab1_Ab1_Ab1_Ab1_Ab1_Ab1", ("secret",)),
    ("AKIAIOSFODNN7EXAMPLE", ("secret",)),
    ("token ghp_" + "a1" * 18, ("secret",)),
    ("xoxb-123456789012-abcdefghij", ("secret",)),
    (
        "-----BEGIN RSA PRIVATE KEY-----\nMIIEpAIBAAKCAQEA\n-----END RSA PRIVATE KEY-----",
        ("secret",),
    ),
    ("Authorization: Bearer " + JWT, ("secret",)),
    ("pip install scikit-learn sk-learn-is-a-library-name-here", ()),
    ("task-ant-colony-optimisation-algorithm-v2", ()),
    ("-----BEGIN PUBLIC KEY-----", ()),
    # mixed and nothing
    ("mail bob@corp.com, card 5555 5555 5555 4444", ("credit_card", "email")),
    ("def add(a, b):\n    return a + b  # line 1024", ()),
]


@pytest.fixture(scope="module")
def scanner() -> Scanner:
    return Scanner()


@pytest.mark.parametrize(("text", "kinds"), CASES, ids=[c[0][:40] for c in CASES])
def test_detection_table(scanner: Scanner, text: str, kinds: tuple[str, ...]) -> None:
    found = scanner.scan(text)
    assert tuple(sorted({f.kind for f in found})) == tuple(sorted(kinds))


def test_table_is_big_enough() -> None:
    assert len(CASES) >= 40
    assert sum(1 for _, k in CASES if not k) >= 20  # false positives matter as much


def test_checksums() -> None:
    assert luhn_ok("4111111111111111") and not luhn_ok("4111111111111112")
    assert iban_ok("DE89370400440532013000") and not iban_ok("DE89370400440532013001")


def test_redaction_labels(scanner: Scanner) -> None:
    text = "alice@example.com paid with 4111 1111 1111 1111 from 8.8.8.8 key AKIAIOSFODNN7EXAMPLE"
    redacted, _ = scanner.redact(text)
    assert redacted == "[EMAIL] paid with [CARD] from [IP] key [SECRET]"


def test_verdicts_are_cached_by_content() -> None:
    s = Scanner()
    text = "contact alice@example.com " + "filler " * 2000
    assert s.scan(text) and s.misses == 1
    assert s.scan("".join(list(text))) and s.hits == 1  # an equal, distinct string object


def test_cache_is_bounded() -> None:
    s = Scanner(cache_size=10)
    for i in range(50):
        s.scan(f"text number {i}")
    assert len(s._cache) == 10


def test_cache_is_bounded_by_the_bytes_of_text_it_covers() -> None:
    # Thousands of pieces of one long conversation stay covered whole: no entry count cap.
    pieces = [f"tool result {i} " + "line of code\n" * 40 for i in range(3000)]
    s = Scanner(cache_bytes=sum(len(p) for p in pieces) + 3000 * ENTRY_COST)
    for text in pieces:
        s.scan(text)
    for text in pieces:  # the next turn resends them all: every one a hit
        s.scan(text)
    assert s.hits == 3000 and s.misses == 3000
    small = Scanner(cache_bytes=10 * (len(pieces[0]) + ENTRY_COST))
    for text in pieces[:50]:
        small.scan(text)
    assert len(small._cache) <= 10 and small._bytes <= small.cache_bytes


def test_only_user_text_and_tool_results_are_scanned() -> None:
    body = {
        "system": "admin@corp.com wrote this system prompt",
        "tools": [{"name": "mail", "description": "send to ops@corp.com"}],
        "messages": [
            {"role": "user", "content": [{"type": "text", "text": "hi"}]},
            {"role": "assistant", "content": "reach me at bot@corp.com"},
            {
                "role": "user",
                "content": [
                    {
                        "type": "tool_result",
                        "tool_use_id": "t",
                        "content": [{"type": "text", "text": "result from tool"}],
                    }
                ],
            },
        ],
    }
    assert [s.text for s in user_texts(body)] == ["hi", "result from tool"]
    openai = {
        "messages": [
            {"role": "system", "content": "x"},
            {
                "role": "user",
                "content": [
                    {"type": "text", "text": "u1"},
                    {"type": "image_url", "image_url": {"url": "data:"}},
                ],
            },
            {"role": "tool", "tool_call_id": "c", "content": "t1"},
        ]
    }
    assert [s.text for s in user_texts(openai)] == ["u1", "t1"]
    responses = {
        "input": [
            {"role": "user", "content": [{"type": "input_text", "text": "r1"}]},
            {"type": "function_call_output", "call_id": "c", "output": "r2"},
        ]
    }
    assert [s.text for s in user_texts(responses)] == ["r1", "r2"]


def _plugin(tmp_path: Path, **cfg: Any) -> PIIPlugin:
    return PIIPlugin({"enabled": True, **cfg}, tmp_path, PriceTable())


def test_block_mode_rejects_with_seed_shape(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    plugin = _plugin(tmp_path)
    ex = make_exchange(anthropic_body("my card is 4111 1111 1111 1111"))
    with caplog.at_level(logging.WARNING), pytest.raises(Reject) as info:
        asyncio.run(plugin.on_request(ex))
    reject = info.value
    assert reject.status == 400
    body = reject.body("anthropic")
    assert body["type"] == "error"
    assert body["error"]["type"] == "security_violation"
    assert body["error"]["error"] == "PII detected in prompt"
    assert body["error"]["kinds"] == ["credit_card"]
    openai = reject.body("openai")["error"]
    assert openai["type"] == "security_violation" and openai["error"] == "PII detected in prompt"
    assert "credit_card" in caplog.text
    assert "4111" not in caplog.text and "4111" not in json.dumps(body)


def test_redact_mode_rewrites_only_user_text(tmp_path: Path) -> None:
    plugin = _plugin(tmp_path, mode="redact")
    body = anthropic_body("mail alice@example.com, IBAN DE89 3704 0044 0532 0130 00")
    body["messages"].insert(0, {"role": "assistant", "content": "bob@example.com"})
    body["system"] = "ops@example.com"
    ex = make_exchange(body)
    asyncio.run(plugin.on_request(ex))
    sent = json.loads(ex.body)
    assert sent["messages"][1]["content"] == "mail [EMAIL], IBAN [IBAN]"
    assert sent["messages"][0]["content"] == "bob@example.com"
    assert sent["system"] == "ops@example.com"
    assert ex.notes["pii"] == ["email", "iban"]


def test_clean_request_body_untouched(tmp_path: Path) -> None:
    plugin = _plugin(tmp_path, mode="redact")
    ex = make_exchange(raw=b'{"model": "m",   "messages": [{"role": "user", "content": "hello"}]}')
    before = ex.body
    asyncio.run(plugin.on_request(ex))
    assert ex.body is before


def test_detectors_can_be_narrowed_and_validated(tmp_path: Path) -> None:
    plugin = _plugin(tmp_path, detectors=["secret"])
    asyncio.run(plugin.on_request(make_exchange(anthropic_body("alice@example.com"))))
    with pytest.raises(ConfigError, match="unknown detector 'passport'"):
        _plugin(tmp_path, detectors=["passport"])
    with pytest.raises(ConfigError, match="mode"):
        _plugin(tmp_path, mode="shout")


def test_non_prompt_paths_pass(tmp_path: Path) -> None:
    plugin = _plugin(tmp_path)
    ex = make_exchange(anthropic_body("alice@example.com"), path="/v1/models")
    asyncio.run(plugin.on_request(ex))
    ex = make_exchange(
        anthropic_body("alice@example.com"), path="/v1/messages/count_tokens?beta=true"
    )
    with pytest.raises(Reject):
        asyncio.run(plugin.on_request(ex))
