"""Rows 1 and 2 of issue 13: request targets, on a real shim with a capturing upstream.

Only origin-form targets are served; paths are canonicalised once, before auth, routing and
the plugins see them, and the canonical path is what is forwarded (README, "The shim's
gates"). Both halves are shown: the gate judges the canonical path, the upstream gets it.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from llmgw_cli.shim.forward import target
from tests.gates import raw
from tests.gates.kit import KEY_A, OFF, Upstream, auth, message, shim_in_thread, write_profile

NON_CANONICAL = [
    "//v1/messages",
    "/v1/./messages",
    "/v1/messages;x",
    "/v1/x/../messages",
    "/v1%2Fmessages",
    "/v1/%6Dessages",
    "/./v1//messages",
    "/v1/messages;x=1/",
]


def test_absolute_form_target_is_refused_and_no_secret_leaves(
    llmgw_home: Path, upstream: Upstream, attacker: Upstream
) -> None:
    """`GET m://attacker/steal` with the local token: 400 in the client's format; neither the
    attacker nor the upstream hears anything, let alone the Bearer secret."""
    write_profile(llmgw_home, "gw", upstream.url)
    netloc = attacker.url.removeprefix("http://")
    attacks = [
        f"m://{netloc}/steal",
        f"http://{netloc}/v1/messages",
        f"{netloc}",
        "*",
        f"@{netloc}/v1/messages",
    ]
    refused_by_shim: list[str] = []
    with shim_in_thread(["gw"]) as shim:
        for bad in attacks:
            status, headers, body = raw.send(shim.url, bad, auth(shim.token), message())
            assert status == 400, (bad, body)
            if headers.get("content-type", "").startswith("application/json"):
                err = json.loads(body)  # refused by the shim, in the client's format
                assert err["type"] == "error" and err["error"]["type"] == "invalid_request_error"
                assert "origin-form" in err["error"]["message"]
                refused_by_shim.append(bad)
            # else: aiohttp's request-line parser refused it before the shim saw it
        # An origin-form target still goes to the member, query and all, with its key.
        status, _, _ = raw.send(shim.url, "/v1/messages?beta=true", auth(shim.token), message())
    assert status == 200
    assert (
        f"m://{netloc}/steal" in refused_by_shim
        and f"http://{netloc}/v1/messages" in refused_by_shim
    )
    assert attacker.seen == []
    assert [s["target"] for s in upstream.seen] == ["/v1/messages?beta=true"]
    assert upstream.seen[0]["headers"]["Host"] == upstream.url.removeprefix("http://")
    assert upstream.seen[0]["headers"]["Authorization"] == f"Bearer {KEY_A}"


@pytest.mark.parametrize(
    ("plugins", "status"),
    [
        ({"audit": OFF, "metrics": OFF, "pii": {"enabled": True}}, 400),
        ({"audit": OFF, "metrics": OFF, "budget": {"enabled": True, "daily_tokens": 1}}, 429),
    ],
    ids=["pii-blocks", "budget-spent"],
)
def test_non_canonical_paths_meet_the_gates(
    llmgw_home: Path, upstream: Upstream, plugins: dict[str, object], status: int
) -> None:
    write_profile(llmgw_home, "gw", upstream.url)
    with shim_in_thread(["gw"], plugins) as shim:
        for path in ["/v1/messages", *NON_CANONICAL]:
            got, _, body = raw.send(
                shim.url, path, auth(shim.token), message("mail me: alice@example.com")
            )
            assert got == status, (path, body)
    assert upstream.seen == []  # nothing was forwarded verbatim around the gate


def test_the_canonical_path_is_what_is_forwarded(llmgw_home: Path, upstream: Upstream) -> None:
    write_profile(llmgw_home, "gw", upstream.url + "/gateway/")
    with shim_in_thread(["gw"]) as shim:
        for path in NON_CANONICAL:
            got, _, body = raw.send(shim.url, path, auth(shim.token), message())
            assert got == 200, (path, body)
    expected = "/gateway/v1/messages"
    assert [s["target"].rstrip("/") for s in upstream.seen] == [expected] * len(NON_CANONICAL)


@pytest.mark.parametrize(
    "path", ["/v1\\messages", "/v1/%5Cmessages", "/v1/%252Fmessages", "/v1/%00messages", "/v1/%ff"]
)
def test_unguessable_paths_are_refused(llmgw_home: Path, upstream: Upstream, path: str) -> None:
    write_profile(llmgw_home, "gw", upstream.url)
    with shim_in_thread(["gw"]) as shim:
        got, _, _ = raw.send(shim.url, path, auth(shim.token), message())
    assert got == 400
    assert upstream.seen == []


def test_canonical_and_join_units() -> None:
    assert target.parse("//v1/./x/../messages;p?a=1") == ("/v1/messages", "a=1")
    assert target.parse("/../../v1/messages") == ("/v1/messages", "")
    assert target.parse("/v1/models/") == ("/v1/models/", "")
    with pytest.raises(target.BadTarget):
        target.parse("http://evil/v1/messages")
    from yarl import URL

    joined = target.join(URL("https://gw.test:8443/openai/v1"), "/v1/chat/completions", "x=1")
    assert str(joined) == "https://gw.test:8443/openai/v1/chat/completions?x=1"
    assert target.join(URL("http://gw.test"), "/a b", "").raw_path == "/a%20b"
